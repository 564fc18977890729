/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_proto - framing, decoding of the MTA's commands and encoding of
 * the milter's replies; see milter_proto.h.
 *
 * The layout of each command is the one Sendmail's libmilter and
 * Postfix's milter8 agree on: strings are NUL-terminated, integers
 * big-endian.  Decoding checks every field against the packet's length
 * and points into the packet; it allocates nothing.  Nothing here is
 * shared or locked.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "milter_proto.h"
#include "vstr.h"

/* get32 - a big-endian 32-bit number at P */
static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* put32 - append N big-endian */
static void
put32(struct vstr *out, uint32_t n)
{
	char b[4] = { (char)(n >> 24), (char)(n >> 16), (char)(n >> 8),
	    (char)n };

	vstr_ncat(out, b, 4);
}

/* milter_proto_frame - the first complete packet of BUF, if any */
int
milter_proto_frame(const unsigned char *buf, size_t len,
    struct milter_pkt *pkt, size_t *used)
{
	uint32_t n;

	if (len < 4)
		return 0;
	n = get32(buf);
	if (n == 0 || n > MILTER_PKT_MAX)
		return -1;
	if (len - 4 < n)
		return 0;
	pkt->cmd = buf[4];
	pkt->data = buf + 5;
	pkt->len = n - 1;
	*used = 4 + (size_t)n;
	return 1;
}

/* take_str - the NUL-terminated string at *OFF of D; -1 if unterminated */
static int
take_str(const unsigned char *d, size_t len, size_t *off, const char **s)
{
	const unsigned char *nul;

	if (*off >= len || (nul = memchr(d + *off, '\0', len - *off)) == NULL)
		return -1;
	*s = (const char *)d + *off;
	*off = (size_t)(nul - d) + 1;
	return 0;
}

/* fail - set WHY; returns -1 */
static int
fail(char *why, size_t whylen, const char *what, int cmd)
{
	snprintf(why, whylen, "%s in milter command '%c'", what,
	    cmd >= 0x20 && cmd < 0x7f ? cmd : '?');
	return -1;
}

/* decode_macro - 'D': the command byte, then complete name/value pairs */
static int
decode_macro(const struct milter_pkt *p, struct milter_cmd *c)
{
	size_t off = 1;
	const char *s;
	int n = 0;

	if (p->len < 1)
		return -1;
	c->macro_for = p->data[0];
	c->macros = (const char *)p->data + 1;
	c->macros_len = p->len - 1;
	while (off < p->len) {
		if (take_str(p->data, p->len, &off, &s) != 0)
			return -1;
		n++;
	}
	return n % 2 == 0 ? 0 : -1;
}

/*
 * decode_connect - 'C': host, family, and for '4', '6' and 'L' a port
 * and an address; an IP address must parse ("IPv6:" is Sendmail's
 * prefix for one)
 */
static int
decode_connect(const struct milter_pkt *p, struct milter_cmd *c)
{
	unsigned char a[sizeof(struct in6_addr)];
	size_t off = 0;

	if (take_str(p->data, p->len, &off, &c->host) != 0 || off >= p->len)
		return -1;
	c->family = p->data[off++];
	if (c->family == 'U')
		return off == p->len ? 0 : -1;
	if (c->family != '4' && c->family != '6' && c->family != 'L')
		return -1;
	if (p->len - off < 2)
		return -1;
	c->port = (unsigned)p->data[off] << 8 | p->data[off + 1];
	off += 2;
	if (take_str(p->data, p->len, &off, &c->addr) != 0 || off != p->len)
		return -1;
	if (c->family == '6' && strncasecmp(c->addr, "IPv6:", 5) == 0)
		c->addr += 5;
	if ((c->family == '4' && inet_pton(AF_INET, c->addr, a) != 1) ||
	    (c->family == '6' && inet_pton(AF_INET6, c->addr, a) != 1))
		return -1;
	return 0;
}

/* decode_argv - 'M', 'R': one or more strings filling the packet */
static int
decode_argv(const struct milter_pkt *p, struct milter_cmd *c)
{
	size_t off = 0;
	const char *s;

	c->argc = 0;
	while (off < p->len) {
		if (take_str(p->data, p->len, &off, &s) != 0)
			return -1;
		if (c->argc < MILTER_ARGV_MAX)
			c->argv[c->argc] = s;
		c->argc++;
	}
	c->argv[c->argc < MILTER_ARGV_MAX ? c->argc : MILTER_ARGV_MAX] = NULL;
	return c->argc > 0 ? 0 : -1;
}

/* decode_strings - exactly N strings (1 or 2) filling the packet */
static int
decode_strings(const struct milter_pkt *p, const char **s1, const char **s2)
{
	size_t off = 0;

	if (take_str(p->data, p->len, &off, s1) != 0)
		return -1;
	if (s2 != NULL && take_str(p->data, p->len, &off, s2) != 0)
		return -1;
	return off == p->len ? 0 : -1;
}

/* decode_optneg - 'O': version, actions, steps (more is ignored) */
static int
decode_optneg(const struct milter_pkt *p, struct milter_cmd *c)
{
	if (p->len < 12)
		return -1;
	c->version = get32(p->data);
	c->actions = get32(p->data + 4);
	c->steps = get32(p->data + 8);
	return 0;
}

/*
 * milter_proto_decode - check PKT and point *CMD into it
 *
 * Commands that carry no data (DATA, EOH, ABORT, QUIT, QUIT_NC) ignore
 * any that comes: nothing there could be misread.
 */
int
milter_proto_decode(const struct milter_pkt *p, struct milter_cmd *c,
    char *why, size_t whylen)
{
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->cmd = p->cmd;
	switch (p->cmd) {
	case MILTER_C_OPTNEG:
		rc = decode_optneg(p, c);
		break;
	case MILTER_C_MACRO:
		rc = decode_macro(p, c);
		break;
	case MILTER_C_CONNECT:
		rc = decode_connect(p, c);
		break;
	case MILTER_C_HELO:
	case MILTER_C_UNKNOWN:
		rc = decode_strings(p, &c->text, NULL);
		break;
	case MILTER_C_MAIL:
	case MILTER_C_RCPT:
		rc = decode_argv(p, c);
		break;
	case MILTER_C_HEADER:
		rc = decode_strings(p, &c->name, &c->value);
		break;
	case MILTER_C_BODY:
	case MILTER_C_BODYEOB:
		c->body = p->data;
		c->body_len = p->len;
		break;
	case MILTER_C_DATA:
	case MILTER_C_EOH:
	case MILTER_C_ABORT:
	case MILTER_C_QUIT:
	case MILTER_C_QUIT_NC:
		break;
	default:
		return fail(why, whylen, "unknown command", p->cmd);
	}
	return rc == 0 ? 0 : fail(why, whylen, "malformed data", p->cmd);
}

/* bare - NAME without its braces: "{i}" -> "i", length in *LEN */
static const char *
bare(const char *name, size_t *len)
{
	size_t n = strlen(name);

	if (n >= 2 && name[0] == '{' && name[n - 1] == '}') {
		*len = n - 2;
		return name + 1;
	}
	*len = n;
	return name;
}

/* milter_proto_macro - NAME's value among PAIRS, or NULL */
const char *
milter_proto_macro(const char *pairs, size_t len, const char *name)
{
	const char *want, *have, *val, *end = pairs + len;
	size_t wlen, hlen;

	if (pairs == NULL)
		return NULL;
	want = bare(name, &wlen);
	while (pairs < end) {
		val = pairs + strlen(pairs) + 1;
		if (val >= end)
			break;
		have = bare(pairs, &hlen);
		if (hlen == wlen && memcmp(have, want, wlen) == 0)
			return val;
		pairs = val + strlen(val) + 1;
	}
	return NULL;
}

/* milter_proto_stage - which macro stage command CMD's macros are for */
int
milter_proto_stage(int cmd)
{
	switch (cmd) {
	case MILTER_C_CONNECT:
		return MILTER_M_CONNECT;
	case MILTER_C_HELO:
		return MILTER_M_HELO;
	case MILTER_C_MAIL:
		return MILTER_M_ENVFROM;
	case MILTER_C_RCPT:
		return MILTER_M_ENVRCPT;
	case MILTER_C_DATA:
		return MILTER_M_DATA;
	case MILTER_C_BODYEOB:
		return MILTER_M_EOM;
	case MILTER_C_EOH:
	case MILTER_C_HEADER:
	case MILTER_C_BODY:
		return MILTER_M_EOH;
	default:
		return -1;
	}
}

/* milter_proto_put - append one packet */
void
milter_proto_put(struct vstr *out, int cmd, const void *data, size_t len)
{
	put32(out, (uint32_t)len + 1);
	vstr_catc(out, cmd);
	if (len > 0)
		vstr_ncat(out, data, len);
}

/* milter_proto_put_str - a packet whose data is S and its NUL */
void
milter_proto_put_str(struct vstr *out, int cmd, const char *s)
{
	milter_proto_put(out, cmd, s, strlen(s) + 1);
}

/* milter_proto_put_optneg - the OPTNEG answer with its macro lists */
void
milter_proto_put_optneg(struct vstr *out, uint32_t version,
    uint32_t actions, uint32_t steps, const char *const *lists)
{
	struct vstr d = VSTR_INIT;
	int i;

	put32(&d, version);
	put32(&d, actions);
	put32(&d, steps);
	for (i = 0; lists != NULL && i < MILTER_M_NSTAGES; i++) {
		if (lists[i] == NULL)
			continue;
		put32(&d, (uint32_t)i);
		vstr_ncat(&d, lists[i], strlen(lists[i]) + 1);
	}
	milter_proto_put(out, MILTER_C_OPTNEG, d.buf, d.len);
	vstr_free(&d);
}

/*
 * milter_proto_put_replycode - "RCODE XCODE TEXT", or "RCODE TEXT" when
 * XCODE is NULL or empty, as smfi_setreply() wrote it
 */
void
milter_proto_put_replycode(struct vstr *out, const char *rcode,
    const char *xcode, const char *text)
{
	struct vstr d = VSTR_INIT;

	if (xcode != NULL && *xcode != '\0')
		vstr_catf(&d, "%s %s %s", rcode, xcode, text);
	else
		vstr_catf(&d, "%s %s", rcode, text);
	milter_proto_put(out, MILTER_R_REPLYCODE, d.buf, d.len + 1);
	vstr_free(&d);
}

/* milter_proto_put_header - ADDHEADER, INSHEADER or CHGHEADER */
void
milter_proto_put_header(struct vstr *out, int cmd, uint32_t index,
    const char *name, const char *value)
{
	struct vstr d = VSTR_INIT;

	if (cmd != MILTER_R_ADDHEADER)
		put32(&d, index);
	vstr_ncat(&d, name, strlen(name) + 1);
	vstr_ncat(&d, value, strlen(value) + 1);
	milter_proto_put(out, cmd, d.buf, d.len);
	vstr_free(&d);
}
