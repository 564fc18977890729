/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdr_parse - RFC 5322 address lists, one function per grammar rule.
 *
 * A small recursive-descent parser over the field value: each rule
 * returns the position after what it matched, or NULL.  CFWS is
 * rfc5322's: comments nest (bounded depth), quoted-pairs are honoured,
 * line folds (CRLF or LF followed by WSP) are whitespace.  Only
 * addresses are kept: local part and domain of each mailbox, groups
 * counted.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "domain.h"
#include "hdr_parse.h"
#include "rfc5322.h"
#include "vstr.h"
#include "xmalloc.h"

/*
 * cfws - RFC 5322 3.2.2 CFWS, optional: folds only (a bare CR or LF is
 * not white space), comments nested at most RFC5322_DEPTH deep; an
 * unclosed or too deep comment is not skipped: CFWS stops at its '(',
 * which no rule here accepts
 */
static const char *
cfws(const char *p)
{
	return rfc5322_cfws(p, RFC5322_BOUNDED);
}

/* atom - [CFWS] 1*atext [CFWS]; the text into OUT */
static const char *
atom(const char *p, struct vstr *out)
{
	const char *s;

	p = cfws(p);
	for (s = p; rfc5322_is_atext((unsigned char)*p); p++)
		;
	if (p == s)
		return NULL;
	if (out != NULL)
		vstr_ncat(out, s, (size_t)(p - s));
	return cfws(p);
}

/* quoted_string - [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS] */
static const char *
quoted_string(const char *p, struct vstr *out)
{
	p = cfws(p);
	if (*p != '"')
		return NULL;
	for (p++; *p != '"'; p++) {
		if (*p == '\0')
			return NULL;
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '\r' || *p == '\n')
			continue;	/* a fold inside: drop the line break */
		if (out != NULL)
			vstr_catc(out, *p);
	}
	return cfws(p + 1);
}

/* word - atom / quoted-string */
static const char *
word(const char *p, struct vstr *out)
{
	const char *q;

	if ((q = atom(p, out)) != NULL)
		return q;
	return quoted_string(p, out);
}

/* phrase - 1*word / obs-phrase (words, "." and CFWS after the first) */
static const char *
phrase(const char *p)
{
	const char *q;

	if ((p = word(p, NULL)) == NULL)
		return NULL;
	for (;;) {
		if ((q = word(p, NULL)) != NULL)
			p = q;
		else if (*p == '.')	/* RFC 5322 4.1 obs-phrase */
			p = cfws(p + 1);
		else
			return p;
	}
}

/*
 * dot_words - dot-atom and the obsolete word *("." word) forms; a local
 * part (LOCAL) may use quoted words, a domain only atoms and may end in
 * the root's dot, which is dropped
 */
static const char *
dot_words(const char *p, struct vstr *out, int local)
{
	const char *q, *next;

	if ((q = local ? word(p, out) : atom(p, out)) == NULL)
		return NULL;
	while (*q == '.') {
		if (out != NULL)
			vstr_catc(out, '.');
		next = local ? word(q + 1, out) : atom(q + 1, out);
		if (next == NULL)
			/* A domain may end in the root's dot: "a.example." */
			return !local && *cfws(q + 1) != '.' ? cfws(q + 1) :
			    NULL;
		q = next;
	}
	return q;
}

/* domain_literal - [CFWS] "[" *([FWS] dtext) [FWS] "]" [CFWS] */
static const char *
domain_literal(const char *p, struct vstr *out)
{
	p = cfws(p);
	if (*p != '[')
		return NULL;
	vstr_catc(out, '[');
	for (p++; *p != ']'; p++) {
		if (*p == '\0' || *p == '[' || *p == '\\')
			return NULL;
		vstr_catc(out, *p);
	}
	vstr_catc(out, ']');
	return cfws(p + 1);
}

/* addr_spec - local-part "@" domain (3.4.1, obs-local-part, obs-domain) */
static const char *
addr_spec(const char *p, struct hdr_mailbox *mb)
{
	struct vstr local = VSTR_INIT, dom = VSTR_INIT;
	const char *q;

	if ((q = dot_words(p, &local, 1)) == NULL || *q != '@')
		goto bad;
	if ((p = dot_words(q + 1, &dom, 0)) == NULL &&
	    (vstr_reset(&dom), p = domain_literal(q + 1, &dom)) == NULL)
		goto bad;
	if (dom.len > 0 && dom.buf[dom.len - 1] == '.')
		dom.buf[--dom.len] = '\0';
	if (dom.buf != NULL)
		domain_lower(dom.buf);
	mb->local = vstr_steal(&local);
	mb->domain = vstr_steal(&dom);
	return p;
bad:
	vstr_free(&local);
	vstr_free(&dom);
	return NULL;
}

/* obs_route - obs-domain-list ":" (4.4): "@a,@b:" before the addr-spec */
static const char *
obs_route(const char *p)
{
	const char *q;
	struct vstr junk = VSTR_INIT;

	q = cfws(p);
	while (*q == ',')
		q = cfws(q + 1);
	if (*q != '@')
		return p;		/* no route */
	while (*q == '@') {
		if ((q = dot_words(q + 1, &junk, 0)) == NULL)
			break;
		while (q != NULL && *q == ',')
			q = cfws(q + 1);
		if (q == NULL)
			break;
	}
	vstr_free(&junk);
	return q != NULL && *q == ':' ? q + 1 : NULL;
}

/* angle_addr - [CFWS] "<" [obs-route] addr-spec ">" [CFWS] */
static const char *
angle_addr(const char *p, struct hdr_mailbox *mb)
{
	p = cfws(p);
	if (*p != '<' || (p = obs_route(p + 1)) == NULL ||
	    (p = addr_spec(p, mb)) == NULL)
		return NULL;
	if (*p != '>') {
		x_free(mb->local);
		x_free(mb->domain);
		mb->local = mb->domain = NULL;
		return NULL;
	}
	return cfws(p + 1);
}

/* mailbox - name-addr / addr-spec */
static const char *
mailbox(const char *p, struct hdr_mailbox *mb)
{
	const char *q;

	if ((q = angle_addr(p, mb)) != NULL)
		return q;
	if ((q = phrase(p)) != NULL && (q = angle_addr(q, mb)) != NULL)
		return q;
	return addr_spec(p, mb);
}

/* add_box - keep one parsed mailbox; past the limit it is freed */
static int
add_box(struct hdr_addresses *a, struct hdr_mailbox *mb)
{
	if (a->n >= HDR_MAX_ADDRESSES) {
		x_free(mb->local);
		x_free(mb->domain);
		return -1;
	}
	a->box = xrealloc(a->box, (a->n + 1) * sizeof(*a->box));
	a->box[a->n++] = *mb;
	return 0;
}

/* group - display-name ":" [group-list] ";" [CFWS] */
static const char *
group(const char *p, struct hdr_addresses *a)
{
	struct hdr_mailbox mb;
	const char *q;

	if ((p = phrase(p)) == NULL || *p != ':')
		return NULL;
	p = cfws(p + 1);
	while (*p != ';') {
		memset(&mb, 0, sizeof(mb));
		if ((q = mailbox(p, &mb)) == NULL || add_box(a, &mb) != 0)
			return NULL;
		p = cfws(q);
		if (*p == ',')
			p = cfws(p + 1);
		else if (*p != ';')
			return NULL;
	}
	a->groups++;
	return cfws(p + 1);
}

/* hdr_parse_addresses - address-list (3.4) / obs-addr-list (4.4) */
int
hdr_parse_addresses(const char *value, struct hdr_addresses *a, char *err,
    size_t errlen)
{
	struct hdr_mailbox mb;
	const char *p = cfws(value), *q;

	memset(a, 0, sizeof(*a));
	for (;;) {
		while (*p == ',')		/* obs-addr-list: empty members */
			p = cfws(p + 1);
		if (*p == '\0')
			break;
		memset(&mb, 0, sizeof(mb));
		if ((q = group(p, a)) == NULL) {
			if ((q = mailbox(p, &mb)) == NULL ||
			    add_box(a, &mb) != 0) {
				snprintf(err, errlen, "unparseable address "
				    "near \"%.40s\"", p);
				hdr_addresses_free(a);
				return -1;
			}
		}
		p = cfws(q);
		if (*p != ',' && *p != '\0') {
			snprintf(err, errlen, "unexpected \"%.40s\"", p);
			hdr_addresses_free(a);
			return -1;
		}
	}
	if (a->n == 0 && a->groups == 0) {
		snprintf(err, errlen, "no address");
		return -1;
	}
	return 0;
}

/* hdr_addresses_free - release a parsed list */
void
hdr_addresses_free(struct hdr_addresses *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		x_free(a->box[i].local);
		x_free(a->box[i].domain);
	}
	x_free(a->box);
	memset(a, 0, sizeof(*a));
}

/*
 * The author domain: DNS is asked about _dmarc under it, so it is taken
 * as DNS carries it ('_' and '-' anywhere, one label or more; domain.c).
 */
#define AUTHOR_DOMAIN	DOMAIN_UNDERSCORE

/*
 * hdr_author_domain - the one author domain of a From value (RFC 9989
 * 4.4 / RFC 7489 6.6.1): every address in one domain, no group; the
 * domain as A-labels.  0 and *DOMAIN (caller frees with x_free), or -1
 * with the reason in WHY: never one domain picked out of several.
 */
int
hdr_author_domain(const char *value, char **domain, char *why,
    size_t whylen)
{
	struct hdr_addresses a;
	char err[128];
	size_t i;

	*domain = NULL;
	if (hdr_parse_addresses(value, &a, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "From does not parse: %s", err);
		return -1;
	}
	if (a.groups > 0)
		snprintf(why, whylen, "From holds a group");
	else if (a.n == 0)
		snprintf(why, whylen, "From has no address");
	else {
		for (i = 1; i < a.n; i++)
			if (!domain_equal(a.box[i].domain, a.box[0].domain))
				break;
		if (i < a.n)
			snprintf(why, whylen, "From has addresses in %s and %s",
			    a.box[0].domain, a.box[i].domain);
		else if ((*domain = domain_to_ascii(a.box[0].domain)) == NULL)
			snprintf(why, whylen, "From domain is not a valid IDN");
		else if (!domain_check(*domain, AUTHOR_DOMAIN)) {
			snprintf(why, whylen, "From domain %.64s is not a "
			    "domain name", *domain);
			x_free(*domain);
			*domain = NULL;
		}
	}
	hdr_addresses_free(&a);
	return *domain != NULL ? 0 : -1;
}
