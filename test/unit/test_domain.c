/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_domain - domain names (domain.c): syntax under each role's flags,
 * lower-casing, U-labels to A-labels, equality, "is under", labels.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain.h"
#include "xmalloc.h"

/* The flag sets the callers use (domain.c names the roles). */
#define F_DKIM	(DOMAIN_HOSTNAME | DOMAIN_MULTI_LABEL | DOMAIN_NOT_NUMERIC)
#define F_AR	(DOMAIN_HOSTNAME | DOMAIN_MULTI_LABEL)
#define F_NAME	DOMAIN_UNDERSCORE
#define F_SPF	(DOMAIN_PRINTABLE | DOMAIN_TRAILING_DOT | DOMAIN_MULTI_LABEL)
#define F_HELO	(F_SPF | DOMAIN_NOT_NUMERIC)
#define F_DNS	(DOMAIN_ANY_BYTE | DOMAIN_TRAILING_DOT)

/* a name of LABELS labels of "a"*63 and a last one of LAST bytes */
static char *
long_name(size_t labels, size_t last)
{
	static char buf[600];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < labels; i++) {
		memset(buf + strlen(buf), 'a', 63);
		buf[64 * (i + 1) - 1] = '.';
		buf[64 * (i + 1)] = '\0';
	}
	memset(buf + strlen(buf), 'b', last);
	buf[64 * labels + last] = '\0';
	return buf;
}

/* test_check - one table row per name: the answer under each flag set */
static void
test_check(void **state)
{
	static const struct {
		const char *name;
		int dkim, ar, nm, spf, helo, dns;
	} cases[] = {
		/*  name                    DKIM AR NAME SPF HELO DNS */
		{ "mail.example.com",		1, 1, 1, 1, 1, 1 },
		{ "MAIL.Example.COM",		1, 1, 1, 1, 1, 1 },
		{ "a-b.example",		1, 1, 1, 1, 1, 1 },
		{ "1.example",			1, 1, 1, 1, 1, 1 },
		/* trailing dot: only where the caller takes one */
		{ "example.com.",		0, 0, 0, 1, 1, 1 },
		/* single label: refused where two are needed */
		{ "localhost",			0, 0, 1, 0, 0, 1 },
		/* digits-only last label (RFC 3696 2) */
		{ "example.123",		0, 1, 1, 1, 0, 1 },
		{ "192.0.2.1",			0, 1, 1, 1, 0, 1 },
		{ "example.123.",		0, 0, 0, 1, 0, 1 },
		{ "example.1a",			1, 1, 1, 1, 1, 1 },
		/* empty labels */
		{ "",				0, 0, 0, 0, 0, 0 },
		{ ".",				0, 0, 0, 0, 0, 0 },
		{ "a..b",			0, 0, 0, 0, 0, 0 },
		{ ".a.example",			0, 0, 0, 0, 0, 0 },
		{ "a.example..",		0, 0, 0, 0, 0, 0 },
		/* hyphen edges: only the host-name rule refuses them */
		{ "-a.example",			0, 0, 1, 1, 1, 1 },
		{ "a-.example",			0, 0, 1, 1, 1, 1 },
		{ "a.example-",			0, 0, 1, 1, 1, 1 },
		{ "a.-",			0, 0, 1, 1, 1, 1 },
		/* underscore: DNS names, not host names */
		{ "_dmarc.example",		0, 0, 1, 1, 1, 1 },
		{ "sel_1._domainkey.example",	0, 0, 1, 1, 1, 1 },
		/* other printable bytes: SPF targets (RFC 7208 4.3), and
		 * any byte at all in a query name (RFC 2181 11) */
		{ "a+b.example",		0, 0, 0, 1, 1, 1 },
		/* (helo_ok refuses an address literal before this) */
		{ "[192.0.2.1]",		0, 0, 0, 1, 1, 1 },
		{ "a b.example",		0, 0, 0, 0, 0, 1 },
		{ "a\tb.example",		0, 0, 0, 0, 0, 1 },
		{ "macro%percent  space%20url-space.example.com",
						0, 0, 0, 0, 0, 1 },
		/* non-ASCII: only as a query name, IDNs are checked as
		 * A-labels */
		{ "b\xc3\xbc" "cher.example",	0, 0, 0, 0, 0, 1 },
		{ "xn--bcher-kva.example",	1, 1, 1, 1, 1, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *n = cases[i].name;

		print_message("%s\n", n);
		assert_int_equal(domain_check(n, F_DKIM), cases[i].dkim);
		assert_int_equal(domain_check(n, F_AR), cases[i].ar);
		assert_int_equal(domain_check(n, F_NAME), cases[i].nm);
		assert_int_equal(domain_check(n, F_SPF), cases[i].spf);
		assert_int_equal(domain_check(n, F_HELO), cases[i].helo);
		assert_int_equal(domain_check(n, F_DNS), cases[i].dns);
	}
	assert_false(domain_check(NULL, F_DNS));
}

/* test_lengths - labels of 1..63, names of at most 253 without the dot */
static void
test_lengths(void **state)
{
	static const unsigned sets[] = { F_DKIM, F_AR, F_NAME, F_SPF, F_HELO,
	    F_DNS };
	char name[80];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		/* a 63-byte label, and one of 64 */
		memset(name, 'x', 63);
		strcpy(name + 63, ".example");
		assert_true(domain_check(name, sets[i]));
		memset(name, 'x', 64);
		strcpy(name + 64, ".example");
		assert_false(domain_check(name, sets[i]));
		/* 3 * 64 + 61 = 253 bytes; 254 is one too many */
		assert_true(domain_check(long_name(3, 61), sets[i]));
		assert_false(domain_check(long_name(3, 62), sets[i]));
	}
	/* 253 and a trailing dot: still 253 where the dot is taken */
	assert_true(domain_check(strcat(long_name(3, 61), "."), F_SPF));
	assert_true(domain_check(strcat(long_name(3, 61), "."), F_DNS));
	assert_false(domain_check(strcat(long_name(3, 62), "."), F_DNS));
	assert_false(domain_check(strcat(long_name(3, 61), "."), F_NAME));
}

/* test_case - lower-casing in place and into a new canonical copy */
static void
test_case(void **state)
{
	char buf[] = "Mail.EXAMPLE.com";
	char *c;

	(void)state;
	assert_ptr_equal(domain_lower(buf), buf);
	assert_string_equal(buf, "mail.example.com");
	c = domain_canonical("WWW.Example.ORG.");
	assert_string_equal(c, "www.example.org");
	x_free(c);
	c = domain_canonical("");
	assert_string_equal(c, "");
	x_free(c);
	/* non-ASCII bytes are left alone */
	c = domain_canonical("B\xc3\x9c" "CHER.example");
	assert_string_equal(c, "b\xc3\x9c" "cher.example");
	x_free(c);
}

/* test_idn - U-labels to A-labels (IDNA2008), invalid IDNs refused */
static void
test_idn(void **state)
{
	static const struct {
		const char *in;
		const char *want;	/* NULL: not a valid IDN */
	} cases[] = {
		{ "b\xc3\xbc" "cher.example", "xn--bcher-kva.example" },
		{ "B\xc3\xbc" "cher.Example", "xn--bcher-kva.example" },
		{ "mail.EXAMPLE.org", "mail.example.org" },
		{ "under_score.example", "under_score.example" },
		/* a decomposed u + combining diaeresis: NFC first */
		{ "bu\xcc\x88" "cher.example", "xn--bcher-kva.example" },
		/* U+00DF sharp s: non-transitional, kept (IDNA2008) */
		{ "stra\xc3\x9f" "e.example", "xn--strae-oqa.example" },
		/* invalid: a symbol (U+2603 snowman), a lone continuation
		 * byte, a leading combining mark */
		{ "\xe2\x98\x83.example", NULL },
		{ "a\x80" "b.example", NULL },
		{ "\xcc\x88" "a.example", NULL },
	};
	size_t i;
	char *a;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = domain_to_ascii(cases[i].in);
		print_message("%s\n", cases[i].in);
		if (cases[i].want == NULL)
			assert_null(a);
		else {
			assert_non_null(a);
			assert_string_equal(a, cases[i].want);
			assert_true(domain_check(a, F_NAME));
		}
		x_free(a);
	}
}

/* test_equal_under - same name, and a name at or below an ancestor */
static void
test_equal_under(void **state)
{
	static const struct {
		const char *name, *anc;
		int equal, under;
	} cases[] = {
		{ "b.example", "b.example", 1, 1 },
		{ "a.b.example", "b.example", 0, 1 },
		{ "x.y.a.b.example", "b.example", 0, 1 },
		/* not on a label boundary */
		{ "xb.example", "b.example", 0, 0 },
		/* the ancestor's name inside, not at the end */
		{ "b.example.evil", "b.example", 0, 0 },
		/* the ancestor below the name */
		{ "b.example", "a.b.example", 0, 0 },
		/* case (RFC 4343) */
		{ "A.B.Example", "b.EXAMPLE", 0, 1 },
		{ "B.EXAMPLE", "b.example", 1, 1 },
		/* trailing dots ignored on either side */
		{ "a.b.example.", "b.example", 0, 1 },
		{ "a.b.example", "b.example.", 0, 1 },
		{ "b.example.", "b.example", 1, 1 },
		/* empty: never a name, never an ancestor */
		{ "", "", 0, 0 },
		{ "a.example", "", 0, 0 },
		{ "", "a.example", 0, 0 },
		{ ".", ".", 0, 0 },
		{ "a.example", ".", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s / %s\n", cases[i].name, cases[i].anc);
		assert_int_equal(domain_equal(cases[i].name, cases[i].anc),
		    cases[i].equal);
		assert_int_equal(domain_equal(cases[i].anc, cases[i].name),
		    cases[i].equal);
		assert_int_equal(domain_is_under(cases[i].name,
		    cases[i].anc), cases[i].under);
	}
	assert_false(domain_equal(NULL, "a.example"));
	assert_false(domain_equal("a.example", NULL));
	assert_false(domain_is_under(NULL, "a.example"));
	assert_false(domain_is_under("a.example", NULL));
}

/* test_labels - label counts and the last N labels */
static void
test_labels(void **state)
{
	(void)state;
	assert_int_equal(domain_labels("a.b.example"), 3);
	assert_int_equal(domain_labels("a.b.example."), 3);
	assert_int_equal(domain_labels("example"), 1);
	assert_int_equal(domain_labels(""), 0);
	assert_int_equal(domain_labels("."), 0);
	assert_string_equal(domain_suffix("a.b.c.example", 2), "c.example");
	assert_string_equal(domain_suffix("a.b.c.example", 1), "example");
	assert_string_equal(domain_suffix("a.b.c.example", 4),
	    "a.b.c.example");
	assert_string_equal(domain_suffix("a.b.c.example", 9),
	    "a.b.c.example");
	assert_string_equal(domain_suffix("a.b.c.example.", 2),
	    "c.example.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_idn),
		cmocka_unit_test(test_equal_under),
		cmocka_unit_test(test_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
