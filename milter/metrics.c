/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics - process-wide counters and their Prometheus text (metrics.h).
 *
 * Names follow the Prometheus conventions: the mxauth_ prefix, _total
 * for counters, seconds for time.  Every label value mxauth can produce
 * is printed from the start, zero until it happens, so a query for a
 * rate never meets an absent series.  The state is the static atomics
 * below, written with relaxed adds from any thread and read with
 * relaxed loads by metrics_format(); nothing here locks.
 */
#include "config.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "metrics.h"
#include "result.h"
#include "vstr.h"

typedef _Atomic uint_least64_t counter;

#define N_ACTION	(ACTION_TEMPFAIL + 1)
#define N_SPF		(SPF_RES_PERMERROR + 1)
#define N_DKIM		(DKIM_RES_PERMERROR + 1)
#define N_DMARC		(DMARC_RES_PERMERROR + 1)
#define N_STATUS	(DNS_ERROR + 1)
#define LEN(a)		(sizeof(a) / sizeof((a)[0]))

/* The record types mxauth asks for, in the order they are printed. */
static const struct {
	enum dns_type	 type;
	const char	*name;
} dns_types[] = {
	{ DNS_T_A, "A" }, { DNS_T_AAAA, "AAAA" }, { DNS_T_CNAME, "CNAME" },
	{ DNS_T_MX, "MX" }, { DNS_T_PTR, "PTR" }, { DNS_T_TXT, "TXT" },
};
#define N_TYPE		LEN(dns_types)

/*
 * DNS latency buckets, upper bounds in microseconds: a cached or
 * loopback resolver answers in well under a millisecond, a remote one
 * in tens, a lost packet costs dns_timeout (5 s by default) per try.
 */
static const long long dns_bounds_us[] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000, 30000000
};
#define N_BUCKET	LEN(dns_bounds_us)

static counter messages[N_ACTION];
static counter spf[N_SPF];
static counter dkim[N_DKIM];
static counter dmarc[N_DMARC];
static counter forged_ar;
static counter upstream;
static counter dns_queries[N_TYPE][N_STATUS];
static counter dns_bucket[N_BUCKET + 1];	/* not cumulative; last: +Inf */
static counter dns_usec;			/* the histogram's sum */
static counter cache_hits, cache_misses;
static _Atomic int_least64_t sessions;
static counter reloads[2];			/* failed, ok */
static counter report_rows[2];			/* dropped, written */

/* bump - one more on C */
static inline void
bump(counter *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* get - C's value now */
static inline uint64_t
get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* metrics_message - count a decided message by its action */
void
metrics_message(enum action a)
{
	if ((unsigned)a < N_ACTION)
		bump(&messages[a]);
}

/* metrics_spf - count a message's SPF result */
void
metrics_spf(enum spf_res r)
{
	if ((unsigned)r < N_SPF)
		bump(&spf[r]);
}

/* metrics_dkim - count one signature's result */
void
metrics_dkim(enum dkim_res r)
{
	if ((unsigned)r < N_DKIM)
		bump(&dkim[r]);
}

/* metrics_dmarc - count a message's DMARC result */
void
metrics_dmarc(enum dmarc_res r)
{
	if ((unsigned)r < N_DMARC)
		bump(&dmarc[r]);
}

/* metrics_forged_ar_removed - count one deleted A-R field */
void
metrics_forged_ar_removed(void)
{
	bump(&forged_ar);
}

/* metrics_upstream_believed - count one believed upstream verdict */
void
metrics_upstream_believed(void)
{
	bump(&upstream);
}

/* metrics_dns_query - count a network query and its time */
void
metrics_dns_query(enum dns_type type, enum dns_status st, long long usec)
{
	size_t i, t;

	for (t = 0; t < N_TYPE && dns_types[t].type != type; t++)
		;
	if (t < N_TYPE && (unsigned)st < N_STATUS)
		bump(&dns_queries[t][st]);
	if (usec < 0)
		usec = 0;
	for (i = 0; i < N_BUCKET && usec > dns_bounds_us[i]; i++)
		;
	bump(&dns_bucket[i]);
	atomic_fetch_add_explicit(&dns_usec, (uint64_t)usec,
	    memory_order_relaxed);
}

/* metrics_dns_cache - count a cache hit or miss */
void
metrics_dns_cache(int hit)
{
	bump(hit ? &cache_hits : &cache_misses);
}

/* metrics_session - an MTA connection more or less */
void
metrics_session(int delta)
{
	atomic_fetch_add_explicit(&sessions, delta, memory_order_relaxed);
}

/* metrics_reload - count a reload by its outcome */
void
metrics_reload(int ok)
{
	bump(&reloads[ok != 0]);
}

/* metrics_report_rows - count N report rows written or dropped */
void
metrics_report_rows(int written, uint64_t n)
{
	atomic_fetch_add_explicit(&report_rows[written != 0], n,
	    memory_order_relaxed);
}

/* head - the HELP and TYPE lines of NAME */
static void
head(struct vstr *out, const char *name, const char *type, const char *help)
{
	vstr_catf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* by_label - NAME{LABEL="value"} for each of N counters, NAMEOF naming */
static void
by_label(struct vstr *out, const char *name, const char *label,
    counter *c, size_t n, const char *(*nameof)(int))
{
	size_t i;

	for (i = 0; i < n; i++)
		vstr_catf(out, "%s{%s=\"%s\"} %" PRIu64 "\n", name, label,
		    nameof((int)i), get(&c[i]));
}

/*
 * action_of, spf_of, dkim_of, dmarc_of - the label values: the result
 * names as the A-R field and the verdict line write them (result.c)
 */

/* action_of - the name of action value V */
static const char *
action_of(int v)
{
	return result_action_str((enum action)v);
}

/* spf_of - the name of spf value V */
static const char *
spf_of(int v)
{
	return result_spf_str((enum spf_res)v);
}

/* dkim_of - the name of dkim value V */
static const char *
dkim_of(int v)
{
	return result_dkim_str((enum dkim_res)v);
}

/* dmarc_of - the name of dmarc value V */
static const char *
dmarc_of(int v)
{
	return result_dmarc_str((enum dmarc_res)v);
}

/* format_results - messages, and the results of the three methods */
static void
format_results(struct vstr *out)
{
	head(out, "mxauth_messages_total", "counter",
	    "Messages decided, by the action taken.");
	by_label(out, "mxauth_messages_total", "action", messages, N_ACTION,
	    action_of);
	head(out, "mxauth_spf_results_total", "counter",
	    "SPF results, one per message checked.");
	by_label(out, "mxauth_spf_results_total", "result", spf, N_SPF,
	    spf_of);
	head(out, "mxauth_dkim_results_total", "counter",
	    "DKIM results, one per signature evaluated.");
	by_label(out, "mxauth_dkim_results_total", "result", dkim, N_DKIM,
	    dkim_of);
	head(out, "mxauth_dmarc_results_total", "counter",
	    "DMARC results, one per message checked.");
	by_label(out, "mxauth_dmarc_results_total", "result", dmarc, N_DMARC,
	    dmarc_of);
	head(out, "mxauth_forged_authres_removed_total", "counter",
	    "Authentication-Results fields claiming a trusted authserv-id "
	    "deleted.");
	vstr_catf(out, "mxauth_forged_authres_removed_total %" PRIu64 "\n",
	    get(&forged_ar));
	head(out, "mxauth_upstream_verdicts_believed_total", "counter",
	    "Messages that took a trusted hop's verdict instead of a check.");
	vstr_catf(out, "mxauth_upstream_verdicts_believed_total %" PRIu64
	    "\n", get(&upstream));
}

/* format_dns - queries by type and status, their time, the cache */
static void
format_dns(struct vstr *out)
{
	uint64_t cum = 0, us;
	size_t t, s, i;

	head(out, "mxauth_dns_queries_total", "counter",
	    "DNS questions asked on the network, by type and final status.");
	for (t = 0; t < N_TYPE; t++)
		for (s = 0; s < N_STATUS; s++)
			vstr_catf(out, "mxauth_dns_queries_total{type=\"%s\","
			    "status=\"%s\"} %" PRIu64 "\n", dns_types[t].name,
			    dns_status_str((enum dns_status)s),
			    get(&dns_queries[t][s]));
	head(out, "mxauth_dns_query_duration_seconds", "histogram",
	    "Time a DNS question asked on the network took, retries "
	    "included.");
	for (i = 0; i <= N_BUCKET; i++) {
		cum += get(&dns_bucket[i]);
		if (i < N_BUCKET)
			vstr_catf(out, "mxauth_dns_query_duration_seconds_"
			    "bucket{le=\"%g\"} %" PRIu64 "\n",
			    (double)dns_bounds_us[i] / 1e6, cum);
		else
			vstr_catf(out, "mxauth_dns_query_duration_seconds_"
			    "bucket{le=\"+Inf\"} %" PRIu64 "\n", cum);
	}
	us = get(&dns_usec);
	vstr_catf(out, "mxauth_dns_query_duration_seconds_sum %" PRIu64
	    ".%06" PRIu64 "\n", us / 1000000, us % 1000000);
	vstr_catf(out, "mxauth_dns_query_duration_seconds_count %" PRIu64
	    "\n", cum);
	head(out, "mxauth_dns_cache_hits_total", "counter",
	    "DNS lookups answered from the cache.");
	vstr_catf(out, "mxauth_dns_cache_hits_total %" PRIu64 "\n",
	    get(&cache_hits));
	head(out, "mxauth_dns_cache_misses_total", "counter",
	    "DNS lookups the cache could not answer.");
	vstr_catf(out, "mxauth_dns_cache_misses_total %" PRIu64 "\n",
	    get(&cache_misses));
}

/* metrics_format - the whole exposition */
void
metrics_format(struct vstr *out)
{
	format_results(out);
	format_dns(out);
	head(out, "mxauth_milter_sessions", "gauge",
	    "MTA connections open.");
	vstr_catf(out, "mxauth_milter_sessions %" PRIdLEAST64 "\n",
	    atomic_load_explicit(&sessions, memory_order_relaxed));
	head(out, "mxauth_config_reloads_total", "counter",
	    "Configuration reloads, by result.");
	vstr_catf(out, "mxauth_config_reloads_total{result=\"ok\"} %" PRIu64
	    "\n", get(&reloads[1]));
	vstr_catf(out, "mxauth_config_reloads_total{result=\"failed\"} %"
	    PRIu64 "\n", get(&reloads[0]));
	head(out, "mxauth_report_rows_written_total", "counter",
	    "DMARC report rows the report store committed.");
	vstr_catf(out, "mxauth_report_rows_written_total %" PRIu64 "\n",
	    get(&report_rows[1]));
	head(out, "mxauth_report_rows_dropped_total", "counter",
	    "DMARC report rows dropped: the queue full, the store down or "
	    "refusing a batch.");
	vstr_catf(out, "mxauth_report_rows_dropped_total %" PRIu64 "\n",
	    get(&report_rows[0]));
	head(out, "mxauth_build_info", "gauge",
	    "Always 1; the version of mxauth running.");
	vstr_catf(out, "mxauth_build_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
}
