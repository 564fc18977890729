/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report_row - the row a message gives DMARC aggregate reports:
 * every disposition and override reason, the judged client behind a
 * trusted relay, several DKIM signatures, and the messages that give no
 * row.  Messages go through the real eval with the zone layer's DNS
 * (test/data/zones/report.zone) under a config file as an admin writes
 * it.
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

#include "conf.h"
#include "dns.h"
#include "eval.h"
#include "report_row.h"
#include "xmalloc.h"

#define ZONE	TEST_DATA "/zones/report.zone"
#define RCVD	" from spoofer.example (unknown [203.0.113.66]) by " \
		"relay.full.example (Postfix) with ESMTP id 1A2B3C; " \
		"Mon, 30 Nov 2026 07:00:00 +0000"
#define SIG(d, s) " v=1; a=rsa-sha256; c=relaxed/relaxed; d=" d "; s=" s \
		"; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; " \
		"b=dGVzdA=="

/* write_tmp - TEXT into a new temporary file; caller frees the path */
static char *
write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/mxauth-report-row.XXXXXX");
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* load - a config from TEXT; "$OV" in TEXT becomes OVERRIDES' file */
static struct conf *
load(const char *text, const char *overrides)
{
	char *ovpath = NULL, *path, err[512], buf[2048];
	struct conf *c;
	const char *p;

	if (overrides != NULL)
		ovpath = write_tmp(overrides);
	buf[0] = '\0';
	if ((p = strstr(text, "$OV")) != NULL) {
		assert_non_null(ovpath);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - text), text,
		    ovpath, p + 3);
	} else
		snprintf(buf, sizeof(buf), "%s", text);
	path = write_tmp(buf);
	c = conf_load(path, err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	unlink(path);
	x_free(path);
	if (ovpath != NULL) {
		unlink(ovpath);
		x_free(ovpath);
	}
	return c;
}

struct rcase {
	const char	*name;
	const char	*conf;		/* mxauth.conf text */
	const char	*overrides;	/* policy_overrides file, or NULL */
	const char	*client;
	const char	*mail_from;
	const char	*received;	/* a relay's Received, or NULL */
	const char	*from;		/* the From domain */
	const char	*sig[3];	/* DKIM-Signature values */
	bool		 want_row;
	const char	*want_ip;
	const char	*want_policy_domain;
	enum dmarc_res	 want_dmarc;
	enum dmarc_policy want_policy;	/* what applied */
	enum dmarc_policy want_disp;
	enum action	 want_action;
	unsigned	 want_ovr;
	const char	*want_override;
};

#define BASE	"authserv_id = mx.example\n"
#define RELAYS	"trusted_relays = 192.0.2.20\n"
#define TRUST	"trusted_networks = 10.0.0.0/8\n"
#define PSL	"dmarc_org_domain = psl\npsl_file = " TEST_DATA \
		"/psl/public_suffix_list.dat\n"

static const struct rcase cases[] = {
	{ "pass", BASE, NULL, "192.0.2.1", "<a@Full.Example>", NULL,
	    "full.example", { NULL }, true, "192.0.2.1", "full.example",
	    DMARC_RES_PASS, DMARC_POLICY_REJECT, DMARC_POLICY_NONE,
	    ACTION_ACCEPT, 0, NULL },
	{ "reject", BASE, NULL, "203.0.113.66", "<a@full.example>", NULL,
	    "full.example", { NULL }, true, "203.0.113.66", "full.example",
	    DMARC_RES_FAIL, DMARC_POLICY_REJECT, DMARC_POLICY_REJECT,
	    ACTION_REJECT, 0, NULL },
	{ "quarantine", BASE, NULL, "203.0.113.66", "<a@q.example>", NULL,
	    "q.example", { NULL }, true, "203.0.113.66", "q.example",
	    DMARC_RES_FAIL, DMARC_POLICY_QUARANTINE, DMARC_POLICY_QUARANTINE,
	    ACTION_QUARANTINE, 0, NULL },
	{ "sp of the parent", BASE, NULL, "203.0.113.66",
	    "<a@sub.full.example>", NULL, "sub.full.example", { NULL }, true,
	    "203.0.113.66", "full.example", DMARC_RES_FAIL,
	    DMARC_POLICY_QUARANTINE, DMARC_POLICY_QUARANTINE,
	    ACTION_QUARANTINE, 0, NULL },
	{ "t=y", BASE, NULL, "203.0.113.66", "<a@t.example>", NULL,
	    "t.example", { NULL }, true, "203.0.113.66", "t.example",
	    DMARC_RES_FAIL, DMARC_POLICY_QUARANTINE, DMARC_POLICY_QUARANTINE,
	    ACTION_QUARANTINE, 0, NULL },
	{ "dry run", BASE "dry_run = yes\n", NULL, "203.0.113.66",
	    "<a@full.example>", NULL, "full.example", { NULL }, true,
	    "203.0.113.66", "full.example", DMARC_RES_FAIL,
	    DMARC_POLICY_REJECT, DMARC_POLICY_NONE, ACTION_ACCEPT,
	    DMARC_OVR_DRY_RUN, NULL },
	{ "reject action quarantines",
	    BASE "dmarc_reject_action = quarantine\n", NULL, "203.0.113.66",
	    "<a@full.example>", NULL, "full.example", { NULL }, true,
	    "203.0.113.66", "full.example", DMARC_RES_FAIL,
	    DMARC_POLICY_REJECT, DMARC_POLICY_QUARANTINE, ACTION_QUARANTINE,
	    DMARC_OVR_LOCAL_POLICY, NULL },
	{ "override: local policy none", BASE "policy_overrides = file:$OV\n",
	    "full.example dmarc_policy=none\n", "203.0.113.66",
	    "<a@full.example>", NULL, "full.example", { NULL }, true,
	    "203.0.113.66", "full.example", DMARC_RES_FAIL,
	    DMARC_POLICY_REJECT, DMARC_POLICY_NONE, ACTION_ACCEPT,
	    DMARC_OVR_OVERRIDE | DMARC_OVR_LOCAL_POLICY, "full.example" },
	{ "override matched, nothing changed", BASE "policy_overrides = file:$OV\n",
	    "q.example dmarc_reject_action=none\n", "203.0.113.66",
	    "<a@q.example>", NULL, "q.example", { NULL }, true,
	    "203.0.113.66", "q.example", DMARC_RES_FAIL,
	    DMARC_POLICY_QUARANTINE, DMARC_POLICY_QUARANTINE,
	    ACTION_QUARANTINE, DMARC_OVR_OVERRIDE, "q.example" },
	{ "sampled out (RFC 7489 pct=0)", BASE PSL, NULL, "203.0.113.66",
	    "<a@pct.example>", NULL, "pct.example", { NULL }, true,
	    "203.0.113.66", "pct.example", DMARC_RES_FAIL,
	    DMARC_POLICY_REJECT, DMARC_POLICY_QUARANTINE, ACTION_QUARANTINE,
	    DMARC_OVR_SAMPLED_OUT, NULL },
	{ "relayed: the origin is judged", BASE RELAYS, NULL, "192.0.2.20",
	    "<a@full.example>", RCVD, "full.example", { NULL }, true,
	    "203.0.113.66", "full.example", DMARC_RES_FAIL,
	    DMARC_POLICY_REJECT, DMARC_POLICY_REJECT, ACTION_REJECT, 0,
	    NULL },
	{ "several DKIM signatures", BASE, NULL, "203.0.113.66",
	    "<>", NULL, "full.example", { SIG("full.example", "s1"),
	    SIG("Other.Example", "s2"), SIG("full.example", "s3") }, true,
	    "203.0.113.66", "full.example", DMARC_RES_FAIL,
	    DMARC_POLICY_REJECT, DMARC_POLICY_REJECT, ACTION_REJECT, 0,
	    NULL },
	/* no row: nothing evaluated, or no policy to report to */
	{ "trusted network", BASE TRUST, NULL, "10.1.2.3", "<a@full.example>",
	    NULL, "full.example", { NULL }, false, NULL, NULL, 0, 0, 0, 0, 0,
	    NULL },
	{ "no DMARC record", BASE, NULL, "203.0.113.66",
	    "<a@nosuch.example>", NULL, "nosuch.example", { NULL }, false,
	    NULL, NULL, 0, 0, 0, 0, 0, NULL },
	{ "refused at MAIL FROM", BASE "spf_fail_action = reject\n", NULL,
	    "203.0.113.66", "<a@full.example>", NULL, "full.example",
	    { NULL }, false, NULL, NULL, 0, 0, 0, 0, 0, NULL },
};

/* run - C's message through eval; its row, if any, into ROW */
static bool
run(const struct rcase *c, struct dns *dns, struct report_row *row)
{
	char from[300];
	struct conf *conf = load(c->conf, c->overrides);
	struct eval *e;
	bool ok;
	size_t i;

	e = eval_new(conf, dns);
	eval_set_queue_id(e, "4QID");
	eval_set_client(e, c->client, NULL);
	eval_set_helo(e, "helo.example");
	eval_set_mail_from(e, c->mail_from);
	if (eval_envelope(e) == ACTION_ACCEPT) {
		if (c->received != NULL)
			eval_header(e, "Received", c->received);
		for (i = 0; i < 3 && c->sig[i] != NULL; i++)
			eval_header(e, "DKIM-Signature", c->sig[i]);
		snprintf(from, sizeof(from), " <a@%s>", c->from);
		eval_header(e, "From", from);
		eval_body(e, (const unsigned char *)"hi\r\n", 4);
		eval_end(e);
	}
	ok = report_row_build(eval_result(e), 1764486000, row);
	eval_free(e);
	conf_release(conf);
	return ok;
}

/* test_rows - every case's row, field by field */
static void
test_rows(void **state)
{
	struct report_row row, copy;
	struct dns *dns;
	char err[256];
	size_t i;

	(void)state;
	dns = dns_new_zone(ZONE, err, sizeof(err));
	assert_non_null(dns);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];

		print_message("%s\n", c->name);
		assert_int_equal(run(c, dns, &row), c->want_row);
		if (!c->want_row) {
			assert_null(row.source_ip);
			report_row_clear(&row);
			continue;
		}
		assert_true(row.time == 1764486000);
		assert_string_equal(row.queue_id, "4QID");
		assert_string_equal(row.source_ip, c->want_ip);
		assert_string_equal(row.header_from, c->from);
		assert_string_equal(row.policy_domain, c->want_policy_domain);
		assert_int_equal(row.dmarc, c->want_dmarc);
		assert_int_equal(row.policy, c->want_policy);
		assert_int_equal(row.disposition, c->want_disp);
		assert_int_equal(row.action, c->want_action);
		assert_int_equal(row.overrides, c->want_ovr);
		if (c->want_override == NULL)
			assert_null(row.override);
		else
			assert_string_equal(row.override, c->want_override);
		assert_null(row.envelope_to);
		report_row_copy(&copy, &row);
		assert_true(report_row_equal(&copy, &row));
		report_row_clear(&copy);
		report_row_clear(&row);
		assert_null(row.header_from);
	}
	dns_free(dns);
}

/* test_published - the policy record's tags as found, SPF's identity */
static void
test_published(void **state)
{
	struct report_row row;
	struct dns *dns;
	char err[256];

	(void)state;
	dns = dns_new_zone(ZONE, err, sizeof(err));
	assert_non_null(dns);
	assert_true(run(&cases[0], dns, &row));		/* full.example pass */
	assert_int_equal(row.discovery, DMARC_DISC_TREEWALK);
	assert_int_equal(row.p, DMARC_POLICY_REJECT);
	assert_int_equal(row.sp, DMARC_POLICY_QUARANTINE);
	assert_int_equal(row.np, DMARC_POLICY_REJECT);
	assert_true(row.adkim_strict);
	assert_false(row.aspf_strict);
	assert_false(row.testing);
	assert_int_equal(row.psd, 'n');
	assert_string_equal(row.rua, "mailto:agg@full.example");
	assert_string_equal(row.envelope_from, "full.example");
	assert_int_equal(row.spf, SPF_RES_PASS);
	assert_string_equal(row.spf_domain, "full.example");
	assert_int_equal(row.spf_scope, SPF_ID_MAILFROM);
	assert_true(row.spf_aligned);
	assert_false(row.dkim_aligned);
	assert_int_equal(row.ndkim, 0);
	report_row_clear(&row);
	/* q.example: defaults; sp and np fall back to p */
	assert_true(run(&cases[2], dns, &row));
	assert_int_equal(row.sp, DMARC_POLICY_QUARANTINE);
	assert_int_equal(row.np, DMARC_POLICY_QUARANTINE);
	assert_false(row.adkim_strict);
	assert_int_equal(row.psd, 'u');
	assert_null(row.rua);
	assert_int_equal(row.spf, SPF_RES_FAIL);
	report_row_clear(&row);
	/* t=y */
	assert_true(run(&cases[4], dns, &row));
	assert_true(row.testing);
	report_row_clear(&row);
	/* RFC 7489 mode is said */
	assert_true(run(&cases[9], dns, &row));
	assert_int_equal(row.discovery, DMARC_DISC_PSL);
	report_row_clear(&row);
	dns_free(dns);
}

/* test_dkim - every signature with its d= and s=, in order; null path */
static void
test_dkim(void **state)
{
	struct report_row row;
	struct dns *dns;
	char err[256];

	(void)state;
	dns = dns_new_zone(ZONE, err, sizeof(err));
	assert_non_null(dns);
	assert_true(run(&cases[11], dns, &row));
	assert_int_equal(row.ndkim, 3);
	assert_string_equal(row.dkim[0].domain, "full.example");
	assert_string_equal(row.dkim[0].selector, "s1");
	assert_string_equal(row.dkim[1].domain, "other.example");
	assert_string_equal(row.dkim[1].selector, "s2");
	assert_string_equal(row.dkim[2].selector, "s3");
	/* no key published for any: none of them passes */
	assert_int_not_equal(row.dkim[0].result, DKIM_RES_PASS);
	assert_int_not_equal(row.dkim[2].result, DKIM_RES_PASS);
	/* the null path: no envelope domain, SPF judged the HELO */
	assert_null(row.envelope_from);
	assert_int_equal(row.spf_scope, SPF_ID_HELO);
	assert_string_equal(row.spf_domain, "helo.example");
	report_row_clear(&row);
	dns_free(dns);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_published),
		cmocka_unit_test(test_dkim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
