/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_mlfi - the milter glue driven packet by packet, as milter_server
 * drives it: what is negotiated, which steps get a "continue" (none the
 * MTA agreed need no reply, every one for an MTA that offers no
 * no-reply flag), the macro lists, refusals at MAIL FROM with their
 * reply code, header edits at end of message, and closing on QUIT or a
 * malformed packet.  DNS answers from the e2e zone file.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "ctx.h"
#include "dns.h"
#include "milter_proto.h"
#include "mlfi.h"
#include "vstr.h"
#include "xmalloc.h"

#define V6_STEPS	0x1fffffu	/* Postfix 3: every step flag */
#define V4_STEPS	0x7fu		/* an old MTA: no no-reply flag */

static struct dns *dns;

/* put - append packet CMD with LEN bytes of DATA to S */
static void
put(struct vstr *s, int cmd, const char *data, size_t len)
{
	milter_proto_put(s, cmd, data, len);
}

#define PUT(s, cmd, lit)	put((s), (cmd), (lit), sizeof(lit) - 1)

/* optneg - the MTA's OPTNEG */
static void
optneg(struct vstr *s, uint32_t version, uint32_t steps)
{
	char d[12];
	uint32_t v[3] = { htonl(version), htonl(0x1ff), htonl(steps) };

	memcpy(d, v, 12);
	put(s, MILTER_C_OPTNEG, d, 12);
}

/* message - connect to EOM for a message from legit.example's server */
static void
message(struct vstr *s, const char *from_hdr)
{
	struct vstr h = VSTR_INIT;

	PUT(s, MILTER_C_CONNECT, "mail.legit.example\0004\0\031192.0.2.10\0");
	PUT(s, MILTER_C_HELO, "mail.legit.example\0");
	PUT(s, MILTER_C_MACRO, "M{i}\0Q1\0");
	PUT(s, MILTER_C_MAIL, "<a@legit.example>\0SIZE=10\0");
	PUT(s, MILTER_C_DATA, "");
	vstr_catf(&h, "From%c%s%c", 0, from_hdr, 0);
	put(s, MILTER_C_HEADER, h.buf, h.len);
	PUT(s, MILTER_C_HEADER, "Authentication-Results\0 mx.example; "
	    "spf=pass\0");
	PUT(s, MILTER_C_EOH, "");
	PUT(s, MILTER_C_BODY, "hello\r\n");
	PUT(s, MILTER_C_MACRO, "Ei\0Q2\0");
	PUT(s, MILTER_C_BODYEOB, "");
	vstr_free(&h);
}

/*
 * session - feed IN to mlfi packet by packet; the reply commands as a
 * string (one letter each) in CMDS, their packets in REPLIES; returns
 * mlfi's last return code
 */
static int
session(const struct vstr *in, char *cmds, size_t len, struct vstr *replies)
{
	struct milter_pkt p;
	size_t off = 0, used, n = 0;
	void *priv = NULL;
	int rc = 0;

	while (rc == 0 && milter_proto_frame((const unsigned char *)in->buf +
	    off, in->len - off, &p, &used) == 1) {
		off += used;
		rc = mlfi_packet(&priv, &p, replies);
	}
	mlfi_closed(priv);
	for (off = 0; milter_proto_frame((const unsigned char *)replies->buf +
	    off, replies->len - off, &p, &used) == 1 && n + 1 < len;
	    off += used)
		cmds[n++] = (char)p.cmd;
	cmds[n] = '\0';
	return rc;
}

/* reply_data - the data of the Nth reply packet of type CMD, or NULL */
static const char *
reply_data(const struct vstr *replies, int cmd, int nth)
{
	struct milter_pkt p;
	size_t off = 0, used;

	for (; milter_proto_frame((const unsigned char *)replies->buf + off,
	    replies->len - off, &p, &used) == 1; off += used)
		if (p.cmd == cmd && nth-- == 0)
			return (const char *)p.data;
	return NULL;
}

/* test_steps - replies per step, with and without no-reply flags */
static void
test_steps(void **state)
{
	static const struct {
		uint32_t version, steps;
		const char *want;
	} cases[] = {
		/* MAIL's answer, then the edits and the verdict at EOM */
		{ 6, V6_STEPS, "Ocmiic" },
		/* connect, HELO, MAIL, DATA, 2 headers, EOH, body, EOM */
		{ 4, V4_STEPS, "O" "cccccccc" "miic" },
		/* version 2: the oldest spoken; NR_HDR only */
		{ 2, 0x80u | V4_STEPS, "O" "cccccc" "miic" },
	};
	struct vstr in = VSTR_INIT, out = VSTR_INIT;
	char cmds[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vstr_reset(&in);
		vstr_reset(&out);
		optneg(&in, cases[i].version, cases[i].steps);
		message(&in, " <a@legit.example>");
		PUT(&in, MILTER_C_ABORT, "");
		assert_int_equal(session(&in, cmds, sizeof(cmds), &out), 0);
		if (strcmp(cmds, cases[i].want) != 0)
			fail_msg("case %zu: replies %s, want %s", i, cmds,
			    cases[i].want);
	}
	vstr_free(&in);
	vstr_free(&out);
}

/* test_optneg - version, actions, steps and macro lists answered */
static void
test_optneg(void **state)
{
	struct vstr in = VSTR_INIT, out = VSTR_INIT;
	const unsigned char *d;
	char cmds[8];

	(void)state;
	optneg(&in, 6, V6_STEPS);
	assert_int_equal(session(&in, cmds, sizeof(cmds), &out), 0);
	d = (const unsigned char *)out.buf + 5;
	assert_int_equal(d[3], 6);
	/* ADDHDRS | CHGHDRS | QUARANTINE | SETSYMLIST */
	assert_int_equal(d[6] << 8 | d[7], 0x131);
	/* NORCPT NOUNKNOWN HDR_LEADSPC and the six no-reply steps */
	assert_int_equal((uint32_t)d[8] << 24 | d[9] << 16 | d[10] << 8 |
	    d[11], 0x001d3188u);
	assert_memory_equal(d + 12, "\0\0\0\2{i} {auth_authen}\0\0\0\0\5{i}",
	    30);
	vstr_reset(&in);
	vstr_reset(&out);
	/* version 4: answered as 4, no macro lists, no SETSYMLIST */
	optneg(&in, 4, V4_STEPS);
	assert_int_equal(session(&in, cmds, sizeof(cmds), &out), 0);
	assert_int_equal(out.len, 4 + 1 + 12);
	assert_int_equal(out.buf[8], 4);
	assert_int_equal(out.buf[12], 0x31);
	vstr_free(&in);
	vstr_free(&out);
}

/* test_edits - the forged A-R deleted, ours inserted at the top */
static void
test_edits(void **state)
{
	struct vstr in = VSTR_INIT, out = VSTR_INIT;
	const char *d;
	char cmds[64];

	(void)state;
	optneg(&in, 6, V6_STEPS);
	message(&in, " <a@legit.example>");
	assert_int_equal(session(&in, cmds, sizeof(cmds), &out), 0);
	assert_string_equal(cmds, "Ocmiic");
	d = reply_data(&out, MILTER_R_CHGHEADER, 0);
	assert_memory_equal(d, "\0\0\0\1Authentication-Results\0\0", 28);
	d = reply_data(&out, MILTER_R_INSHEADER, 1);
	assert_memory_equal(d, "\0\0\0\0Authentication-Results\0 mx.example;",
	    39);
	vstr_reset(&in);
	vstr_reset(&out);
	/* Without HDR_LEADSPC the MTA adds the space itself. */
	optneg(&in, 6, V6_STEPS & ~MILTER_P_HDR_LEADSPC);
	message(&in, "<a@legit.example>");
	assert_int_equal(session(&in, cmds, sizeof(cmds), &out), 0);
	d = reply_data(&out, MILTER_R_INSHEADER, 1);
	assert_memory_equal(d, "\0\0\0\0Authentication-Results\0mx.example;",
	    38);
	vstr_free(&in);
	vstr_free(&out);
}

/* test_refuse - SPF fail refused at MAIL FROM with its reply code */
static void
test_refuse(void **state)
{
	struct vstr in = VSTR_INIT, out = VSTR_INIT;
	struct conf *conf = conf_defaults();
	char cmds[16];

	(void)state;
	conf->spf_fail_action = CONF_SPF_REJECT;
	conf_install(conf);
	optneg(&in, 6, V6_STEPS);
	PUT(&in, MILTER_C_CONNECT, "x\0004\0\031203.0.113.66\0");
	PUT(&in, MILTER_C_MAIL, "<a@bank.example>\0");
	assert_int_equal(session(&in, cmds, sizeof(cmds), &out), 0);
	assert_string_equal(cmds, "Oy");
	assert_memory_equal(reply_data(&out, MILTER_R_REPLYCODE, 0), "550 ",
	    4);
	conf_install(conf_defaults());
	vstr_free(&in);
	vstr_free(&out);
}

/* test_close - QUIT and a malformed packet close; no reply to either */
static void
test_close(void **state)
{
	struct vstr in = VSTR_INIT, out = VSTR_INIT;
	char cmds[16];

	(void)state;
	optneg(&in, 6, V6_STEPS);
	PUT(&in, MILTER_C_QUIT, "");
	PUT(&in, MILTER_C_HELO, "never\0");
	assert_int_equal(session(&in, cmds, sizeof(cmds), &out), -1);
	assert_string_equal(cmds, "O");
	vstr_reset(&in);
	vstr_reset(&out);
	optneg(&in, 6, V6_STEPS);
	PUT(&in, MILTER_C_HEADER, "From\0no NUL");
	assert_int_equal(session(&in, cmds, sizeof(cmds), &out), -1);
	assert_string_equal(cmds, "O");
	vstr_free(&in);
	vstr_free(&out);
}

/* test_drain - once draining, MAIL FROM gets 451 4.3.2 (runs last) */
static void
test_drain(void **state)
{
	struct vstr in = VSTR_INIT, out = VSTR_INIT;
	char cmds[16];

	(void)state;
	assert_int_equal(ctx_drain(), 0);
	optneg(&in, 6, V6_STEPS);
	PUT(&in, MILTER_C_MAIL, "<a@legit.example>\0");
	assert_int_equal(session(&in, cmds, sizeof(cmds), &out), 0);
	assert_string_equal(cmds, "Oy");
	assert_string_equal(reply_data(&out, MILTER_R_REPLYCODE, 0),
	    "451 4.3.2 mxauth is restarting, try again later");
	vstr_free(&in);
	vstr_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_optneg),
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_refuse),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_drain),
	};
	struct conf *conf = conf_defaults();
	char err[256];
	int rc;

	x_free(conf->authserv_id);
	conf->authserv_id = xstrdup("mx.example");
	conf_install(conf);
	dns = dns_new_zone(TEST_DATA "/zones-e2e/example.zone", err,
	    sizeof(err));
	if (dns == NULL)
		return 1;
	mlfi_init(dns);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dns_free(dns);
	return rc;
}
