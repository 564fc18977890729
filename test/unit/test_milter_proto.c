/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_milter_proto - the milter wire protocol: framing, decoding of
 * every MTA command (and refusal of malformed ones), macro lookup, and
 * the reply packets byte for byte.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "milter_proto.h"
#include "vstr.h"

/* pkt - a packet CMD with LEN bytes of DATA */
static struct milter_pkt
pkt(int cmd, const char *data, size_t len)
{
	struct milter_pkt p = { cmd, (const unsigned char *)data, len };

	return p;
}

#define PKT(cmd, lit)	pkt((cmd), (lit), sizeof(lit) - 1)

/* test_frame - complete, incomplete, empty and oversized packets */
static void
test_frame(void **state)
{
	static const unsigned char two[] = { 0, 0, 0, 2, 'H', 'x', 0, 0, 0,
	    1, 'N' };
	static const unsigned char zero[] = { 0, 0, 0, 0, 'N' };
	static const unsigned char big[] = { 0, 0x10, 0x20, 0x00, 'B' };
	struct milter_pkt p;
	size_t used;

	(void)state;
	assert_int_equal(milter_proto_frame(two, sizeof(two), &p, &used), 1);
	assert_int_equal(p.cmd, 'H');
	assert_int_equal(p.len, 1);
	assert_int_equal(used, 6);
	assert_int_equal(milter_proto_frame(two + 6, 5, &p, &used), 1);
	assert_int_equal(p.cmd, 'N');
	assert_int_equal(p.len, 0);
	assert_int_equal(milter_proto_frame(two, 5, &p, &used), 0);
	assert_int_equal(milter_proto_frame(two, 3, &p, &used), 0);
	assert_int_equal(milter_proto_frame(zero, sizeof(zero), &p, &used),
	    -1);
	/* 1 MiB + 8 KiB: over MILTER_PKT_MAX, refused before it arrives */
	assert_int_equal(milter_proto_frame(big, sizeof(big), &p, &used), -1);
}

/* test_decode - every command, well formed and not */
static void
test_decode(void **state)
{
	static const struct {
		int cmd;
		const char *data;
		size_t len;
		int want_rc;
	} cases[] = {
#define C(cmd, lit, rc)	{ (cmd), (lit), sizeof(lit) - 1, (rc) }
		C('O', "\0\0\0\6\0\0\1\377\0\37\377\377", 0),
		C('O', "\0\0\0\6\0\0\1\377", -1),		/* short */
		C('D', "Mi\0Q1\0{auth_authen}\0\0", 0),
		C('D', "M", 0),				/* no macros */
		C('D', "", -1),				/* no command */
		C('D', "Mi\0", -1),			/* no value */
		C('D', "Mi\0Q1", -1),			/* no NUL */
		C('C', "h\0004\0\031192.0.2.1\0", 0),
		C('C', "h\0006\0\031IPv6:2001:db8::1\0", 0),
		C('C', "h\0006\0\0312001:db8::1\0", 0),
		C('C', "h\0L\0\0/run/sock\0", 0),
		C('C', "h\0U", 0),
		C('C', "h\0U\0", -1),			/* trailing */
		C('C', "h\0X\0\031a\0", -1),		/* bad family */
		C('C', "h\0004\0\031300.0.2.1\0", -1),	/* bad address */
		C('C', "h\0006\0\031192.0.2.1\0", -1),	/* v4 as v6 */
		C('C', "h\0004\0", -1),			/* no port */
		C('C', "h\0004\0\031192.0.2.1", -1),	/* no NUL */
		C('C', "h", -1),			/* no family */
		C('H', "helo.example\0", 0),
		C('H', "helo.example", -1),
		C('H', "a\0b\0", -1),			/* two strings */
		C('M', "<a@b>\0SIZE=1\0", 0),
		C('M', "", -1),				/* no argument */
		C('M', "<a@b>\0SIZE", -1),
		C('R', "<c@d>\0", 0),
		C('L', "From\0 a@b\0", 0),
		C('L', "From\0", -1),			/* no value */
		C('L', "From\0 a@b", -1),
		C('T', "", 0),
		C('N', "", 0),
		C('B', "body\r\n", 0),
		C('B', "", 0),
		C('E', "", 0),
		C('A', "", 0),
		C('Q', "", 0),
		C('K', "", 0),
		C('U', "XYZZY\0", 0),
		C('U', "XYZZY", -1),
		C('Z', "", -1),				/* unknown */
#undef C
	};
	struct milter_cmd c;
	struct milter_pkt p;
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = pkt(cases[i].cmd, cases[i].data, cases[i].len);
		why[0] = '\0';
		if (milter_proto_decode(&p, &c, why, sizeof(why)) !=
		    cases[i].want_rc)
			fail_msg("case %zu ('%c'): want %d", i, cases[i].cmd,
			    cases[i].want_rc);
		if (cases[i].want_rc != 0 && why[0] == '\0')
			fail_msg("case %zu: no reason", i);
	}
}

/* test_fields - what the decoded commands point at */
static void
test_fields(void **state)
{
	struct milter_cmd c;
	struct milter_pkt p;
	char why[128];

	(void)state;
	p = PKT('O', "\0\0\0\6\0\0\1\377\0\37\377\377");
	assert_int_equal(milter_proto_decode(&p, &c, why, sizeof(why)), 0);
	assert_int_equal(c.version, 6);
	assert_int_equal(c.actions, 0x1ff);
	assert_int_equal(c.steps, 0x1fffff);
	p = PKT('C', "mx.example\0006\1\273IPv6:2001:db8::1\0");
	assert_int_equal(milter_proto_decode(&p, &c, why, sizeof(why)), 0);
	assert_string_equal(c.host, "mx.example");
	assert_int_equal(c.family, '6');
	assert_int_equal(c.port, 443);
	assert_string_equal(c.addr, "2001:db8::1");
	p = PKT('M', "<a@b>\0SIZE=1\0BODY=8BITMIME\0");
	assert_int_equal(milter_proto_decode(&p, &c, why, sizeof(why)), 0);
	assert_int_equal(c.argc, 3);
	assert_string_equal(c.argv[0], "<a@b>");
	assert_string_equal(c.argv[2], "BODY=8BITMIME");
	assert_null(c.argv[3]);
	p = PKT('L', "Subject\0  hi\n\tthere\0");
	assert_int_equal(milter_proto_decode(&p, &c, why, sizeof(why)), 0);
	assert_string_equal(c.name, "Subject");
	assert_string_equal(c.value, "  hi\n\tthere");
	p = PKT('B', "a\0b");
	assert_int_equal(milter_proto_decode(&p, &c, why, sizeof(why)), 0);
	assert_int_equal(c.body_len, 3);
	assert_memory_equal(c.body, "a\0b", 3);
}

/* test_macro - lookup by name, with or without braces */
static void
test_macro(void **state)
{
	static const char pairs[] = "i\0Q1\0{auth_authen}\0alice\0{j}\0\0";
	size_t len = sizeof(pairs) - 1;
	struct milter_cmd c;
	struct milter_pkt p;
	char why[128];

	(void)state;
	assert_string_equal(milter_proto_macro(pairs, len, "{i}"), "Q1");
	assert_string_equal(milter_proto_macro(pairs, len, "i"), "Q1");
	assert_string_equal(milter_proto_macro(pairs, len, "auth_authen"),
	    "alice");
	assert_string_equal(milter_proto_macro(pairs, len, "{j}"), "");
	assert_null(milter_proto_macro(pairs, len, "{k}"));
	assert_null(milter_proto_macro(NULL, 0, "{i}"));
	p = PKT('D', "E{i}\0Q2\0");
	assert_int_equal(milter_proto_decode(&p, &c, why, sizeof(why)), 0);
	assert_int_equal(c.macro_for, 'E');
	assert_int_equal(milter_proto_stage(c.macro_for), MILTER_M_EOM);
	assert_string_equal(milter_proto_macro(c.macros, c.macros_len, "i"),
	    "Q2");
	assert_int_equal(milter_proto_stage('M'), MILTER_M_ENVFROM);
	assert_int_equal(milter_proto_stage('Z'), -1);
}

/* test_replies - the reply packets, byte for byte */
static void
test_replies(void **state)
{
	static const char *const lists[MILTER_M_NSTAGES] = {
		[MILTER_M_ENVFROM] = "{i}", [MILTER_M_EOM] = "{i}" };
	static const char optneg[] = "\0\0\0\035O\0\0\0\6\0\0\0\061"
	    "\0\020\0\0\0\0\0\2{i}\0\0\0\0\5{i}\0";
	static const char code[] = "\0\0\0\025y550 5.7.1 no, 100%%\0";
	static const char ins[] = "\0\0\0\014i\0\0\0\0X-A\0 v\0";
	static const char chg[] = "\0\0\0\012m\0\0\0\2X-B\0\0";
	static const char add[] = "\0\0\0\010hX-C\0 w\0";
	static const char q[] = "\0\0\0\003qr\0\0\0\0\1c";
	struct vstr v = VSTR_INIT;

	(void)state;
	milter_proto_put_optneg(&v, 6, 0x31, 0x100000, lists);
	assert_int_equal(v.len, sizeof(optneg) - 1);
	assert_memory_equal(v.buf, optneg, v.len);
	vstr_reset(&v);
	milter_proto_put_replycode(&v, "550", "5.7.1", "no, 100%%");
	assert_int_equal(v.len, sizeof(code) - 1);
	assert_memory_equal(v.buf, code, v.len);
	vstr_reset(&v);
	milter_proto_put_replycode(&v, "451", NULL, "later");
	assert_int_equal(v.len, 15);
	assert_memory_equal(v.buf + 5, "451 later", 10);
	vstr_reset(&v);
	milter_proto_put_header(&v, MILTER_R_INSHEADER, 0, "X-A", " v");
	assert_int_equal(v.len, sizeof(ins) - 1);
	assert_memory_equal(v.buf, ins, v.len);
	vstr_reset(&v);
	milter_proto_put_header(&v, MILTER_R_CHGHEADER, 2, "X-B", "");
	assert_int_equal(v.len, sizeof(chg) - 1);
	assert_memory_equal(v.buf, chg, v.len);
	vstr_reset(&v);
	milter_proto_put_header(&v, MILTER_R_ADDHEADER, 0, "X-C", " w");
	assert_int_equal(v.len, sizeof(add) - 1);
	assert_memory_equal(v.buf, add, v.len);
	vstr_reset(&v);
	milter_proto_put_str(&v, MILTER_R_QUARANTINE, "r");
	milter_proto_put(&v, MILTER_R_CONTINUE, NULL, 0);
	assert_int_equal(v.len, sizeof(q) - 1);
	assert_memory_equal(v.buf, q, v.len);
	vstr_free(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_macro),
		cmocka_unit_test(test_replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
