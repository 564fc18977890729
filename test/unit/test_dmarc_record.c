/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dmarc_record - the DMARC record parser (dmarc_record.c): tags and
 * their defaults, bad values (RFC 9989 4.8 defaults; 4.10.1 for p, sp,
 * np), v=DMARC1 first, duplicate tags, white space, case; what is a
 * DMARC record at all; which of p, sp, np applies.  Pure: no DNS.  The
 * tree walk is in test_orgdomain.c.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc_record.h"

#define R	DMARC_POLICY_REJECT
#define Q	DMARC_POLICY_QUARANTINE
#define N	DMARC_POLICY_NONE
#define U	DMARC_POLICY_UNSET
#define OK	DMARC_REC_OK
#define NOTD	DMARC_REC_NOT_DMARC
#define NOPOL	DMARC_REC_NO_POLICY
#define PU	DMARC_PSD_U
#define PY	DMARC_PSD_Y
#define PN	DMARC_PSD_N

/* test_record - tags, defaults, what makes a record unusable */
static void
test_record(void **state)
{
	static const struct {
		const char *txt;
		enum dmarc_rec_status want_rc;
		enum dmarc_policy p, sp, np;
		int p_given;
		enum dmarc_psd psd;
		int t, adkim_s, aspf_s, pct;
		const char *want_rua, *want_ruf;
		const char *want_why;	/* NO_POLICY / NOT_DMARC */
	} cases[] = {
		{ "v=DMARC1; p=reject", OK, R, U, U, 1, PU, 0, 0, 0, 100, NULL,
		    NULL, NULL },
		/* every tag */
		{ "v=DMARC1;p=quarantine;sp=none;np=reject;psd=n;t=y;adkim=s;"
		    "aspf=s;pct=20;rua=mailto:a@x.example;ruf=mailto:f@x.example;"
		    "fo=1:d;rf=afrf;ri=3600", OK, Q, N, R, 1, PN, 1, 1, 1, 20,
		    "mailto:a@x.example", "mailto:f@x.example", NULL },
		{ "v=DMARC1; p=none; psd=y; t=n; adkim=r; aspf=r; pct=0", OK, N,
		    U, U, 1, PY, 0, 0, 0, 0, NULL, NULL, NULL },
		{ "v=DMARC1; p=reject; psd=u; pct=100", OK, R, U, U, 1, PU, 0, 0,
		    0, 100, NULL, NULL, NULL },
		/* rua keeps its raw list, several URIs, the obsolete !size */
		{ "v=DMARC1; p=reject; rua=mailto:a@x.example!10m, "
		    "https://r.example/d", OK, R, U, U, 1, PU, 0, 0, 0, 100,
		    "mailto:a@x.example!10m, https://r.example/d", NULL, NULL },
		/* white space around names, '=', values and ';' (4.8 ABNF) */
		{ "v = DMARC1 ;\tp = quarantine ; sp=reject ;", OK, Q, R, U, 1,
		    PU, 0, 0, 0, 100, NULL, NULL, NULL },
		{ "  v=DMARC1;p=reject;;; ", OK, R, U, U, 1, PU, 0, 0, 0, 100,
		    NULL, NULL, NULL },
		/* tag names and keyword values ignore case; DMARC1 does not */
		{ " V = DMARC1 ; P = Reject ; ADKIM=S; Sp=NONE ", OK, R, N, U, 1,
		    PU, 0, 1, 0, 100, NULL, NULL, NULL },
		/* unknown tags and tags without '=' are ignored (4.7) */
		{ "v=DMARC1; p=reject; unknown=1; x; fo=1; rf=afrf; ri=86400",
		    OK, R, U, U, 1, PU, 0, 0, 0, 100, NULL, NULL, NULL },
		/* 4.8: bad values of the other tags keep their defaults */
		{ "v=DMARC1; p=reject; adkim=x; aspf=strict; t=yes; pct=200; "
		    "psd=q", OK, R, U, U, 1, PU, 0, 0, 0, 100, NULL, NULL, NULL },
		{ "v=DMARC1; p=reject; pct=-1", OK, R, U, U, 1, PU, 0, 0, 0, 100,
		    NULL, NULL, NULL },
		{ "v=DMARC1; p=reject; rua=not a uri", OK, R, U, U, 1, PU, 0, 0,
		    0, 100, NULL, NULL, NULL },
		/* duplicates: the first counts (4.8: an error to discard) */
		{ "v=DMARC1; p=reject; p=none; sp=none; sp=reject", OK, R, N, U,
		    1, PU, 0, 0, 0, 100, NULL, NULL, NULL },
		{ "v=DMARC1; p=none; rua=mailto:1@x.example; "
		    "rua=mailto:2@x.example", OK, N, U, U, 1, PU, 0, 0, 0, 100,
		    "mailto:1@x.example", NULL, NULL },
		{ "v=DMARC1; p=bogus; p=reject; rua=mailto:d@x.example", OK, N,
		    U, U, 0, PU, 0, 0, 0, 100, "mailto:d@x.example", NULL, NULL },
		/* 4.10.1: no valid p, but a valid rua: p=none */
		{ "v=DMARC1; rua=mailto:d@a.example", OK, N, U, U, 0, PU, 0, 0,
		    0, 100, "mailto:d@a.example", NULL, NULL },
		{ "v=DMARC1; p=bogus; rua=mailto:d@a.example", OK, N, U, U, 0,
		    PU, 0, 0, 0, 100, "mailto:d@a.example", NULL, NULL },
		{ "v=DMARC1; rua=bad, mailto:d@a.example", OK, N, U, U, 0, PU, 0,
		    0, 0, 100, "bad, mailto:d@a.example", NULL, NULL },
		/* 4.10.1: an invalid sp or np is read like an invalid p */
		{ "v=DMARC1; p=reject; sp=maybe; rua=mailto:d@a.example", OK, N,
		    U, U, 1, PU, 0, 0, 0, 100, "mailto:d@a.example", NULL, NULL },
		{ "v=DMARC1; p=reject; np=; rua=mailto:d@a.example", OK, N, U, U,
		    1, PU, 0, 0, 0, 100, "mailto:d@a.example", NULL, NULL },
		{ "v=DMARC1; p=reject; sp=maybe", NOPOL, U, U, U, 1, PU, 0, 0, 0,
		    100, NULL, NULL, "record has an invalid sp= or np= and no "
		    "rua=" },
		{ "v=DMARC1; p=reject; np=drop", NOPOL, U, U, U, 1, PU, 0, 0, 0,
		    100, NULL, NULL, "record has an invalid sp= or np= and no "
		    "rua=" },
		/* no p and no usable rua: no DMARC processing */
		{ "v=DMARC1; adkim=s", NOPOL, U, U, U, 0, PU, 0, 0, 0, 100, NULL,
		    NULL, "record has no p= and no rua=" },
		{ "v=DMARC1", NOPOL, U, U, U, 0, PU, 0, 0, 0, 100, NULL, NULL,
		    "record has no p= and no rua=" },
		{ "v=DMARC1; p=bogus", NOPOL, U, U, U, 0, PU, 0, 0, 0, 100, NULL,
		    NULL, "record has an invalid p= and no rua=" },
		{ "v=DMARC1; p=reject ; rua=nonsense", OK, R, U, U, 1, PU, 0, 0,
		    0, 100, NULL, NULL, NULL },
		{ "v=DMARC1; psd=y", NOPOL, U, U, U, 0, PY, 0, 0, 0, 100, NULL,
		    NULL, "record has no p= and no rua=" },
		/* 4.7 v=: not first, absent or not exactly DMARC1: no record */
		{ "v=dmarc1; p=reject", NOTD, U, U, U, 0, PU, 0, 0, 0, 100, NULL,
		    NULL, "not a DMARC record (no v=DMARC1)" },
		{ "p=reject; v=DMARC1", NOTD, U, U, U, 0, PU, 0, 0, 0, 100, NULL,
		    NULL, "not a DMARC record (no v=DMARC1)" },
		{ "v=DMARC10; p=reject", NOTD, U, U, U, 0, PU, 0, 0, 0, 100,
		    NULL, NULL, "not a DMARC record (no v=DMARC1)" },
		{ "p=reject", NOTD, U, U, U, 0, PU, 0, 0, 0, 100, NULL, NULL,
		    "not a DMARC record (no v=DMARC1)" },
		{ "", NOTD, U, U, U, 0, PU, 0, 0, 0, 100, NULL, NULL,
		    "not a DMARC record (no v=DMARC1)" },
	};
	struct dmarc_record rec;
	char why[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if (dmarc_record_parse(cases[i].txt, strlen(cases[i].txt), &rec,
		    why, sizeof(why)) != cases[i].want_rc)
			fail_msg("case %zu \"%s\": %s", i, cases[i].txt, why);
		if (cases[i].want_rc != OK) {
			assert_string_equal(why, cases[i].want_why);
			assert_null(rec.rua);
			assert_int_equal(rec.psd, cases[i].psd);
			dmarc_record_clear(&rec);
			continue;
		}
		assert_int_equal(rec.p, cases[i].p);
		assert_int_equal(rec.p_given, cases[i].p_given);
		assert_int_equal(rec.sp, cases[i].sp);
		assert_int_equal(rec.np, cases[i].np);
		assert_int_equal(rec.psd, cases[i].psd);
		assert_int_equal(rec.testing, cases[i].t);
		assert_int_equal(rec.adkim_strict, cases[i].adkim_s);
		assert_int_equal(rec.aspf_strict, cases[i].aspf_s);
		assert_int_equal(rec.pct, cases[i].pct);
		if (cases[i].want_rua == NULL)
			assert_null(rec.rua);
		else
			assert_string_equal(rec.rua, cases[i].want_rua);
		if (cases[i].want_ruf == NULL)
			assert_null(rec.ruf);
		else
			assert_string_equal(rec.ruf, cases[i].want_ruf);
		dmarc_record_clear(&rec);
	}
}

/* test_is - whether a TXT string is a DMARC record (4.7 v=) */
static void
test_is(void **state)
{
	static const struct {
		const char *txt;
		int want;
	} cases[] = {
		{ "v=DMARC1", 1 },
		{ "v=DMARC1;", 1 },
		{ "v=DMARC1; p=none", 1 },
		{ " v = DMARC1 ; p=none", 1 },
		{ "V=DMARC1; p=none", 1 },	/* the tag name is ABNF "v" */
		{ "v=DMARC1\t;p=none", 1 },
		{ "v=DMARC1 p=none", 0 },
		{ "v=DMARC1p=none", 0 },
		{ "v=dmarc1; p=none", 0 },	/* the value is %s"DMARC1" */
		{ "v=DMARC2; p=none", 0 },
		{ "v=DMARC", 0 },
		{ "v:DMARC1", 0 },
		{ " ; v=DMARC1", 0 },		/* an empty piece first */
		{ "v=DMARC1=; p=none", 0 },
		{ "v\r\n=DMARC1", 0 },		/* CR/LF are not WSP here */
		{ "p=none; v=DMARC1", 0 },
		{ "v=spf1 -all", 0 },
		{ "", 0 },
		{ "v=", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (dmarc_record_is(cases[i].txt, strlen(cases[i].txt)) !=
		    (cases[i].want != 0))
			fail_msg("\"%s\": want %d", cases[i].txt, cases[i].want);
	/* length-counted: the bytes after LEN do not count */
	assert_true(dmarc_record_is("v=DMARC1; p=none", 8));
	assert_false(dmarc_record_is("v=DMARC1", 7));
}

/* test_policy - p, sp, np fallbacks (RFC 9989 4.7, 4.10.1) */
static void
test_policy(void **state)
{
	static const struct {
		enum dmarc_policy p, sp, np;
		int own, exists;
		enum dmarc_policy want;
	} cases[] = {
		/* the author domain's own record: p, whatever sp and np say */
		{ R, N, N, 1, 1, R },
		{ R, N, N, 1, 0, R },
		/* an existing subdomain: sp, else p */
		{ R, Q, N, 0, 1, Q },
		{ R, U, N, 0, 1, R },
		/* a non-existent subdomain: np, else sp, else p */
		{ R, Q, N, 0, 0, N },
		{ R, Q, U, 0, 0, Q },
		{ R, U, U, 0, 0, R },
		{ Q, U, R, 0, 0, R },
	};
	struct dmarc_record rec;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&rec, 0, sizeof(rec));
		rec.p = cases[i].p;
		rec.sp = cases[i].sp;
		rec.np = cases[i].np;
		if (dmarc_record_policy(&rec, cases[i].own != 0,
		    cases[i].exists) != cases[i].want)
			fail_msg("case %zu", i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_is),
		cmocka_unit_test(test_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
