/*
 * test_authres - RFC 8601 authserv-id parsing, header formatting and the
 * selection of forged headers (trust_ar_forged).
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
#include "trust.h"
#include "vstr.h"
#include "xmalloc.h"

/* test_parse_id - authserv-id forms from RFC 8601 and hostile input */
static void
test_parse_id(void **state)
{
	static const struct {
		const char *value;
		int want_rc;
		const char *want_id;
	} cases[] = {
		{ "mx.example; spf=pass smtp.mailfrom=a.example", 0,
		    "mx.example" },
		{ "mx.example 1; none", 0, "mx.example" },
		{ "  (comment) mx.example;none", 0, "mx.example" },
		{ "(nested (comment)) MX.Example ; dkim=pass", 0,
		    "MX.Example" },
		{ "\"quoted.example\"; none", 0, "quoted.example" },
		{ "\"q\\\"x\"; none", 0, "q\"x" },
		{ "mx.example\n\t; spf=fail", 0, "mx.example" },
		{ "mx.example", 0, "mx.example" },
		{ "", -1, NULL },
		{ "; spf=pass", -1, NULL },
		{ "(unterminated mx.example; spf=pass", -1, NULL },
		{ "\"unterminated; spf=pass", -1, NULL },
		{ "mx.example junk; spf=pass", -1, NULL },
		{ "mx.example/x; spf=pass", -1, NULL },
	};
	char id[64];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = authres_parse_id(cases[i].value, id, sizeof(id));
		assert_int_equal(rc, cases[i].want_rc);
		if (cases[i].want_id != NULL)
			assert_string_equal(id, cases[i].want_id);
	}
	/* An id longer than the buffer is refused, not truncated. */
	assert_int_equal(authres_parse_id("abcdefghijklmnop; none", id, 8),
	    -1);
}

/* test_pvalue - property values are quoted only when they must be */
static void
test_pvalue(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "example.org", "example.org" },
		{ "user@example.org", "user@example.org" },
		{ "two words", "\"two words\"" },
		{ "semi;colon", "\"semi;colon\"" },
		{ "q\"uote", "\"q\\\"uote\"" },
		{ "crlf\r\ninjected: x", "\"crlfinjected: x\"" },
		{ "", "\"\"" },
	};
	struct vstr v = VSTR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vstr_reset(&v);
		authres_pvalue(&v, cases[i].in);
		assert_string_equal(vstr_str(&v), cases[i].want);
	}
	vstr_free(&v);
}

/* test_format - the header per ingress class, methods not yet checked */
static void
test_format(void **state)
{
	static const struct {
		enum ingress ingress;
		const char *auth;
		const char *mail_from;
		const char *from;
		const char *want;
	} cases[] = {
		{ INGRESS_EXTERNAL, NULL, "bob@a.example", "b.example",
		    "mx.example;\n\tspf=none (not checked) "
		    "smtp.mailfrom=a.example;\n\tdkim=none;\n\t"
		    "dmarc=none (not checked) header.from=b.example" },
		{ INGRESS_EXTERNAL, NULL, "", NULL,
		    "mx.example;\n\tspf=none (not checked);\n\tdkim=none;\n\t"
		    "dmarc=none (not checked)" },
		{ INGRESS_TRUSTED, NULL, "bob@a.example", "b.example",
		    "mx.example; none" },
		{ INGRESS_AUTHENTICATED, "alice", "alice@a.example", NULL,
		    "mx.example;\n\tauth=pass smtp.auth=alice" },
	};
	struct authres_in in;
	struct vstr v = VSTR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.authserv_id = "mx.example";
		in.ingress = cases[i].ingress;
		in.auth_user = cases[i].auth;
		in.mail_from = cases[i].mail_from;
		in.from_domain = cases[i].from;
		vstr_reset(&v);
		authres_format(&v, &in);
		assert_string_equal(vstr_str(&v), cases[i].want);
	}
	vstr_free(&v);
}

/* test_format_dkim - one resinfo per signature with RFC 6008 header.b */
static void
test_format_dkim(void **state)
{
	struct dkim_result sig[2];
	struct authres_in in;
	struct vstr v = VSTR_INIT;

	(void)state;
	memset(sig, 0, sizeof(sig));
	sig[0].result = DKIM_RES_PASS;
	sig[0].domain = "a.example";
	sig[0].selector = "s1";
	sig[0].algorithm = "rsa-sha256";
	sig[0].b = "abcdEFGH";
	sig[1].result = DKIM_RES_FAIL;
	sig[1].domain = "c.example";
	sig[1].reason = "body hash mismatch";
	memset(&in, 0, sizeof(in));
	in.authserv_id = "mx.example";
	in.mail_from = "";
	in.dkim = sig;
	in.ndkim = 2;
	authres_format(&v, &in);
	assert_non_null(strstr(vstr_str(&v), ";\n\tdkim=pass header.d=a.example"
	    " header.s=s1 header.a=rsa-sha256 header.b=abcdEFGH;"));
	assert_non_null(strstr(vstr_str(&v),
	    ";\n\tdkim=fail (body hash mismatch) header.d=c.example;"));
	vstr_free(&v);
}

/*
 * test_forged - which incoming A-R values claim a trusted id (RFC 8601
 * 5): the leading token read as leniently as any reader might, whether
 * the rest parses or not
 */
static void
test_forged(void **state)
{
	static const struct {
		const char *value;
		int want;
	} cases[] = {
		{ "mx.example; spf=pass", 1 },
		{ "MX.EXAMPLE; spf=pass", 1 },
		{ "(c) Mx.Example 1; none", 1 },
		{ "\"mx.example\"; dkim=pass", 1 },
		/* spellings that do not parse, and their siblings */
		{ "mx.example spf=pass", 1 },			/* no ';' */
		{ "MX.EXAMPLE spf=pass", 1 },
		{ "mx.example", 1 },
		{ "mx.example;", 1 },
		{ "mx.example, spf=pass", 1 },
		{ "mx.example: spf=pass", 1 },
		{ "mx.example/1; spf=pass", 1 },		/* version */
		{ "mx.example/; spf=pass", 1 },
		{ "mx.example=pass", 1 },
		{ "mx.example 1 2; spf=pass", 1 },
		{ "mx.example.; spf=pass", 1 },			/* root dot */
		{ "mx.example..; spf=pass", 1 },
		{ "(unterminated mx.example; spf=pass", 1 },
		{ "(unterminated\\) mx.example; spf=pass", 1 },
		{ "(a (b) mx.example; spf=pass", 1 },
		{ "(x\\) mx.example) other.example; spf=pass", 1 },
		{ "=?utf-8?q?mx.example?=; spf=pass", 1 },	/* RFC 2047 */
		{ "=?UTF-8?Q?mx=2Eexample?= ; spf=pass", 1 },
		{ "=?utf-8?b?bXguZXhhbXBsZQ==?=; spf=pass", 1 },
		{ "=?us-ascii?q?_mx.example._?=; spf=pass", 1 },
		{ "mx.exa\rmple; spf=pass", 1 },		/* CR/LF */
		{ "mx.exa\r\nmple; spf=pass", 1 },
		{ "mx.exa\nmple spf=pass", 1 },
		{ "mx.example\r; spf=pass", 1 },
		{ "mx.example\r\nspf=pass", 1 },
		{ "\"mx.example; spf=pass", 1 },		/* quoted */
		{ "\" mx.example. \"; spf=pass", 1 },
		{ "\"mx\\.example\"; spf=pass", 1 },
		{ "\r\n\t mx.example; spf=pass", 1 },		/* folding */
		{ " \t(x) (y)\r\n mx.example\tspf=pass", 1 },
		{ "mx.example\xc2\xa0; spf=pass", 1 },
		{ "edge.example, dkim=pass", 1 },		/* trusted */
		{ "EDGE.EXAMPLE/2 ; x", 1 },
		/* someone else's, or no id at all */
		{ "other.example; spf=pass", 0 },
		{ "mx.examplex; spf=pass", 0 },
		{ "mx.example.evil; spf=pass", 0 },
		{ "sub.mx.example; spf=pass", 0 },
		{ "mx-example; spf=pass", 0 },
		{ "(mx.example) other.example; spf=pass", 0 },
		{ "other.example; spf=pass (mx.example)", 0 },
		{ "other.example spf=pass smtp.mailfrom=mx.example", 0 },
		{ "(unclosed other.example; mx.example", 0 },
		{ "x mx.example; spf=pass", 0 },
		{ "=?utf-8?q?other.example?=; spf=pass", 0 },
		{ "\"other.example\"; none", 0 },
		{ "garbage", 0 },
		{ "", 0 },
		{ "(", 0 },
		{ "\"", 0 },
		{ "=?", 0 },
	};
	struct conf *conf;
	char big[600];
	size_t i;

	(void)state;
	conf = conf_defaults();
	x_free(conf->authserv_id);
	conf->authserv_id = xstrdup("mx.example");
	x_free(conf->trusted_authserv_ids);
	conf->trusted_authserv_ids = xstrdup("edge.example  other2.example");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (trust_ar_forged(conf, cases[i].value) != cases[i].want)
			fail_msg("case %zu: \"%s\" want %d", i, cases[i].value,
			    cases[i].want);
	/* a token longer than any id is not cut down to one */
	memset(big, 'm', 500);
	snprintf(big + 500, sizeof(big) - 500, ".mx.example; spf=pass");
	assert_int_equal(trust_ar_forged(conf, big), 0);
	conf_free(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_pvalue),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_dkim),
		cmocka_unit_test(test_forged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
