/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_rfc5322 - FWS, comments, CFWS and atext (RFC 5322 3.2.2, 3.2.3)
 * under each reading a header parser uses: folds only or any white
 * space, nested or flat comments, bounded depth or none, an unclosed
 * comment left to the caller or run to the end.  The callers' answers
 * are tested in test_hdr_parse and test_authres.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rfc5322.h"
#include "xmalloc.h"

/* A case: input, flags, and what is left after it ("NULL": refused). */
struct rest_case {
	const char	*in;
	int		 flags;
	const char	*rest;
};

#define L	RFC5322_LOOSE
#define F	RFC5322_FLAT
#define B	RFC5322_BOUNDED
#define E	RFC5322_TO_END

static void
check(const char *(*fn)(const char *, int), const struct rest_case *c,
    size_t n)
{
	const char *got;
	size_t i;

	for (i = 0; i < n; i++) {
		got = fn(c[i].in, c[i].flags);
		if (c[i].rest == NULL ? got != NULL : got == NULL ||
		    strcmp(got, c[i].rest) != 0)
			fail_msg("case %zu \"%s\": got \"%s\", want \"%s\"", i,
			    c[i].in, got != NULL ? got : "NULL",
			    c[i].rest != NULL ? c[i].rest : "NULL");
	}
}

/* test_fws - folds only, or any SP HTAB CR LF (LOOSE) */
static void
test_fws(void **state)
{
	static const struct rest_case cases[] = {
		{ " \t x", 0, "x" },
		{ " \r\n\tx", 0, "x" },		/* CRLF WSP: a fold */
		{ " \n x", 0, "x" },		/* LF WSP: obs-FWS */
		{ " \r\nx", 0, "\r\nx" },	/* no WSP after: the end */
		{ "\rx", 0, "\rx" },		/* bare CR */
		{ "\r\n", 0, "\r\n" },
		{ "x ", 0, "x " },
		{ "", 0, "" },
		{ " \r\nx", L, "x" },
		{ "\r\r\n\n\t x", L, "x" },
		{ "\vx", L, "\vx" },		/* VT is no white space */
	};

	(void)state;
	check(rfc5322_fws, cases, sizeof(cases) / sizeof(cases[0]));
}

/* test_comment - nesting, quoted-pairs, unclosed, flat */
static void
test_comment(void **state)
{
	static const struct rest_case cases[] = {
		{ "(a)b", 0, "b" },
		{ "()b", 0, "b" },
		{ "(a (b) c)d", 0, "d" },
		{ "(a \\) b)c", 0, "c" },	/* quoted-pair: not the end */
		{ "(a \\( b)c", 0, "c" },	/* nor a nesting */
		{ "(a\r\n b\rc\n)d", 0, "d" },	/* any byte inside */
		{ "(\x80\xff)d", 0, "d" },
		{ "(a", 0, NULL },		/* unclosed */
		{ "(a (b)", 0, NULL },
		{ "(a \\)", 0, NULL },
		{ "(a \\", 0, NULL },		/* a lone '\' at the end */
		{ "a(b)", 0, NULL },		/* not at a comment */
		{ "", 0, NULL },
		{ ")", 0, NULL },
		/* flat: the first ')' ends it, '\' is a byte like others */
		{ "(a (b) c)d", F, " c)d" },
		{ "(a \\) b)c", F, " b)c" },
		{ "(a", F, NULL },
	};

	(void)state;
	check(rfc5322_comment, cases, sizeof(cases) / sizeof(cases[0]));
}

/* nested - N comments one inside the other, then "x"; x_free it */
static char *
nested(size_t n)
{
	char *s = xmalloc(2 * n + 2);

	memset(s, '(', n);
	memset(s + n, ')', n);
	memcpy(s + 2 * n, "x", 2);
	return s;
}

/* test_depth - BOUNDED: RFC5322_DEPTH levels and no more; else any */
static void
test_depth(void **state)
{
	char *s;

	(void)state;
	s = nested(RFC5322_DEPTH);
	assert_string_equal(rfc5322_comment(s, B), "x");
	assert_string_equal(rfc5322_cfws(s, B), "x");
	x_free(s);
	s = nested(RFC5322_DEPTH + 1);
	assert_null(rfc5322_comment(s, B));
	assert_ptr_equal(rfc5322_cfws(s, B), s);	/* stops at the '(' */
	assert_string_equal(rfc5322_cfws(s, B | E), "");
	assert_string_equal(rfc5322_comment(s, 0), "x");
	x_free(s);
	/* deep nesting is a counter, not recursion */
	s = nested(1000000);
	assert_string_equal(rfc5322_cfws(s, L), "x");
	assert_null(rfc5322_comment(s, B));
	s[1000000] = 'x';				/* one never closes */
	assert_null(rfc5322_comment(s, 0));
	x_free(s);
}

/* test_cfws - white space and comments; an unclosed one two ways */
static void
test_cfws(void **state)
{
	static const struct rest_case cases[] = {
		{ " (a) \r\n (b (c))\tx (d)", 0, "x (d)" },
		{ "(a)(b)x", 0, "x" },
		{ "x", 0, "x" },
		{ "", 0, "" },
		{ " (a) \r(b) x", 0, "\r(b) x" },	/* bare CR ends it */
		{ " (a) \r(b) x", L, "x" },
		{ " (a) (unclosed x", 0, "(unclosed x" },
		{ " (a) (unclosed x", E, "" },
		{ " (a) (unclosed x", L | E, "" },
		{ "(a (b) c) x", F, "c) x" },
		{ "(a \\) x", L | F, "x" },
		{ "(unclosed", L | F, "(unclosed" },
	};

	(void)state;
	check(rfc5322_cfws, cases, sizeof(cases) / sizeof(cases[0]));
}

/* test_atext - RFC 5322 3.2.3 atext and the UTF-8 bytes of RFC 6532 */
static void
test_atext(void **state)
{
	static const char yes[] = "azAZ09!#$%&'*+-/=?^_`{|}~";
	static const char no[] = "()<>[]:;@\\,.\" \t\r\n\x01\x7f";
	size_t i;

	(void)state;
	for (i = 0; yes[i] != '\0'; i++)
		assert_true(rfc5322_is_atext((unsigned char)yes[i]));
	for (i = 0; no[i] != '\0'; i++)
		assert_false(rfc5322_is_atext((unsigned char)no[i]));
	assert_false(rfc5322_is_atext('\0'));
	assert_true(rfc5322_is_atext(0x80));
	assert_true(rfc5322_is_atext(0xff));
	assert_true(rfc5322_is_wsp('\t'));
	assert_false(rfc5322_is_wsp('\n'));
	assert_true(rfc5322_is_fws('\r'));
	assert_false(rfc5322_is_fws('\v'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fws),
		cmocka_unit_test(test_comment),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_cfws),
		cmocka_unit_test(test_atext),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
