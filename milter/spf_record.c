/*
 * spf_record - SPF record syntax, one function per grammar rule of
 * RFC 7208 section 12.
 *
 * The parser is strict where the RFC is: unknown mechanisms, a bad
 * domain-spec (including a numeric top label), CIDR lengths out of range
 * or with leading zeros, a duplicate redirect= or exp=, a bad macro, or
 * any byte outside printable ASCII make the whole record a permerror.
 * Unknown modifiers with valid syntax are ignored (RFC 7208 6).
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
 * spf_record_macro_ok - macro-string (RFC 7208 7.1)
 *
 * macro-expand = ( "%{" macro-letter transformers *delimiter "}" )
 *                / "%%" / "%_" / "%-"; macro-literal = %x21-24 / %x26-7E.
 * The letters c, r and t are allowed only in explanation strings.
 */
int
spf_record_macro_ok(const char *s, size_t len, int exp)
{
	const char *p = s, *end = s + len;
	const char *letters = exp ? "slodiphcrtv" : "slodiphv";

	while (p < end) {
		if (*p != '%') {
			/* RFC 7208 6.2: explain-string = *( macro-string / SP ) */
			if (((unsigned char)*p < 0x21 && !(exp && *p == ' ')) ||
			    (unsigned char)*p > 0x7e)
				return 0;
			p++;
			continue;
		}
		if (++p >= end)
			return 0;
		if (*p == '%' || *p == '_' || *p == '-') {
			p++;
			continue;
		}
		if (*p++ != '{' || p >= end ||
		    strchr(letters, tolower((unsigned char)*p)) == NULL)
			return 0;
		for (p++; p < end && isdigit((unsigned char)*p); p++)
			;
		if (p < end && (*p == 'r' || *p == 'R'))
			p++;
		while (p < end && strchr(".-+,/_=", *p) != NULL)
			p++;
		if (p >= end || *p++ != '}')
			return 0;
	}
	return 1;
}

/* is_toplabel - RFC 7208 12 toplabel: alphanumerics, not all digits */
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

	if (len == 0 || !spf_record_macro_ok(s, len, 0))
		return 0;
	if (s[len - 1] == '}')
		return 1;		/* ends with a macro-expand */
	if (n >= 2 && s[n - 1] == '.')
		n--;			/* optional trailing dot */
	for (dot = s + n; dot > s && dot[-1] != '.'; dot--)
		;
	if (dot == s)
		return 0;		/* no "." toplabel */
	return is_toplabel(dot, (size_t)(s + n - dot));
}

/* cidr_len - "/" ( "0" / %x31-39 0*nDIGIT ) up to MAX; -1 if bad */
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

/* ip_network - ip4/ip6 argument with its optional CIDR length */
static int
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
			return -1;
		len = (size_t)(slash - arg);
	}
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, arg, len);
	buf[len] = '\0';
	return inet_pton(t->mech == SPF_MECH_IP4 ? AF_INET : AF_INET6, buf,
	    t->addr) == 1 ? 0 : -1;
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

/* directive - [ qualifier ] mechanism (RFC 7208 4.6.1, 5) */
static int
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
		return -1;
	t->mech = mechs[i].mech;
	arg = s + nlen;
	alen = len - nlen;
	if (mechs[i].arg == 0)
		return alen == 0 ? 0 : -1;
	if (t->mech == SPF_MECH_IP4 || t->mech == SPF_MECH_IP6)
		return alen > 1 && arg[0] == ':' ?
		    ip_network(arg + 1, alen - 1, t) : -1;
	if (t->mech == SPF_MECH_A || t->mech == SPF_MECH_MX) {
		if (dual_cidr(arg, &alen, t) != 0)
			return -1;
	}
	if (alen == 0)
		return mechs[i].arg == 2 ? -1 : 0;
	if (arg[0] != ':' || !domain_spec_ok(arg + 1, alen - 1))
		return -1;
	t->domain_spec = xstrndup(arg + 1, alen - 1);
	return 0;
}

/* modifier - name "=" macro-string (RFC 7208 6); 1 = not a modifier */
static int
modifier(const char *s, size_t len, struct spf_record *r)
{
	const char *eq;
	size_t n, i;
	char **slot = NULL;

	if ((eq = memchr(s, '=', len)) == NULL)
		return 1;
	n = (size_t)(eq - s);
	/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	if (n == 0 || !isalpha((unsigned char)s[0]))
		return -1;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("-_.", s[i]) == NULL)
			return 1;	/* e.g. "a:x=y": a directive */
	if (n == 8 && strncasecmp(s, "redirect", 8) == 0)
		slot = &r->redirect;
	else if (n == 3 && strncasecmp(s, "exp", 3) == 0)
		slot = &r->exp;
	if (slot == NULL)
		return spf_record_macro_ok(eq + 1, len - n - 1, 0) ? 0 : -1;
	/* RFC 7208 6: redirect and exp may each appear at most once. */
	if (*slot != NULL || !domain_spec_ok(eq + 1, len - n - 1))
		return -1;
	*slot = xstrndup(eq + 1, len - n - 1);
	return 0;
}

/* spf_record_parse - the whole record, or a permerror reason */
int
spf_record_parse(const char *text, struct spf_record *r, char *err,
    size_t errlen)
{
	const char *p, *end;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!spf_record_is_spf1(text)) {
		snprintf(err, errlen, "not an SPF record");
		return -1;
	}
	for (p = text + 6; *p != '\0'; p = end) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (end = p; *end != '\0' && *end != ' '; end++)
			if ((unsigned char)*end < 0x21 || (unsigned char)*end > 0x7e)
				goto bad;
		rc = modifier(p, (size_t)(end - p), r);
		if (rc == 1) {
			if (r->nterms >= SPF_MAX_TERMS) {
				snprintf(err, errlen, "too many terms");
				spf_record_clear(r);
				return -1;
			}
			rc = directive(p, (size_t)(end - p),
			    &r->terms[r->nterms]);
			if (rc == 0)
				r->nterms++;
		}
		if (rc != 0)
			goto bad;
	}
	return 0;
bad:
	for (end = p; *end != '\0' && *end != ' '; end++)
		;
	snprintf(err, errlen, "bad term \"%.*s\"", (int)(end - p > 60 ? 60 :
	    end - p), p);
	spf_record_clear(r);
	return -1;
}

/* spf_record_clear - free what a parse allocated */
void
spf_record_clear(struct spf_record *r)
{
	size_t i;

	for (i = 0; i < r->nterms; i++)
		x_free(r->terms[i].domain_spec);
	x_free(r->redirect);
	x_free(r->exp);
	memset(r, 0, sizeof(*r));
}
