/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log - the only module that calls syslog(3).
 *
 * Sinks: syslog (facility mail, ident "mxauth", pid), stderr, or a file
 * opened O_APPEND.  The file is opened as root, maybe in a directory the
 * service user can write to: a symbolic link, a hard link or anything but
 * a regular file there is refused, so that the user cannot make root
 * append to (or create) another file.  File and stderr lines carry a
 * timestamp and the level; each line is formatted into one buffer and
 * written with one write(2), so concurrent threads never interleave
 * within a line.  The sink is chosen once, at start-up (log_open): a
 * reload does not reopen it (log_target takes effect at the next
 * restart; rotate a file with copytruncate, see mxauth(8)).  The level
 * is an atomic int, set again on reload, so it may change while threads
 * log.
 *
 * Every worker writes a verdict line per message, so the path is kept
 * free of contention: the sink is read under a read lock (only log_open
 * and log_close take it for writing), each thread keeps its last
 * timestamp for the second it was made in (localtime_r takes glibc's
 * time-zone lock), and the pid is read once per process.  A mutex held
 * while formatting was the only lock mxauth contended under load.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "safefile.h"
#include "vstr.h"
#include "xmalloc.h"

enum log_sink {
	SINK_STDERR = 0,
	SINK_SYSLOG,
	SINK_FILE
};

static pthread_rwlock_t log_lock = PTHREAD_RWLOCK_INITIALIZER;
static pid_t log_pid;		/* 0: not read yet in this process */
static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static enum log_sink log_sink = SINK_STDERR;
static int log_fd = -1;		/* SINK_FILE */
static int log_level = LOG_LEVEL_INFO;
static char *log_ident;

static const char *const level_names[] = {
	"error", "warning", "info", "debug"
};

/* open_log_file - PATH for appending, not through a link; -1 and ERR */
static int
open_log_file(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char why[160];
	int fd;

	if ((fd = safefile_write(path, O_APPEND, 0640, &st, why,
	    sizeof(why))) < 0)
		snprintf(err, errlen, "cannot open log file %s: %s", path, why);
	return fd;
}

/* log_open - direct log lines to TARGET; 0 on success, -1 and ERR */
int
log_open(const char *target, const char *ident, char *err, size_t errlen)
{
	int fd = -1;
	enum log_sink sink;

	if (strcmp(target, "syslog") == 0)
		sink = SINK_SYSLOG;
	else if (strcmp(target, "stderr") == 0)
		sink = SINK_STDERR;
	else if (strncmp(target, "file:", 5) == 0) {
		sink = SINK_FILE;
		if ((fd = open_log_file(target + 5, err, errlen)) < 0)
			return -1;
	} else {
		snprintf(err, errlen, "bad log target \"%s\"", target);
		return -1;
	}

	pthread_rwlock_wrlock(&log_lock);
	if (log_sink == SINK_SYSLOG)
		closelog();
	if (log_fd >= 0)
		close(log_fd);
	x_free(log_ident);
	log_ident = xstrdup(ident);
	log_sink = sink;
	log_fd = fd;
	if (sink == SINK_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	pthread_rwlock_unlock(&log_lock);
	return 0;
}

/* log_close - close the sink; later lines go to stderr */
void
log_close(void)
{
	pthread_rwlock_wrlock(&log_lock);
	if (log_sink == SINK_SYSLOG)
		closelog();
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	log_sink = SINK_STDERR;
	pthread_rwlock_unlock(&log_lock);
}

/* log_set_level - lines above LEVEL are dropped */
void
log_set_level(enum log_level level)
{
	__atomic_store_n(&log_level, (int)level, __ATOMIC_RELAXED);
}

/* log_enabled - whether a line at LEVEL would be written */
int
log_enabled(enum log_level level)
{
	return (int)level <= __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

/* forget_pid - a forked child reads its own pid again */
static void
forget_pid(void)
{
	log_pid = 0;
}

static void
register_fork(void)
{
	(void)pthread_atfork(NULL, NULL, forget_pid);
}

/* pid - this process's id, read once */
static long
pid(void)
{
	pid_t p;

	pthread_once(&log_once, register_fork);
	if ((p = __atomic_load_n(&log_pid, __ATOMIC_RELAXED)) == 0) {
		p = getpid();
		__atomic_store_n(&log_pid, p, __ATOMIC_RELAXED);
	}
	return (long)p;
}

/* stamp - local time of NOW, remade once a second by each thread */
static const char *
stamp(void)
{
	static __thread time_t made = (time_t)-1;
	static __thread char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	if (now != made) {
		localtime_r(&now, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		made = now;
	}
	return buf;
}

/* log_write - format one line and hand it to the sink */
static void
log_write(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	struct vstr line = VSTR_INIT;
	int fd;

	if (!log_enabled(level))
		return;
	pthread_rwlock_rdlock(&log_lock);
	if (log_sink == SINK_SYSLOG) {
		vstr_vcatf(&line, fmt, ap);
		syslog(prio[level], "%s", vstr_str(&line));
	} else {
		vstr_catf(&line, "%s %s[%ld]: ", stamp(),
		    log_ident ? log_ident : "mxauth", pid());
		if (level != LOG_LEVEL_INFO)
			vstr_catf(&line, "%s: ", level_names[level]);
		vstr_vcatf(&line, fmt, ap);
		vstr_catc(&line, '\n');
		fd = log_sink == SINK_FILE ? log_fd : STDERR_FILENO;
		if (write(fd, line.buf, line.len) < 0) {
			/* nowhere left to report it */
		}
	}
	pthread_rwlock_unlock(&log_lock);
	vstr_free(&line);
}

/* log_msg - one line at LEVEL (log.h's log_error() and friends) */
void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(level, fmt, ap);
	va_end(ap);
}
