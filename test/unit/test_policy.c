/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_policy - the SPF rules at MAIL FROM and the DMARC rules at end
 * of message, table-driven: which result under which setting refuses,
 * quarantines or accepts, with which SMTP reply, and the reason.  Also
 * policy_overrides files (overrides.c): parsing, errors, matching.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "authres.h"
#include "conf.h"
#include "overrides.h"
#include "policy.h"
#include "xmalloc.h"

/* test_spf_rules - every result against both settings of its rule */
static void
test_spf_rules(void **state)
{
	static const struct {
		enum spf_res result;
		int fail, soft, perm, temp;	/* the four settings */
		const char *explanation;
		enum action want;
		const char *want_rcode;
		const char *want_xcode;
		const char *want_reply;
		const char *want_reason;
	} cases[] = {
		{ SPF_RES_FAIL, 0, 0, 0, 0, NULL, ACTION_ACCEPT, NULL, NULL, "",
		    "SPF fail for a.example (spf_fail_action=none)" },
		{ SPF_RES_FAIL, 1, 0, 0, 0, NULL, ACTION_REJECT, "550", "5.7.23",
		    "SPF fail: a.example does not designate 203.0.113.66 as "
		    "permitted sender",
		    "SPF fail for a.example (spf_fail_action=reject)" },
		{ SPF_RES_FAIL, 1, 0, 0, 0, "see http://a.example/spf",
		    ACTION_REJECT, "550", "5.7.23", "see http://a.example/spf",
		    "SPF fail for a.example (spf_fail_action=reject)" },
		{ SPF_RES_SOFTFAIL, 1, 0, 0, 0, NULL, ACTION_ACCEPT, NULL, NULL,
		    "", "SPF softfail for a.example (spf_softfail_action=none)" },
		{ SPF_RES_SOFTFAIL, 0, 1, 0, 0, NULL, ACTION_REJECT, "550",
		    "5.7.23", "SPF softfail: a.example does not designate "
		    "203.0.113.66 as permitted sender",
		    "SPF softfail for a.example (spf_softfail_action=reject)" },
		{ SPF_RES_PERMERROR, 1, 1, 0, 1, NULL, ACTION_ACCEPT, NULL, NULL,
		    "", "SPF permerror for a.example "
		    "(spf_permerror_action=none)" },
		{ SPF_RES_PERMERROR, 0, 0, 1, 0, NULL, ACTION_REJECT, "550",
		    "5.7.24", "SPF record of a.example is invalid",
		    "SPF permerror for a.example "
		    "(spf_permerror_action=reject)" },
		{ SPF_RES_TEMPERROR, 1, 1, 1, 0, NULL, ACTION_ACCEPT, NULL, NULL,
		    "", "SPF temperror for a.example "
		    "(spf_temperror_action=accept)" },
		{ SPF_RES_TEMPERROR, 0, 0, 0, 1, NULL, ACTION_TEMPFAIL, "451",
		    "4.4.3", "temporary DNS error checking SPF for a.example, "
		    "try again later", "SPF temperror for a.example "
		    "(spf_temperror_action=tempfail)" },
		{ SPF_RES_PASS, 1, 1, 1, 1, NULL, ACTION_ACCEPT, NULL, NULL, "",
		    "" },
		{ SPF_RES_NEUTRAL, 1, 1, 1, 1, NULL, ACTION_ACCEPT, NULL, NULL,
		    "", "" },
		{ SPF_RES_NONE, 1, 1, 1, 1, NULL, ACTION_ACCEPT, NULL, NULL, "",
		    "" },
	};
	struct policy_decision d;
	struct spf_result spf;
	struct conf *c;
	size_t i;

	(void)state;
	c = conf_defaults();
	policy_decision_init(&d);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&spf, 0, sizeof(spf));
		spf.result = cases[i].result;
		spf.domain = "a.example";
		spf.client_ip = "203.0.113.66";
		spf.explanation = (char *)cases[i].explanation;
		c->spf_fail_action = cases[i].fail;
		c->spf_softfail_action = cases[i].soft;
		c->spf_permerror_action = cases[i].perm;
		c->spf_temperror_action = cases[i].temp;
		policy_mail_from(c, &spf, &d);
		assert_int_equal(d.action, cases[i].want);
		if (cases[i].want_rcode == NULL)
			assert_null(d.rcode);
		else {
			assert_string_equal(d.rcode, cases[i].want_rcode);
			assert_string_equal(d.xcode, cases[i].want_xcode);
		}
		assert_string_equal(vstr_str(&d.reply), cases[i].want_reply);
		assert_string_equal(vstr_str(&d.reason), cases[i].want_reason);
	}
	/* Not evaluated: nothing to enforce. */
	policy_mail_from(c, NULL, &d);
	assert_int_equal(d.action, ACTION_ACCEPT);
	policy_decision_free(&d);
	conf_release(c);
}

#define R	DMARC_POLICY_REJECT
#define Q	DMARC_POLICY_QUARANTINE
#define N	DMARC_POLICY_NONE

/* test_dmarc_rules - DMARC results under the site's settings */
static void
test_dmarc_rules(void **state)
{
	static const struct {
		enum dmarc_res result;
		enum dmarc_policy policy;	/* applied published policy */
		int testing, pct, rfc7489;
		unsigned roll;
		int site_policy, reject_act, quar_act, temp_act, dry_run;
		int bad_from;
		enum action want;
		enum dmarc_policy want_dis;
		const char *want_reply;
		const char *want_reason;
	} cases[] = {
		{ DMARC_RES_PASS, R, 0, 100, 0, 0, 0, 0, 1, 0, 0, 0,
		    ACTION_ACCEPT, N, "", "DMARC pass for a.example" },
		{ DMARC_RES_NONE, 0, 0, 100, 0, 0, 0, 0, 1, 0, 0, 0,
		    ACTION_ACCEPT, N, "", "no DMARC policy for a.example" },
		{ DMARC_RES_FAIL, R, 0, 100, 0, 0, 0, 0, 1, 0, 0, 0,
		    ACTION_REJECT, R, "rejected by DMARC policy for a.example",
		    "DMARC fail for a.example, policy reject "
		    "(dmarc_reject_action=reject)" },
		{ DMARC_RES_FAIL, R, 0, 100, 0, 0, 0, 1, 1, 0, 0, 0,
		    ACTION_QUARANTINE, Q, "", "DMARC fail for a.example, policy "
		    "reject (dmarc_reject_action=quarantine)" },
		{ DMARC_RES_FAIL, R, 0, 100, 0, 0, 0, 2, 1, 0, 0, 0,
		    ACTION_ACCEPT, N, "", "DMARC fail for a.example, policy "
		    "reject (dmarc_reject_action=none)" },
		{ DMARC_RES_FAIL, Q, 0, 100, 0, 0, 0, 0, 1, 0, 0, 0,
		    ACTION_QUARANTINE, Q, "", "DMARC fail for a.example, policy "
		    "quarantine (dmarc_quarantine_action=quarantine)" },
		{ DMARC_RES_FAIL, Q, 0, 100, 0, 0, 0, 0, 2, 0, 0, 0,
		    ACTION_ACCEPT, N, "", "DMARC fail for a.example, policy "
		    "quarantine (dmarc_quarantine_action=none)" },
		{ DMARC_RES_FAIL, N, 0, 100, 0, 0, 0, 0, 1, 0, 0, 0,
		    ACTION_ACCEPT, N, "", "DMARC fail for a.example, policy "
		    "none" },
		/* t=y: dmarc_check made it one step milder (RFC 9989 4.7) */
		{ DMARC_RES_FAIL, Q, 1, 100, 0, 0, 0, 0, 1, 0, 0, 0,
		    ACTION_QUARANTINE, Q, "", "DMARC fail for a.example, policy "
		    "quarantine, t=y (dmarc_quarantine_action=quarantine)" },
		{ DMARC_RES_FAIL, N, 1, 100, 0, 0, 0, 0, 1, 0, 0, 0,
		    ACTION_ACCEPT, N, "", "DMARC fail for a.example, policy "
		    "none, t=y" },
		/* pct only in RFC 7489 mode; roll 0..99 against pct */
		{ DMARC_RES_FAIL, R, 0, 30, 0, 90, 0, 0, 1, 0, 0, 0,
		    ACTION_REJECT, R, "rejected by DMARC policy for a.example",
		    "DMARC fail for a.example, policy reject "
		    "(dmarc_reject_action=reject)" },
		{ DMARC_RES_FAIL, R, 0, 30, 1, 90, 0, 0, 1, 0, 0, 0,
		    ACTION_QUARANTINE, Q, "", "DMARC fail for a.example, policy "
		    "quarantine, not sampled by pct "
		    "(dmarc_quarantine_action=quarantine)" },
		{ DMARC_RES_FAIL, R, 0, 30, 1, 29, 0, 0, 1, 0, 0, 0,
		    ACTION_REJECT, R, "rejected by DMARC policy for a.example",
		    "DMARC fail for a.example, policy reject "
		    "(dmarc_reject_action=reject)" },
		/* site policy (override) instead of the published one */
		{ DMARC_RES_FAIL, N, 0, 100, 0, 0, CONF_POLICY_REJECT, 0, 1, 0,
		    0, 0, ACTION_REJECT, R,
		    "rejected by DMARC policy for a.example",
		    "DMARC fail for a.example, policy reject, site policy "
		    "(dmarc_reject_action=reject)" },
		{ DMARC_RES_FAIL, R, 1, 100, 0, 0, CONF_POLICY_NONE, 0, 1, 0,
		    0, 0, ACTION_ACCEPT, N, "", "DMARC fail for a.example, "
		    "policy none, site policy" },
		/* dry run: logged, accepted */
		{ DMARC_RES_FAIL, R, 0, 100, 0, 0, 0, 0, 1, 0, 1, 0,
		    ACTION_ACCEPT, N, "", "DMARC fail for a.example, policy "
		    "reject (dmarc_reject_action=reject), dry run: would "
		    "reject" },
		{ DMARC_RES_TEMPERROR, R, 0, 100, 0, 0, 0, 0, 1, 0, 0, 0,
		    ACTION_ACCEPT, N, "", "DMARC temperror for a.example "
		    "(dmarc_temperror_action=accept)" },
		{ DMARC_RES_TEMPERROR, R, 0, 100, 0, 0, 0, 0, 1, 1, 0, 0,
		    ACTION_TEMPFAIL, N, "temporary DNS error checking DMARC "
		    "for a.example, try again later", "DMARC temperror for "
		    "a.example (dmarc_temperror_action=tempfail)" },
		/* bad From: dmarc_bad_from_action (the global reject) */
		{ DMARC_RES_PERMERROR, 0, 0, 100, 0, 0, 0, 0, 1, 0, 0, 1,
		    ACTION_REJECT, R, "message must have one From field with "
		    "one author domain (RFC 5322, RFC 9989)",
		    "2 From fields (dmarc_bad_from_action=reject)" },
		{ DMARC_RES_PERMERROR, 0, 0, 100, 0, 0, 0, 0, 1, 0, 1, 1,
		    ACTION_ACCEPT, N, "", "2 From fields "
		    "(dmarc_bad_from_action=reject), dry run: would reject" },
		{ DMARC_RES_PERMERROR, 0, 0, 100, 0, 0, 0, 0, 1, 0, 0, 0,
		    ACTION_ACCEPT, N, "", "DMARC permerror for a.example" },
	};
	struct conf *c = conf_defaults();
	struct policy_decision d;
	struct dmarc_result dm;
	struct conf_site site;
	size_t i;

	(void)state;
	policy_decision_init(&d);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&dm, 0, sizeof(dm));
		dm.result = cases[i].result;
		dm.domain = (char *)"a.example";
		dm.policy = cases[i].policy;
		dm.testing = cases[i].testing;
		dm.pct = cases[i].pct;
		dm.bad_from = cases[i].bad_from;
		dm.reason = cases[i].bad_from ? (char *)"2 From fields" : NULL;
		c->dmarc_org_domain = cases[i].rfc7489 ? CONF_ORG_PSL :
		    CONF_ORG_TREEWALK;
		c->site.dry_run = cases[i].dry_run;
		site = c->site;
		site.policy = cases[i].site_policy;
		site.reject_action = cases[i].reject_act;
		site.quarantine_action = cases[i].quar_act;
		site.temperror_action = cases[i].temp_act;
		policy_dmarc(c, &site, &dm, cases[i].roll, &d);
		assert_int_equal(d.action, cases[i].want);
		assert_int_equal(d.disposition, cases[i].want_dis);
		assert_string_equal(vstr_str(&d.reply), cases[i].want_reply);
		assert_string_equal(vstr_str(&d.reason), cases[i].want_reason);
		if (d.action == ACTION_REJECT)
			assert_string_equal(d.xcode, "5.7.1");
	}
	policy_decision_free(&d);
	conf_release(c);
}

/* write_file - TEXT into a temporary file; its path (static buffer) */
static const char *
write_file(const char *text)
{
	static char path[] = "/tmp/mxauth-overrides.XXXXXX";
	FILE *fp;
	int fd;

	strcpy(path + sizeof(path) - 7, "XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

#define L31	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define L62	L31 L31
#define L63	L62 "a"

/* test_overrides - policy_overrides: matching and every error */
static void
test_overrides(void **state)
{
	static const struct {
		const char *text;
		const char *want_err;	/* after "PATH:" */
	} bad[] = {
		{ "a.example\n", "1: a.example: no key=value" },
		{ "# c\na.example dmarc_policy=maybe\n",
		    "2: bad value \"maybe\" for dmarc_policy" },
		{ "a.example spf_helo=no\n", "1: unknown key \"spf_helo\" "
		    "(dmarc_policy, dmarc_reject_action, dmarc_quarantine_action, "
		    "dmarc_temperror_action, dry_run)" },
		{ "a.example dry_run\n", "1: \"dry_run\" is not key=value" },
		{ "a..example dry_run=yes\n", "1: \"a..example\" is not a "
		    "domain name (write IDNs as A-labels)" },
		{ "a.example dry_run=yes\nA.EXAMPLE. dry_run=no\n",
		    "2: a.example is already on an earlier line" },
		/* 254 bytes: longer than any author domain can be */
		{ L63 "." L63 "." L63 "." L62 " dry_run=yes\n", "1: \"" L63
		    ".\" is not a domain name (write IDNs as A-labels)" },
	};
	struct conf_site base;
	const struct conf_site *s;
	struct overrides *ov;
	const char *path, *m, *colon;
	char err[512];
	size_t i;

	(void)state;
	memset(&base, 0, sizeof(base));
	base.reject_action = CONF_DMARC_REJECT;
	path = write_file("# partners\n"
	    "partner.example  dmarc_reject_action=quarantine dry_run=yes\n"
	    "\n"
	    "mail.partner.example dmarc_policy=none  # a line of its own\n"
	    "Bank.Example. dmarc_policy=reject\n");
	ov = overrides_load(path, &base, err, sizeof(err));
	unlink(path);
	assert_non_null(ov);
	assert_int_equal(overrides_count(ov), 3);
	s = overrides_find(ov, "partner.example", &m);
	assert_non_null(s);
	assert_string_equal(m, "partner.example");
	assert_int_equal(s->reject_action, CONF_DMARC_QUARANTINE);
	assert_int_equal(s->dry_run, 1);
	assert_int_equal(s->policy, CONF_POLICY_PUBLISHED);
	s = overrides_find(ov, "news.partner.example", &m);
	assert_string_equal(m, "partner.example");
	s = overrides_find(ov, "x.mail.partner.example", &m);
	assert_string_equal(m, "mail.partner.example");	/* longest */
	assert_int_equal(s->policy, CONF_POLICY_NONE);
	assert_int_equal(s->reject_action, CONF_DMARC_REJECT); /* base */
	assert_non_null(overrides_find(ov, "bank.example", NULL));
	assert_null(overrides_find(ov, "xpartner.example", &m));
	assert_null(m);
	assert_null(overrides_find(ov, "example", NULL));
	overrides_free(ov);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = write_file(bad[i].text);
		ov = overrides_load(path, &base, err, sizeof(err));
		unlink(path);
		assert_null(ov);
		colon = strchr(err, ':');
		assert_non_null(colon);
		assert_string_equal(colon + 1, bad[i].want_err);
	}
	assert_null(overrides_load("/nonexistent/overrides", &base, err,
	    sizeof(err)));
	assert_string_equal(err, "/nonexistent/overrides: cannot open: "
	    "No such file or directory");
}

/*
 * test_site - policy_site: the From domain's override or the global
 * rules, named in the reason, and the quarantine by hold or by header
 * (its value through the A-R filter)
 */
static void
test_site(void **state)
{
	static const struct {
		const char *domain;
		enum dmarc_policy policy;
		int method;		/* quarantine_method */
		enum action want;
		int want_hold;
		const char *want_note;
		const char *want_reason;
	} cases[] = {
		{ "a.example", DMARC_POLICY_REJECT, CONF_QUARANTINE_HOLD,
		    ACTION_REJECT, 0, "", "DMARC fail for a.example, policy "
		    "reject (dmarc_reject_action=reject)" },
		{ "x.bank.example", DMARC_POLICY_REJECT, CONF_QUARANTINE_HOLD,
		    ACTION_QUARANTINE, 1, "", "DMARC fail for x.bank.example, "
		    "policy reject (dmarc_reject_action=quarantine) "
		    "[override bank.example]" },
		{ "bank.example", DMARC_POLICY_REJECT, CONF_QUARANTINE_HEADER,
		    ACTION_QUARANTINE, 0, "DMARC policy of bank.example",
		    "DMARC fail for bank.example, policy reject "
		    "(dmarc_reject_action=quarantine) [override bank.example]" },
		{ "a\r\n\tX: y", DMARC_POLICY_QUARANTINE,
		    CONF_QUARANTINE_HEADER, ACTION_QUARANTINE, 0,
		    "DMARC policy of \"a???X: y\"", NULL },
		{ "a.example", DMARC_POLICY_NONE, CONF_QUARANTINE_HEADER,
		    ACTION_ACCEPT, 0, "", "DMARC fail for a.example, policy "
		    "none" },
	};
	struct conf *c = conf_defaults();
	struct policy_decision d;
	struct dmarc_result dm;
	const char *path;
	char err[512];
	size_t i;

	(void)state;
	path = write_file("bank.example dmarc_reject_action=quarantine\n");
	overrides_free(c->overrides);
	c->overrides = overrides_load(path, &c->site, err, sizeof(err));
	unlink(path);
	assert_non_null(c->overrides);
	policy_decision_init(&d);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&dm, 0, sizeof(dm));
		dm.result = DMARC_RES_FAIL;
		dm.domain = (char *)cases[i].domain;
		dm.policy = cases[i].policy;
		dm.pct = 100;
		c->quarantine_method = cases[i].method;
		policy_site(c, &dm, 0, &d);
		assert_int_equal(d.action, cases[i].want);
		assert_int_equal(d.quarantine_hold, cases[i].want_hold);
		assert_string_equal(vstr_str(&d.quarantine_note),
		    cases[i].want_note);
		if (cases[i].want_reason != NULL)
			assert_string_equal(vstr_str(&d.reason),
			    cases[i].want_reason);
	}
	policy_site(c, NULL, 0, &d);		/* not evaluated */
	assert_int_equal(d.action, ACTION_ACCEPT);
	assert_string_equal(vstr_str(&d.reason), "");
	policy_decision_free(&d);
	conf_release(c);
}

/*
 * test_upstream - policy_upstream: a trusted hop's dmarc resinfo acts
 * only with inner_enforce, under this site's rules; its words are read
 * without regard to case, a missing header.from names no domain
 */
static void
test_upstream(void **state)
{
	static const struct {
		int enforce;
		int has_res;
		const char *result;
		const char *header_from;
		const char *policy;
		enum action want;
		const char *want_reply;
		const char *want_reason;
	} cases[] = {
		{ 0, 1, "fail", "a.example", "reject", ACTION_ACCEPT, "",
		    "upstream verdict of edge.example" },
		{ 1, 0, NULL, NULL, NULL, ACTION_ACCEPT, "",
		    "upstream verdict of edge.example" },
		{ 1, 1, "FAIL", "", "Reject", ACTION_REJECT,
		    "rejected by DMARC policy for -", "DMARC fail for -, policy "
		    "reject (dmarc_reject_action=reject) (upstream "
		    "edge.example, inner_enforce=yes)" },
		{ 1, 1, "pass", "a.example", "reject", ACTION_ACCEPT, "",
		    "DMARC pass for a.example (upstream edge.example, "
		    "inner_enforce=yes)" },
		{ 1, 1, "fail", "a.example", "quarantine", ACTION_QUARANTINE,
		    "", "DMARC fail for a.example, policy quarantine "
		    "(dmarc_quarantine_action=quarantine) (upstream "
		    "edge.example, inner_enforce=yes)" },
		{ 1, 1, "fail", "a.example", "none", ACTION_ACCEPT, "",
		    "DMARC fail for a.example, policy none (upstream "
		    "edge.example, inner_enforce=yes)" },
		{ 1, 1, "softfail", "a.example", "reject", ACTION_ACCEPT, "",
		    "no DMARC policy for a.example (upstream edge.example, "
		    "inner_enforce=yes)" },
	};
	struct conf *c = conf_defaults();
	struct policy_decision d;
	struct authres_result r;
	size_t i;

	(void)state;
	policy_decision_init(&d);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&r, 0, sizeof(r));
		if (cases[i].has_res) {
			strcpy(r.method, "dmarc");
			strcpy(r.result, cases[i].result);
			strcpy(r.header_from, cases[i].header_from);
			strcpy(r.policy_dmarc, cases[i].policy);
		}
		c->inner_enforce = cases[i].enforce;
		policy_upstream(c, "edge.example", cases[i].has_res ? &r : NULL,
		    &d);
		assert_int_equal(d.action, cases[i].want);
		assert_string_equal(vstr_str(&d.reply), cases[i].want_reply);
		assert_string_equal(vstr_str(&d.reason), cases[i].want_reason);
	}
	policy_decision_free(&d);
	conf_release(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spf_rules),
		cmocka_unit_test(test_dmarc_rules),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_site),
		cmocka_unit_test(test_upstream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
