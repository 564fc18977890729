/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * received - the "from" clause of Received fields.
 *
 * The formats read (RFC 5321 4.4 leaves the comments free; these are
 * what the MTAs write):
 *   Postfix   from HELO (RDNS [192.0.2.1]) by ...   (RDNS may be unknown)
 *   Sendmail  from HELO (user@RDNS [192.0.2.1] (may be forged)) by ...
 *             from HELO ([192.0.2.1]) (authenticated bits=0) by ...
 *   Exim      from RDNS ([192.0.2.1]:25 helo=HELO) by ...
 *             from [192.0.2.1] (helo=HELO) by ...
 *   Exchange  from HELO (192.0.2.1) by ...
 * IPv6 literals may carry "IPv6:" (RFC 5321 4.1.3).
 *
 * HELO is the client's own text.  Sendmail and older Postfix copy it
 * verbatim: it may hold white space, parentheses, brackets, even " by ".
 * Postfix 3.7 writes '?' for white space and <>()\";:@ but keeps
 * brackets, so "[192.0.2.10]" still arrives as written.
 * So the client's address is never looked for from the left.  Each
 * " by " is tried as the start of the relay's by-clause; the text before
 * it must end with a comment of one of the shapes above (read back from
 * the by side, its content matched whole) or, for Exim, be "[IP]" alone.
 * The address comes only from what the relay wrote: the comment's
 * literal, or Exim's leading "[IP]" when the comment holds only
 * key=value items.  One reading names the client; none names no client;
 * two or more mean the HELO (or a later part) mimics the relay, and the
 * field is refused as ambiguous.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "netlist.h"
#include "received.h"
#include "rfc5322.h"

/* Bounds that keep a hostile field linear: fields longer are refused. */
#define FIELD_MAX	8192	/* a Received value read at all */
#define COMMENT_MAX	1024	/* the relay's comment, ')' back to '(' */

/* A piece of the field: [p, p + n). */
struct span {
	const char	*p;
	size_t		 n;
};

/* address - TEXT (N bytes) as an IP address into C->ip; 0 or -1 */
static int
address(const char *text, size_t n, struct received_client *c)
{
	unsigned char buf[16];
	char tmp[64];
	int af;

	if (n > 5 && strncasecmp(text, "IPv6:", 5) == 0) {
		text += 5;
		n -= 5;
	}
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, text, n);
	tmp[n] = '\0';
	af = strchr(tmp, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(af, tmp, buf) != 1 ||
	    inet_ntop(af, buf, c->ip, sizeof(c->ip)) == NULL)
		return -1;
	return 0;
}

/* literal - W is "[ADDR]" or "[ADDR]:PORT": the address into C; 0 or -1 */
static int
literal(struct span w, struct received_client *c)
{
	const char *close;
	size_t i;

	if (w.n < 3 || w.p[0] != '[' ||
	    (close = memchr(w.p, ']', w.n)) == NULL)
		return -1;
	i = (size_t)(close - w.p) + 1;
	if (i < w.n) {				/* Exim: [IP]:port */
		if (w.p[i] != ':' || i + 1 == w.n)
			return -1;
		for (i++; i < w.n; i++)
			if (!isdigit((unsigned char)w.p[i]))
				return -1;
	}
	return address(w.p + 1, (size_t)(close - w.p) - 1, c);
}

/* plain - W holds none of the characters that delimit the relay's text */
static int
plain(struct span w)
{
	size_t i;

	for (i = 0; i < w.n; i++)
		if (strchr("()[]\"\\", w.p[i]) != NULL)
			return 0;
	return w.n > 0;
}

/*
 * keyvalue - W is one of Exim's items (helo=, ident=, port=); a helo=
 * value, the client's text, goes into C->helo and is never an address
 */
static int
keyvalue(struct span w, struct received_client *c, int *helo)
{
	size_t i;

	if (w.n > 5 && strncasecmp(w.p, "helo=", 5) == 0) {
		for (i = 5; i < w.n; i++)
			if (strchr("()\"\\", w.p[i]) != NULL)
				return 0;
		snprintf(c->helo, sizeof(c->helo), "%.*s", (int)(w.n - 5),
		    w.p + 5);
		*helo = 1;
		return 1;
	}
	if ((w.n > 6 && strncasecmp(w.p, "ident=", 6) == 0) ||
	    (w.n > 5 && strncasecmp(w.p, "port=", 5) == 0))
		return plain(w);
	return 0;
}

/* next_word - the next FWS-separated word of S (consumed); n = 0 at end */
static struct span
next_word(struct span *s)
{
	struct span w;

	while (s->n > 0 && rfc5322_is_fws(*s->p)) {
		s->p++;
		s->n--;
	}
	w.p = s->p;
	for (w.n = 0; w.n < s->n && !rfc5322_is_fws(w.p[w.n]); w.n++)
		;
	s->p += w.n;
	s->n -= w.n;
	return w;
}

/* trim - S without FWS at either end */
static struct span
trim(struct span s)
{
	while (s.n > 0 && rfc5322_is_fws(*s.p)) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && rfc5322_is_fws(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* strip_tail - drop TAIL (FWS before it) from the end of S; 1 if there */
static int
strip_tail(struct span *s, const char *tail)
{
	size_t n = strlen(tail);

	if (s->n <= n || strncasecmp(s->p + s->n - n, tail, n) != 0 ||
	    !rfc5322_is_fws(s->p[s->n - n - 1]))
		return 0;
	s->n -= n;
	return 1;
}

/*
 * relay_comment - the content of the relay's comment, matched whole:
 * [NAME] [ADDR][:PORT] *(key=value) [(may be forged)], or a bare ADDR
 * (Exchange), or key=value items only (*BARE: Exim, whose from-domain is
 * then "[IP]").  The address goes into C; *HELO says whether a helo=
 * item was there.  0, or -1 for any other content.
 */
static int
relay_comment(struct span s, struct received_client *c, int *bare,
    int *helo)
{
	struct span w;
	int have_ip = 0, name = 0, items = 0;

	*bare = *helo = 0;
	s = trim(s);
	(void)strip_tail(&s, "(may be forged)");	/* Sendmail */
	if (plain(s) && memchr(s.p, ' ', s.n) == NULL &&
	    address(s.p, s.n, c) == 0)
		return 0;				/* Exchange */
	for (w = next_word(&s); w.n > 0; w = next_word(&s)) {
		if (!have_ip && items == 0 && w.p[0] == '[') {
			if (literal(w, c) != 0)
				return -1;
			have_ip = 1;
		} else if (keyvalue(w, c, helo))
			items++;
		else if (name || have_ip || items > 0 || !plain(w) ||
		    memchr(w.p, '=', w.n) != NULL)
			return -1;
		else
			name = 1;		/* RDNS, user@RDNS, unknown */
	}
	if (have_ip)
		return 0;
	*bare = 1;
	return items > 0 && !name ? 0 : -1;
}

/* exim_literal - H is exactly "[ADDR]": the address into C; 0 or -1 */
static int
exim_literal(struct span h, struct received_client *c)
{
	if (h.n < 3 || h.p[0] != '[' || h.p[h.n - 1] != ']' ||
	    !plain((struct span){ h.p + 1, h.n - 2 }))
		return -1;
	return address(h.p + 1, h.n - 2, c);
}

/*
 * sendmail_auth - IN is Sendmail's "authenticated [bits=N]", which
 * follows the client's comment
 */
static int
sendmail_auth(struct span in)
{
	struct span rest, w;

	in = trim(in);
	if (in.n < 13 || strncasecmp(in.p, "authenticated", 13) != 0)
		return 0;
	rest = (struct span){ in.p + 13, in.n - 13 };
	if (rest.n == 0)
		return 1;
	if (!rfc5322_is_fws(*rest.p))
		return 0;
	w = next_word(&rest);
	return rest.n == 0 && w.n > 5 && strncasecmp(w.p, "bits=", 5) == 0 &&
	    strspn(w.p + 5, "0123456789") == w.n - 5;
}

/* comment_back - the comment that ends at END[-1] == ')'; -1 if none */
static int
comment_back(const char *start, const char *end, struct span *in)
{
	const char *q;
	int depth = 0;

	for (q = end - 1; q >= start && end - q <= COMMENT_MAX; q--) {
		if (*q == ')')
			depth++;
		else if (*q == '(' && --depth == 0) {
			in->p = q + 1;
			in->n = (size_t)(end - q) - 2;
			return 0;
		}
	}
	return -1;
}

/* set_helo - the HELO as the client gave it, folding undone, into C */
static void
set_helo(struct received_client *c, struct span h)
{
	size_t i, n = 0;

	for (i = 0; i < h.n && n + 1 < sizeof(c->helo); i++) {
		if (rfc5322_is_fws(h.p[i])) {
			if (i > 0 && rfc5322_is_fws(h.p[i - 1]))
				continue;
			c->helo[n++] = ' ';
		} else
			c->helo[n++] = h.p[i];
	}
	c->helo[n] = '\0';
}

/*
 * reading - whether START..BY (BY at " by ") reads as "HELO (relay's
 * comment)" or Exim's "[IP] (items)" / "[IP]"; the client into C
 */
static int
reading(const char *start, const char *by, struct received_client *c)
{
	struct span h = { start, (size_t)(by - start) }, in;
	int bare, helo;

	memset(c, 0, sizeof(*c));
	h = trim(h);
	if (h.n == 0)
		return -1;
	if (h.p[h.n - 1] == ']')		/* Exim: from [IP] by */
		return exim_literal(h, c);
	if (h.p[h.n - 1] != ')' || comment_back(h.p, h.p + h.n, &in) != 0)
		return -1;
	if (sendmail_auth(in)) {
		h.n = (size_t)(in.p - 1 - h.p);
		h = trim(h);
		if (h.n == 0 || h.p[h.n - 1] != ')' ||
		    comment_back(h.p, h.p + h.n, &in) != 0)
			return -1;
	}
	/* what precedes the comment: the from-domain, then white space */
	h.n = (size_t)(in.p - 1 - h.p);
	if (h.n < 2 || !rfc5322_is_fws(h.p[h.n - 1]))
		return -1;
	h = trim(h);
	if (relay_comment(in, c, &bare, &helo) != 0)
		return -1;
	if (bare)
		return exim_literal(h, c);
	if (!helo)
		set_helo(c, h);
	return 0;
}

/* received_parse - client address and HELO of one Received value */
int
received_parse(const char *value, struct received_client *c)
{
	struct received_client one;
	const char *p, *start;
	int found = 0;

	memset(c, 0, sizeof(*c));
	p = rfc5322_fws(value, RFC5322_LOOSE);
	if (strncasecmp(p, "from", 4) != 0 || !rfc5322_is_fws(p[4]) ||
	    strlen(p) > FIELD_MAX)
		return RECEIVED_NONE;
	for (start = p += 4; *p != '\0'; p++) {
		if (!rfc5322_is_fws(p[-1]) || strncasecmp(p, "by", 2) != 0 ||
		    !rfc5322_is_fws(p[2]) || reading(start, p, &one) != 0)
			continue;
		if (found++ > 0) {
			memset(c, 0, sizeof(*c));
			return RECEIVED_AMBIGUOUS;
		}
		*c = one;
	}
	return found ? 0 : RECEIVED_NONE;
}

/* received_origin - the first client that is not a trusted relay */
int
received_origin(const struct netlist *relays, char *const *values, size_t n,
    struct received_client *c, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < n && i < RECEIVED_MAX; i++) {
		switch (received_parse(values[i], c)) {
		case 0:
			break;
		case RECEIVED_AMBIGUOUS:
			snprintf(why, whylen, "Received field %zu is ambiguous "
			    "(its HELO mimics the relay's part)", i + 1);
			return -1;
		default:
			snprintf(why, whylen, "Received field %zu names no "
			    "client", i + 1);
			return -1;
		}
		if (relays == NULL || !netlist_match(relays, c->ip))
			return 0;
	}
	snprintf(why, whylen, "no Received field names a client outside "
	    "trusted_relays");
	return -1;
}
