/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_trust - checking once at the edge and trusting it inside:
 * Received "from" clauses in the formats Postfix, Sendmail, Exim and
 * Exchange write (received.c), the walk past trusted relays, relay
 * ingress, incoming A-R results (authres_parse) and what becomes of each
 * A-R field on trusted and untrusted connections (trust_ar_fate).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "authres.h"
#include "conf.h"
#include "eval.h"
#include "netlist.h"
#include "received.h"
#include "trust.h"
#include "xmalloc.h"

/* test_received_formats - one Received value: client IP and HELO */
static void
test_received_formats(void **state)
{
	static const struct {
		const char *value;
		const char *want_ip;	/* NULL: names no client */
		const char *want_helo;
	} cases[] = {
		/* Postfix */
		{ " from mail.a.example (mail.a.example [192.0.2.10])\r\n\tby "
		    "mx.example.net (Postfix) with ESMTPS id 4XyZ; Sun, 22 Nov "
		    "2026 10:00:00 +0000", "192.0.2.10", "mail.a.example" },
		{ "from helo.example (unknown [2001:DB8::25]) by mx (Postfix)",
		    "2001:db8::25", "helo.example" },
		{ "from x (y [IPv6:2001:db8::1]) by z", "2001:db8::1", "x" },
		/* Sendmail, nested comment */
		{ "from helo.example (user@rdns.example [198.51.100.7] (may be "
		    "forged)) by mx.example (8.17.1/8.17.1) with ESMTP id "
		    "2AMA0; Sun, 22 Nov 2026", "198.51.100.7", "helo.example" },
		/* Exim: rdns first, helo= inside */
		{ "from rdns.example ([203.0.113.9] helo=claimed.example)\n\tby "
		    "mx.example with esmtp (Exim 4.96) id 1q2w3e",
		    "203.0.113.9", "claimed.example" },
		{ "from [203.0.113.9] (helo=claimed.example) by mx.example with "
		    "esmtp (Exim 4.96)", "203.0.113.9", "claimed.example" },
		/* Exchange: bare address in the comment */
		{ "from EX01.corp.example (10.1.2.3) by EX02.corp.example "
		    "(10.1.2.4) with Microsoft SMTP Server (version=TLS1_2) id "
		    "15.2.1118.40", "10.1.2.3", "EX01.corp.example" },
		/* no client */
		{ "by mx.example (Postfix, from userid 1000) id 123", NULL, NULL },
		{ "from localhost by mx.example with local", NULL, NULL },
		{ "from x ([999.1.1.1]) by y", NULL, NULL },
		{ "from x (not an address) by y", NULL, NULL },
	};
	struct received_client c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].want_ip == NULL) {
			assert_int_equal(received_parse(cases[i].value, &c), -1);
			continue;
		}
		if (received_parse(cases[i].value, &c) != 0)
			fail_msg("case %zu: no client in \"%s\"", i,
			    cases[i].value);
		assert_string_equal(c.ip, cases[i].want_ip);
		assert_string_equal(c.helo, cases[i].want_helo);
	}
}

/*
 * The Received fields of one relay, each with the client's HELO at %s:
 * the relay saw the client 203.0.113.5.  Sendmail and older Postfix copy
 * the HELO verbatim (Postfix 3.7 writes '?' for white space and parens,
 * not for brackets): every format gets it verbatim here, the worst case.
 * Exim puts it in helo= (and normally refuses a HELO that is not a name
 * or an address literal).
 */
#define PF	"from %s (unknown [203.0.113.5])\r\n\tby relay.example " \
		"(Postfix) with ESMTP id 4AbC\r\n\tfor <u@dest.example>; " \
		"Mon, 30 Nov 2026 07:00:00 +0000"
#define SM	"from %s (user@rdns.example [203.0.113.5] (may be forged))" \
		"\r\n\tby relay.example (8.17.1/8.17.1) with ESMTP id 2AU7; " \
		"Mon, 30 Nov 2026 07:00:00 +0000"
#define SM2	"from %s ([203.0.113.5])\r\n\tby relay.example " \
		"(8.17.1/8.17.1) with ESMTP id 2AU7"
#define SMA	"from %s (rdns.example [203.0.113.5])\r\n\t(authenticated " \
		"bits=0)\r\n\tby relay.example (8.17.1/8.17.1) id 2AU7"
#define EX	"from rdns.example ([203.0.113.5] helo=%s)\r\n\tby " \
		"relay.example with esmtp (Exim 4.96)\r\n\t(envelope-from " \
		"<a@b.example>)\r\n\tid 1q2w3e-000A"
#define EX2	"from [203.0.113.5] (helo=%s)\r\n\tby relay.example with " \
		"esmtp (Exim 4.96)"
#define EX3	"from rdns.example ([203.0.113.5]:41234 helo=%s)\r\n\tby " \
		"relay.example with esmtp (Exim 4.96)"
#define MS	"from %s (203.0.113.5) by EX02.corp.example (10.1.2.4) with " \
		"Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_" \
		"WITH_AES_256_GCM_SHA384) id 15.2.1118.40"

#define NONE	""	/* names no client: the relay is judged */
#define AMBIG	"?"	/* refused as ambiguous: the relay is judged */

/* test_received_helo - an address in the HELO is never the client's */
static void
test_received_helo(void **state)
{
	static const struct {
		const char *fmt;
		const char *helo;
		const char *want_ip;	/* or NONE, AMBIG */
	} cases[] = {
		/* the four spellings of the issue, through each MTA */
		{ PF, "[192.0.2.10]", "203.0.113.5" },
		{ PF, "x([192.0.2.10])", "203.0.113.5" },
		{ PF, "x (y [192.0.2.10])", "203.0.113.5" },
		{ PF, "[IPv6:::ffff:192.0.2.10]", "203.0.113.5" },
		{ SM, "[192.0.2.10]", "203.0.113.5" },
		{ SM, "x([192.0.2.10])", "203.0.113.5" },
		{ SM, "x (y [192.0.2.10])", "203.0.113.5" },
		{ SM, "[IPv6:::ffff:192.0.2.10]", "203.0.113.5" },
		{ SM2, "[192.0.2.10]", "203.0.113.5" },
		{ SM2, "x (y [192.0.2.10])", "203.0.113.5" },
		{ SMA, "[192.0.2.10]", "203.0.113.5" },
		{ SMA, "x (y [192.0.2.10])", "203.0.113.5" },
		{ MS, "[192.0.2.10]", "203.0.113.5" },
		{ MS, "x (192.0.2.10)", "203.0.113.5" },
		{ MS, "x (y [192.0.2.10])", "203.0.113.5" },
		{ EX, "[192.0.2.10]", "203.0.113.5" },
		{ EX, "[IPv6:::ffff:192.0.2.10]", "203.0.113.5" },
		{ EX2, "[192.0.2.10]", "203.0.113.5" },
		{ EX3, "[192.0.2.10]", "203.0.113.5" },
		/* Exim with a HELO it would normally refuse: no reading */
		{ EX, "x([192.0.2.10])", NONE },
		{ EX, "x (y [192.0.2.10])", NONE },
		{ EX2, "x [192.0.2.10]", NONE },
		/* unbalanced parentheses and brackets in the HELO */
		{ PF, "x (y", "203.0.113.5" },
		{ PF, "x)", "203.0.113.5" },
		{ PF, "((([192.0.2.10]", "203.0.113.5" },
		{ PF, "[192.0.2.10]))", "203.0.113.5" },
		{ SM, "x (y [192.0.2.10]", "203.0.113.5" },
		{ PF, "[192.0.2.10", "203.0.113.5" },
		/* comments and several bracket groups in the HELO */
		{ PF, "(c) [192.0.2.10] (d)", "203.0.113.5" },
		{ PF, "[192.0.2.10] [198.51.100.1]", "203.0.113.5" },
		{ PF, "x (unknown [192.0.2.10] (may be forged))", "203.0.113.5" },
		{ PF, "x (helo=y)", "203.0.113.5" },
		/* a HELO with " by " that mimics the relay: ambiguous */
		{ PF, "x (unknown [192.0.2.10]) by y", AMBIG },
		{ PF, "[192.0.2.10] by y", AMBIG },
		{ PF, "[192.0.2.10] (helo=z) by y", AMBIG },
		{ PF, "x (192.0.2.10) by y", AMBIG },
		{ PF, "x (a [192.0.2.10]) (authenticated bits=0) by y",
		    AMBIG },
		{ SM, "x (u@r [192.0.2.10] (may be forged)) by y", AMBIG },
		{ MS, "x (192.0.2.10) by y", AMBIG },
		/* " by " in the HELO that mimics nothing is harmless */
		{ PF, "x by y", "203.0.113.5" },
		{ PF, "by", "203.0.113.5" },
		{ PF, "x (y) by (z)", "203.0.113.5" },
		/* quoted strings */
		{ PF, "\"q (a [192.0.2.10]) by\"", "203.0.113.5" },
		{ PF, "\"q (a [192.0.2.10]) by x\"", AMBIG },
		{ PF, "\"x\\\" (a [192.0.2.10])\"", "203.0.113.5" },
		/* an ordinary HELO */
		{ PF, "mail.a.example", "203.0.113.5" },
		{ EX, "mail.a.example", "203.0.113.5" },
		{ EX2, "mail.a.example", "203.0.113.5" },
	};
	struct received_client c;
	char value[600];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(value, sizeof(value), cases[i].fmt, cases[i].helo);
		rc = received_parse(value, &c);
		if (strcmp(cases[i].want_ip, NONE) == 0) {
			if (rc != RECEIVED_NONE)
				fail_msg("case %zu: rc %d ip %s, want none: %s",
				    i, rc, c.ip, value);
		} else if (strcmp(cases[i].want_ip, AMBIG) == 0) {
			if (rc != RECEIVED_AMBIGUOUS)
				fail_msg("case %zu: rc %d ip %s, want ambiguous:"
				    " %s", i, rc, c.ip, value);
		} else if (rc != 0 || strcmp(c.ip, cases[i].want_ip) != 0)
			fail_msg("case %zu: rc %d ip \"%s\", want %s: %s", i, rc,
			    c.ip, cases[i].want_ip, value);
		/* The HELO is reported as the client gave it. */
		if (rc == 0)
			assert_string_equal(c.helo, cases[i].helo);
	}
}

/* test_received_relay_wrote - what counts is what the relay itself wrote */
static void
test_received_relay_wrote(void **state)
{
	struct received_client c;
	char big[10000];
	size_t n;

	(void)state;
	/* IPv4-mapped: judged as the IPv4 client (spf_check, netlist) */
	assert_int_equal(received_parse("from h.example (unknown "
	    "[IPv6:::ffff:192.0.2.10]) by relay (Postfix)", &c), 0);
	assert_string_equal(c.ip, "::ffff:192.0.2.10");
	/* Exim's helo= is the client's text, even an address literal */
	assert_int_equal(received_parse("from [203.0.113.5] (port=25 "
	    "helo=[192.0.2.10] ident=u) by relay", &c), 0);
	assert_string_equal(c.ip, "203.0.113.5");
	assert_string_equal(c.helo, "[192.0.2.10]");
	assert_int_equal(received_parse("from [203.0.113.5] by relay with "
	    "esmtp (Exim 4.96)", &c), 0);
	assert_string_equal(c.ip, "203.0.113.5");
	/* the relay's comment must be one it writes, whole */
	assert_int_equal(received_parse("from h (unknown [203.0.113.5] "
	    "helo) by relay", &c), RECEIVED_NONE);
	assert_int_equal(received_parse("from h (Postfix) by relay", &c),
	    RECEIVED_NONE);
	assert_int_equal(received_parse("from h (a b [203.0.113.5]) by relay",
	    &c), RECEIVED_NONE);
	assert_int_equal(received_parse("from h(unknown [203.0.113.5]) by "
	    "relay", &c), RECEIVED_NONE);
	assert_int_equal(received_parse("from x (helo=y) by relay", &c),
	    RECEIVED_NONE);
	/* a very long HELO: read, its copy cut; a huge field: refused */
	n = 5000;
	memset(big, 'a', n);
	snprintf(big + n, sizeof(big) - n, " (unknown [203.0.113.5]) by r");
	memcpy(big, "from ", 5);
	assert_int_equal(received_parse(big, &c), 0);
	assert_string_equal(c.ip, "203.0.113.5");
	assert_int_equal(strlen(c.helo), sizeof(c.helo) - 1);
	for (n = 5; n + 6 < 9000; n += 6)
		memcpy(big + n, ") by (", 6);
	snprintf(big + n, sizeof(big) - n, " (unknown [203.0.113.5]) by r");
	assert_int_equal(received_parse(big, &c), RECEIVED_NONE);
}

/* test_received_origin - past our own hop and the trusted relays */
static void
test_received_origin(void **state)
{
	char *chain[] = {
		(char *)"from relay2.corp (relay2.corp [10.0.0.2]) by mx (Postfix)",
		(char *)"from relay1.corp (relay1.corp [10.0.0.1]) by relay2.corp",
		(char *)"from mail.a.example (mail.a.example [192.0.2.10]) by "
		    "relay1.corp",
		(char *)"from forged.example (forged [198.51.100.66]) by nowhere",
	};
	char *broken[] = {
		(char *)"from relay2.corp (relay2.corp [10.0.0.2]) by mx",
		(char *)"by relay2.corp (from userid 0)",
	};
	char *mimic[] = {
		(char *)"from x (unknown [192.0.2.10]) by y (unknown "
		    "[203.0.113.5]) by relay2.corp",
	};
	struct netlist *relays = netlist_new();
	struct received_client c;
	char err[128], why[160];

	(void)state;
	assert_int_equal(netlist_add(relays, "10.0.0.0/24", err, sizeof(err)),
	    0);
	assert_int_equal(received_origin(relays, chain, 4, &c, why,
	    sizeof(why)), 0);
	/* the first client that is not a relay; what lies below is not read */
	assert_string_equal(c.ip, "192.0.2.10");
	assert_string_equal(c.helo, "mail.a.example");
	assert_int_equal(received_origin(relays, chain, 2, &c, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "no Received field names a client outside "
	    "trusted_relays");
	assert_int_equal(received_origin(relays, broken, 2, &c, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "Received field 2 names no client");
	assert_int_equal(received_origin(relays, mimic, 1, &c, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "Received field 1 is ambiguous (its HELO "
	    "mimics the relay's part)");
	netlist_free(relays);
}

/* test_ingress - a relay is a relay even inside trusted_networks */
static void
test_ingress(void **state)
{
	struct conf *c = conf_defaults();
	char err[128];

	(void)state;
	assert_int_equal(netlist_add(c->trusted_relays, "127.0.0.2/32", err,
	    sizeof(err)), 0);
	assert_int_equal(trust_ingress(c, "127.0.0.2", NULL), INGRESS_RELAY);
	assert_int_equal(trust_ingress(c, "127.0.0.1", NULL), INGRESS_TRUSTED);
	assert_int_equal(trust_ingress(c, "192.0.2.1", "alice"),
	    INGRESS_AUTHENTICATED);
	assert_int_equal(trust_ingress(c, "192.0.2.1", NULL), INGRESS_EXTERNAL);
	conf_release(c);
}

/* test_authres_parse - the results of an incoming A-R */
static void
test_authres_parse(void **state)
{
	struct authres_parsed a;

	(void)state;
	assert_int_equal(authres_parse(" mx.example.net 1;\r\n\tspf=pass "
	    "(client-ip=192.0.2.10) smtp.mailfrom=a.example;\r\n\tdkim=pass "
	    "header.d=a.example header.b=\"AbC/dE+f\";\r\n\tdmarc=fail "
	    "(p=reject sp=reject dis=reject) header.from=a.example "
	    "policy.dmarc=reject", &a), 0);
	assert_string_equal(a.id, "mx.example.net");
	assert_int_equal(a.n, 3);
	assert_string_equal(a.res[0].method, "spf");
	assert_string_equal(a.res[0].result, "pass");
	assert_string_equal(a.res[1].method, "dkim");
	assert_string_equal(a.res[2].result, "fail");
	assert_string_equal(a.res[2].header_from, "a.example");
	assert_string_equal(a.res[2].policy_dmarc, "reject");
	assert_int_equal(authres_parse("mx.example.net; none", &a), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(authres_parse("mx.example.net; auth/1=pass "
	    "smtp.auth=alice", &a), 0);
	assert_string_equal(a.res[0].method, "auth");
	assert_int_equal(authres_parse("mx.example.net", &a), -1);
	assert_int_equal(authres_parse("mx.example.net; spf", &a), -1);
	assert_int_equal(authres_parse("mx.example.net; spf=pass x", &a), -1);
	/* a field that does not parse gives no results, not the first few */
	assert_int_equal(authres_parse("mx.example.net; spf=pass; dkim=pass; "
	    "dmarc", &a), -1);
	assert_int_equal(a.n, 0);
	assert_int_equal(authres_parse("mx.example.net; spf=pass (open", &a),
	    -1);
	assert_int_equal(a.n, 0);
	assert_int_equal(authres_parse("mx.example.net; spf=pass) dkim=pass",
	    &a), -1);
	assert_int_equal(authres_parse("mx.example.net; spf=pass "
	    "reason=\"open", &a), -1);
	assert_int_equal(authres_parse("mx.example.net; spf=pass "
	    "reason=\"a (b\" (c \\) d)", &a), 0);
	assert_int_equal(a.n, 1);
}

/* test_ar_fate - which A-R fields stay, go, or are the upstream verdict */
static void
test_ar_fate(void **state)
{
	static const struct {
		enum ingress ingress;
		const char *ids[4];		/* authserv-ids, top down */
		enum ar_fate want[4];
	} cases[] = {
		/* from outside, every trusted claim goes */
		{ INGRESS_EXTERNAL, { "mx.example", "edge.example",
		    "other.example", "mx.example" },
		    { AR_DELETE, AR_DELETE, AR_KEEP, AR_DELETE } },
		{ INGRESS_RELAY, { "edge.example", NULL },
		    { AR_DELETE } },
		{ INGRESS_AUTHENTICATED, { "edge.example", NULL },
		    { AR_DELETE } },
		/* from inside: the top trusted one is the verdict */
		{ INGRESS_TRUSTED, { "edge.example", "EDGE.example",
		    "other.example", "edge.example" },
		    { AR_UPSTREAM, AR_KEEP, AR_KEEP, AR_DELETE } },
		/* a trusted id below someone else's is not believed */
		{ INGRESS_TRUSTED, { "other.example", "edge.example", NULL },
		    { AR_KEEP, AR_DELETE } },
	};
	struct conf *c = conf_defaults();
	struct ar_walk w;
	char value[128];
	size_t i, j;

	(void)state;
	x_free(c->authserv_id);
	c->authserv_id = xstrdup("mx.example");
	x_free(c->trusted_authserv_ids);
	c->trusted_authserv_ids = xstrdup("edge.example other2.example");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&w, 0, sizeof(w));
		for (j = 0; j < 4 && cases[i].ids[j] != NULL; j++) {
			snprintf(value, sizeof(value), " %s; spf=pass",
			    cases[i].ids[j]);
			if (trust_ar_fate(c, cases[i].ingress, value, &w) !=
			    cases[i].want[j])
				fail_msg("case %zu, field %zu (%s)", i, j,
				    cases[i].ids[j]);
		}
	}
	conf_release(c);
}

/*
 * test_ar_unparsed - from inside, a field that claims a trusted id but
 * does not parse strictly is never a verdict: deleted, and nothing
 * trusted below it is believed
 */
static void
test_ar_unparsed(void **state)
{
	static const struct {
		enum ingress ingress;
		const char *values[3];		/* top down */
		enum ar_fate want[3];
	} cases[] = {
		{ INGRESS_TRUSTED, { "edge.example; spf=pass; dkim",
		    "edge.example; spf=pass", NULL },
		    { AR_DELETE, AR_DELETE } },
		{ INGRESS_TRUSTED, { "edge.example spf=pass", NULL },
		    { AR_DELETE } },
		{ INGRESS_TRUSTED, { "edge.example.; spf=pass", NULL },
		    { AR_DELETE } },
		{ INGRESS_TRUSTED, { "edge.example/1; spf=pass", NULL },
		    { AR_DELETE } },
		{ INGRESS_TRUSTED, { "edge.example; spf=pass (open", NULL },
		    { AR_DELETE } },
		{ INGRESS_TRUSTED, { "(x\\) edge.example) other.example; "
		    "spf=pass", NULL }, { AR_DELETE } },
		/* below a good verdict, a broken one goes, the verdict stays */
		{ INGRESS_TRUSTED, { "edge.example; spf=pass",
		    "edge.example, spf=pass", "edge.example; spf=fail" },
		    { AR_UPSTREAM, AR_DELETE, AR_DELETE } },
		/* from outside, every spelling goes */
		{ INGRESS_EXTERNAL, { "mx.example spf=pass",
		    "=?utf-8?q?mx.example?=; spf=pass", "other.example; x" },
		    { AR_DELETE, AR_DELETE, AR_KEEP } },
		{ INGRESS_RELAY, { "mx.example: spf=pass", NULL },
		    { AR_DELETE } },
	};
	static const char *const fields[][2] = {
		{ "Authentication-Results", " edge.example; spf=pass "
		    "smtp.mailfrom=a.example; dkim=pass header.d=a.example; "
		    "dmarc=pass header.from=a.example policy.dmarc=none x" },
		{ "From", " <bob@a.example>" },
	};
	struct conf *c = conf_defaults();
	struct ar_walk w;
	struct eval *e;
	size_t i, j;

	(void)state;
	x_free(c->authserv_id);
	c->authserv_id = xstrdup("mx.example");
	x_free(c->trusted_authserv_ids);
	c->trusted_authserv_ids = xstrdup("edge.example");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&w, 0, sizeof(w));
		for (j = 0; j < 3 && cases[i].values[j] != NULL; j++)
			if (trust_ar_fate(c, cases[i].ingress,
			    cases[i].values[j], &w) != cases[i].want[j])
				fail_msg("case %zu, field %zu (%s)", i, j,
				    cases[i].values[j]);
	}
	/* through the core: no upstream verdict, no spf/dkim/dmarc from it */
	e = eval_new(c, NULL);
	eval_set_client(e, "127.0.0.1", "localhost");
	eval_set_mail_from(e, "<bob@a.example>");
	for (i = 0; i < 2; i++)
		eval_header(e, fields[i][0], fields[i][1]);
	eval_end(e);
	assert_null(eval_result(e)->upstream);
	assert_null(eval_upstream_result(e, "dmarc"));
	assert_int_equal(eval_result(e)->ndel, 1);
	eval_free(e);
	conf_release(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_received_formats),
		cmocka_unit_test(test_received_helo),
		cmocka_unit_test(test_received_relay_wrote),
		cmocka_unit_test(test_received_origin),
		cmocka_unit_test(test_ingress),
		cmocka_unit_test(test_authres_parse),
		cmocka_unit_test(test_ar_fate),
		cmocka_unit_test(test_ar_unparsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
