/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_gz - gzip through zlib's deflate with a gzip wrapper
 * (report_gz.h), fed piece by piece; the output grows in a vstr.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "report_gz.h"
#include "vstr.h"
#include "xmalloc.h"

struct report_gz {
	z_stream	 z;
	gz_header	 h;
	char		*name;		/* the header points at it */
	struct vstr	 out;
	int		 failed;	/* zlib's error, once */
	char		 why[128];
};

/* fail - the first zlib error into GZ's reason; -1 */
static int
fail(struct report_gz *gz, const char *what)
{
	if (!gz->failed)
		snprintf(gz->why, sizeof(gz->why), "zlib: %s",
		    gz->z.msg != NULL ? gz->z.msg : what);
	gz->failed = 1;
	return -1;
}

/* run - deflate what is pending with FLUSH, the output into GZ->out */
static int
run(struct report_gz *gz, int flush)
{
	unsigned char chunk[16384];
	int rc;

	do {
		gz->z.next_out = chunk;
		gz->z.avail_out = sizeof(chunk);
		rc = deflate(&gz->z, flush);
		if (rc == Z_STREAM_ERROR)
			return fail(gz, "deflate failed");
		vstr_ncat(&gz->out, (const char *)chunk,
		    sizeof(chunk) - gz->z.avail_out);
	} while (gz->z.avail_out == 0 || (flush == Z_FINISH &&
	    rc != Z_STREAM_END));
	return 0;
}

struct report_gz *
report_gz_new(const char *name, int64_t mtime, char *why, size_t whylen)
{
	struct report_gz *gz = xcalloc(1, sizeof(*gz));

	/* 15 + 16: a gzip header and trailer around the deflate stream */
	if (deflateInit2(&gz->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16,
	    8, Z_DEFAULT_STRATEGY) != Z_OK) {
		snprintf(why, whylen, "zlib: %s", gz->z.msg != NULL ?
		    gz->z.msg : "deflateInit2 failed");
		x_free(gz);
		return NULL;
	}
	gz->name = xstrdup(name);
	gz->h.name = (Bytef *)gz->name;
	gz->h.time = (uLong)mtime;
	gz->h.os = 3;	/* Unix */
	deflateSetHeader(&gz->z, &gz->h);
	return gz;
}

int
report_gz_write(struct report_gz *gz, const void *in, size_t len)
{
	const unsigned char *p = in;
	size_t n;

	while (!gz->failed && len > 0) {
		n = len > 65536 ? 65536 : len;
		gz->z.next_in = (Bytef *)(uintptr_t)p;
		gz->z.avail_in = (uInt)n;
		if (run(gz, Z_NO_FLUSH) != 0)
			break;
		p += n;
		len -= n;
	}
	return gz->failed ? -1 : 0;
}

int
report_gz_end(struct report_gz *gz, unsigned char **out, size_t *outlen,
    char *why, size_t whylen)
{
	int rc = 0;

	*out = NULL;
	*outlen = 0;
	if (!gz->failed) {
		gz->z.next_in = NULL;
		gz->z.avail_in = 0;
		(void)run(gz, Z_FINISH);
	}
	if (gz->failed) {
		snprintf(why, whylen, "%s", gz->why);
		rc = -1;
	} else {
		*outlen = gz->out.len;
		*out = (unsigned char *)vstr_steal(&gz->out);
	}
	deflateEnd(&gz->z);
	vstr_free(&gz->out);
	x_free(gz->name);
	x_free(gz);
	return rc;
}

int
report_gz(const char *in, size_t len, const char *name, int64_t mtime,
    unsigned char **out, size_t *outlen, char *why, size_t whylen)
{
	struct report_gz *gz;

	*out = NULL;
	*outlen = 0;
	if ((gz = report_gz_new(name, mtime, why, whylen)) == NULL)
		return -1;
	(void)report_gz_write(gz, in, len);
	return report_gz_end(gz, out, outlen, why, whylen);
}
