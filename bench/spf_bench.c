/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_bench - SPF evaluations per second on one core.
 *
 *   spf_bench (--zone FILE | --server IP:PORT) [SECONDS]
 *
 * Evaluates MAIL FROM bench@bench.example from 192.0.2.77 (matched by
 * the last ip4 of the second include) over and over for SECONDS
 * (default 3) and prints evaluations per second and the wall-clock and
 * CPU microseconds per evaluation (one thread; spf_bench.sh pins it to
 * one core with taskset).  With --server the resolver's cache is warmed
 * by one evaluation first, so the loop measures the evaluator plus cache
 * hits; with --zone, the zone layer answers.  The record (bench/bench.zone):
 *   v=spf1 include:_a.bench.example include:_b.bench.example
 *          ip4:198.51.100.0/24 ip4:203.0.113.0/24 -all
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "dns.h"
#include "result.h"
#include "spf_check.h"

/* now - seconds on CLOCK (monotonic wall time, or this thread's CPU) */
static double
now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* main - warm up, then evaluate for SECONDS and print the figures */
int
main(int argc, char **argv)
{
	struct spf_result r;
	struct dns *d;
	double secs, t0, c0, t, cpu;
	long n = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: spf_bench (--zone FILE | --server "
		    "IP:PORT) [SECONDS]\n");
		return 2;
	}
	secs = argc > 3 ? atof(argv[3]) : 3.0;
	d = bench_dns("spf_bench", argv[1], argv[2]);
	/* Warm up (fills the cache) and check the answer is the expected one. */
	spf_check_message(d, "192.0.2.77", "mail.bench.example",
	    "bench@bench.example", "mx.example", 0, &r);
	if (r.result != SPF_RES_PASS) {
		fprintf(stderr, "spf_bench: warm-up gave %s, not pass\n",
		    result_spf_str(r.result));
		return 1;
	}
	spf_check_result_clear(&r);
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_THREAD_CPUTIME_ID);
	do {
		spf_check_message(d, "192.0.2.77", "mail.bench.example",
		    "bench@bench.example", "mx.example", 0, &r);
		spf_check_result_clear(&r);
		n++;
	} while ((n & 255) != 0 || (t = now(CLOCK_MONOTONIC) - t0) < secs);
	cpu = now(CLOCK_THREAD_CPUTIME_ID) - c0;
	printf("spf (%s): %ld evaluations in %.2f s: %.0f evaluations/s, "
	    "%.2f us wall and %.2f us CPU each (target >= 50000/s)\n",
	    strcmp(argv[1], "--zone") == 0 ? "zone layer" : "warm cache",
	    n, t, (double)n / t, t * 1e6 / (double)n, cpu * 1e6 / (double)n);
	dns_free(d);
	return 0;
}
