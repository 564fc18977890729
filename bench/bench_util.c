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
