/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_metrics - the counters and their Prometheus text exposition
 * (format 0.0.4): every series there from the start at zero, each event
 * counted once on its own series, histogram buckets cumulative with the
 * right bounds, the syntax a scraper parses, exact totals from threads.
 *
 * The counters are process-wide and never reset, so the cases compare
 * the exposition before and after an event.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "vstr.h"

/* expo - the exposition now; caller frees with free() */
static char *
expo(void)
{
	struct vstr v = VSTR_INIT;

	metrics_format(&v);
	return vstr_steal(&v);
}

/*
 * value - the value of SERIES (name and labels exactly as printed) in
 * TEXT; -1 when there is no such line
 */
static double
value(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *p;

	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

/* delta - what SERIES gained while FN(ARG) ran */
static double
delta(const char *series, void (*fn)(int), int arg)
{
	char *before = expo(), *after;
	double d;

	fn(arg);
	after = expo();
	assert_true(value(before, series) >= 0);
	d = value(after, series) - value(before, series);
	free(before);
	free(after);
	return d;
}

/* ev_message - the event, as a void (*)(int) */
static void
ev_message(int a)
{
	metrics_message((enum action)a);
}

/* ev_spf - the event, as a void (*)(int) */
static void
ev_spf(int r)
{
	metrics_spf((enum spf_res)r);
}

/* ev_dkim - the event, as a void (*)(int) */
static void
ev_dkim(int r)
{
	metrics_dkim((enum dkim_res)r);
}

/* ev_dmarc - the event, as a void (*)(int) */
static void
ev_dmarc(int r)
{
	metrics_dmarc((enum dmarc_res)r);
}

/* ev_forged - the event, as a void (*)(int) */
static void
ev_forged(int n)
{
	(void)n;
	metrics_forged_ar_removed();
}

/* ev_upstream - the event, as a void (*)(int) */
static void
ev_upstream(int n)
{
	(void)n;
	metrics_upstream_believed();
}

/* ev_cache - the event, as a void (*)(int) */
static void
ev_cache(int hit)
{
	metrics_dns_cache(hit);
}

/* ev_session - the event, as a void (*)(int) */
static void
ev_session(int d)
{
	metrics_session(d);
}

/* ev_reload - the event, as a void (*)(int) */
static void
ev_reload(int ok)
{
	metrics_reload(ok);
}

/* ev_txt_nx - the event, as a void (*)(int) */
static void
ev_txt_nx(int us)
{
	metrics_dns_query(DNS_T_TXT, DNS_NXDOMAIN, us);
}

/* ev_a_ok - the event, as a void (*)(int) */
static void
ev_a_ok(int us)
{
	metrics_dns_query(DNS_T_A, DNS_OK, us);
}

/* ev_report - the event, as a void (*)(int): 3 rows, WRITTEN or not */
static void
ev_report(int written)
{
	metrics_report_rows(written, 3);
}

/* test_zero - every series is there before anything happened, at 0 */
static void
test_zero(void **state)
{
	static const char *const series[] = {
		"mxauth_messages_total{action=\"accept\"}",
		"mxauth_messages_total{action=\"reject\"}",
		"mxauth_messages_total{action=\"quarantine\"}",
		"mxauth_messages_total{action=\"tempfail\"}",
		"mxauth_spf_results_total{result=\"none\"}",
		"mxauth_spf_results_total{result=\"softfail\"}",
		"mxauth_spf_results_total{result=\"permerror\"}",
		"mxauth_dkim_results_total{result=\"pass\"}",
		"mxauth_dkim_results_total{result=\"policy\"}",
		"mxauth_dmarc_results_total{result=\"fail\"}",
		"mxauth_dmarc_results_total{result=\"temperror\"}",
		"mxauth_forged_authres_removed_total",
		"mxauth_upstream_verdicts_believed_total",
		"mxauth_dns_queries_total{type=\"A\",status=\"ok\"}",
		"mxauth_dns_queries_total{type=\"TXT\",status=\"timeout\"}",
		"mxauth_dns_queries_total{type=\"AAAA\",status=\"servfail\"}",
		"mxauth_dns_query_duration_seconds_bucket{le=\"0.0005\"}",
		"mxauth_dns_query_duration_seconds_bucket{le=\"+Inf\"}",
		"mxauth_dns_query_duration_seconds_sum",
		"mxauth_dns_query_duration_seconds_count",
		"mxauth_dns_cache_hits_total",
		"mxauth_dns_cache_misses_total",
		"mxauth_milter_sessions",
		"mxauth_config_reloads_total{result=\"ok\"}",
		"mxauth_config_reloads_total{result=\"failed\"}",
		"mxauth_report_rows_written_total",
		"mxauth_report_rows_dropped_total",
	};
	char *t = expo();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(series) / sizeof(series[0]); i++) {
		if (value(t, series[i]) != 0)
			fail_msg("%s: %g, want 0", series[i], value(t, series[i]));
	}
	assert_true(value(t, "mxauth_build_info{version=\"" PACKAGE_VERSION
	    "\"}") == 1);
	free(t);
}

/* test_events - each event adds to its own series, once */
static void
test_events(void **state)
{
	static const struct {
		void	(*fn)(int);
		int	 arg;
		const char *series;
		double	 want;
	} cases[] = {
		{ ev_message, ACTION_ACCEPT,
		    "mxauth_messages_total{action=\"accept\"}", 1 },
		{ ev_message, ACTION_REJECT,
		    "mxauth_messages_total{action=\"reject\"}", 1 },
		{ ev_message, ACTION_REJECT,
		    "mxauth_messages_total{action=\"accept\"}", 0 },
		{ ev_message, ACTION_QUARANTINE,
		    "mxauth_messages_total{action=\"quarantine\"}", 1 },
		{ ev_message, ACTION_TEMPFAIL,
		    "mxauth_messages_total{action=\"tempfail\"}", 1 },
		{ ev_message, 99,	/* out of range: ignored */
		    "mxauth_messages_total{action=\"accept\"}", 0 },
		{ ev_spf, SPF_RES_SOFTFAIL,
		    "mxauth_spf_results_total{result=\"softfail\"}", 1 },
		{ ev_spf, SPF_RES_PASS,
		    "mxauth_spf_results_total{result=\"pass\"}", 1 },
		{ ev_dkim, DKIM_RES_PERMERROR,
		    "mxauth_dkim_results_total{result=\"permerror\"}", 1 },
		{ ev_dkim, DKIM_RES_FAIL,
		    "mxauth_dkim_results_total{result=\"pass\"}", 0 },
		{ ev_dmarc, DMARC_RES_FAIL,
		    "mxauth_dmarc_results_total{result=\"fail\"}", 1 },
		{ ev_dmarc, DMARC_RES_NONE,
		    "mxauth_dmarc_results_total{result=\"none\"}", 1 },
		{ ev_forged, 0, "mxauth_forged_authres_removed_total", 1 },
		{ ev_upstream, 0, "mxauth_upstream_verdicts_believed_total", 1 },
		{ ev_cache, 1, "mxauth_dns_cache_hits_total", 1 },
		{ ev_cache, 1, "mxauth_dns_cache_misses_total", 0 },
		{ ev_cache, 0, "mxauth_dns_cache_misses_total", 1 },
		{ ev_session, 1, "mxauth_milter_sessions", 1 },
		{ ev_session, -1, "mxauth_milter_sessions", -1 },
		{ ev_reload, 1, "mxauth_config_reloads_total{result=\"ok\"}", 1 },
		{ ev_reload, 0, "mxauth_config_reloads_total{result=\"failed\"}",
		    1 },
		{ ev_reload, 0, "mxauth_config_reloads_total{result=\"ok\"}", 0 },
		{ ev_report, 1, "mxauth_report_rows_written_total", 3 },
		{ ev_report, 1, "mxauth_report_rows_dropped_total", 0 },
		{ ev_report, 0, "mxauth_report_rows_dropped_total", 3 },
		{ ev_report, 0, "mxauth_report_rows_written_total", 0 },
		{ ev_txt_nx, 3000,
		    "mxauth_dns_queries_total{type=\"TXT\",status=\"nxdomain\"}",
		    1 },
		{ ev_txt_nx, 3000,
		    "mxauth_dns_queries_total{type=\"TXT\",status=\"ok\"}", 0 },
		{ ev_a_ok, 3000,
		    "mxauth_dns_queries_total{type=\"A\",status=\"ok\"}", 1 },
		/* buckets: a query of 3 ms is in le=0.005 and above, only */
		{ ev_a_ok, 3000,
		    "mxauth_dns_query_duration_seconds_bucket{le=\"0.0025\"}", 0 },
		{ ev_a_ok, 3000,
		    "mxauth_dns_query_duration_seconds_bucket{le=\"0.005\"}", 1 },
		{ ev_a_ok, 3000,
		    "mxauth_dns_query_duration_seconds_bucket{le=\"30\"}", 1 },
		{ ev_a_ok, 500,		/* the bound itself is in (le) */
		    "mxauth_dns_query_duration_seconds_bucket{le=\"0.0005\"}", 1 },
		{ ev_a_ok, 40000000,	/* 40 s: past the last bound */
		    "mxauth_dns_query_duration_seconds_bucket{le=\"30\"}", 0 },
		{ ev_a_ok, 40000000,
		    "mxauth_dns_query_duration_seconds_bucket{le=\"+Inf\"}", 1 },
		{ ev_a_ok, 40000000,
		    "mxauth_dns_query_duration_seconds_count", 1 },
		{ ev_a_ok, 1250000,
		    "mxauth_dns_query_duration_seconds_sum", 1.25 },
	};
	size_t i;
	double d;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = delta(cases[i].series, cases[i].fn, cases[i].arg);
		if (d < cases[i].want - 1e-9 || d > cases[i].want + 1e-9)
			fail_msg("case %zu: %s moved by %g, want %g", i,
			    cases[i].series, d, cases[i].want);
	}
}

/* metric_name - NAME is a Prometheus metric name (no colon: ours) */
static int
metric_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", s[i]) == NULL)
			return 0;
	return 1;
}

/*
 * test_syntax - every line is a HELP, a TYPE, or NAME[{l="v",...}] VALUE;
 * each family's HELP and TYPE come before its samples, once; names
 * start mxauth_, counters end _total; the text ends with a newline
 */
static void
test_syntax(void **state)
{
	char *t = expo(), *line, *save = NULL, *sp, family[128] = "";
	char typed[8192] = " ", key[132];
	size_t n;

	(void)state;
	assert_true(strlen(t) > 0 && t[strlen(t) - 1] == '\n');
	for (line = strtok_r(t, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (strncmp(line, "# TYPE ", 7) == 0) {
			sp = strchr(line + 7, ' ');
			assert_non_null(sp);
			n = (size_t)(sp - line - 7);
			assert_true(n < sizeof(family));
			memcpy(family, line + 7, n);
			family[n] = '\0';
			assert_true(strncmp(family, "mxauth_", 7) == 0);
			if (strcmp(sp + 1, "counter") == 0)
				assert_true(n > 6 &&
				    strcmp(family + n - 6, "_total") == 0);
			else
				assert_true(strcmp(sp + 1, "gauge") == 0 ||
				    strcmp(sp + 1, "histogram") == 0);
			/* one TYPE per family */
			snprintf(key, sizeof(key), " %s ", family);
			if (strstr(typed, key) != NULL)
				fail_msg("%s typed twice", family);
			assert_true(strlen(typed) + n + 1 < sizeof(typed));
			strcat(typed, key + 1);
			continue;
		}
		/* a sample of the family typed last */
		n = strcspn(line, "{ ");
		assert_true(metric_name(line, n));
		if (strncmp(line, family, strlen(family)) != 0)
			fail_msg("sample before its TYPE: %s", line);
		if (line[n] == '{') {
			sp = strchr(line, '}');
			assert_non_null(sp);
			assert_true(sp[1] == ' ');
			assert_non_null(strstr(line + n, "=\""));
		} else
			sp = line + n - 1;
		assert_true(sp[1] == ' ' && sp[2] != '\0');
		strtod(sp + 2, &sp);
		assert_true(*sp == '\0');
	}
	free(t);
}

/* bump_many - a thread's share of the concurrent test */
static void *
bump_many(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 100000; i++) {
		metrics_dkim(DKIM_RES_NEUTRAL);
		metrics_dns_query(DNS_T_MX, DNS_SERVFAIL, 1);
	}
	return NULL;
}

/* test_threads - relaxed atomic adds from 4 threads lose nothing */
static void
test_threads(void **state)
{
	static const char dkim[] = "mxauth_dkim_results_total{result=\"neutral\"}";
	static const char mx[] =
	    "mxauth_dns_queries_total{type=\"MX\",status=\"servfail\"}";
	pthread_t tid[4];
	char *before = expo(), *after;
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, bump_many, NULL),
		    0);
	for (i = 0; i < 4; i++)
		pthread_join(tid[i], NULL);
	after = expo();
	assert_true(value(after, dkim) - value(before, dkim) == 400000);
	assert_true(value(after, mx) - value(before, mx) == 400000);
	assert_true(value(after, "mxauth_dns_query_duration_seconds_count") -
	    value(before, "mxauth_dns_query_duration_seconds_count") ==
	    400000);
	free(before);
	free(after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero),	/* first: nothing counted yet */
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
