/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_gz - a report gzip-compressed (RFC 1952) with zlib, as RFC 9990
 * wants it sent: the original file name and time in the gzip header.
 * The only module that includes zlib.
 *
 * A report is compressed as it is written (report_gz_new, _write, _end):
 * the XML of a report of a million records never sits in memory whole,
 * only its compressed form.
 */
#ifndef MXAUTH_REPORT_GZ_H
#define MXAUTH_REPORT_GZ_H

#include <stddef.h>
#include <stdint.h>

struct report_gz;

/*
 * report_gz_new - a gzip member whose header names NAME at MTIME; NULL
 * and WHY when zlib cannot start one
 */
struct report_gz *report_gz_new(const char *name, int64_t mtime, char *why,
	    size_t whylen);
/* report_gz_write - LEN more bytes of input; 0, or -1 once zlib failed */
int	 report_gz_write(struct report_gz *, const void *in, size_t len);
/*
 * report_gz_end - the member finished: the compressed bytes in *OUT
 * (caller frees with x_free), *OUTLEN of them; -1 and WHY when zlib
 * failed at any point.  Frees the struct report_gz either way.
 */
int	 report_gz_end(struct report_gz *, unsigned char **out,
	    size_t *outlen, char *why, size_t whylen);

/* report_gz - IN (LEN bytes) as one member: new, write and end at once */
int	 report_gz(const char *in, size_t len, const char *name, int64_t mtime,
	    unsigned char **out, size_t *outlen, char *why, size_t whylen);

#endif
