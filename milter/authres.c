/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres - Authentication-Results (RFC 8601) formatting and parsing.
 *
 * Two readers: a strict one (authres_parse) for the upstream verdict a
 * trusted hop wrote, which believes nothing from a field that is not
 * well formed, and a lenient one (authres_lead_match) for the
 * authserv-id of a field that may claim to be ours (RFC 8601 5), which
 * finds the id however a reader downstream might.  The formatter writes
 * one resinfo per method on its own folded line.  Nothing here
 * allocates except through the caller's vstr.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "domain.h"
#include "rfc5322.h"
#include "vstr.h"

/* RFC 2045 5.1: tspecials may not appear in a token. */
static const char tspecials[] = "()<>@,;:\\\"/[]?=";

/* is_token_char - RFC 2045 token character */
static int
is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr(tspecials, c) == NULL;
}

/*
 * skip_cfws - RFC 5322 3.2.2 CFWS as the strict reader takes it: any
 * SP, HTAB, CR, LF is white space, comments nest to any depth, and an
 * unclosed comment runs to the end of the value
 */
static const char *
skip_cfws(const char *p)
{
	return rfc5322_cfws(p, RFC5322_LOOSE | RFC5322_TO_END);
}

/*
 * authres_parse_id - authserv-id of an A-R header value
 *
 * RFC 8601 2.2: authres-payload = [CFWS] authserv-id [CFWS authres-version]
 * ...; authserv-id = value (RFC 2045: token / quoted-string).  The id is
 * copied unquoted into BUF.  Returns 0, or -1 when the value does not
 * start with a well-formed authserv-id or it does not fit.
 */
int
authres_parse_id(const char *value, char *buf, size_t len)
{
	const char *p;
	size_t n = 0;

	if (len == 0)
		return -1;
	p = skip_cfws(value);
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return -1;
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (n + 1 >= len)
				return -1;
			buf[n++] = *p;
		}
		p++;
	} else {
		for (; is_token_char((unsigned char)*p); p++) {
			if (n + 1 >= len)
				return -1;
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	if (n == 0)
		return -1;
	/* What follows must be CFWS, a version, ';' or the end. */
	p = skip_cfws(p);
	if (*p != '\0' && *p != ';' && !(*p >= '0' && *p <= '9'))
		return -1;
	return 0;
}

/*
 * The lenient reading of the authserv-id (RFC 8601 5: a field that
 * claims, by its authserv-id, to come from inside must go, whatever a
 * reader makes of it).  A reader may end a comment at the first ')' or
 * nest them; it may take a bare CR or LF for a separator or drop it; it
 * may decode an RFC 2047 encoded word; a comment that never closes may
 * hide the id from one reader and not from another.  Every such reading
 * gives a candidate, and the field claims an id when any candidate is it.
 */
#define LEAD_FLAT	0x01	/* a comment ends at the first ')' */
#define LEAD_CRLF_SEP	0x02	/* CR and LF end a token (else dropped) */
#define LEAD_READINGS	4	/* every combination of the above */
#define ENCODED_MAX	75	/* RFC 2047 2: an encoded word's length */

struct lead {
	int	 (*match)(const char *, const void *);
	const void *arg;
	int	 flags;
};

/* lead_skip - white space and comments under FLAGS; *OPEN: unclosed '(' */
static const char *
lead_skip(const char *p, int flags, const char **open)
{
	/* a flat reader ends a comment at the first ')' */
	p = rfc5322_cfws(p, RFC5322_LOOSE |
	    (flags & LEAD_FLAT ? RFC5322_FLAT : 0));
	if (*p != '(')
		return p;
	*open = p;
	return p + strlen(p);
}

/*
 * lead_token - the token at P into BUF under FLAGS: token characters up
 * to anything else (white space, ';', ',', ':', '/', ...), trailing dots
 * dropped; a token that does not fit comes back empty.  After it.
 */
static const char *
lead_token(const char *p, int flags, char *buf, size_t len)
{
	size_t n = 0;
	int over = 0;

	for (; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n') {
			if (flags & LEAD_CRLF_SEP)
				break;
			continue;
		}
		if (!is_token_char((unsigned char)*p))
			break;
		if (n + 1 < len)
			buf[n++] = *p;
		else
			over = 1;
	}
	while (n > 0 && buf[n - 1] == '.')
		n--;
	buf[over ? 0 : n] = '\0';
	return p;
}

/* hexval - a hex digit's value, or -1 */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* b64val - a base64 digit's value, or -1 */
static int
b64val(int c)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *d = c != '\0' ? strchr(digits, c) : NULL;

	return d != NULL ? (int)(d - digits) : -1;
}

/*
 * lead_encoded - the RFC 2047 encoded word at P ("=?cs?Q|B?text?=", at
 * most ENCODED_MAX bytes), decoded into BUF; its length, or 0 if none
 */
static size_t
lead_encoded(const char *p, char *buf, size_t len)
{
	const char *q, *end = NULL;
	size_t i, n = 0;
	unsigned bits = 0, nbits = 0;
	int enc, v;

	if (p[0] != '=' || p[1] != '?')
		return 0;
	for (i = 2; i < ENCODED_MAX && p[i] != '\0'; i++)
		if (p[i] == '?' && p[i + 1] == '=' && i > 2) {
			end = p + i;
			break;
		}
	if (end == NULL || (q = memchr(p + 2, '?', (size_t)(end - p - 2))) ==
	    NULL || q + 3 > end || q[2] != '?')
		return 0;
	enc = q[1] | 0x20;
	if (enc != 'q' && enc != 'b')
		return 0;
	for (q += 3; q < end && n + 1 < len; q++) {
		if (enc == 'q') {
			if (*q == '=' && q + 2 < end && hexval(q[1]) >= 0 &&
			    hexval(q[2]) >= 0) {
				buf[n++] = (char)(hexval(q[1]) * 16 + hexval(q[2]));
				q += 2;
			} else
				buf[n++] = *q == '_' ? ' ' : *q;
		} else if ((v = b64val((unsigned char)*q)) >= 0) {
			bits = (bits << 6) | (unsigned)v;
			if ((nbits += 6) >= 8) {
				nbits -= 8;
				buf[n++] = (char)((bits >> nbits) & 0xff);
			}
		}
	}
	buf[n] = '\0';
	return (size_t)(end - p) + 2;
}

/*
 * lead_candidate - the id a reader could take at P: an encoded word
 * decoded, a quoted-string unquoted (even unterminated), or a token;
 * 1 if it matches, else 0 with *NEXT after what was read
 */
static int
lead_candidate(const char *p, const struct lead *l, const char **next)
{
	char text[1024], id[256];
	const char *open = NULL;
	size_t n;

	if ((n = lead_encoded(p, text, sizeof(text))) > 0)
		*next = p + n;
	else if (*p == '"') {
		for (n = 0, p++; *p != '\0' && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (n + 1 < sizeof(text))
				text[n++] = *p;
		}
		text[n] = '\0';
		*next = *p == '"' ? p + 1 : p;
	} else {
		*next = lead_token(p, l->flags, id, sizeof(id));
		if (*next == p)
			(*next)++;	/* not a token character: step over */
		return id[0] != '\0' && l->match(id, l->arg);
	}
	(void)lead_token(lead_skip(text, l->flags, &open), l->flags, id,
	    sizeof(id));
	return id[0] != '\0' && l->match(id, l->arg);
}

/*
 * authres_lead_match - whether MATCH(id, ARG) holds for any authserv-id
 * a lenient reader could find at the start of VALUE: comments skipped
 * (nested or not; in one that never closes, every word before the first
 * ';' counts), a trailing dot and a "/version" ignored, an encoded word
 * or a quoted-string read for its content, CR/LF dropped or separating;
 * MATCH compares without regard to case.  Linear in VALUE.
 */
int
authres_lead_match(const char *value, int (*match)(const char *, const void *),
    const void *arg)
{
	struct lead l = { match, arg, 0 };
	const char *p, *open, *next;

	for (l.flags = 0; l.flags < LEAD_READINGS; l.flags++) {
		open = NULL;
		p = lead_skip(value, l.flags, &open);
		if (*p != '\0' && lead_candidate(p, &l, &next))
			return 1;
		for (p = open != NULL ? open + 1 : ""; *p != '\0' && *p != ';';
		    p = next) {
			if (lead_candidate(p, &l, &next))
				return 1;
		}
	}
	return 0;
}

/* word - a token or quoted-string at P into BUF (unquoted); after it */
static const char *
word(const char *p, char *buf, size_t len, const char *extra)
{
	size_t n = 0;

	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return NULL;
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (n + 1 < len)
				buf[n++] = *p;
		}
		p++;
	} else
		for (; is_token_char((unsigned char)*p) ||
		    (*p != '\0' && strchr(extra, *p) != NULL); p++)
			if (n + 1 < len)
				buf[n++] = *p;
	buf[n] = '\0';
	return p;
}

/*
 * resinfo - one "method[/version]=result *(reason / propspec)" (RFC 8601
 * 2.2) into R; the rest of the text after it (at ';' or the end)
 */
static const char *
resinfo(const char *p, struct authres_result *r)
{
	char key[64], val[256];
	const char *q;

	memset(r, 0, sizeof(*r));
	if ((p = word(skip_cfws(p), r->method, sizeof(r->method), "")) ==
	    NULL || r->method[0] == '\0')
		return NULL;
	p = skip_cfws(p);
	if (*p == '/') {			/* method version */
		if ((p = word(skip_cfws(p + 1), key, sizeof(key), "")) == NULL)
			return NULL;
		p = skip_cfws(p);
	}
	if (*p != '=')
		return NULL;
	if ((p = word(skip_cfws(p + 1), r->result, sizeof(r->result), "")) ==
	    NULL || r->result[0] == '\0')
		return NULL;
	/* reasonspec and propspecs: ptype.property=pvalue */
	for (p = skip_cfws(p); *p != '\0' && *p != ';'; p = skip_cfws(p)) {
		if ((q = word(p, key, sizeof(key), ".")) == NULL || q == p)
			return NULL;
		p = skip_cfws(q);
		if (*p != '=')
			return NULL;
		/* pvalue may be an addr-spec: allow '@' in a bare value */
		if ((p = word(skip_cfws(p + 1), val, sizeof(val), "@")) == NULL)
			return NULL;
		if (strcasecmp(key, "header.from") == 0)
			snprintf(r->header_from, sizeof(r->header_from), "%.255s",
			    val);
		else if (strcasecmp(key, "policy.dmarc") == 0)
			snprintf(r->policy_dmarc, sizeof(r->policy_dmarc), "%.15s",
			    val);
	}
	return p;
}

/* parse_strict - authres_parse, results kept even when it fails */
static int
parse_strict(const char *value, struct authres_parsed *a)
{
	const char *p;

	memset(a, 0, sizeof(*a));
	if (authres_parse_id(value, a->id, sizeof(a->id)) != 0)
		return -1;
	p = skip_cfws(value);
	if ((p = word(p, a->res[0].method, sizeof(a->res[0].method), "")) ==
	    NULL)
		return -1;
	p = skip_cfws(p);
	while (*p >= '0' && *p <= '9')		/* authres-version */
		p++;
	p = skip_cfws(p);
	if (*p == '\0')
		return -1;
	if (*p != ';')
		return -1;
	p = skip_cfws(p + 1);
	/* RFC 8601 2.2: "none" means no results at all */
	if (strncasecmp(p, "none", 4) == 0 && *skip_cfws(p + 4) == '\0')
		return 0;
	while (*p != '\0') {
		struct authres_result r;

		if ((p = resinfo(p, &r)) == NULL)
			return -1;
		if (a->n < AUTHRES_MAX_RESULTS)
			a->res[a->n++] = r;
		p = skip_cfws(p);
		if (*p == ';')
			p = skip_cfws(p + 1);
	}
	return 0;
}

/*
 * closed - every comment and quoted-string in P ends, and no ')' stands
 * outside one (RFC 5322 3.2.2, 3.2.4): what a reader who ends comments
 * otherwise would read differently
 */
static int
closed(const char *p)
{
	int depth = 0, quoted = 0;

	for (; *p != '\0'; p++) {
		if (*p == '\\' && (depth > 0 || quoted)) {
			if (*++p == '\0')
				return 0;
		} else if (quoted)
			quoted = *p != '"';
		else if (*p == '(')
			depth++;
		else if (*p == ')' && depth-- == 0)
			return 0;
		else if (*p == '"' && depth == 0)
			quoted = 1;
	}
	return depth == 0 && !quoted;
}

/* authres_parse - authserv-id and resinfos of an A-R value, or nothing */
int
authres_parse(const char *value, struct authres_parsed *a)
{
	if (closed(value) && parse_strict(value, a) == 0)
		return 0;
	memset(a, 0, sizeof(*a));	/* a half-read field gives nothing */
	return -1;
}

/*
 * What the formatter writes is fixed text, or passes filtered(): the
 * inside of a comment (RFC 5322 3.2.2: ctext / quoted-pair) or of a
 * quoted-string (3.2.4: qtext / quoted-pair).  No input byte can end
 * a comment, a quoted-string or the field early: the delimiters are
 * escaped, and control characters, DEL and 8-bit bytes become '?' (the
 * field stays 7-bit and on its own lines, RFC 5322 2.2; replaced, not
 * dropped, so no byte string turns into another that looks valid).
 * Text that would pass a cap on the bytes written is cut and "..."
 * marks the cut.  Free-form texts with a sender's bytes (DKIM reasons,
 * record errors) are never written: comments carry fixed texts chosen
 * by result enums; those texts go to the verdict line and mxauth-check.
 */
#define COMMENT_MAX	160	/* bytes written for a text in a comment */
#define VALUE_MAX	255	/* bytes inside a quoted value (domain: 253) */
#define FOLD_AT		400	/* fold before a property past this column */

/* filtered - S into OUT: ESC escaped, controls and 8-bit as '?', cut */
static void
filtered(struct vstr *out, const char *s, size_t max, const char *esc)
{
	unsigned char c;
	size_t n = 0;
	int pair;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f)
			c = '?';
		pair = strchr(esc, c) != NULL;
		if (n + 1 + pair > max) {
			vstr_cat(out, "...");
			return;
		}
		if (pair)
			vstr_catc(out, '\\');
		vstr_catc(out, (char)c);
		n += 1 + pair;
	}
}

/* comment_text - S as the inside of a comment */
static void
comment_text(struct vstr *out, const char *s)
{
	filtered(out, s, COMMENT_MAX, "()\\");
}

/* quoted - S as a whole quoted-string */
static void
quoted(struct vstr *out, const char *s)
{
	vstr_catc(out, '"');
	filtered(out, s, VALUE_MAX, "\"\\");
	vstr_catc(out, '"');
}

/* is_atom_run - N bytes of S are a dot-atom of token characters */
static int
is_atom_run(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '.' ? s[i + 1] == '.' :
		    !is_token_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * RFC 8601 2.2 takes domain-name from RFC 6376 3.5: sub-domain 1*("."
 * sub-domain) of RFC 5321 4.1.2 -- two labels or more, letters, digits
 * and inner hyphens (domain.c); anything else is quoted.
 */
#define AR_DOMAIN	(DOMAIN_HOSTNAME | DOMAIN_MULTI_LABEL)

/*
 * is_pvalue_plain - V can be written bare: RFC 8601 2.2 pvalue = value
 * (a token) / [[local-part] "@"] domain-name, the local-part a dot-atom
 * of token characters (what authres_parse reads back unquoted)
 */
static int
is_pvalue_plain(const char *v)
{
	const char *at = strchr(v, '@'), *p;
	size_t n = strlen(v);

	if (n == 0 || n > VALUE_MAX)
		return 0;
	if (at != NULL)
		return (at == v || is_atom_run(v, (size_t)(at - v))) &&
		    domain_check(at + 1, AR_DOMAIN);
	for (p = v; *p != '\0'; p++)
		if (!is_token_char((unsigned char)*p))
			return 0;
	return 1;
}

/* authres_pvalue - RFC 8601 2.2 pvalue, a quoted-string when needed */
void
authres_pvalue(struct vstr *out, const char *value)
{
	if (is_pvalue_plain(value))
		vstr_cat(out, value);
	else
		quoted(out, value);
}

/*
 * fold - a space before LEN more bytes, or a new line (FWS: RFC 8601 2.2
 * and RFC 7208 9.1 allow CFWS there) when the line would grow past
 * FOLD_AT, so that no line comes near RFC 5322 2.1.1's 998
 */
static void
fold(struct vstr *out, size_t len)
{
	size_t col = 0;

	while (col < out->len && out->buf[out->len - col - 1] != '\n')
		col++;
	vstr_cat(out, col + 1 + len > FOLD_AT ? "\n\t" : " ");
}

/* prop - " NAME=PVALUE" (RFC 8601 2.2 propspec); none for an empty value */
static void
prop(struct vstr *out, const char *name, const char *value)
{
	struct vstr v = VSTR_INIT;

	if (*value == '\0')
		return;
	authres_pvalue(&v, value);
	fold(out, strlen(name) + 1 + v.len);
	vstr_catf(out, "%s=%s", name, vstr_str(&v));
	vstr_free(&v);
}

/* domain_of - the part after the last '@', or the whole string */
static const char *
domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL ? at + 1 : addr;
}

/*
 * is_dot_atom - RFC 5322 3.2.3 dot-atom (Received-SPF key-value-pair
 * values are dot-atom or quoted-string, RFC 7208 9.1)
 */
static int
is_dot_atom(const char *v)
{
	const char *p;
	size_t n = strlen(v);

	if (n == 0 || n > VALUE_MAX || *v == '.' || v[n - 1] == '.' ||
	    strstr(v, "..") != NULL)
		return 0;
	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') ||
		    strchr("!#$%&'*+-/=?^_`{|}~.", *p) != NULL))
			return 0;
	return 1;
}

/*
 * kv - "KEY=VALUE;" with VALUE a dot-atom or a quoted-string, after SEP
 * (NULL: a space, or a fold on a long line)
 */
static void
kv(struct vstr *out, const char *sep, const char *key, const char *value)
{
	struct vstr v = VSTR_INIT;

	if (is_dot_atom(value))
		vstr_cat(&v, value);
	else
		quoted(&v, value);
	if (sep != NULL)
		vstr_cat(out, sep);
	else
		fold(out, strlen(key) + v.len + 2);
	vstr_catf(out, "%s=%s;", key, vstr_str(&v));
	vstr_free(&v);
}

/*
 * The Received-SPF comment of each result (RFC 7208 9.1): fixed words,
 * and in place of %d and %i the identity's domain and the client's
 * address, each through comment_text
 */
static const char *const spf_comment[] = {
	[SPF_RES_NONE] = "domain of %d does not publish an SPF record",
	[SPF_RES_NEUTRAL] = "%i is neither permitted nor denied by domain "
	    "of %d",
	[SPF_RES_PASS] = "domain of %d designates %i as permitted sender",
	[SPF_RES_FAIL] = "domain of %d does not designate %i as permitted "
	    "sender",
	[SPF_RES_SOFTFAIL] = "domain of transitioning %d does not designate "
	    "%i as permitted sender",
	[SPF_RES_TEMPERROR] = "temporary error looking up SPF for %d",
	[SPF_RES_PERMERROR] = "SPF record of %d is invalid",
};

/* authres_received_spf - RFC 7208 9.1 Received-SPF value */
void
authres_received_spf(struct vstr *out, const struct spf_result *spf,
    const char *receiver, const char *mail_from, const char *helo)
{
	struct vstr c = VSTR_INIT;
	const char *id = spf->identity == SPF_ID_HELO ? "helo" : "mailfrom";
	const char *who = spf->domain != NULL ? spf->domain : "";
	const char *ip = spf->client_ip != NULL ? spf->client_ip : "";
	const char *t;

	/* the comment's words are fixed; each name passes comment_text */
	vstr_catf(out, "%s (", result_spf_str(spf->result));
	comment_text(out, receiver);
	vstr_cat(out, ": ");
	t = (size_t)spf->result < sizeof(spf_comment) / sizeof(spf_comment[0])
	    ? spf_comment[spf->result] : "";
	for (; *t != '\0'; t++) {
		if (t[0] == '%' && (t[1] == 'd' || t[1] == 'i'))
			comment_text(out, *++t == 'd' ? who : ip);
		else
			vstr_catc(out, *t);
	}
	vstr_cat(out, ")");
	kv(out, "\n\t", "client-ip", ip);
	if (mail_from != NULL && *mail_from != '\0')
		kv(out, NULL, "envelope-from", mail_from);
	else if (helo != NULL && *helo != '\0') {
		vstr_catf(&c, "postmaster@%s", helo);
		kv(out, NULL, "envelope-from", vstr_str(&c));
	}
	if (helo != NULL && *helo != '\0')
		kv(out, NULL, "helo", helo);
	kv(out, NULL, "receiver", receiver);
	kv(out, NULL, "identity", id);
	vstr_free(&c);
}

/* fmt_spf - RFC 8601 2.7.2 resinfo for SPF */
static void
fmt_spf(struct vstr *out, const struct authres_in *in)
{
	const struct spf_result *spf = in->spf;

	if (spf == NULL) {
		vstr_cat(out, "spf=none (not checked)");
	} else {
		vstr_catf(out, "spf=%s", result_spf_str(spf->result));
		if (spf->client_ip != NULL && *spf->client_ip != '\0') {
			vstr_cat(out, " (client-ip=");
			comment_text(out, spf->client_ip);
			vstr_catc(out, ')');
		}
	}
	if (spf != NULL && spf->identity == SPF_ID_HELO) {
		if (in->helo != NULL)
			prop(out, "smtp.helo", in->helo);
	} else if (in->mail_from != NULL)
		prop(out, "smtp.mailfrom", domain_of(in->mail_from));
}

/* fmt_dkim - RFC 8601 2.7.1 resinfo for each signature, or none */
static void
fmt_dkim(struct vstr *out, const struct authres_in *in)
{
	const struct dkim_result *d;
	size_t i;

	if (in->ndkim == 0) {
		vstr_cat(out, ";\n\tdkim=none");
		return;
	}
	for (i = 0; i < in->ndkim; i++) {
		d = &in->dkim[i];
		vstr_catf(out, ";\n\tdkim=%s", result_dkim_str(d->result));
		/* the fixed text for the reason, never d->reason itself */
		if (d->why != DKIM_WHY_NONE)
			vstr_catf(out, " (%s)", result_dkim_why_str(d->why));
		if (d->domain != NULL)
			prop(out, "header.d", d->domain);
		if (d->identity != NULL)
			prop(out, "header.i", d->identity);
		if (d->selector != NULL)
			prop(out, "header.s", d->selector);
		if (d->algorithm != NULL)
			prop(out, "header.a", d->algorithm);
		if (d->b != NULL)
			prop(out, "header.b", d->b);
	}
}

/*
 * fmt_dmarc - resinfo for DMARC (RFC 9989, RFC 8601 2.7 registry):
 * dmarc=RESULT (p=P sp=S dis=D) header.from=DOMAIN policy.dmarc=POLICY
 *
 * policy.dmarc is the domain's evaluated policy (p, sp or np; one step
 * milder for t=y), not what this site did: an inner hop with
 * inner_enforce applies its own rules to it, so a monitoring edge
 * (dis=none) does not switch enforcement off further in.
 */
static void
fmt_dmarc(struct vstr *out, const struct authres_in *in)
{
	const struct dmarc_result *dm = in->dmarc;
	const char *dis;

	if (dm == NULL) {
		vstr_cat(out, ";\n\tdmarc=none (not checked)");
	} else {
		vstr_catf(out, ";\n\tdmarc=%s", result_dmarc_str(dm->result));
		dis = result_policy_str(dm->disposition != DMARC_POLICY_UNSET ?
		    dm->disposition : DMARC_POLICY_NONE);
		if (dm->p != DMARC_POLICY_UNSET)
			vstr_catf(out, " (p=%s sp=%s dis=%s)",
			    result_policy_str(dm->p), result_policy_str(dm->sp),
			    dis);
		else if (dm->result == DMARC_RES_NONE)
			vstr_cat(out, " (no DMARC policy)");
		else if (dm->result == DMARC_RES_TEMPERROR)
			vstr_cat(out, " (DNS error in policy discovery)");
		else if (dm->result == DMARC_RES_PERMERROR && dm->bad_from)
			vstr_cat(out, " (no single author domain)");
	}
	if (in->from_domain != NULL)
		prop(out, "header.from", in->from_domain);
	if (dm != NULL && dm->policy != DMARC_POLICY_UNSET)
		prop(out, "policy.dmarc", result_policy_str(dm->policy));
}

/*
 * authres_format - our header's value
 *
 * Trusted clients get "none" (RFC 8601 2.2 no-result): mxauth makes no
 * claim about them.  Authenticated submission gets only auth=pass
 * (RFC 8601 2.7.4).  External clients get one resinfo per method.  The
 * authserv-id is a host name (checked when the config is read).
 */
void
authres_format(struct vstr *out, const struct authres_in *in)
{
	vstr_cat(out, in->authserv_id);
	vstr_cat(out, ";");
	switch (in->ingress) {
	case INGRESS_TRUSTED:
		vstr_cat(out, " none");
		return;
	case INGRESS_AUTHENTICATED:
		vstr_cat(out, "\n\tauth=pass");
		if (in->auth_user != NULL)
			prop(out, "smtp.auth", in->auth_user);
		return;
	case INGRESS_EXTERNAL:
	case INGRESS_RELAY:
		break;
	}
	vstr_cat(out, "\n\t");
	fmt_spf(out, in);
	fmt_dkim(out, in);
	fmt_dmarc(out, in);
}
