/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics - the process's counters for Prometheus, and their text
 * exposition (format 0.0.4).
 *
 * Each event is counted where it happens, once: the evaluation core
 * (eval.c: SPF, DKIM, DMARC results, upstream verdicts believed), the
 * resolver (dns.c: queries and their time; dns_cache.c: hits, misses),
 * the glue (mlfi.c: the action per message, the forged A-R fields
 * deleted; milter_server.c: open MTA connections; main.c: reloads),
 * the report queue (report_queue.c: report rows written and dropped).
 * Nothing here knows HTTP: metrics_http serves metrics_format().
 *
 * The counters are process-wide C11 atomics updated with relaxed order:
 * an increment is one atomic add, no lock, on the message path.  A
 * scrape reads each counter on its own, so the values of one scrape may
 * be a few events apart from each other (a histogram's count and sum
 * included); each counter on its own never goes back.  mxauth-check and
 * the tests count too, for nobody.
 */
#ifndef MXAUTH_METRICS_H
#define MXAUTH_METRICS_H

#include <stdint.h>

#include "dns.h"
#include "result.h"

struct vstr;

/* metrics_message - a message decided with action A (its verdict line) */
void	 metrics_message(enum action);
/* metrics_spf - one message's SPF result, as in its A-R field */
void	 metrics_spf(enum spf_res);
/* metrics_dkim - one signature evaluated */
void	 metrics_dkim(enum dkim_res);
/* metrics_dmarc - one message's DMARC result */
void	 metrics_dmarc(enum dmarc_res);
/* metrics_forged_ar_removed - one Authentication-Results field deleted */
void	 metrics_forged_ar_removed(void);
/* metrics_upstream_believed - a trusted hop's verdict taken for a message */
void	 metrics_upstream_believed(void);
/*
 * metrics_dns_query - one question asked on the network (all its tries
 * and servers) that ended with STATUS after USEC microseconds
 */
void	 metrics_dns_query(enum dns_type, enum dns_status, long long usec);
/* metrics_dns_cache - one look in the DNS cache: HIT 1 or 0 */
void	 metrics_dns_cache(int hit);
/* metrics_session - an MTA connection opened (+1) or closed (-1) */
void	 metrics_session(int delta);
/* metrics_reload - a configuration reload that succeeded (OK 1) or not */
void	 metrics_reload(int ok);
/*
 * metrics_report_rows - N report rows the store committed (WRITTEN 1)
 * or dropped (WRITTEN 0: the queue full, the store down or refusing)
 */
void	 metrics_report_rows(int written, uint64_t n);
/* metrics_format - every metric, in the text exposition format 0.0.4 */
void	 metrics_format(struct vstr *out);

/* the Content-Type of metrics_format()'s text */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

#endif
