/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_bench - the report store's figures (bench/report_bench.sh runs
 * it; not a test):
 *
 *   report_bench write URI N
 *	N rows pushed through a report_queue into the store at URI, as
 *	the daemon's milter threads push them: the time a push costs the
 *	pushing thread, and the rows a second the writer commits.
 *   report_bench fill URI N typical|distinct BEGIN
 *	N rows over the day from BEGIN put straight into the store, in
 *	transactions of REPORT_QUEUE_BATCH, for mxauth-report to read:
 *	typical: 2,000 policy domains with a rua= each, 5,000 sources
 *	sending a few result tuples; distinct: one domain, every row its
 *	own source IP (the worst case for the aggregation and the XML).
 *
 * One line of key=value figures on stdout; errors on stderr, exit 1.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_queue.h"
#include "report_row.h"
#include "report_store.h"
#include "xmalloc.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* row - the I-th row of SHAPE (0 typical, 1 distinct) at time T */
static void
row(struct report_row *r, uint64_t i, int distinct, int64_t t)
{
	char dom[64], ip[32], rua[96];
	unsigned d = (unsigned)(i * 2654435761u % 2000), s;

	memset(r, 0, sizeof(*r));
	r->time = t;
	if (distinct) {
		snprintf(dom, sizeof(dom), "big.example");
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", (unsigned)(i >> 16) &
		    255, (unsigned)(i >> 8) & 255, (unsigned)i & 255);
	} else {
		snprintf(dom, sizeof(dom), "d%u.example", d);
		s = (unsigned)(i * 40503u % 5000);
		snprintf(ip, sizeof(ip), "198.51.%u.%u", s >> 8, s & 255);
	}
	snprintf(rua, sizeof(rua), "mailto:dmarc@%s", dom);
	r->source_ip = xstrdup(ip);
	r->header_from = xstrdup(dom);
	r->envelope_from = xstrdup(dom);
	r->envelope_to = xstrdup("mx.example");
	r->policy_domain = xstrdup(dom);
	r->rua = xstrdup(rua);
	r->p = r->sp = r->np = DMARC_POLICY_REJECT;
	r->psd = 'u';
	r->spf_domain = xstrdup(dom);
	r->spf_scope = SPF_ID_MAILFROM;
	r->ndkim = 1;
	r->dkim = xcalloc(1, sizeof(*r->dkim));
	r->dkim[0].domain = xstrdup(dom);
	r->dkim[0].selector = xstrdup("s1");
	/* one message in eight a forgery, refused */
	if (i % 8 == 7) {
		r->dmarc = DMARC_RES_FAIL;
		r->spf = SPF_RES_FAIL;
		r->dkim[0].result = DKIM_RES_FAIL;
		r->policy = r->disposition = DMARC_POLICY_REJECT;
		r->action = ACTION_REJECT;
	} else {
		r->dmarc = DMARC_RES_PASS;
		r->spf = SPF_RES_PASS;
		r->dkim[0].result = DKIM_RES_PASS;
		r->dkim_aligned = r->spf_aligned = true;
		r->policy = DMARC_POLICY_REJECT;
		r->disposition = DMARC_POLICY_NONE;
		r->action = ACTION_ACCEPT;
	}
}

static int
bench_write(const char *uri, uint64_t n)
{
	struct report_queue *q;
	struct report_row r;
	char why[512];
	double t0, push, all;
	uint64_t i;

	if ((q = report_queue_new(uri, (size_t)n, NULL, why,
	    sizeof(why))) == NULL) {
		fprintf(stderr, "report_bench: %s\n", why);
		return 1;
	}
	t0 = now_ms();
	push = 0;
	for (i = 0; i < n; i++) {
		double p0;

		row(&r, i, 0, (int64_t)time(NULL));
		p0 = now_ms();
		(void)report_queue_push(q, &r);
		push += now_ms() - p0;
	}
	report_queue_free(q, 600000);
	all = now_ms() - t0;
	printf("report_bench write rows=%" PRIu64 " push_us=%.2f "
	    "rows_per_s=%.0f\n", n, push * 1e3 / (double)n,
	    (double)n / (all / 1e3));
	return 0;
}

static int
bench_fill(const char *uri, uint64_t n, int distinct, int64_t begin)
{
	struct report_row *b;
	struct report_store *s;
	char why[512];
	double t0;
	uint64_t i;
	size_t k, j;

	if ((s = report_store_open(uri, why, sizeof(why))) == NULL) {
		fprintf(stderr, "report_bench: %s\n", why);
		return 1;
	}
	b = xcalloc(REPORT_QUEUE_BATCH, sizeof(*b));
	t0 = now_ms();
	for (i = 0; i < n; i += k) {
		k = n - i < REPORT_QUEUE_BATCH ? (size_t)(n - i) :
		    REPORT_QUEUE_BATCH;
		for (j = 0; j < k; j++)
			row(&b[j], i + j, distinct, begin +
			    (int64_t)((i + j) * 86400 / n));
		if (report_store_put(s, b, k, why, sizeof(why)) != 0) {
			fprintf(stderr, "report_bench: %s\n", why);
			return 1;
		}
		for (j = 0; j < k; j++)
			report_row_clear(&b[j]);
	}
	printf("report_bench fill shape=%s rows=%" PRIu64 " rows_per_s=%.0f\n",
	    distinct ? "distinct" : "typical", n,
	    (double)n / ((now_ms() - t0) / 1e3));
	x_free(b);
	report_store_close(s);
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t n;

	if (argc >= 4 && (n = strtoull(argv[3], NULL, 10)) > 0) {
		if (strcmp(argv[1], "write") == 0 && argc == 4)
			return bench_write(argv[2], n);
		if (strcmp(argv[1], "fill") == 0 && argc == 6)
			return bench_fill(argv[2], n,
			    strcmp(argv[4], "distinct") == 0,
			    strtoll(argv[5], NULL, 10));
	}
	fprintf(stderr, "usage: report_bench write URI N\n"
	    "       report_bench fill URI N typical|distinct BEGIN\n");
	return 2;
}
