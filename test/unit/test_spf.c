/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spf - the SPF module's parts: record syntax (what is a permerror,
 * and the reason given), macro expansion (the RFC 7208 7.4 examples and
 * the bounds), and whole evaluations over a small zone: Sender ID
 * records ignored, loopback and IPv4-mapped clients judged like any
 * other, void lookups counted per term, long records, explanations, the
 * null sender judged as postmaster@HELO, DNS trouble never a pass.
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

/* test_record_syntax - which records parse, and why the others do not */
static void
test_record_syntax(void **state)
{
	static const struct {
		const char *record;
		size_t want_terms;
		const char *want_err;	/* NULL = parses; else in reason */
	} cases[] = {
		{ "v=spf1", 0, NULL },
		{ "V=SPF1 -ALL", 1, NULL },
		{ "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx ptr ~all", 6,
		    NULL },
		{ "v=spf1 a/24//64 mx:mail.example/28 -all", 3, NULL },
		{ "v=spf1 ip4:0.0.0.0/0 ip6:::/0 a//0", 3, NULL },
		{ "v=spf1 a:foo:bar/baz.example.com", 1, NULL },
		{ "v=spf1 include:_spf.example.com exists:%{i}.x.example", 2,
		    NULL },
		{ "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d}", 1, NULL },
		{ "v=spf1 redirect=_spf.example.com", 0, NULL },
		{ "v=spf1 foo=bar -all", 1, NULL },	/* unknown modifier */
		{ "v=spf1 -exists:a.example=b.example.com", 1, NULL },
		{ "v=spf1 a:%{d01}.example", 1, NULL },	/* 01 is nonzero */
		{ "v=spf1 exists:%{d}", 1, NULL },	/* ends in a macro */
		{ "v=spf1 a/24/64 -all", 0, "bad CIDR length" },
		{ "v=spf1 a//129", 0, "bad CIDR length" },
		{ "v=spf1 ip4:192.0.2.0/33", 0, "bad CIDR length" },
		{ "v=spf1 ip4:192.0.2.0/024", 0, "bad CIDR length" },
		{ "v=spf1 ip6:::1/0128", 0, "bad CIDR length" },
		{ "v=spf1 ip4:192.0.2", 0, "bad IP address" },
		{ "v=spf1 ip4:192.0.2.01", 0, "bad IP address" },
		{ "v=spf1 ip4", 0, "missing IP address" },
		{ "v=spf1 a:111.222.33.44", 0, "bad domain-spec" },
		{ "v=spf1 a:example.-com", 0, "bad domain-spec" },
		{ "v=spf1 a:foo.example}", 0, "bad domain-spec" },
		{ "v=spf1 a:%{d}.", 0, "bad domain-spec" },
		{ "v=spf1 include", 0, "missing domain-spec" },
		{ "v=spf1 all:x", 0, "takes no argument" },
		{ "v=spf1 -all/8", 0, "takes no argument" },
		{ "v=spf1 ptr/24", 0, "ptr takes no CIDR" },
		{ "v=spf1 frobnicate:x", 0, "unknown mechanism" },
		{ "v=spf1 9foo=bar", 0, "unknown mechanism" },
		{ "v=spf1 redirect=a.example redirect=b.example", 0,
		    "duplicate redirect=" },
		{ "v=spf1 exp=a.example exp=b.example", 0, "duplicate exp=" },
		{ "v=spf1 redirect=", 0, "bad domain-spec" },
		{ "v=spf1 a:%{q}.example", 0, "bad domain-spec" },
		{ "v=spf1 a:%{d0}.example", 0, "bad domain-spec" },
		{ "v=spf1 a:%{c}.example", 0, "bad domain-spec" },	/* exp only */
		{ "v=spf1 a:%{d!}.example", 0, "bad domain-spec" },
		{ "v=spf1 a:x%.example", 0, "bad domain-spec" },
		{ "v=spf1 foo=%{x}", 0, "bad macro-string in modifier" },
		{ "v=spf1 -all\001", 0, "control or non-ASCII" },
		{ "v=spf1 a:ctrl.example\rptr -all", 0, "control or non-ASCII" },
		{ "v=spf1 \x80" "a -all", 0, "control or non-ASCII" },
		{ "v=spf10 -all", 0, "not an SPF record" },
		{ "spf2.0/pra -all", 0, "not an SPF record" },
	};
	struct spf_record r;
	char err[128];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		rc = spf_record_parse(cases[i].record, &r, err, sizeof(err));
		if ((rc == 0) != (cases[i].want_err == NULL))
			fail_msg("\"%s\": parse rc %d (%s)", cases[i].record, rc,
			    err);
		if (rc == 0) {
			assert_int_equal(r.nterms, cases[i].want_terms);
			spf_record_clear(&r);
		} else if (strstr(err, cases[i].want_err) == NULL)
			fail_msg("\"%s\": reason \"%s\", want \"%s\"",
			    cases[i].record, err, cases[i].want_err);
		else if (strpbrk(err, "\r\001\x80") != NULL)
			fail_msg("\"%s\": raw bytes in reason", cases[i].record);
	}
}

/* test_long_record - more terms than any fixed array would hold */
static void
test_long_record(void **state)
{
	struct spf_record r;
	struct vstr v = VSTR_INIT;
	char err[128];
	int i;

	(void)state;
	vstr_cat(&v, "v=spf1");
	for (i = 0; i < 300; i++)
		vstr_catf(&v, " ip4:10.%d.%d.0/24", i / 256, i % 256);
	vstr_cat(&v, " -all");
	assert_int_equal(spf_record_parse(vstr_str(&v), &r, err, sizeof(err)),
	    0);
	assert_int_equal(r.nterms, 301);
	assert_int_equal(r.terms[300].qualifier, '-');
	spf_record_clear(&r);
	vstr_free(&v);
}

/* test_macros - RFC 7208 7.4 examples, transformers, refusals, bounds */
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
		{ "%{d1001}", "email.example.com" },	/* more than there are */
		{ "%{d99999999999999999999}", "email.example.com" },
		{ "%{s-}", "strong.bad@email.example.com" },
		{ "%{s-@}", NULL },	/* @ is no delimiter */
		{ "%{p}", "unknown" },
		{ "%{d0}", NULL },	/* RFC 7208 7.1: DIGIT must be nonzero */
		{ "%{d00}", NULL },
		{ "%{x}", NULL },
		{ "%", NULL },
		{ "%{d", NULL },
		{ "%{d!}", NULL },
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

/* test_macro_bounds - many parts work; too many macros or bytes do not */
static void
test_macro_bounds(void **state)
{
	struct spf_macro_env env;
	struct vstr in = VSTR_INIT, out = VSTR_INIT, local = VSTR_INIT;
	int i;

	(void)state;
	for (i = 0; i < 300; i++)
		vstr_cat(&local, "a.");
	vstr_cat(&local, "z");
	memset(&env, 0, sizeof(env));
	env.local = vstr_str(&local);
	env.domain = "example.com";
	/* 301 parts, reversed, first two kept */
	assert_int_equal(spf_macro_expand("%{l2r}", &env, &out), 0);
	assert_string_equal(vstr_str(&out), "a.a");
	assert_int_equal(spf_macro_expand("%{l1}", &env, &out), 0);
	assert_string_equal(vstr_str(&out), "z");
	/* SPF_MACRO_MAX_EXPANDS macros are fine, one more is not */
	for (i = 0; i < SPF_MACRO_MAX_EXPANDS; i++)
		vstr_cat(&in, "%{d1}");
	assert_int_equal(spf_macro_expand(vstr_str(&in), &env, &out), 0);
	vstr_cat(&in, "%{d1}");
	assert_int_equal(spf_macro_expand(vstr_str(&in), &env, &out), -1);
	/* more than SPF_MACRO_MAX_OUT bytes is refused */
	vstr_reset(&in);
	for (i = 0; i < 8; i++)
		vstr_cat(&in, "%{l}");
	assert_int_equal(spf_macro_expand(vstr_str(&in), &env, &out), -1);
	vstr_free(&in);
	vstr_free(&out);
	vstr_free(&local);
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
	assert_true(v.len > 253 - 10);
	assert_true(v.buf[0] != '.');
	assert_string_equal(v.buf + v.len - 11, "example.com");
	vstr_free(&v);
}

static const char zone_text[] =
    "; test_spf zone\n"
    "$TTL 300\n"
    "both.example. IN TXT \"spf2.0/pra -all\"\n"
    "both.example. IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "praonly.example. IN TXT \"spf2.0/mfrom,pra -all\"\n"
    "loop.example. IN TXT \"v=spf1 -all\"\n"
    "loopok.example. IN TXT \"v=spf1 ip4:127.0.0.1 ip6:::1 -all\"\n"
    "helo.example. IN TXT \"v=spf1 ip4:198.51.100.7 -all "
    "exp=why.helo.example\"\n"
    "why.helo.example. IN TXT \"%{c} is not %{h}'s, says %{r}\"\n"
    "two.example. IN TXT \"v=spf1 -all\"\n"
    "two.example. IN TXT \"v=spf1 +all\"\n"
    "inc.example. IN TXT \"v=spf1 include:slow.example -all\"\n"
    "exp.example. IN TXT \"v=spf1 -all exp=why.exp.example\"\n"
    "why.exp.example. IN TXT \"%{l} from %{i} not allowed\"\n"
    /* RFC 7208 7.4: %{ir}.%{v}._spf.%{d2} for 2001:db8::cb01 */
    "v6.example. IN TXT \"v=spf1 exists:%{ir}.%{v}._spf.%{d2} -all\"\n"
    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6"
    "._spf.v6.example. IN A 127.0.0.2\n"
    /* voids: an MX exchange without addresses is not the term's own */
    "voids.example. IN TXT \"v=spf1 mx:m.voids.example a:nx1.voids.example"
    " a:nx2.voids.example ip4:192.0.2.9 -all\"\n"
    "m.voids.example. IN MX 10 host1.voids.example.\n"
    "m.voids.example. IN MX 20 host2.voids.example.\n"
    "host1.voids.example. IN TXT \"no address\"\n"
    "voids3.example. IN TXT \"v=spf1 a:nx1.voids.example "
    "a:nx2.voids.example a:nx3.voids.example ip4:192.0.2.9 -all\"\n"
    ";! timeout slow.example\n"
    ";! servfail broken.example\n";

/* with_zone - a resolver over zone_text plus LONG; caller frees */
static struct dns *
with_zone(char *path)
{
	struct dns *d;
	char err[256];
	FILE *fp;
	int fd, i;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(zone_text, fp);
	/* long.example: 70 ip4 terms (2 strings of 255 max each is not
	 * enough: several character-strings), the last matching */
	fputs("long.example. IN TXT \"v=spf1\"", fp);
	for (i = 0; i < 70; i++)
		fprintf(fp, " \" ip4:10.0.%d.0/24\"", i);
	fputs(" \" ip4:192.0.2.70 -all\"\n", fp);
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
		const char *want_exp;	/* NULL = none */
	} cases[] = {
		/* Sender ID is never used: spf2.0/pra -all is ignored. */
		{ "192.0.2.9", "h.example", "a@both.example", SPF_RES_PASS,
		    SPF_ID_MAILFROM, "both.example", NULL },
		{ "192.0.2.9", "h.example", "a@praonly.example", SPF_RES_NONE,
		    SPF_ID_MAILFROM, "praonly.example", NULL },
		/* No special case for loopback (libspf2 passes it). */
		{ "127.0.0.1", "h.example", "a@loop.example", SPF_RES_FAIL,
		    SPF_ID_MAILFROM, "loop.example", NULL },
		{ "::1", "h.example", "a@loop.example", SPF_RES_FAIL,
		    SPF_ID_MAILFROM, "loop.example", NULL },
		{ "127.0.0.1", "h.example", "a@loopok.example", SPF_RES_PASS,
		    SPF_ID_MAILFROM, "loopok.example", NULL },
		{ "127.0.0.2", "h.example", "a@loopok.example", SPF_RES_FAIL,
		    SPF_ID_MAILFROM, "loopok.example", NULL },
		/* RFC 7208 5: an IPv4-mapped client is an IPv4 client. */
		{ "::ffff:192.0.2.9", "h.example", "a@both.example",
		    SPF_RES_PASS, SPF_ID_MAILFROM, "both.example", NULL },
		{ "::ffff:198.51.100.1", "h.example", "a@both.example",
		    SPF_RES_FAIL, SPF_ID_MAILFROM, "both.example", NULL },
		/* Null sender: the HELO identity decides. */
		{ "198.51.100.7", "helo.example", "", SPF_RES_PASS, SPF_ID_HELO,
		    "helo.example", NULL },
		{ "198.51.100.8", "helo.example", "<>", SPF_RES_FAIL,
		    SPF_ID_HELO, "helo.example",
		    "198.51.100.8 is not helo.example's, says mx.example" },
		{ "198.51.100.8", "[198.51.100.8]", "", SPF_RES_NONE,
		    SPF_ID_HELO, "[198.51.100.8]", NULL },
		{ "198.51.100.8", "198.51.100.8", "", SPF_RES_NONE, SPF_ID_HELO,
		    "198.51.100.8", NULL },
		{ "198.51.100.8", "helo", "", SPF_RES_NONE, SPF_ID_HELO, "helo",
		    NULL },
		{ "198.51.100.8", "helo.123", "", SPF_RES_NONE, SPF_ID_HELO,
		    "helo.123", NULL },
		/* MAIL FROM: brackets tolerated, local part defaulted. */
		{ "192.0.2.9", "h.example", "<a@both.example>", SPF_RES_PASS,
		    SPF_ID_MAILFROM, "both.example", NULL },
		{ "192.0.2.1", "h.example", "exp.example", SPF_RES_FAIL,
		    SPF_ID_MAILFROM, "exp.example",
		    "postmaster from 192.0.2.1 not allowed" },
		{ "192.0.2.1", "h.example", "Joe@exp.example", SPF_RES_FAIL,
		    SPF_ID_MAILFROM, "exp.example",
		    "Joe from 192.0.2.1 not allowed" },
		{ "192.0.2.9", "h.example", "a@two.example", SPF_RES_PERMERROR,
		    SPF_ID_MAILFROM, "two.example", NULL },
		{ "2001:db8::cb01", "h.example", "a@v6.example", SPF_RES_PASS,
		    SPF_ID_MAILFROM, "v6.example", NULL },
		{ "2001:db8::cb02", "h.example", "a@v6.example", SPF_RES_FAIL,
		    SPF_ID_MAILFROM, "v6.example", NULL },
		/* RFC 7208 4.6.4: two voids of its own terms, still a pass */
		{ "192.0.2.9", "h.example", "a@voids.example", SPF_RES_PASS,
		    SPF_ID_MAILFROM, "voids.example", NULL },
		{ "192.0.2.9", "h.example", "a@voids3.example",
		    SPF_RES_PERMERROR, SPF_ID_MAILFROM, "voids3.example", NULL },
		{ "192.0.2.70", "h.example", "a@long.example", SPF_RES_PASS,
		    SPF_ID_MAILFROM, "long.example", NULL },
		{ "192.0.2.71", "h.example", "a@long.example", SPF_RES_FAIL,
		    SPF_ID_MAILFROM, "long.example", NULL },
		/* DNS trouble is temperror, never pass. */
		{ "192.0.2.9", "h.example", "a@slow.example", SPF_RES_TEMPERROR,
		    SPF_ID_MAILFROM, "slow.example", NULL },
		{ "192.0.2.9", "h.example", "a@broken.example",
		    SPF_RES_TEMPERROR, SPF_ID_MAILFROM, "broken.example", NULL },
		{ "192.0.2.9", "h.example", "a@inc.example", SPF_RES_TEMPERROR,
		    SPF_ID_MAILFROM, "inc.example", NULL },
		{ "192.0.2.9", "h.example", "a@nxdomain.example", SPF_RES_NONE,
		    SPF_ID_MAILFROM, "nxdomain.example", NULL },
		/* RFC 7208 4.3: not a multi-label domain is none */
		{ "192.0.2.9", "h.example", "a@localhost", SPF_RES_NONE,
		    SPF_ID_MAILFROM, "localhost", NULL },
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
		if (cases[i].want_exp == NULL)
			assert_null(r.explanation);
		else if (r.explanation == NULL)
			fail_msg("case %zu: no explanation", i);
		else
			assert_string_equal(r.explanation, cases[i].want_exp);
		spf_check_result_clear(&r);
	}
	/* HELO checked too when spf_helo = yes; not when no. */
	spf_check_message(d, "198.51.100.8", "helo.example", "a@both.example",
	    "mx.example", 1, &r);
	assert_int_equal(r.helo_result, SPF_RES_FAIL);
	assert_int_equal(r.result, SPF_RES_FAIL);
	assert_null(r.explanation);	/* MAIL FROM gave none */
	spf_check_result_clear(&r);
	spf_check_message(d, "198.51.100.8", "helo.example", "a@both.example",
	    "mx.example", 0, &r);
	assert_int_equal(r.helo_result, SPF_RES_NONE);
	spf_check_result_clear(&r);
	dns_free(d);
	unlink(path);
}

/* test_check_host - the bare check_host() entry point */
static void
test_check_host(void **state)
{
	char path[] = "/tmp/mxauth-test-spf.XXXXXX";
	struct spf_check_req req;
	struct vstr exp = VSTR_INIT;
	struct dns *d;

	(void)state;
	d = with_zone(path);
	memset(&req, 0, sizeof(req));
	req.client_ip = "192.0.2.1";
	req.sender = "joe@exp.example";
	assert_int_equal(spf_check_host(d, &req, "exp.example", &exp),
	    SPF_RES_FAIL);
	assert_string_equal(vstr_str(&exp), "joe from 192.0.2.1 not allowed");
	assert_int_equal(spf_check_host(d, &req, "exp.example", NULL),
	    SPF_RES_FAIL);
	req.client_ip = "not-an-ip";
	assert_int_equal(spf_check_host(d, &req, "exp.example", NULL),
	    SPF_RES_PERMERROR);
	req.client_ip = "192.0.2.9";
	req.sender = NULL;		/* postmaster@domain */
	assert_int_equal(spf_check_host(d, &req, "both.example", NULL),
	    SPF_RES_PASS);
	vstr_free(&exp);
	dns_free(d);
	unlink(path);
}

/* main - run the SPF unit tests */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_syntax),
		cmocka_unit_test(test_long_record),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_macro_bounds),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_evaluations),
		cmocka_unit_test(test_check_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
