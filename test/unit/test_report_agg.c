/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report_agg - rows folded into DMARC aggregate reports: one report
 * per (policy domain, mailto: destination), one record per distinct
 * (source IP, identifiers, results, disposition) with its count; rows
 * without a mailto: destination give nothing.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report_agg.h"
#include "xmalloc.h"

/* row - a row of example.com's mail, pass or fail, from IP, at T */
static void
row(struct report_row *r, const char *ip, bool pass, int64_t t)
{
	memset(r, 0, sizeof(*r));
	r->time = t;
	r->queue_id = xstrdup("Q1");
	r->source_ip = xstrdup(ip);
	r->header_from = xstrdup("example.com");
	r->envelope_from = xstrdup("example.com");
	r->policy_domain = xstrdup("example.com");
	r->p = r->sp = r->np = DMARC_POLICY_REJECT;
	r->psd = 'u';
	r->rua = xstrdup("mailto:dmarc@example.com");
	r->dmarc = pass ? DMARC_RES_PASS : DMARC_RES_FAIL;
	r->spf_aligned = pass;
	r->spf = pass ? SPF_RES_PASS : SPF_RES_FAIL;
	r->spf_domain = xstrdup("example.com");
	r->spf_scope = SPF_ID_MAILFROM;
	r->policy = DMARC_POLICY_REJECT;
	r->disposition = pass ? DMARC_POLICY_NONE : DMARC_POLICY_REJECT;
	r->action = pass ? ACTION_ACCEPT : ACTION_REJECT;
}

/* find - the count of REP's record from IP with DMARC result RES, or 0 */
static uint64_t
find(const struct report_agg_report *rep, const char *ip, enum dmarc_res res)
{
	size_t i;

	for (i = 0; i < rep->nrec; i++)
		if (strcmp(rep->rec[i].row.source_ip, ip) == 0 &&
		    rep->rec[i].row.dmarc == res)
			return rep->rec[i].count;
	return 0;
}

/* counts per source IP and result tuple; time and queue id do not split */
static void
test_counts(void **state)
{
	struct report_agg agg;
	struct report_row r;
	uint64_t total = 0;
	int i;

	(void)state;
	report_agg_init(&agg);
	for (i = 0; i < 5; i++) {
		row(&r, "192.0.2.1", true, 1000 + i);
		report_agg_add(&agg, &r);
		report_row_clear(&r);
	}
	for (i = 0; i < 3; i++) {
		row(&r, "192.0.2.1", false, 2000 + i);
		report_agg_add(&agg, &r);
		report_row_clear(&r);
	}
	row(&r, "2001:db8::1", false, 3000);
	report_agg_add(&agg, &r);
	report_row_clear(&r);
	/* a different selector's result is another tuple */
	row(&r, "192.0.2.1", true, 4000);
	r.dkim = xcalloc(1, sizeof(*r.dkim));
	r.ndkim = 1;
	r.dkim[0].domain = xstrdup("example.com");
	r.dkim[0].selector = xstrdup("s1");
	r.dkim[0].result = DKIM_RES_PASS;
	report_agg_add(&agg, &r);
	report_agg_add(&agg, &r);
	report_row_clear(&r);

	assert_int_equal(agg.nrep, 1);
	assert_string_equal(agg.rep[0].policy_domain, "example.com");
	assert_string_equal(agg.rep[0].dest, "dmarc@example.com");
	assert_int_equal(agg.rep[0].nrec, 4);
	assert_int_equal(find(&agg.rep[0], "192.0.2.1", DMARC_RES_FAIL), 3);
	assert_int_equal(find(&agg.rep[0], "2001:db8::1", DMARC_RES_FAIL), 1);
	assert_int_equal(agg.rep[0].rec[0].count, 5);
	assert_int_equal(agg.rep[0].rec[3].count, 2);
	assert_int_equal(agg.rep[0].rec[3].row.ndkim, 1);
	for (i = 0; i < (int)agg.rep[0].nrec; i++) {
		assert_int_equal(agg.rep[0].rec[i].row.time, 0);
		assert_null(agg.rep[0].rec[i].row.queue_id);
		total += agg.rep[0].rec[i].count;
	}
	assert_int_equal(total, 11);
	assert_int_equal(agg.rep[0].messages, 11);
	assert_int_equal(agg.rows, 11);
	report_agg_clear(&agg);
}

/* one report per (policy domain, destination); no mailto:, no report */
static void
test_reports(void **state)
{
	struct report_agg agg;
	struct report_row r;

	(void)state;
	report_agg_init(&agg);
	row(&r, "192.0.2.1", true, 1);
	x_free(r.rua);
	r.rua = xstrdup(" mailto:a@rua.example!10m , https://x.example/, "
	    "MAILTO:b@other.example,mailto:a@rua.example");
	report_agg_add(&agg, &r);
	report_row_clear(&r);
	row(&r, "192.0.2.2", true, 2);
	x_free(r.policy_domain);
	r.policy_domain = xstrdup("other.example");
	report_agg_add(&agg, &r);
	report_row_clear(&r);
	row(&r, "192.0.2.3", true, 3);
	x_free(r.rua);
	r.rua = NULL;
	report_agg_add(&agg, &r);
	report_row_clear(&r);
	row(&r, "192.0.2.3", true, 3);
	x_free(r.rua);
	r.rua = xstrdup("https://only.example/");
	report_agg_add(&agg, &r);
	report_row_clear(&r);

	assert_int_equal(agg.nrep, 3);
	assert_string_equal(agg.rep[0].dest, "a@rua.example");
	assert_string_equal(agg.rep[1].dest, "b@other.example");
	assert_string_equal(agg.rep[1].policy_domain, "example.com");
	assert_string_equal(agg.rep[2].policy_domain, "other.example");
	assert_string_equal(agg.rep[2].dest, "dmarc@example.com");
	assert_int_equal(agg.rep[0].messages, 1);
	assert_int_equal(agg.unreported, 2);
	report_agg_clear(&agg);
}

/* the report publishes its latest row's policy */
static void
test_latest_policy(void **state)
{
	struct report_agg agg;
	struct report_row r;

	(void)state;
	report_agg_init(&agg);
	row(&r, "192.0.2.1", true, 1);
	r.p = DMARC_POLICY_NONE;
	report_agg_add(&agg, &r);
	report_row_clear(&r);
	row(&r, "192.0.2.1", true, 2);
	report_agg_add(&agg, &r);
	report_row_clear(&r);
	assert_int_equal(agg.rep[0].policy.p, DMARC_POLICY_REJECT);
	/* the published policy does not split records */
	assert_int_equal(agg.rep[0].nrec, 1);
	assert_int_equal(agg.rep[0].rec[0].count, 2);
	report_agg_clear(&agg);
}

/* many distinct tuples: the table grows and every count stays 1 */
static void
test_many(void **state)
{
	struct report_agg agg;
	struct report_row r;
	char ip[32];
	size_t i;

	(void)state;
	report_agg_init(&agg);
	for (i = 0; i < 5000; i++) {
		snprintf(ip, sizeof(ip), "10.%zu.%zu.1", i / 256, i % 256);
		row(&r, ip, i % 2 == 0, (int64_t)i);
		report_agg_add(&agg, &r);
		report_agg_add(&agg, &r);
		report_row_clear(&r);
	}
	assert_int_equal(agg.rep[0].nrec, 5000);
	for (i = 0; i < 5000; i++)
		assert_int_equal(agg.rep[0].rec[i].count, 2);
	report_agg_clear(&agg);
}

/*
 * many reports: each (domain, destination) found again past the table's
 * growth, the destination without regard to case, in order of first
 * appearance; a string the records share is held once
 */
static void
test_many_reports(void **state)
{
	struct report_agg agg;
	struct report_row r;
	char dom[64], rua[96];
	size_t i, k;

	(void)state;
	report_agg_init(&agg);
	for (k = 0; k < 2; k++)
		for (i = 0; i < 300; i++) {
			snprintf(dom, sizeof(dom), "d%zu.example", i);
			snprintf(rua, sizeof(rua), "%s:Dmarc@%s", k ? "MAILTO" :
			    "mailto", dom);
			row(&r, k ? "192.0.2.2" : "192.0.2.1", true, 1);
			x_free(r.policy_domain);
			r.policy_domain = xstrdup(dom);
			x_free(r.rua);
			r.rua = xstrdup(rua);
			report_agg_add(&agg, &r);
			report_row_clear(&r);
		}
	assert_int_equal(agg.nrep, 300);
	for (i = 0; i < 300; i++) {
		snprintf(dom, sizeof(dom), "d%zu.example", i);
		assert_string_equal(agg.rep[i].policy_domain, dom);
		assert_int_equal(agg.rep[i].messages, 2);
		assert_int_equal(agg.rep[i].nrec, 2);
		assert_ptr_equal(agg.rep[i].rec[0].row.header_from,
		    agg.rep[0].rec[1].row.header_from);
	}
	report_agg_clear(&agg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_latest_policy),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_many_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
