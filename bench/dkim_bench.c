/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_bench - DKIM verifications per second on one core.
 *
 *   dkim_bench (--zone FILE | --server IP:PORT) MESSAGE [SECONDS | -n COUNT]
 *
 * Verifies MESSAGE (CRLF, one signature) over and over through the same
 * calls the milter makes (header by header, the body in 64 KiB chunks),
 * for SECONDS (default 3) and prints verifications per second; with
 * --server the key is in the resolver's cache after the first message.
 * "-n COUNT" runs exactly COUNT verifications and prints nothing but
 * the count, for allocation counting under valgrind (dkim_bench.sh).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "dkim_verify.h"
#include "dns.h"
#include "vstr.h"
#include "xmalloc.h"

/* header, body - bench_feed's callbacks into the verifier */
static void
header(void *v, const char *name, const char *value)
{
	dkim_verify_header(v, name, value);
}

static void
body(void *v, const unsigned char *buf, size_t len)
{
	dkim_verify_body(v, buf, len);
}

/* verify_once - one message through the verifier; the first result */
static enum dkim_res
verify_once(struct dns *d, const char *msg, size_t len)
{
	struct dkim_verify_opts o = { 1024, 0, 5, 0 };
	struct dkim_verify *v = dkim_verify_start(d, &o, "bench");
	enum dkim_res res = DKIM_RES_NONE;
	struct dkim_result *r;
	size_t n, ign;

	bench_feed(msg, len, header, body, v);
	n = dkim_verify_end(v, &r, &ign);
	if (n > 0)
		res = r[0].result;
	dkim_verify_results_free(r, n);
	dkim_verify_free(v);
	return res;
}

int
main(int argc, char **argv)
{
	struct vstr msg = VSTR_INIT;
	struct dns *d;
	double secs = 3, t0, t;
	long n = 0, count = -1;

	if (argc < 4) {
		fprintf(stderr, "usage: dkim_bench (--zone FILE | --server "
		    "IP:PORT) MESSAGE [SECONDS | -n COUNT]\n");
		return 2;
	}
	if (argc > 5 && strcmp(argv[4], "-n") == 0)
		count = atol(argv[5]);
	else if (argc > 4)
		secs = atof(argv[4]);
	d = bench_dns("dkim_bench", argv[1], argv[2]);
	bench_read("dkim_bench", argv[3], &msg);
	if (verify_once(d, msg.buf, msg.len) != DKIM_RES_PASS) {
		fprintf(stderr, "dkim_bench: the message does not verify\n");
		return 1;
	}
	if (count >= 0) {
		for (n = 0; n < count; n++)
			verify_once(d, msg.buf, msg.len);
		printf("%ld\n", n);
		return 0;
	}
	t0 = bench_now();
	do {
		verify_once(d, msg.buf, msg.len);
		n++;
	} while ((t = bench_now() - t0) < secs);
	printf("dkim (%s): %ld verifications of a %zu-byte message in %.2f s: "
	    "%.0f/s, %.1f us each (target >= 20000/s)\n",
	    strcmp(argv[1], "--zone") == 0 ? "zone layer" : "warm cache",
	    n, msg.len, t, (double)n / t, t * 1e6 / (double)n);
	vstr_free(&msg);
	dns_free(d);
	return 0;
}
