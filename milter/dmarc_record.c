/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_record - the DMARC record's tags (RFC 9989 4.7).
 *
 * dmarc-record = dmarc-version *(*WSP ";" *WSP dmarc-tag) [*WSP ";"]:
 * taglist's lenient reading splits the tags at ';', names and values
 * trimmed of white space; names and keyword values compare
 * case-insensitively, except v=DMARC1, which RFC 9989 makes
 * case-sensitive.  A tag with a value this module does
 * not understand is treated as absent (its default applies), as RFC
 * 9989 4.8 asks; p=, sp= and np= are the exception: 4.10.1 decides
 * from them whether there is a policy at all.  Everything here is pure
 * (no DNS, no logging); strings a record holds are freed with
 * dmarc_record_clear.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc_record.h"
#include "rfc5322.h"
#include "taglist.h"
#include "xmalloc.h"

/* is_word - value V (N bytes) equals W, ignoring case */
static bool
is_word(const char *v, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp(v, w, n) == 0;
}

/*
 * dmarc_record_is - v=DMARC1 as the first tag (RFC 9989 4.7 v=): the
 * tag name is case-insensitive like every ABNF literal, the value
 * "DMARC1" is case-sensitive
 */
bool
dmarc_record_is(const char *txt, size_t len)
{
	struct taglist_lexer lx;
	struct taglist_tag t;

	taglist_start(&lx, txt, len, TAGLIST_LENIENT);
	return taglist_next(&lx, &t, NULL, 0) == 1 && t.val != NULL &&
	    is_word(t.name, t.nlen, "v") && t.vlen == 6 &&
	    memcmp(t.val, "DMARC1", 6) == 0;
}

/* policy_of - none/quarantine/reject, or UNSET */
static enum dmarc_policy
policy_of(const char *v, size_t n)
{
	if (n == 4 && strncasecmp(v, "none", 4) == 0)
		return DMARC_POLICY_NONE;
	if (n == 10 && strncasecmp(v, "quarantine", 10) == 0)
		return DMARC_POLICY_QUARANTINE;
	if (n == 6 && strncasecmp(v, "reject", 6) == 0)
		return DMARC_POLICY_REJECT;
	return DMARC_POLICY_UNSET;
}

/* pct_of - 0..100, or -1 */
static int
pct_of(const char *v, size_t n)
{
	int x = 0;
	size_t i;

	if (n == 0 || n > 3)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x <= 100 ? x : -1;
}

/* uri_ok - one URI with a scheme (RFC 3986 3.1), e.g. "mailto:x@y" */
static bool
uri_ok(const char *v, size_t n)
{
	size_t i;

	if (n < 2 || !isalpha((unsigned char)v[0]))
		return false;
	for (i = 1; i < n && v[i] != ':'; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '+' &&
		    v[i] != '-' && v[i] != '.')
			return false;
	return i < n - 1;
}

/*
 * rua_ok - RFC 9989 4.10.1: "at least one syntactically valid reporting
 * URI" in the comma-separated list (dmarc-urilist, 4.8)
 */
static bool
rua_ok(const char *v, size_t n)
{
	const char *end = v + n, *comma, *a, *b;

	while (v < end) {
		comma = memchr(v, ',', (size_t)(end - v));
		b = comma != NULL ? comma : end;
		for (a = v; a < b && rfc5322_is_wsp(*a); a++)
			;
		while (b > a && rfc5322_is_wsp(b[-1]))
			b--;
		if (uri_ok(a, (size_t)(b - a)))
			return true;
		v = comma != NULL ? comma + 1 : end;
	}
	return false;
}

/* What parsing has seen; duplicate tags after the first are ignored. */
struct seen {
	unsigned	 tags;		/* bit per known tag */
	bool		 p_bad;		/* p= present, value invalid */
	bool		 sub_bad;	/* sp= or np= present, value invalid */
};

enum { T_P, T_SP, T_NP, T_PSD, T_T, T_ADKIM, T_ASPF, T_PCT, T_RUA, T_RUF,
	T_FO, T_RF, T_RI, T_NTAGS };

static const char *const tag_names[T_NTAGS] = {
	"p", "sp", "np", "psd", "t", "adkim", "aspf", "pct", "rua", "ruf",
	"fo", "rf", "ri"
};

/*
 * tag - one "name=value" onto REC.  A known tag with a value outside
 * its ABNF (RFC 9989 4.8) keeps its default, as 4.8 asks ("syntax
 * errors ... discarded in favor of default values"), except p, sp and
 * np, for which 4.10.1 has its own rule (noted in S, applied by the
 * caller).  RFC 6376 3.2, whose tag-value syntax DMARC borrows, forbids
 * duplicate tags; by the same 4.8 rule a repeat is an error to discard,
 * so the first occurrence counts.  fo, rf, ri: accepted, not used.
 */
static void
tag(struct dmarc_record *rec, const char *name, size_t nl, const char *v,
    size_t vl, struct seen *s)
{
	enum dmarc_policy pol;
	int t, x;

	for (t = 0; t < T_NTAGS; t++)
		if (is_word(name, nl, tag_names[t]))
			break;
	/* unknown (4.7: ignored), or a repeat */
	if (t == T_NTAGS || (s->tags & (1u << t)) != 0)
		return;
	s->tags |= 1u << t;
	switch (t) {
	case T_P:
		rec->p = policy_of(v, vl);
		rec->p_given = rec->p != DMARC_POLICY_UNSET;
		s->p_bad = !rec->p_given;
		break;
	case T_SP:
	case T_NP:
		pol = policy_of(v, vl);
		if (pol == DMARC_POLICY_UNSET)
			s->sub_bad = true;
		else if (t == T_SP)
			rec->sp = pol;
		else
			rec->np = pol;
		break;
	case T_PSD:
		rec->psd = is_word(v, vl, "y") ? DMARC_PSD_Y :
		    is_word(v, vl, "n") ? DMARC_PSD_N : DMARC_PSD_U;
		break;
	case T_T:
		rec->testing = is_word(v, vl, "y");
		break;
	case T_ADKIM:
		rec->adkim_strict = is_word(v, vl, "s");
		break;
	case T_ASPF:
		rec->aspf_strict = is_word(v, vl, "s");
		break;
	case T_PCT:
		rec->pct = (x = pct_of(v, vl)) >= 0 ? x : 100;
		break;
	case T_RUA:
		if (rua_ok(v, vl))
			rec->rua = xstrndup(v, vl);
		break;
	case T_RUF:
		if (rua_ok(v, vl))
			rec->ruf = xstrndup(v, vl);
		break;
	default:
		break;
	}
}

/*
 * no_policy - RFC 9989 4.10.1: without a valid p=, or with an invalid
 * sp= or np=, a record with a valid rua= is read "as if a record
 * containing p=none was retrieved" (so sp and np go too); without a
 * rua= the message gets no DMARC processing.  RFC 9989 4.7 p= says a
 * record without p is "treated as if it included p=none (see Section
 * 4.10.1)"; we read that cross-reference as 4.10.1's rua= condition,
 * the stricter of the two readings (and RFC 7489 6.6.3 step 6's rule).
 */
static enum dmarc_rec_status
no_policy(struct dmarc_record *rec, const struct seen *s, char *why,
    size_t whylen)
{
	if (rec->p_given && !s->sub_bad)
		return DMARC_REC_OK;
	if (rec->rua == NULL) {
		if (!rec->p_given)
			snprintf(why, whylen, "record has %s p= and no rua=",
			    s->p_bad ? "an invalid" : "no");
		else
			snprintf(why, whylen, "record has an invalid sp= or "
			    "np= and no rua=");
		return DMARC_REC_NO_POLICY;
	}
	rec->p = DMARC_POLICY_NONE;
	rec->sp = rec->np = DMARC_POLICY_UNSET;
	return DMARC_REC_OK;
}

/* dmarc_record_parse - the tags of a record dmarc_record_is accepted */
enum dmarc_rec_status
dmarc_record_parse(const char *txt, size_t len, struct dmarc_record *rec,
    char *why, size_t whylen)
{
	struct taglist_lexer lx;
	struct taglist_tag t;
	struct seen s;
	enum dmarc_rec_status rc;

	memset(rec, 0, sizeof(*rec));
	memset(&s, 0, sizeof(s));
	rec->pct = 100;
	if (!dmarc_record_is(txt, len)) {
		snprintf(why, whylen, "not a DMARC record (no v=DMARC1)");
		return DMARC_REC_NOT_DMARC;
	}
	/*
	 * dmarc-record = dmarc-version *(dmarc-sep dmarc-tag) [dmarc-sep];
	 * equals = *WSP "=" *WSP; dmarc-sep = *WSP ";" *WSP: the lenient
	 * reading, past the v=DMARC1 checked above; a piece without '='
	 * is no tag
	 */
	taglist_start(&lx, txt, len, TAGLIST_LENIENT);
	(void)taglist_next(&lx, &t, NULL, 0);
	while (taglist_next(&lx, &t, NULL, 0) == 1)
		if (t.val != NULL)
			tag(rec, t.name, t.nlen, t.val, t.vlen, &s);
	if ((rc = no_policy(rec, &s, why, whylen)) != DMARC_REC_OK) {
		x_free(rec->rua);
		x_free(rec->ruf);
		rec->rua = rec->ruf = NULL;
	}
	return rc;
}

/* dmarc_record_policy - p, sp or np for an author domain (4.10.1) */
enum dmarc_policy
dmarc_record_policy(const struct dmarc_record *rec, bool own, bool exists)
{
	enum dmarc_policy sp;

	if (own)
		return rec->p;
	sp = rec->sp != DMARC_POLICY_UNSET ? rec->sp : rec->p;
	if (!exists && rec->np != DMARC_POLICY_UNSET)
		return rec->np;
	return sp;
}

/* dmarc_record_clear - release what a parsed record holds */
void
dmarc_record_clear(struct dmarc_record *rec)
{
	x_free(rec->rua);
	x_free(rec->ruf);
	rec->rua = rec->ruf = NULL;
}
