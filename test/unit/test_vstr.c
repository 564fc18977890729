/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_vstr - growing strings: appends, formatting, JSON escaping.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vstr.h"
#include "xmalloc.h"

/* test_growth - many appends keep every byte and the length */
static void
test_growth(void **state)
{
	struct vstr v = VSTR_INIT;
	int i;

	(void)state;
	assert_string_equal(vstr_str(&v), "");
	for (i = 0; i < 1000; i++)
		vstr_catf(&v, "%03d", i % 1000);
	assert_int_equal(v.len, 3000);
	assert_memory_equal(v.buf + 2997, "999", 3);
	vstr_reset(&v);
	assert_string_equal(vstr_str(&v), "");
	vstr_ncat(&v, "abcdef", 3);
	vstr_catc(&v, '!');
	assert_string_equal(vstr_str(&v), "abc!");
	vstr_free(&v);
}

/* test_json - JSON string escaping: quotes, controls, backslash, and
 * U+FFFD for every ill-formed UTF-8 sequence (as Python's "replace") */
static void
test_json(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "line\r\n\tx", "\"line\\r\\n\\tx\"" },
		{ "\001", "\"\\u0001\"" },
		{ "", "\"\"" },
		/* well-formed UTF-8 is copied, 2 to 4 bytes */
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		/* controls, DEL, ESC, line and paragraph separators */
		{ "\x1b[31m\x7f\x1f", "\"\\u001b[31m\\u007f\\u001f\"" },
		{ "a\xe2\x80\xa8" "b\xe2\x80\xa9", "\"a\\u2028b\\u2029\"" },
		/* Latin-1 (an 8-bit HELO): one U+FFFD per byte */
		{ "h\xe9lo\xff", "\"h\\ufffdlo\\ufffd\"" },
		/* overlong forms: C0/C1 leads, E0 80.., F0 80.. */
		{ "\xc0\xaf\xc1\xbf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		{ "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		/* UTF-16 surrogates encoded in UTF-8 */
		{ "\xed\xa0\x80\xed\xbf\xbf",
		    "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		/* truncated sequences: one U+FFFD for the maximal subpart */
		{ "\xe2\x82", "\"\\ufffd\"" },
		{ "\xf0\x9f\x98x\xc3", "\"\\ufffdx\\ufffd\"" },
		{ "\xe2\x82\"", "\"\\ufffd\\\"\"" },
		/* past U+10FFFF, and the 5- and 6-byte forms */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		{ "\xf8\x88\x80\x80\x80",
		    "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		/* the largest code points that are still valid */
		{ "\xf4\x8f\xbf\xbf\xef\xbf\xbf",
		    "\"\xf4\x8f\xbf\xbf\xef\xbf\xbf\"" },
		/* a lone continuation byte */
		{ "\x80x\xbf", "\"\\ufffdx\\ufffd\"" },
	};
	struct vstr v = VSTR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vstr_reset(&v);
		vstr_json(&v, cases[i].in);
		assert_string_equal(vstr_str(&v), cases[i].want);
	}
	vstr_free(&v);
}

/* test_steal - the caller owns the stolen buffer; the vstr is empty */
static void
test_steal(void **state)
{
	struct vstr v = VSTR_INIT;
	char *s;

	(void)state;
	vstr_cat(&v, "mine");
	s = vstr_steal(&v);
	assert_string_equal(s, "mine");
	assert_null(v.buf);
	x_free(s);
	s = vstr_steal(&v);
	assert_string_equal(s, "");
	x_free(s);
}

/* test_drop - the first bytes go, the rest stays terminated */
static void
test_drop(void **state)
{
	struct vstr v = VSTR_INIT;

	(void)state;
	vstr_drop(&v, 3);			/* empty, no buffer */
	assert_string_equal(vstr_str(&v), "");
	vstr_cat(&v, "a.b.example");
	vstr_drop(&v, 2);
	assert_string_equal(vstr_str(&v), "b.example");
	assert_int_equal(v.len, 9);
	vstr_drop(&v, 0);
	assert_string_equal(vstr_str(&v), "b.example");
	vstr_drop(&v, 9);
	assert_string_equal(vstr_str(&v), "");
	assert_int_equal(v.len, 0);
	vstr_cat(&v, "xy");
	vstr_drop(&v, 5);
	assert_int_equal(v.len, 0);
	vstr_free(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_steal),
		cmocka_unit_test(test_drop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
