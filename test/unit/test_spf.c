/*
 * test_spf - the SPF module's parts: record syntax (what is a
 * permerror), macro expansion (the RFC 7208 7.4 examples), and whole
 * evaluations over small zones: Sender ID records ignored, loopback
 * clients judged like any other, the null sender judged as
 * postmaster@HELO, DNS trouble never a pass.
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

#include "dns.h"
#include "spf_check.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "vstr.h"
#include "xmalloc.h"

/* test_record_syntax - which records parse and which are permerror */
static void
test_record_syntax(void **state)
{
	static const struct {
		const char *record;
		int want_ok;
		size_t want_terms;
	} cases[] = {
		{ "v=spf1", 1, 0 },
		{ "V=SPF1 -ALL", 1, 1 },
		{ "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx ptr ~all", 1, 6 },
		{ "v=spf1 a/24//64 mx:mail.example/28 -all", 1, 3 },
		{ "v=spf1 a:foo:bar/baz.example.com", 1, 1 },
		{ "v=spf1 include:_spf.example.com exists:%{i}.x.example", 1, 2 },
		{ "v=spf1 redirect=_spf.example.com", 1, 0 },
		{ "v=spf1 foo=bar -all", 1, 1 },	/* unknown modifier */
		{ "v=spf1 a/24/64 -all", 0, 0 },	/* ip6 needs "//" */
		{ "v=spf1 a//129", 0, 0 },
		{ "v=spf1 ip4:192.0.2.0/33", 0, 0 },
		{ "v=spf1 ip4:192.0.2.0/024", 0, 0 },	/* leading zero */
		{ "v=spf1 ip4:192.0.2", 0, 0 },
		{ "v=spf1 a:111.222.33.44", 0, 0 },	/* numeric top label */
		{ "v=spf1 a:example.-com", 0, 0 },
		{ "v=spf1 include", 0, 0 },
		{ "v=spf1 all:x", 0, 0 },
		{ "v=spf1 -all/8", 0, 0 },
		{ "v=spf1 frobnicate:x", 0, 0 },
		{ "v=spf1 redirect=a.example redirect=b.example", 0, 0 },
		{ "v=spf1 exp=a.example exp=b.example", 0, 0 },
		{ "v=spf1 a:%{q}.example", 0, 0 },	/* no such macro */
		{ "v=spf1 a:%{d0}.example", 1, 1 },	/* syntax ok; expand refuses */
		{ "v=spf1 a:x%.example", 0, 0 },
		{ "v=spf1 -all\001", 0, 0 },
		{ "v=spf10 -all", 0, 0 },
	};
	struct spf_record r;
	char err[128];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = spf_record_parse(cases[i].record, &r, err, sizeof(err));
		if ((rc == 0) != cases[i].want_ok)
			fail_msg("\"%s\": parse rc %d", cases[i].record, rc);
		if (rc == 0) {
			assert_int_equal(r.nterms, cases[i].want_terms);
			spf_record_clear(&r);
		}
	}
}

/* test_macros - RFC 7208 7.4 examples, plus refusals */
static void
test_macros(void **state)
{
	static const struct {
		const char *in;
		const char *want;	/* NULL = permerror */
	} cases[] = {
		{ "%{s}", "strong-bad@email.example.com" },
		{ "%{o}", "email.example.com" },
		{ "%{d}", "email.example.com" },
		{ "%{d4}", "email.example.com" },
		{ "%{d3}", "email.example.com" },
		{ "%{d2}", "example.com" },
		{ "%{d1}", "com" },
		{ "%{dr}", "com.example.email" },
		{ "%{d2r}", "example.email" },
		{ "%{l}", "strong-bad" },
		{ "%{l-}", "strong.bad" },
		{ "%{lr}", "strong-bad" },
		{ "%{lr-}", "bad.strong" },
		{ "%{l1r-}", "strong" },
		{ "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com" },
		{ "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com" },
		{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
		    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
		{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
		    "3.2.0.192.in-addr.strong.lp._spf.example.com" },
		{ "%{d2}.trusted-domains.example.net",
		    "example.com.trusted-domains.example.net" },
		{ "%%%_%-", "% %20" },
		{ "%{L}", "strong-bad" },
		{ "%{S}", "strong-bad%40email.example.com" },	/* URL-escaped */
		{ "%{d0}", NULL },	/* RFC 7208 7.1: DIGIT must be nonzero */
		{ "%{x}", NULL },
		{ "%", NULL },
		{ "%{d", NULL },
	};
	struct spf_macro_env env;
	struct vstr out = VSTR_INIT;
	size_t i;
	int rc;

	(void)state;
	memset(&env, 0, sizeof(env));
	env.sender = "strong-bad@email.example.com";
	env.local = "strong-bad";
	env.sender_domain = "email.example.com";
	env.domain = "email.example.com";
	env.ip_dotted = "192.0.2.3";
	env.ip_text = "192.0.2.3";
	env.v = "in-addr";
	env.helo = "mx.example.org";
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = spf_macro_expand(cases[i].in, &env, &out);
		if (cases[i].want == NULL) {
			if (rc == 0)
				fail_msg("%s: expanded to \"%s\"", cases[i].in,
				    vstr_str(&out));
			continue;
		}
		if (rc != 0)
			fail_msg("%s: refused", cases[i].in);
		assert_string_equal(vstr_str(&out), cases[i].want);
	}
	vstr_free(&out);
}

/* test_truncate - RFC 7208 7.3: long names lose labels on the left */
static void
test_truncate(void **state)
{
	struct vstr v = VSTR_INIT;
	int i;

	(void)state;
	for (i = 0; i < 30; i++)
		vstr_cat(&v, "abcdefghi.");
	vstr_cat(&v, "example.com");
	spf_macro_truncate(&v);
	assert_true(v.len <= 253);
	assert_true(v.buf[0] != '.');
	assert_string_equal(v.buf + v.len - 11, "example.com");
	vstr_free(&v);
}

static const char zone_text[] =
    "; test_spf zone: Sender ID next to SPF, loopback, HELO, faults\n"
    "$TTL 300\n"
    "both.example. IN TXT \"spf2.0/pra -all\"\n"
    "both.example. IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "praonly.example. IN TXT \"spf2.0/mfrom,pra -all\"\n"
    "loop.example. IN TXT \"v=spf1 -all\"\n"
    "helo.example. IN TXT \"v=spf1 ip4:198.51.100.7 -all\"\n"
    "two.example. IN TXT \"v=spf1 -all\"\n"
    "two.example. IN TXT \"v=spf1 +all\"\n"
    "inc.example. IN TXT \"v=spf1 include:slow.example -all\"\n"
    ";! timeout slow.example\n"
    ";! servfail broken.example\n";

/* with_zone - a resolver over zone_text; caller frees with dns_free */
static struct dns *
with_zone(char *path)
{
	struct dns *d;
	char err[256];
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(zone_text, fp);
	fclose(fp);
	d = dns_new_zone(path, err, sizeof(err));
	if (d == NULL)
		fail_msg("%s", err);
	return d;
}

/* test_evaluations - whole messages over the zone */
static void
test_evaluations(void **state)
{
	static const struct {
		const char *ip;
		const char *helo;
		const char *mail_from;
		enum spf_res want;
		enum spf_identity want_id;
		const char *want_domain;
	} cases[] = {
		/* Sender ID is never used: spf2.0/pra -all is ignored. */
		{ "192.0.2.9", "h.example", "a@both.example", SPF_RES_PASS,
		    SPF_ID_MAILFROM, "both.example" },
		{ "192.0.2.9", "h.example", "a@praonly.example", SPF_RES_NONE,
		    SPF_ID_MAILFROM, "praonly.example" },
		/* No special case for loopback (libspf2 passes it). */
		{ "127.0.0.1", "h.example", "a@loop.example", SPF_RES_FAIL,
		    SPF_ID_MAILFROM, "loop.example" },
		{ "::1", "h.example", "a@loop.example", SPF_RES_FAIL,
		    SPF_ID_MAILFROM, "loop.example" },
		/* Null sender: the HELO identity decides. */
		{ "198.51.100.7", "helo.example", "", SPF_RES_PASS, SPF_ID_HELO,
		    "helo.example" },
		{ "198.51.100.8", "helo.example", "", SPF_RES_FAIL, SPF_ID_HELO,
		    "helo.example" },
		{ "198.51.100.8", "[198.51.100.8]", "", SPF_RES_NONE,
		    SPF_ID_HELO, "[198.51.100.8]" },
		{ "192.0.2.9", "h.example", "a@two.example", SPF_RES_PERMERROR,
		    SPF_ID_MAILFROM, "two.example" },
		/* DNS trouble is temperror, never pass. */
		{ "192.0.2.9", "h.example", "a@slow.example", SPF_RES_TEMPERROR,
		    SPF_ID_MAILFROM, "slow.example" },
		{ "192.0.2.9", "h.example", "a@broken.example",
		    SPF_RES_TEMPERROR, SPF_ID_MAILFROM, "broken.example" },
		{ "192.0.2.9", "h.example", "a@inc.example", SPF_RES_TEMPERROR,
		    SPF_ID_MAILFROM, "inc.example" },
		{ "192.0.2.9", "h.example", "a@nxdomain.example", SPF_RES_NONE,
		    SPF_ID_MAILFROM, "nxdomain.example" },
	};
	char path[] = "/tmp/mxauth-test-spf.XXXXXX";
	struct spf_result r;
	struct dns *d;
	size_t i;

	(void)state;
	d = with_zone(path);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spf_check_message(d, cases[i].ip, cases[i].helo,
		    cases[i].mail_from, "mx.example", 1, &r);
		if (r.result != cases[i].want)
			fail_msg("case %zu (%s from %s): got %s", i,
			    cases[i].mail_from, cases[i].ip,
			    result_spf_str(r.result));
		assert_int_equal(r.identity, cases[i].want_id);
		assert_string_equal(r.domain, cases[i].want_domain);
		assert_string_equal(r.client_ip, cases[i].ip);
		spf_check_result_clear(&r);
	}
	/* HELO checked too when spf_helo = yes; not when no. */
	spf_check_message(d, "198.51.100.8", "helo.example", "a@both.example",
	    "mx.example", 1, &r);
	assert_int_equal(r.helo_result, SPF_RES_FAIL);
	spf_check_result_clear(&r);
	spf_check_message(d, "198.51.100.8", "helo.example", "a@both.example",
	    "mx.example", 0, &r);
	assert_int_equal(r.helo_result, SPF_RES_NONE);
	spf_check_result_clear(&r);
	dns_free(d);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_syntax),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_evaluations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
