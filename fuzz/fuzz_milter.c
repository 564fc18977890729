/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_milter - libFuzzer harness for the milter wire protocol as the
 * MTA sends it: the input is a byte stream, framed packet by packet
 * (milter_proto_frame) and each packet decoded (milter_proto_decode),
 * as milter_server and mlfi take it.  abort() when a decoded field
 * points outside its packet, when a macro lookup disagrees with a
 * scan of the pairs, or when a reply encoded from decoded strings does
 * not frame back to itself.  Build and run with fuzz/run.sh.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "milter_proto.h"
#include "vstr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* inside - S and its NUL lie within PKT's data */
static void
inside(const struct milter_pkt *pkt, const char *s)
{
	const char *lo = (const char *)pkt->data;

	if (s == NULL)
		return;
	if (s < lo || s + strlen(s) >= lo + pkt->len)
		abort();
}

/* echo - a header reply from decoded strings frames back whole */
static void
echo(const char *name, const char *value)
{
	struct vstr out = VSTR_INIT;
	struct milter_pkt back;
	size_t used;

	milter_proto_put_header(&out, MILTER_R_INSHEADER, 7, name, value);
	if (milter_proto_frame((const unsigned char *)out.buf, out.len, &back,
	    &used) != 1 || used != out.len ||
	    back.len != 4 + strlen(name) + strlen(value) + 2)
		abort();
	vstr_free(&out);
}

/* check - the invariants of one decoded command */
static void
check(const struct milter_pkt *pkt, const struct milter_cmd *c)
{
	size_t i;

	inside(pkt, c->host);
	inside(pkt, c->text);
	inside(pkt, c->name);
	inside(pkt, c->value);
	for (i = 0; i < c->argc && i < MILTER_ARGV_MAX; i++)
		inside(pkt, c->argv[i]);
	if ((c->cmd == MILTER_C_MAIL || c->cmd == MILTER_C_RCPT) &&
	    (c->argc == 0 || c->argv[0] == NULL))
		abort();
	if (c->cmd == MILTER_C_CONNECT && c->family != 'U')
		inside(pkt, c->addr);
	if (c->cmd == MILTER_C_MACRO && c->macros_len > 0 &&
	    milter_proto_macro(c->macros, c->macros_len, c->macros) == NULL)
		abort();	/* the first name is always found */
	if (c->cmd == MILTER_C_HEADER)
		echo(c->name, c->value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct milter_pkt pkt;
	struct milter_cmd c;
	char why[128];
	size_t off = 0, used;

	while (milter_proto_frame(data + off, size - off, &pkt, &used) == 1) {
		off += used;
		if (milter_proto_decode(&pkt, &c, why, sizeof(why)) == 0)
			check(&pkt, &c);
		else if (why[0] == '\0')
			abort();	/* an error always says why */
	}
	return 0;
}
