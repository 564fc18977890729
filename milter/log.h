/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log - the one place that writes log lines: syslog (facility mail),
 * stderr or a file.
 *
 * log_open() selects the sink from a log_target value ("syslog",
 * "stderr", "file:PATH"); until it is called, lines go to stderr.  All
 * functions are thread-safe; a file sink is opened O_APPEND and each line
 * is written with one write(2), so lines never interleave.
 */
#ifndef MXAUTH_LOG_H
#define MXAUTH_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

int	 log_open(const char *target, const char *ident, char *err, size_t errlen);
void	 log_close(void);
void	 log_set_level(enum log_level);
int	 log_enabled(enum log_level);
void	 log_msg(enum log_level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* something failed; the admin must act */
#define log_error(...)		log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
/* something is wrong but mail flows */
#define log_warning(...)	log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
/* verdict lines and life-cycle events */
#define log_info(...)		log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
/* detail for troubleshooting, off by default: its arguments are not
 * even evaluated unless the level is on */
#define log_debug(...)		(log_enabled(LOG_LEVEL_DEBUG) ? \
	log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__) : (void)0)

#endif
