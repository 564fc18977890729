/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * safefile - open the files mxauth reads as configuration and writes as
 * root without blocking on a FIFO, reading a device forever or writing
 * through a link someone planted.  No policy of its own: the callers
 * (conf, orgdomain, log, main) name the file and the size limit, and put
 * the file's name in front of the reason.
 */
#ifndef MXAUTH_SAFEFILE_H
#define MXAUTH_SAFEFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

/*
 * safefile_read - PATH for reading: a regular file of at most MAX bytes,
 * opened without blocking (the descriptor stays non-blocking).  Caller
 * fcloses; NULL and "cannot open: ..." or "cannot read: ..." in WHY.
 */
FILE	*safefile_read(const char *path, long long max, char *why,
	    size_t whylen);
/*
 * safefile_write - PATH for writing (O_WRONLY | O_CREAT | FLAGS, MODE):
 * never through a symbolic link (O_NOFOLLOW), only a regular file with
 * one link; its stat in *ST.  Caller closes; -1 and the reason in WHY.
 */
int	 safefile_write(const char *path, int flags, mode_t mode,
	    struct stat *st, char *why, size_t whylen);

#endif
