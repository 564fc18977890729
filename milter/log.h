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
void	 log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warning(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
