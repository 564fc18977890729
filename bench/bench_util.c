/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_util - shared set-up of the benchmark programs (not a test:
 * errors print and exit).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "dns.h"
#include "vstr.h"

/* bench_now - monotonic seconds */
double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* bench_dns - the resolver a benchmark runs against */
struct dns *
bench_dns(const char *prog, const char *mode, const char *arg)
{
	struct dns_opts o;
	struct dns *d;
	char err[512];

	if (strcmp(mode, "--zone") == 0)
		d = dns_new_zone(arg, err, sizeof(err));
	else {
		memset(&o, 0, sizeof(o));
		o.servers = arg;
		o.timeout = 2;
		o.cache_size = 1000;
		d = dns_new(&o, err, sizeof(err));
	}
	if (d == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err);
		exit(1);
	}
	return d;
}

/* bench_feed - header fields, then body chunks, as the glue passes them */
void
bench_feed(const char *msg, size_t len,
    void (*header)(void *, const char *, const char *),
    void (*body)(void *, const unsigned char *, size_t), void *arg)
{
	const char *p = msg, *end = msg + len, *eol, *colon;
	struct vstr name = VSTR_INIT, value = VSTR_INIT;
	size_t n;

	while (p < end && !(p[0] == '\r' && p[1] == '\n')) {
		eol = strstr(p, "\r\n");
		while (eol != NULL && (eol[2] == ' ' || eol[2] == '\t'))
			eol = strstr(eol + 2, "\r\n");
		colon = memchr(p, ':', (size_t)(eol - p));
		vstr_reset(&name);
		vstr_reset(&value);
		vstr_ncat(&name, p, (size_t)(colon - p));
		vstr_ncat(&value, colon + 1, (size_t)(eol - colon - 1));
		header(arg, vstr_str(&name), vstr_str(&value));
		p = eol + 2;
	}
	for (p += 2; p < end; p += n) {
		n = (size_t)(end - p) < 65536 ? (size_t)(end - p) : 65536;
		body(arg, (const unsigned char *)p, n);
	}
	vstr_free(&name);
	vstr_free(&value);
}

/* bench_read - a message file into OUT */
void
bench_read(const char *prog, const char *path, struct vstr *out)
{
	char buf[8192];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s: cannot open\n", prog, path);
		exit(1);
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		vstr_ncat(out, buf, n);
	fclose(fp);
}
