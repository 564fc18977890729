/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * safefile - files opened so that their name cannot trick mxauth.
 *
 * Reading (the config, file: lists, policy_overrides, psl_file): a FIFO
 * without a writer would block the thread that handles signals, and
 * /dev/zero would be read forever, so the open never blocks and only a
 * regular file of bounded size is taken.  Writing as root (the log and
 * pid files, in directories the service user may be able to write): a
 * symbolic or hard link put there in advance would make root append to
 * or truncate another file, so neither is followed or accepted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "safefile.h"

/* safefile_read - a bounded regular file for reading, or NULL */
FILE *
safefile_read(const char *path, long long max, char *why, size_t whylen)
{
	struct stat st;
	FILE *fp;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0)
		snprintf(why, whylen, "cannot read: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(why, whylen, "cannot read: not a regular file");
	else if ((long long)st.st_size > max)
		snprintf(why, whylen, "cannot read: larger than %lld bytes",
		    max);
	else if ((fp = fdopen(fd, "r")) == NULL)
		snprintf(why, whylen, "cannot read: %s", strerror(errno));
	else
		return fp;
	close(fd);
	return NULL;
}

/* safefile_write - a regular, singly linked file for writing, or -1 */
int
safefile_write(const char *path, int flags, mode_t mode, struct stat *st,
    char *why, size_t whylen)
{
	const char *bad = NULL;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC | flags, mode);
	if (fd < 0) {
		snprintf(why, whylen, "%s", errno == ELOOP ?
		    "it is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, st) != 0)
		bad = strerror(errno);
	else if (!S_ISREG(st->st_mode))
		bad = "not a regular file";
	else if (st->st_nlink != 1)
		bad = "it has other hard links";
	if (bad == NULL)
		return fd;
	snprintf(why, whylen, "%s", bad);
	close(fd);
	return -1;
}
