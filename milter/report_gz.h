/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_gz - a report gzip-compressed (RFC 1952) with zlib, as RFC 9990
 * wants it sent: the original file name and time in the gzip header.
 * The only module that includes zlib.
 */
#ifndef MXAUTH_REPORT_GZ_H
#define MXAUTH_REPORT_GZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * report_gz - IN (LEN bytes) compressed into *OUT (caller frees with
 * x_free), *OUTLEN bytes, the gzip header naming NAME at MTIME; -1 and
 * WHY when zlib fails.
 */
int	 report_gz(const char *in, size_t len, const char *name, int64_t mtime,
	    unsigned char **out, size_t *outlen, char *why, size_t whylen);

#endif
