/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * taglist - the tag=value lexer of RFC 6376 3.2, in its strict (DKIM)
 * and lenient (DMARC) readings; see taglist.h.  Linear in the input,
 * no allocation except taglist_copy_nows().
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rfc5322.h"
#include "taglist.h"
#include "xmalloc.h"

#define IS_ALPHA(c)	(((c) >= 'a' && (c) <= 'z') || \
			 ((c) >= 'A' && (c) <= 'Z'))
#define IS_ALNUMPUNC(c)	(IS_ALPHA(c) || ((c) >= '0' && (c) <= '9') || \
			 (c) == '_')

/* taglist_start - lex S (LEN bytes) under MODE */
void
taglist_start(struct taglist_lexer *lx, const char *s, size_t len,
    enum taglist_mode mode)
{
	lx->s = s;
	lx->len = len;
	lx->pos = 0;
	lx->mode = mode;
}

/* blank - white space of the strict (FWS bytes) or lenient (WSP) reading */
static int
blank(int c, int strict)
{
	return strict ? rfc5322_is_fws(c) : rfc5322_is_wsp(c);
}

/* value - T's value between VOFF and VEND, trimmed of blanks */
static void
value(const char *s, struct taglist_tag *t, int strict)
{
	t->val = s + t->voff;
	t->vlen = t->vend - t->voff;
	while (t->vlen > 0 && blank(t->val[0], strict)) {
		t->val++;
		t->vlen--;
	}
	while (t->vlen > 0 && blank(t->val[t->vlen - 1], strict))
		t->vlen--;
}

/* next_strict - RFC 6376 3.2 to the letter (taglist.h TAGLIST_STRICT) */
static int
next_strict(struct taglist_lexer *lx, struct taglist_tag *t, char *why,
    size_t whylen)
{
	const char *s = lx->s, *semi;
	size_t pos = lx->pos, len = lx->len;
	unsigned char c;

	while (pos < len && rfc5322_is_fws(s[pos]))
		pos++;
	lx->pos = pos;
	if (pos == len)
		return 0;
	t->name = s + pos;
	c = (unsigned char)s[pos];
	if (!IS_ALPHA(c)) {
		snprintf(why, whylen, "malformed tag list");
		return -1;
	}
	for (pos++; pos < len && IS_ALNUMPUNC((unsigned char)s[pos]); pos++)
		;
	t->nlen = (size_t)(s + pos - t->name);
	while (pos < len && rfc5322_is_fws(s[pos]))
		pos++;
	if (pos == len || s[pos] != '=') {
		snprintf(why, whylen, "malformed tag list");
		return -1;
	}
	t->voff = ++pos;
	semi = memchr(s + pos, ';', len - pos);
	t->vend = semi != NULL ? (size_t)(semi - s) : len;
	/* VALCHAR = %x21-3A / %x3C-7E: before the first ';', %x21-7E */
	for (; pos < t->vend; pos++) {
		c = (unsigned char)s[pos];
		if ((c < 0x21 || c > 0x7e) && !rfc5322_is_fws(c)) {
			snprintf(why, whylen, "illegal character in "
			    "%.*s= value", (int)t->nlen, t->name);
			return -1;
		}
	}
	value(s, t, 1);
	lx->pos = pos < len ? pos + 1 : pos;	/* past the ';' */
	return 1;
}

/* next_lenient - one ';'-separated piece (taglist.h TAGLIST_LENIENT) */
static int
next_lenient(struct taglist_lexer *lx, struct taglist_tag *t)
{
	const char *s = lx->s, *p = s + lx->pos, *end, *semi, *eq, *n1;

	semi = memchr(p, ';', lx->len - lx->pos);
	end = semi != NULL ? semi : s + lx->len;
	if (semi == NULL) {
		while (p < end && rfc5322_is_wsp(*p))
			p++;
		if (p == end)
			return 0;	/* the end, or white space after ';' */
	}
	eq = memchr(p, '=', (size_t)(end - p));
	for (n1 = eq != NULL ? eq : end; n1 > p && rfc5322_is_wsp(n1[-1]); n1--)
		;
	while (p < n1 && rfc5322_is_wsp(*p))
		p++;
	t->name = p;
	t->nlen = (size_t)(n1 - p);
	t->vend = (size_t)(end - s);
	if (eq != NULL) {
		t->voff = (size_t)(eq + 1 - s);
		value(s, t, 0);
	} else {
		t->voff = t->vend;
		t->val = NULL;
		t->vlen = 0;
	}
	lx->pos = semi != NULL ? t->vend + 1 : lx->len;
	return 1;
}

/* taglist_next - the next tag, 0 at the end, -1 (strict) for bad syntax */
int
taglist_next(struct taglist_lexer *lx, struct taglist_tag *t, char *why,
    size_t whylen)
{
	if (lx->mode == TAGLIST_STRICT)
		return next_strict(lx, t, why, whylen);
	return next_lenient(lx, t);
}

/* taglist_split - a strict list into TAGS, each name once (RFC 6376 3.2) */
int
taglist_split(const char *s, size_t len, struct taglist *tags, char *why,
    size_t whylen)
{
	struct taglist_lexer lx;
	struct taglist_tag t;
	size_t k;
	int rc;

	tags->n = 0;
	taglist_start(&lx, s, len, TAGLIST_STRICT);
	while ((rc = taglist_next(&lx, &t, why, whylen)) != 0) {
		if (tags->n == TAGLIST_MAX) {
			/* whatever the next tag is, there is one too many */
			snprintf(why, whylen, "more than %d tags", TAGLIST_MAX);
			return -1;
		}
		if (rc < 0)
			return -1;
		for (k = 0; k < tags->n; k++)
			if (tags->tag[k].nlen == t.nlen &&
			    memcmp(tags->tag[k].name, t.name, t.nlen) == 0) {
				snprintf(why, whylen, "duplicate %.*s= tag",
				    (int)t.nlen, t.name);
				return -1;
			}
		tags->tag[tags->n++] = t;
	}
	return 0;
}

/* taglist_get - the tag named NAME (tag names are case-sensitive) */
const struct taglist_tag *
taglist_get(const struct taglist *tags, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < tags->n; i++)
		if (tags->tag[i].nlen == n &&
		    memcmp(tags->tag[i].name, name, n) == 0)
			return &tags->tag[i];
	return NULL;
}

/* taglist_has - whether T's colon-separated list holds ITEM, no allocation */
int
taglist_has(const struct taglist_tag *t, const char *item)
{
	const char *p = t->val, *end, *q;
	size_t n = strlen(item);

	if (p == NULL)
		return 0;		/* a lenient piece without '=' */
	for (end = p + t->vlen; p < end; ) {
		while (p < end && rfc5322_is_fws(*p))
			p++;
		for (q = p; q < end && *q != ':' && !rfc5322_is_fws(*q); q++)
			;
		if ((size_t)(q - p) == n && strncasecmp(p, item, n) == 0)
			return 1;
		while (q < end && *q != ':')
			q++;
		p = q + 1;
	}
	return 0;
}

/* taglist_copy_nows - T's value without FWS; caller frees with x_free */
char *
taglist_copy_nows(const struct taglist_tag *t)
{
	char *s = xmalloc(t->vlen + 1);
	size_t i, n = 0;

	for (i = 0; i < t->vlen; i++)
		if (!rfc5322_is_fws(t->val[i]))
			s[n++] = t->val[i];
	s[n] = '\0';
	return s;
}
