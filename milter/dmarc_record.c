/*
 * dmarc_record - the DMARC record's tags (RFC 9989 4.7).
 *
 * dmarc-record = dmarc-version *(*WSP ";" *WSP dmarc-tag) [*WSP ";"]:
 * tags are split at ';', names and values trimmed of white space; names
 * and keyword values compare case-insensitively, except v=DMARC1, which
 * RFC 9989 makes case-sensitive.  A tag with a value this module does
 * not understand is treated as absent (its default applies), as RFC
 * 9989 4.7 asks; p= is the exception that decides whether there is a
 * policy at all.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc_record.h"
#include "xmalloc.h"

#define IS_WSP(c)	((c) == ' ' || (c) == '\t')

/*
 * dmarc_record_is - v=DMARC1 as the first tag (RFC 9989 4.7 v=): the
 * tag name is case-insensitive like every ABNF literal, the value
 * "DMARC1" is case-sensitive
 */
bool
dmarc_record_is(const char *txt, size_t len)
{
	size_t i = 0;

	while (i < len && IS_WSP(txt[i]))
		i++;
	if (len - i < 1 || (txt[i] != 'v' && txt[i] != 'V'))
		return false;
	for (i++; i < len && IS_WSP(txt[i]); i++)
		;
	if (i == len || txt[i] != '=')
		return false;
	for (i++; i < len && IS_WSP(txt[i]); i++)
		;
	if (len - i < 6 || memcmp(txt + i, "DMARC1", 6) != 0)
		return false;
	for (i += 6; i < len && IS_WSP(txt[i]); i++)
		;
	return i == len || txt[i] == ';';
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

/* is_word - value V (N bytes) equals W, ignoring case */
static bool
is_word(const char *v, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp(v, w, n) == 0;
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

/* rua_ok - a list of URIs, each with a scheme (RFC 9989 4.7 rua=) */
static bool
rua_ok(const char *v, size_t n)
{
	const char *colon = memchr(v, ':', n);

	return n > 0 && colon != NULL && colon > v &&
	    isalpha((unsigned char)v[0]);
}

/* tag - one "name=value" onto REC; P_SEEN notes a valid p= */
static void
tag(struct dmarc_record *rec, const char *name, size_t nl, const char *v,
    size_t vl, bool *p_seen, bool *p_bad)
{
	int x;

	if (nl == 1 && (*name == 'p' || *name == 'P')) {
		rec->p = policy_of(v, vl);
		*p_seen = rec->p != DMARC_POLICY_UNSET;
		*p_bad = !*p_seen;
	} else if (nl == 2 && strncasecmp(name, "sp", 2) == 0)
		rec->sp = policy_of(v, vl);
	else if (nl == 2 && strncasecmp(name, "np", 2) == 0)
		rec->np = policy_of(v, vl);
	else if (nl == 3 && strncasecmp(name, "psd", 3) == 0)
		rec->psd = is_word(v, vl, "y") ? DMARC_PSD_Y :
		    is_word(v, vl, "n") ? DMARC_PSD_N : DMARC_PSD_U;
	else if (nl == 1 && (*name == 't' || *name == 'T'))
		rec->testing = is_word(v, vl, "y");
	else if (nl == 5 && strncasecmp(name, "adkim", 5) == 0)
		rec->adkim_strict = is_word(v, vl, "s");
	else if (nl == 4 && strncasecmp(name, "aspf", 4) == 0)
		rec->aspf_strict = is_word(v, vl, "s");
	else if (nl == 3 && strncasecmp(name, "pct", 3) == 0)
		rec->pct = (x = pct_of(v, vl)) >= 0 ? x : 100;
	else if (nl == 3 && strncasecmp(name, "rua", 3) == 0 &&
	    rua_ok(v, vl) && rec->rua == NULL)
		rec->rua = xstrndup(v, vl);
	else if (nl == 3 && strncasecmp(name, "ruf", 3) == 0 &&
	    rua_ok(v, vl) && rec->ruf == NULL)
		rec->ruf = xstrndup(v, vl);
	/* fo, rf, ri and anything unknown: ignored (RFC 9989 4.7) */
}

/* dmarc_record_parse - the tags of a record dmarc_record_is accepted */
int
dmarc_record_parse(const char *txt, size_t len, struct dmarc_record *rec,
    char *why, size_t whylen)
{
	const char *p = txt, *end = txt + len, *semi, *eq, *n0, *n1, *v0, *v1;
	bool p_seen = false, p_bad = false;

	memset(rec, 0, sizeof(*rec));
	rec->pct = 100;
	if (!dmarc_record_is(txt, len)) {
		snprintf(why, whylen, "not a DMARC record (no v=DMARC1)");
		return -1;
	}
	p = (const char *)memchr(txt, ';', len);
	while (p != NULL && p < end) {
		p++;					/* past ';' */
		semi = memchr(p, ';', (size_t)(end - p));
		v1 = semi != NULL ? semi : end;
		eq = memchr(p, '=', (size_t)(v1 - p));
		if (eq != NULL) {
			for (n0 = p; n0 < eq && IS_WSP(*n0); n0++)
				;
			for (n1 = eq; n1 > n0 && IS_WSP(n1[-1]); n1--)
				;
			for (v0 = eq + 1; v0 < v1 && IS_WSP(*v0); v0++)
				;
			while (v1 > v0 && IS_WSP(v1[-1]))
				v1--;
			tag(rec, n0, (size_t)(n1 - n0), v0, (size_t)(v1 - v0),
			    &p_seen, &p_bad);
		}
		p = semi;
	}
	if (!p_seen) {
		/* RFC 9989 4.7 p=: without a valid p, a rua makes it none */
		if (rec->rua == NULL) {
			snprintf(why, whylen, "record has %s p= and no rua=",
			    p_bad ? "an invalid" : "no");
			dmarc_record_clear(rec);
			return -1;
		}
		rec->p = DMARC_POLICY_NONE;
	}
	return 0;
}

/* dmarc_record_clear - release what a parsed record holds */
void
dmarc_record_clear(struct dmarc_record *rec)
{
	x_free(rec->rua);
	x_free(rec->ruf);
	rec->rua = rec->ruf = NULL;
}
