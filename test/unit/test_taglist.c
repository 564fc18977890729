/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_taglist - the tag=value lexer (RFC 6376 3.2) in both readings:
 * strict, as DKIM signatures and key records are read (taglist_split),
 * and lenient, as DMARC records are (taglist_next).  What the tags
 * mean is tested with their callers (test_dkim, test_dmarc_record).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "taglist.h"
#include "xmalloc.h"

/* A strict case: the input (LEN bytes, 0: strlen) and the answer. */
struct strict_case {
	const char	*in;
	size_t		 len;
	int		 want_n;	/* tags, or -1 with want_err */
	const char	*want_err;
};

static void
run_strict(const struct strict_case *c, size_t n)
{
	struct taglist tags;
	char why[128];
	size_t i, len;
	int rc;

	for (i = 0; i < n; i++) {
		len = c[i].len != 0 ? c[i].len : strlen(c[i].in);
		why[0] = '\0';
		rc = taglist_split(c[i].in, len, &tags, why, sizeof(why));
		if (c[i].want_n >= 0) {
			if (rc != 0 || tags.n != (size_t)c[i].want_n)
				fail_msg("case %zu: rc %d, %zu tags, %s", i, rc,
				    tags.n, why);
		} else if (rc != -1 || strcmp(why, c[i].want_err) != 0)
			fail_msg("case %zu: rc %d, \"%s\", want \"%s\"", i, rc,
			    why, c[i].want_err);
	}
}

/* test_strict_syntax - what the strict reading accepts and refuses */
static void
test_strict_syntax(void **state)
{
	static const struct strict_case cases[] = {
		/* empty lists */
		{ "", 0, 0, NULL },
		{ " \r\n\t", 0, 0, NULL },
		{ ";", 0, -1, "malformed tag list" },
		/* trailing ';', with FWS after it */
		{ "a=1;", 0, 1, NULL },
		{ "a=1; b=2;\r\n ", 0, 2, NULL },
		{ "a=1;;", 0, -1, "malformed tag list" },
		{ "a=1; ;b=2", 0, -1, "malformed tag list" },
		/* FWS: folded CRLF and bare LF + WSP around '=' and ';' */
		{ "a\r\n =\r\n\t1\r\n ;\n b\n\t= 2", 0, 2, NULL },
		/* empty values */
		{ "p=", 0, 1, NULL },
		{ "p= \r\n ; s=", 0, 2, NULL },
		/* duplicates, compared with case */
		{ "a=1; a=2", 0, -1, "duplicate a= tag" },
		{ "bh=1; b=2; bh=3", 0, -1, "duplicate bh= tag" },
		{ "a=1; A=2", 0, 2, NULL },
		/* tag-name = ALPHA *ALNUMPUNC */
		{ "x_1=a", 0, 1, NULL },
		{ "1a=1", 0, -1, "malformed tag list" },
		{ "_a=1", 0, -1, "malformed tag list" },
		{ "a-b=1", 0, -1, "malformed tag list" },
		{ "a.b=1", 0, -1, "malformed tag list" },
		{ "a b=1", 0, -1, "malformed tag list" },
		{ "=1", 0, -1, "malformed tag list" },
		/* missing '=' */
		{ "a", 0, -1, "malformed tag list" },
		{ "a 1", 0, -1, "malformed tag list" },
		{ "a=1; b", 0, -1, "malformed tag list" },
		{ "a=1; b ;", 0, -1, "malformed tag list" },
		/* '=' inside a value: base64 padding */
		{ "b=dGVzdA==; bh=ab=", 0, 2, NULL },
		/* NUL and 8-bit bytes: in a value, in a name */
		{ "a=x\0y", 5, -1, "illegal character in a= value" },
		{ "a=1; b=\x80", 0, -1, "illegal character in b= value" },
		{ "a=b\x01", 0, -1, "illegal character in a= value" },
		{ "a=b\x7f", 0, -1, "illegal character in a= value" },
		{ "\xc3\xa4=1", 0, -1, "malformed tag list" },
		{ "a\0=1", 4, -1, "malformed tag list" },
		/* the list is LEN bytes: what follows does not count */
		{ "a=1; b=\x80", 4, 1, NULL },
	};

	(void)state;
	run_strict(cases, sizeof(cases) / sizeof(cases[0]));
}

/* test_strict_spans - names, trimmed values, offsets, lookup */
static void
test_strict_spans(void **state)
{
	static const char in[] = " v = 1 ;\r\n\tb=dGVz\r\n dA== ; e=;x=a:b";
	struct taglist tags;
	const struct taglist_tag *t;
	char why[128], *s;

	(void)state;
	assert_int_equal(taglist_split(in, sizeof(in) - 1, &tags, why,
	    sizeof(why)), 0);
	assert_int_equal(tags.n, 4);
	assert_memory_equal(tags.tag[0].name, "v", 1);
	assert_int_equal(tags.tag[0].nlen, 1);
	assert_int_equal(tags.tag[0].vlen, 1);
	assert_memory_equal(tags.tag[0].val, "1", 1);
	assert_int_equal(tags.tag[0].voff, 4);		/* just after '=' */
	assert_int_equal(tags.tag[0].vend, 7);		/* at the ';' */
	assert_non_null(t = taglist_get(&tags, "b"));
	assert_int_equal(t->vlen, 11);			/* FWS inside kept */
	assert_memory_equal(t->val, "dGVz\r\n dA==", 11);
	s = taglist_copy_nows(t);
	assert_string_equal(s, "dGVzdA==");
	x_free(s);
	assert_non_null(t = taglist_get(&tags, "e"));
	assert_int_equal(t->vlen, 0);
	assert_int_equal(taglist_get(&tags, "x")->vend, sizeof(in) - 1);
	assert_null(taglist_get(&tags, "V"));		/* case-sensitive */
	assert_null(taglist_get(&tags, "bh"));
}

/* test_strict_max - at most TAGLIST_MAX tags, whatever follows */
static void
test_strict_max(void **state)
{
	char buf[64 * 8 + 32], why[128];
	struct taglist tags;
	size_t n = 0;
	int i;

	(void)state;
	for (i = 0; i < TAGLIST_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "t%d=1;", i);
	assert_int_equal(taglist_split(buf, n, &tags, why, sizeof(why)), 0);
	assert_int_equal(tags.n, TAGLIST_MAX);
	memcpy(buf + n, "u=1", 3);
	assert_int_equal(taglist_split(buf, n + 3, &tags, why, sizeof(why)),
	    -1);
	assert_string_equal(why, "more than 64 tags");
	memcpy(buf + n, "1=1", 3);			/* even a bad one */
	assert_int_equal(taglist_split(buf, n + 3, &tags, why, sizeof(why)),
	    -1);
	assert_string_equal(why, "more than 64 tags");
}

/* test_has - colon-separated items of a value, without case */
static void
test_has(void **state)
{
	struct taglist tags;
	const struct taglist_tag *h;
	char why[128];
	const char *in = "h= sha1 :\r\n SHA256; s=*; t=";

	(void)state;
	assert_int_equal(taglist_split(in, strlen(in), &tags, why,
	    sizeof(why)), 0);
	h = taglist_get(&tags, "h");
	assert_true(taglist_has(h, "sha1"));
	assert_true(taglist_has(h, "sha256"));
	assert_false(taglist_has(h, "sha"));
	assert_false(taglist_has(h, "sha1 :"));
	assert_true(taglist_has(taglist_get(&tags, "s"), "*"));
	assert_false(taglist_has(taglist_get(&tags, "t"), "y"));
}

/* A lenient piece: name and value (NULL: no '=') as expected. */
struct piece {
	const char	*name;
	const char	*val;
	size_t		 vlen;		/* 0: strlen(val) */
};

static void
run_lenient(const char *in, size_t len, const struct piece *want,
    size_t nwant)
{
	struct taglist_lexer lx;
	struct taglist_tag t;
	size_t i;

	taglist_start(&lx, in, len, TAGLIST_LENIENT);
	for (i = 0; i < nwant; i++) {
		assert_int_equal(taglist_next(&lx, &t, NULL, 0), 1);
		assert_int_equal(t.nlen, strlen(want[i].name));
		assert_memory_equal(t.name, want[i].name, t.nlen);
		if (want[i].val == NULL) {
			assert_null(t.val);
			continue;
		}
		assert_non_null(t.val);
		assert_int_equal(t.vlen, want[i].vlen != 0 ? want[i].vlen :
		    strlen(want[i].val));
		assert_memory_equal(t.val, want[i].val, t.vlen);
	}
	assert_int_equal(taglist_next(&lx, &t, NULL, 0), 0);
	assert_int_equal(taglist_next(&lx, &t, NULL, 0), 0);
}

/* test_lenient - the DMARC reading: no errors, pieces as written */
static void
test_lenient(void **state)
{
	static const struct piece p1[] = {
		{ "v", "DMARC1", 0 }, { "P", "reject", 0 }, { "", NULL, 0 },
		{ "x", NULL, 0 }, { "", "y", 0 }, { "a b", "c d", 0 },
	};
	static const struct piece p2[] = {
		{ "p", "reject\r\n", 0 }, { "\r\nsp", "none", 0 },
	};
	static const struct piece p3[] = {
		{ "rua", "mailto:a@x.example?subject=a=b", 0 }, { "t", "", 0 },
	};
	static const struct piece p4[] = {
		{ "a", "\x80\0b", 3 }, { "\xc3\xa4", "1", 0 },
	};
	static const struct piece p5[] = { { "", NULL, 0 } };
	static const struct piece p6[] = { { "v", "DMARC1", 0 } };

	(void)state;
	/* empty pieces, one without '=', an empty name; trailing WSP */
	run_lenient("v=DMARC1; \tP = reject ;;x; =y; a b = c d ;  ",
	    strlen("v=DMARC1; \tP = reject ;;x; =y; a b = c d ;  "), p1, 6);
	/* CR and LF are not white space in this reading */
	run_lenient("p=reject\r\n;\r\nsp=none", 20, p2, 2);
	/* '=' in a value; an empty value */
	run_lenient("rua=mailto:a@x.example?subject=a=b; t=", 38, p3, 2);
	/* NUL and 8-bit bytes pass through */
	run_lenient("a=\x80\0b;\xc3\xa4=1", 10, p4, 2);
	/* nothing, white space, one empty piece */
	run_lenient("", 0, NULL, 0);
	run_lenient(" \t", 2, NULL, 0);
	run_lenient(" ;", 2, p5, 1);
	/* LEN bytes only */
	run_lenient("v=DMARC1; p=none", 8, p6, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strict_syntax),
		cmocka_unit_test(test_strict_spans),
		cmocka_unit_test(test_strict_max),
		cmocka_unit_test(test_has),
		cmocka_unit_test(test_lenient),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
