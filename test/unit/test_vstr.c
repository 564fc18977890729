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

/* test_json - JSON string escaping of quotes, controls and backslash */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_steal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
