/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dmarc_check - one message's DMARC result (dmarc_check.c) over zone
 * text, where the fail-open paths were: a forger's own DNS failing (its
 * SPF or DKIM temperror, its tree walk SERVFAIL) must not turn a fail
 * into a temperror, and its tree is never walked at all; several DMARC
 * records at the From domain let the parent's policy apply; an np=
 * existence lookup that does not complete is temperror, and is not asked
 * when it cannot matter.  Each case: the identifiers as the SPF and DKIM
 * checks left them, the result, the policy, where the record was, and
 * what the --explain trace must (not) show.  The DNS is
 * test/data/zones/dmarc-check.zone.
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

#include "dmarc_check.h"
#include "dns.h"
#include "result.h"
#include "vstr.h"
#include "xmalloc.h"

#define R	DMARC_POLICY_REJECT
#define Q	DMARC_POLICY_QUARANTINE
#define N	DMARC_POLICY_NONE
#define U	DMARC_POLICY_UNSET	/* no policy applied */
#define ANY	(-1)			/* the policy is not checked */

#define PASS	DMARC_RES_PASS
#define FAIL	DMARC_RES_FAIL
#define TEMP	DMARC_RES_TEMPERROR
#define NONE	DMARC_RES_NONE

struct ident {
	const char	*domain;
	int		 result;	/* enum spf_res / enum dkim_res */
};

/* test_check - the table */
static void
test_check(void **state)
{
	static const struct {
		const char *name, *from;
		struct ident spf;		/* domain NULL: none */
		struct ident dkim[2];
		enum dmarc_res want;
		int want_policy;		/* enum dmarc_policy, ANY */
		const char *want_policy_domain;	/* NULL: none */
		const char *want_trace;		/* in the trace, or NULL */
		const char *want_not_in_trace;	/* never in it, or NULL */
	} cases[] = {
		/* --- 1: the forger's DNS never makes a temperror --- */
		{ "forger's SPF temperror", "bank.example",
		    { "evil.test", SPF_RES_TEMPERROR }, {{ 0 }}, FAIL, R,
		    "bank.example", "SPF evil.test failed temporarily but "
		    "cannot align", "_dmarc.evil.test" },
		{ "forger's DKIM temperror", "bank.example",
		    { "nodmarc.example", SPF_RES_FAIL },
		    {{ "evil.test", DKIM_RES_TEMPERROR }}, FAIL, R,
		    "bank.example", NULL, "evil.test TXT" },
		{ "forger's SPF pass, DKIM pass, walks would fail",
		    "bank.example", { "mail.evil.test", SPF_RES_PASS },
		    {{ "evil.test", DKIM_RES_PASS }}, FAIL, R, "bank.example",
		    NULL, "evil.test TXT" },
		{ "suffix traps: xbank.example, bank.example.evil.test",
		    "bank.example",
		    { "xbank.example", SPF_RES_TEMPERROR },
		    {{ "bank.example.evil.test", DKIM_RES_TEMPERROR },
		    { "XBANK.Example.", DKIM_RES_PASS }}, FAIL, R,
		    "bank.example", NULL, "_dmarc.xbank" },
		{ "the PSD above the org cannot align", "bank.example",
		    { "example", SPF_RES_TEMPERROR }, {{ 0 }}, FAIL, R,
		    "bank.example", NULL, NULL },
		{ "strict: a subdomain's temperror is no temperror",
		    "strict.example",
		    { "mail.strict.example", SPF_RES_TEMPERROR },
		    {{ "mail.strict.example", DKIM_RES_PASS }}, FAIL, R,
		    "strict.example", NULL, "_dmarc.mail.strict.example" },
		/* what could still align may be temperror (RFC 9989 5.3.6) */
		{ "below the org, its walk fails: temperror", "bank.example",
		    { "evil.test", SPF_RES_FAIL },
		    {{ "mail.bank.example", DKIM_RES_PASS }}, TEMP, ANY,
		    "bank.example", "asked _dmarc.mail.bank.example TXT: "
		    "servfail", "evil.test TXT" },
		{ "the author's own name, any case, temperror",
		    "bank.example", { "Bank.Example.", SPF_RES_TEMPERROR },
		    {{ 0 }}, TEMP, ANY, "bank.example", NULL, NULL },
		{ "strict: the author's name temperror", "strict.example",
		    { "strict.example", SPF_RES_TEMPERROR }, {{ 0 }}, TEMP, ANY,
		    "strict.example", NULL, NULL },
		{ "the forger's temperror beside an aligned pass: pass",
		    "bank.example", { "evil.test", SPF_RES_TEMPERROR },
		    {{ "bank.example", DKIM_RES_PASS }}, PASS, ANY,
		    "bank.example", NULL, "evil.test TXT" },
		/* --- 2: several records at the From domain --- */
		{ "two records at the From domain: the parent's p=reject",
		    "two.bank.example", { "evil.test", SPF_RES_FAIL }, {{ 0 }},
		    FAIL, R, "bank.example", "asked _dmarc.two.bank.example "
		    "TXT: 2 DMARC records: none used", NULL },
		{ "two records and no parent record: none", "nxtwo.example",
		    { "evil.test", SPF_RES_FAIL }, {{ 0 }}, NONE, ANY, NULL,
		    NULL, NULL },
		/* --- 3: np= and whether the From domain exists --- */
		{ "np: NXDOMAIN, np=reject", "gone.np.example",
		    { "nodmarc.example", SPF_RES_FAIL }, {{ 0 }}, FAIL, R,
		    "np.example", "asked gone.np.example A: NXDOMAIN", NULL },
		{ "np: it exists (A), p=none", "exists.np.example",
		    { "nodmarc.example", SPF_RES_FAIL }, {{ 0 }}, FAIL, N,
		    "np.example", "it exists", NULL },
		{ "np: it exists (MX only: NODATA for A), p=none",
		    "mx.np.example", { "nodmarc.example", SPF_RES_FAIL },
		    {{ 0 }}, FAIL, N, "np.example", "it exists", NULL },
		{ "np: existence SERVFAIL: temperror, not sp's none",
		    "flaky.np.example", { "nodmarc.example", SPF_RES_FAIL },
		    {{ 0 }}, TEMP, U, "np.example", "DNS trouble", NULL },
		{ "np: existence time-out: temperror", "slow.np.example",
		    { "nodmarc.example", SPF_RES_FAIL }, {{ 0 }}, TEMP, U,
		    "np.example", "DNS trouble", NULL },
		{ "np: a pass needs no existence lookup", "flaky.np.example",
		    { "nodmarc.example", SPF_RES_FAIL },
		    {{ "np.example", DKIM_RES_PASS }}, PASS, ANY, "np.example",
		    NULL, "flaky.np.example A" },
		{ "np the same as sp: no lookup, fail", "flaky.same.example",
		    { "nodmarc.example", SPF_RES_FAIL }, {{ 0 }}, FAIL, R,
		    "same.example", NULL, "flaky.same.example A" },
		{ "np as mild as sp after t=y: no lookup, fail",
		    "flaky.mild.example", { "nodmarc.example", SPF_RES_FAIL },
		    {{ 0 }}, FAIL, N, "mild.example", NULL,
		    "flaky.mild.example A" },
		{ "np=reject with t=y: quarantine", "gone.tq.example",
		    { "nodmarc.example", SPF_RES_FAIL }, {{ 0 }}, FAIL, Q,
		    "tq.example", "NXDOMAIN", NULL },
		{ "the From domain's own record: p, no lookup", "np.example",
		    { "nodmarc.example", SPF_RES_FAIL }, {{ 0 }}, FAIL, N,
		    "np.example", NULL, "np.example A" },
	};
	struct dkim_result dkim[2];
	struct spf_result spf;
	struct dmarc_check_in in;
	struct vstr trace = VSTR_INIT;
	struct dmarc_result *r;
	struct dns *d;
	char err[256];
	size_t i, j;

	(void)state;
	if ((d = dns_new_zone(TEST_DATA "/zones/dmarc-check.zone", err,
	    sizeof(err))) == NULL)
		fail_msg("%s", err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&in, 0, sizeof(in));
		memset(&spf, 0, sizeof(spf));
		memset(dkim, 0, sizeof(dkim));
		in.from_domain = cases[i].from;
		if (cases[i].spf.domain != NULL) {
			spf.domain = (char *)cases[i].spf.domain;
			spf.result = (enum spf_res)cases[i].spf.result;
			in.spf = &spf;
		}
		for (j = 0; j < 2 && cases[i].dkim[j].domain != NULL; j++) {
			dkim[j].domain = (char *)cases[i].dkim[j].domain;
			dkim[j].result = (enum dkim_res)cases[i].dkim[j].result;
		}
		in.dkim = dkim;
		in.ndkim = j;
		vstr_reset(&trace);
		r = dmarc_check(d, &in, &trace);
		if (r->result != cases[i].want ||
		    (cases[i].want_policy != ANY &&
		    r->policy != (enum dmarc_policy)cases[i].want_policy) ||
		    (cases[i].want_policy_domain == NULL) !=
		    (r->policy_domain == NULL) ||
		    (r->policy_domain != NULL && strcmp(r->policy_domain,
		    cases[i].want_policy_domain) != 0) ||
		    (cases[i].want_trace != NULL &&
		    strstr(vstr_str(&trace), cases[i].want_trace) == NULL) ||
		    (cases[i].want_not_in_trace != NULL &&
		    strstr(vstr_str(&trace), cases[i].want_not_in_trace) !=
		    NULL))
			fail_msg("%s: dmarc=%s policy=%s at %s\n%s",
			    cases[i].name, result_dmarc_str(r->result),
			    result_policy_str(r->policy),
			    r->policy_domain != NULL ? r->policy_domain : "-",
			    vstr_str(&trace));
		dmarc_result_free(r);
	}
	vstr_free(&trace);
	dns_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
