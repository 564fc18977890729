/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_hdr_parse - RFC 5322 address lists as From fields carry them,
 * including the tricks spoofers use to make a parser pick the wrong
 * domain (espoofer-style): quoted "@" in display names and local parts,
 * encoded words around addresses, routes, groups, unbalanced brackets,
 * several addresses.  Each case lists the domains found, or "ERR".
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hdr_parse.h"
#include "vstr.h"
#include "xmalloc.h"

/* test_addresses - value in, domains (space separated) and groups out */
static void
test_addresses(void **state)
{
	static const struct {
		const char *value;
		const char *want;	/* domains, or "ERR" */
		int want_groups;
	} cases[] = {
		{ "bob@a.example", "a.example", 0 },
		{ " Bob <bob@a.example>", "a.example", 0 },
		{ "bob@A.Example.", "a.example", 0 },
		{ "\"Bob, Jr.\" <bob@a.example>", "a.example", 0 },
		{ "(comment (nested)) bob@a.example (trailing)", "a.example", 0 },
		{ "Bob\r\n <bob@a.example>", "a.example", 0 },
		{ "Bob\n\t<bob@a.example>", "a.example", 0 },
		{ "a@x.example, b@y.example", "x.example y.example", 0 },
		{ "a@x.example,,b@x.example", "x.example x.example", 0 },
		{ "Undisclosed recipients:;", "", 1 },
		{ "friends: a@x.example, b@y.example;", "x.example y.example",
		    1 },
		{ "<@route.example,@r2.example:a@x.example>", "x.example", 0 },
		{ "\"a@evil.example\" <b@x.example>", "x.example", 0 },
		{ "\"a@evil.example\"@x.example", "x.example", 0 },
		{ "=?utf-8?q?Bank?= <b@x.example>", "x.example", 0 },
		{ "Mr. Smith <smith@x.example>", "x.example", 0 },
		{ "bob@[192.0.2.1]", "[192.0.2.1]", 0 },
		{ "first.last@sub.x.example", "sub.x.example", 0 },
		/* refused: never pick one domain out of junk */
		{ "=?utf-8?q?a@evil.example?= <b@x.example>", "ERR", 0 },
		{ "Bob <bob@x.example", "ERR", 0 },
		{ "bob@x.example>", "ERR", 0 },
		{ "<bob@x.example", "ERR", 0 },
		{ "a@x.example b@y.example", "ERR", 0 },
		{ "a@x.example <b@y.example>", "ERR", 0 },
		{ "", "ERR", 0 },
		{ " ", "ERR", 0 },
		{ "<>", "ERR", 0 },
		{ "bob", "ERR", 0 },
		{ "bob@", "ERR", 0 },
		{ "@x.example", "ERR", 0 },
		{ "Bob (unclosed <bob@x.example>", "ERR", 0 },
		{ "\"unclosed <bob@x.example>", "ERR", 0 },
		{ "bob@x..example", "ERR", 0 },
		{ "friends: a@x.example", "ERR", 0 },	/* group without ';' */
	};
	struct hdr_addresses a;
	struct vstr got = VSTR_INIT;
	char err[128];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vstr_reset(&got);
		if (hdr_parse_addresses(cases[i].value, &a, err,
		    sizeof(err)) != 0)
			vstr_cat(&got, "ERR");
		else {
			for (j = 0; j < a.n; j++)
				vstr_catf(&got, "%s%s", j ? " " : "",
				    a.box[j].domain);
			if (a.groups != cases[i].want_groups)
				fail_msg("\"%s\": %d groups", cases[i].value,
				    a.groups);
			hdr_addresses_free(&a);
		}
		if (strcmp(vstr_str(&got), cases[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"",
			    cases[i].value, vstr_str(&got), cases[i].want);
	}
	vstr_free(&got);
}

/* test_local_parts - quoted local parts come out unquoted */
static void
test_local_parts(void **state)
{
	struct hdr_addresses a;
	char err[128];

	(void)state;
	assert_int_equal(hdr_parse_addresses("\"a@evil.example\"@x.example",
	    &a, err, sizeof(err)), 0);
	assert_string_equal(a.box[0].local, "a@evil.example");
	hdr_addresses_free(&a);
	assert_int_equal(hdr_parse_addresses("John.Q.Public@x.example", &a,
	    err, sizeof(err)), 0);
	assert_string_equal(a.box[0].local, "John.Q.Public");
	hdr_addresses_free(&a);
}

/* test_author_domain - one author domain or the reason there is none */
static void
test_author_domain(void **state)
{
	static const struct {
		const char *value;
		const char *want;	/* domain, or the reason */
		int rc;
	} cases[] = {
		{ " Bob <bob@A.Example.>", "a.example", 0 },
		{ "a@x.example, b@X.example", "x.example", 0 },
		/* RFC 6532 UTF-8 domain to A-labels (IDNA2008) */
		{ "j\xc3\xb6rg@B\xc3\xbc" "cher.example", "xn--bcher-kva.example", 0 },
		{ "a@xn--bcher-kva.example", "xn--bcher-kva.example", 0 },
		{ "a@x.example, b@y.example",
		    "From has addresses in x.example and y.example", -1 },
		{ "friends: a@x.example;", "From holds a group", -1 },
		{ "Undisclosed recipients:;", "From holds a group", -1 },
		{ "a@[192.0.2.1]", "From domain [192.0.2.1] is not a domain name",
		    -1 },
		{ "a@x..example", "From does not parse: unparseable address "
		    "near \"a@x..example\"", -1 },
		{ "", "From does not parse: no address", -1 },
	};
	char why[160], *d;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		rc = hdr_author_domain(cases[i].value, &d, why, sizeof(why));
		assert_int_equal(rc, cases[i].rc);
		if (rc == 0)
			assert_string_equal(d, cases[i].want);
		else {
			assert_null(d);
			assert_string_equal(why, cases[i].want);
		}
		x_free(d);
	}
}

/* test_too_many - past HDR_MAX_ADDRESSES: an error, nothing leaked */
static void
test_too_many(void **state)
{
	struct hdr_addresses a;
	struct vstr v = VSTR_INIT;
	char err[128];
	int i;

	(void)state;
	for (i = 0; i <= HDR_MAX_ADDRESSES; i++)
		vstr_catf(&v, "%sa%d@x.example", i ? ", " : "", i);
	assert_int_equal(hdr_parse_addresses(vstr_str(&v), &a, err,
	    sizeof(err)), -1);
	vstr_free(&v);
}

/* nested_from - "(((...))) bob@x.example": DEPTH comments around none */
static char *
nested_from(size_t depth)
{
	struct vstr v = VSTR_INIT;
	size_t i;

	for (i = 0; i < depth; i++)
		vstr_catc(&v, '(');
	for (i = 0; i < depth; i++)
		vstr_catc(&v, ')');
	vstr_cat(&v, " bob@x.example");
	return vstr_steal(&v);
}

/*
 * test_comments - this parser's CFWS: comments nest 17 deep and no
 * deeper, an unclosed one is an error, a bare CR is no white space
 */
static void
test_comments(void **state)
{
	struct hdr_addresses a;
	char err[128], *s;

	(void)state;
	s = nested_from(17);
	assert_int_equal(hdr_parse_addresses(s, &a, err, sizeof(err)), 0);
	assert_string_equal(a.box[0].domain, "x.example");
	hdr_addresses_free(&a);
	x_free(s);
	s = nested_from(18);
	assert_int_equal(hdr_parse_addresses(s, &a, err, sizeof(err)), -1);
	x_free(s);
	s = nested_from(100000);
	assert_int_equal(hdr_parse_addresses(s, &a, err, sizeof(err)), -1);
	x_free(s);
	assert_int_equal(hdr_parse_addresses("bob@x.example (a \\) b)", &a,
	    err, sizeof(err)), 0);
	hdr_addresses_free(&a);
	assert_int_equal(hdr_parse_addresses("bob@x.example (a \\)", &a, err,
	    sizeof(err)), -1);
	assert_int_equal(hdr_parse_addresses("bob@x.example (unclosed", &a,
	    err, sizeof(err)), -1);
	assert_int_equal(hdr_parse_addresses("Bob\r<bob@x.example>", &a, err,
	    sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_local_parts),
		cmocka_unit_test(test_author_domain),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_comments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
