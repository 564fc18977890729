/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_gz - gzip through zlib's deflate with a gzip wrapper
 * (report_gz.h): one call, the whole report in memory.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "report_gz.h"
#include "xmalloc.h"

/* report_gz - IN as one gzip member */
int
report_gz(const char *in, size_t len, const char *name, int64_t mtime,
    unsigned char **out, size_t *outlen, char *why, size_t whylen)
{
	z_stream z;
	gz_header h;
	size_t cap;
	int rc;

	*out = NULL;
	*outlen = 0;
	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip header and trailer around the deflate stream */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		snprintf(why, whylen, "zlib: %s", z.msg != NULL ? z.msg :
		    "deflateInit2 failed");
		return -1;
	}
	memset(&h, 0, sizeof(h));
	h.name = (Bytef *)name;
	h.time = (uLong)mtime;
	h.os = 3;	/* Unix */
	deflateSetHeader(&z, &h);
	/* the header's name, and the bound deflate gives for the data */
	cap = deflateBound(&z, (uLong)len) + strlen(name) + 64;
	*out = xmalloc(cap);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = *out;
	z.avail_out = (uInt)cap;
	rc = deflate(&z, Z_FINISH);
	if (rc != Z_STREAM_END || len > (size_t)(uInt)-1) {
		snprintf(why, whylen, "zlib: %s", z.msg != NULL ? z.msg :
		    "the report did not fit");
		deflateEnd(&z);
		x_free(*out);
		*out = NULL;
		return -1;
	}
	*outlen = z.total_out;
	deflateEnd(&z);
	return 0;
}
