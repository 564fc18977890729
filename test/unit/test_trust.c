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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_received_formats),
		cmocka_unit_test(test_received_origin),
		cmocka_unit_test(test_ingress),
		cmocka_unit_test(test_authres_parse),
		cmocka_unit_test(test_ar_fate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
