/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_record - SPF record syntax, one function per grammar rule of
 * RFC 7208 section 12.
 *
 * The parser is strict where the RFC is: an unknown mechanism, a bad
 * domain-spec (including a numeric or missing top label), CIDR lengths
 * out of range or with leading zeros, a duplicate redirect= or exp=, a
 * bad macro (unknown letter, zero DIGIT transformer, bad delimiter, c/r/t
 * outside exp), or any byte outside printable ASCII makes the whole
 * record a permerror, with a reason for the log.  Unknown modifiers with
 * valid syntax are ignored (RFC 7208 6).
 *
 * Pure and thread-safe.  The record owns what a parse allocates;
 * spf_record_clear() frees it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "spf_record.h"
#include "xmalloc.h"

/* spf_record_is_spf1 - "v=spf1" then a space or the end (RFC 7208 4.5) */
int
spf_record_is_spf1(const char *t)
{
	return strncasecmp(t, "v=spf1", 6) == 0 && (t[6] == ' ' || t[6] == '\0');
}

/*
 * macro_expand_ok - one macro-expand after its '%' at *PP (RFC 7208 7.1):
 *   ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
 *   transformers = *DIGIT [ "r" ]; a DIGIT transformer must be nonzero.
 * Advances *PP past it; 0 when it is malformed.
 */
static int
macro_expand_ok(const char **pp, const char *end, const char *letters)
{
	const char *p = *pp;
	unsigned long n = 0;
	int digits = 0;

	if (p >= end)
		return 0;
	if (*p == '%' || *p == '_' || *p == '-') {
		*pp = p + 1;
		return 1;
	}
	if (*p++ != '{' || p >= end || *p == '\0' ||
	    strchr(letters, tolower((unsigned char)*p)) == NULL)
		return 0;
	for (p++; p < end && isdigit((unsigned char)*p); p++, digits = 1)
		if (n <= 1000)			/* big is "all parts" anyway */
			n = n * 10 + (unsigned long)(*p - '0');
	if (digits && n == 0)
		return 0;
	if (p < end && (*p == 'r' || *p == 'R'))
		p++;
	while (p < end && *p != '\0' && strchr(".-+,/_=", *p) != NULL)
		p++;
	if (p >= end || *p != '}')
		return 0;
	*pp = p + 1;
	return 1;
}

/*
 * macro_scan - macro-string (RFC 7208 7.1); with EXP an explain-string
 * (6.2: spaces allowed, and the letters c, r, t).  *ENDS_MACRO tells
 * whether the string ends with a macro-expand (domain-end, 12).
 */
static int
macro_scan(const char *s, size_t len, int exp, int *ends_macro)
{
	const char *p = s, *end = s + len;
	const char *letters = exp ? "slodiphcrtv" : "slodiphv";
	unsigned char c;

	*ends_macro = 0;
	while (p < end) {
		c = (unsigned char)*p;
		if (c == '%') {
			p++;
			if (!macro_expand_ok(&p, end, letters))
				return 0;
			*ends_macro = 1;
			continue;
		}
		/* macro-literal = %x21-24 / %x26-7E */
		if ((c < 0x21 && !(exp && c == ' ')) || c > 0x7e)
			return 0;
		*ends_macro = 0;
		p++;
	}
	return 1;
}

/* spf_record_macro_ok - macro-string or, with EXP, explain-string */
int
spf_record_macro_ok(const char *s, size_t len, int exp)
{
	int ends_macro;

	return macro_scan(s, len, exp, &ends_macro);
}

/*
 * is_toplabel - RFC 7208 12: toplabel = ( *alphanum ALPHA *alphanum ) /
 * ( 1*alphanum "-" *( alphanum / "-" ) alphanum ): never all digits.
 */
static int
is_toplabel(const char *s, size_t len)
{
	size_t i;
	int alpha = 0;

	if (len == 0 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[len - 1]))
		return 0;
	for (i = 0; i < len; i++) {
		if (isalpha((unsigned char)s[i]))
			alpha = 1;
		else if (!isdigit((unsigned char)s[i]) && s[i] != '-')
			return 0;
	}
	return alpha || memchr(s, '-', len) != NULL;
}

/*
 * domain_spec_ok - domain-spec = macro-string domain-end;
 * domain-end = ( "." toplabel [ "." ] ) / macro-expand
 */
static int
domain_spec_ok(const char *s, size_t len)
{
	const char *dot;
	size_t n = len;
	int ends_macro;

	if (len == 0 || !macro_scan(s, len, 0, &ends_macro))
		return 0;
	if (ends_macro)
		return 1;
	if (n >= 2 && s[n - 1] == '.')
		n--;			/* optional trailing dot */
	for (dot = s + n; dot > s && dot[-1] != '.'; dot--)
		;
	if (dot == s)
		return 0;		/* no "." toplabel */
	return is_toplabel(dot, (size_t)(s + n - dot));
}

/* cidr_len - ( "0" / %x31-39 0*nDIGIT ) up to MAX; -1 if bad */
static int
cidr_len(const char *s, size_t len, int max)
{
	int v = 0;
	size_t i;

	if (len == 0 || len > 3 || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* trailing_digits - start of a "/DIGITS" suffix of S[0..LEN), or NULL */
static const char *
trailing_digits(const char *s, size_t len)
{
	const char *p = s + len;

	while (p > s && isdigit((unsigned char)p[-1]))
		p--;
	return p < s + len && p > s && p[-1] == '/' ? p - 1 : NULL;
}

/*
 * dual_cidr - dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
 * at the end of ARG, i.e. "/N", "//M" or "/N//M"; *LEN becomes the length
 * of what precedes it.  Digits that are out of range are a permerror,
 * not part of a domain.
 */
static int
dual_cidr(const char *arg, size_t *len, struct spf_term *t)
{
	const char *sl;

	if ((sl = trailing_digits(arg, *len)) != NULL && sl > arg &&
	    sl[-1] == '/') {
		if ((t->cidr6 = cidr_len(sl + 1, (size_t)(arg + *len - sl - 1),
		    128)) < 0)
			return -1;
		*len = (size_t)(sl - 1 - arg);
	}
	if ((sl = trailing_digits(arg, *len)) != NULL) {
		if ((t->cidr4 = cidr_len(sl + 1, (size_t)(arg + *len - sl - 1),
		    32)) < 0)
			return -1;
		*len = (size_t)(sl - arg);
	}
	return 0;
}

/*
 * ip_network - ip4-network [ ip4-cidr-length ] / ip6-network
 * [ ip6-cidr-length ]; inet_pton() is as strict as RFC 7208 12 (dotted
 * quad, no leading zeros; RFC 4291 2.2 text forms).
 */
static const char *
ip_network(const char *arg, size_t len, struct spf_term *t)
{
	char buf[64];
	const char *slash;
	int max = t->mech == SPF_MECH_IP4 ? 32 : 128;
	int *cidr = t->mech == SPF_MECH_IP4 ? &t->cidr4 : &t->cidr6;

	slash = memchr(arg, '/', len);
	if (slash != NULL) {
		if ((*cidr = cidr_len(slash + 1, (size_t)(arg + len - slash - 1),
		    max)) < 0)
			return "bad CIDR length";
		len = (size_t)(slash - arg);
	}
	if (len == 0 || len >= sizeof(buf))
		return "bad IP address";
	memcpy(buf, arg, len);
	buf[len] = '\0';
	if (inet_pton(t->mech == SPF_MECH_IP4 ? AF_INET : AF_INET6, buf,
	    t->addr) != 1)
		return "bad IP address";
	return NULL;
}

static const struct {
	const char	*name;
	enum spf_mech	 mech;
	int		 arg;		/* 0 none, 1 optional, 2 required */
} mechs[] = {
	{ "all", SPF_MECH_ALL, 0 },
	{ "include", SPF_MECH_INCLUDE, 2 },
	{ "a", SPF_MECH_A, 1 },
	{ "mx", SPF_MECH_MX, 1 },
	{ "ptr", SPF_MECH_PTR, 1 },
	{ "ip4", SPF_MECH_IP4, 2 },
	{ "ip6", SPF_MECH_IP6, 2 },
	{ "exists", SPF_MECH_EXISTS, 2 },
};

/* directive - [ qualifier ] mechanism (RFC 7208 4.6.1, 5); NULL or why */
static const char *
directive(const char *s, size_t len, struct spf_term *t)
{
	const char *arg;
	size_t i, nlen, alen;

	memset(t, 0, sizeof(*t));
	t->qualifier = '+';
	t->cidr4 = t->cidr6 = -1;
	if (len > 0 && strchr("+-~?", s[0]) != NULL) {
		t->qualifier = s[0];
		s++;
		len--;
	}
	for (nlen = 0; nlen < len && s[nlen] != ':' && s[nlen] != '/'; nlen++)
		;
	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (strlen(mechs[i].name) == nlen &&
		    strncasecmp(s, mechs[i].name, nlen) == 0)
			break;
	if (i == sizeof(mechs) / sizeof(mechs[0]))
		return "unknown mechanism";
	t->mech = mechs[i].mech;
	arg = s + nlen;
	alen = len - nlen;
	if (mechs[i].arg == 0)
		return alen == 0 ? NULL : "mechanism takes no argument";
	if (t->mech == SPF_MECH_IP4 || t->mech == SPF_MECH_IP6)
		return alen > 1 && arg[0] == ':' ?
		    ip_network(arg + 1, alen - 1, t) : "missing IP address";
	if (t->mech == SPF_MECH_A || t->mech == SPF_MECH_MX) {
		if (dual_cidr(arg, &alen, t) != 0)
			return "bad CIDR length";
	}
	if (alen == 0)
		return mechs[i].arg == 2 ? "missing domain-spec" : NULL;
	if (arg[0] != ':')
		return t->mech == SPF_MECH_PTR ? "ptr takes no CIDR length" :
		    "bad mechanism argument";
	if (!domain_spec_ok(arg + 1, alen - 1))
		return "bad domain-spec";
	t->domain_spec = xstrndup(arg + 1, alen - 1);
	return NULL;
}

/*
 * modifier - name "=" macro-string (RFC 7208 6, 12); returns 1 when the
 * term is not a modifier (does not start with name "="), 0 when it is a
 * good one, -1 with *WHY when it is a bad one.
 */
static int
modifier(const char *s, size_t len, struct spf_record *r, const char **why)
{
	const char *eq;
	size_t n, i;
	char **slot = NULL;

	/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	if ((eq = memchr(s, '=', len)) == NULL || eq == s ||
	    !isalpha((unsigned char)s[0]))
		return 1;
	n = (size_t)(eq - s);
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("-_.", s[i]) == NULL)
			return 1;	/* e.g. "-exists:a.example=b.example" */
	if (n == 8 && strncasecmp(s, "redirect", 8) == 0)
		slot = &r->redirect;
	else if (n == 3 && strncasecmp(s, "exp", 3) == 0)
		slot = &r->exp;
	if (slot == NULL) {
		/* RFC 7208 6: unknown modifiers are ignored if well-formed. */
		*why = "bad macro-string in modifier";
		return spf_record_macro_ok(eq + 1, len - n - 1, 0) ? 0 : -1;
	}
	/* RFC 7208 6: redirect and exp may each appear at most once. */
	if (*slot != NULL) {
		*why = n == 3 ? "duplicate exp=" : "duplicate redirect=";
		return -1;
	}
	if (!domain_spec_ok(eq + 1, len - n - 1)) {
		*why = "bad domain-spec";
		return -1;
	}
	*slot = xstrndup(eq + 1, len - n - 1);
	return 0;
}

/* add_term - a fresh slot at the end of R's terms */
static struct spf_term *
add_term(struct spf_record *r)
{
	if (r->nterms == r->cap) {
		r->cap = r->cap == 0 ? 16 : r->cap * 2;
		r->terms = xrealloc(r->terms, r->cap * sizeof(*r->terms));
	}
	return &r->terms[r->nterms];
}

/* term - one term at S[0..LEN) into R; NULL or why it is bad */
static const char *
term(const char *s, size_t len, struct spf_record *r)
{
	const char *why = NULL;
	size_t i;
	int rc;

	/* RFC 7208 4.6.1, 12: terms are printable ASCII split by spaces. */
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return "control or non-ASCII byte";
	if ((rc = modifier(s, len, r, &why)) != 1)
		return rc == 0 ? NULL : why;
	if ((why = directive(s, len, add_term(r))) != NULL) {
		x_free(r->terms[r->nterms].domain_spec);
		return why;
	}
	r->nterms++;
	return NULL;
}

/*
 * reason - "WHY in "TERM"" into ERR; the term is cut at 60 bytes and its
 * unprintable bytes shown as '?' so a hostile record cannot forge log
 * lines.
 */
static void
reason(char *err, size_t errlen, const char *why, const char *p, size_t len)
{
	char shown[64];
	size_t i;

	for (i = 0; i < len && i < 60; i++)
		shown[i] = (unsigned char)p[i] < 0x20 ||
		    (unsigned char)p[i] > 0x7e ? '?' : p[i];
	shown[i] = '\0';
	snprintf(err, errlen, "%s in \"%s\"", why, shown);
}

/* spf_record_parse - the whole record, or a permerror reason */
int
spf_record_parse(const char *text, struct spf_record *r, char *err,
    size_t errlen)
{
	const char *p, *end, *why;

	memset(r, 0, sizeof(*r));
	if (!spf_record_is_spf1(text)) {
		snprintf(err, errlen, "not an SPF record");
		return -1;
	}
	/* terms = *( 1*SP ( directive / modifier ) ); bounded by the text */
	for (p = text + 6; *p != '\0'; p = end) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (end = p; *end != '\0' && *end != ' '; end++)
			;
		if ((why = term(p, (size_t)(end - p), r)) != NULL) {
			reason(err, errlen, why, p, (size_t)(end - p));
			spf_record_clear(r);
			return -1;
		}
	}
	return 0;
}

/* spf_record_clear - free what a parse allocated */
void
spf_record_clear(struct spf_record *r)
{
	size_t i;

	for (i = 0; i < r->nterms; i++)
		x_free(r->terms[i].domain_spec);
	x_free(r->terms);
	x_free(r->redirect);
	x_free(r->exp);
	memset(r, 0, sizeof(*r));
}
