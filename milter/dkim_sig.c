/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_sig - the DKIM-Signature field.
 *
 * Its tag-list is read by taglist_split(): RFC 6376 3.2 strictly, each
 * tag at most once.  Anything else makes the signature (or key record) a
 * permerror: a lenient reading here is what lets two verifiers disagree
 * about what was signed.  Every rule of RFC 6376 3.5 and 6.1.1 that
 * needs neither the key nor the message is checked in dkim_sig_parse.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "dkim_sig.h"
#include "domain.h"
#include "rfc5322.h"
#include "taglist.h"
#include "xmalloc.h"

/* dkim_b64_decode - base64 with FWS allowed anywhere (RFC 6376 2.4) */
long
dkim_b64_decode(const char *in, size_t len, unsigned char *out)
{
	char *tmp = xmalloc(len + 1);
	size_t i, n = 0, pad = 0;
	int r;

	for (i = 0; i < len; i++)
		if (!rfc5322_is_fws(in[i]))
			tmp[n++] = in[i];
	while (pad < n && pad < 3 && tmp[n - 1 - pad] == '=')
		pad++;
	/* EVP_DecodeBlock accepts '=' only as padding, checks the rest. */
	if (n % 4 != 0 || pad > 2 || memchr(tmp, '=', n - pad) != NULL) {
		x_free(tmp);
		return -1;
	}
	r = n == 0 ? 0 : EVP_DecodeBlock(out, (unsigned char *)tmp, (int)n);
	x_free(tmp);
	return r < 0 ? -1 : (long)((size_t)r - pad);
}

/*
 * The names in a signature (domain.c): d= and the domain of i= are RFC
 * 6376 3.5 domain-names, that is sub-domain 1*("." sub-domain) of RFC
 * 5321 4.1.2 (two labels or more, letters, digits and inner hyphens, no
 * trailing dot) and not an address (RFC 3696 2: the last label is never
 * all digits) -- "d=com" would make a whole TLD the signer.  A selector
 * (3.1) is taken as DNS can carry it: '_' (seen in the wild) and '-'
 * anywhere, one label or more.
 */
#define SIG_DOMAIN	(DOMAIN_HOSTNAME | DOMAIN_MULTI_LABEL | \
			    DOMAIN_NOT_NUMERIC)
#define SIG_SELECTOR	DOMAIN_UNDERSCORE

/* number - a decimal tag value of at most MAXDIGITS; -1 if not one */
static int64_t
number(const struct taglist_tag *t, size_t maxdigits)
{
	int64_t v = 0;
	size_t i;

	if (t->vlen == 0 || t->vlen > maxdigits)
		return -1;
	for (i = 0; i < t->vlen; i++) {
		if (!isdigit((unsigned char)t->val[i]))
			return -1;
		/* RFC 6376 3.5 l=: up to 76 digits; past INT64_MAX is "huge" */
		if (v > (INT64_MAX - 9) / 10)
			return INT64_MAX;
		v = v * 10 + (t->val[i] - '0');
	}
	return v;
}

/* lower - S lower-cased in place */
static char *
lower(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

/* parse_h - h=, a colon list of field names; must name From (3.5) */
static int
parse_h(struct dkim_sig *sig, const struct taglist_tag *t, char *why,
    size_t whylen)
{
	char *all = taglist_copy_nows(t), *p, *next;
	int from = 0;

	sig->h = xcalloc(t->vlen / 2 + 2, sizeof(*sig->h));
	for (p = all; p != NULL; p = next) {
		if ((next = strchr(p, ':')) != NULL)
			*next++ = '\0';
		if (*p == '\0') {
			x_free(all);
			snprintf(why, whylen, "empty name in h=");
			return -1;
		}
		if (strcasecmp(p, "from") == 0)
			from = 1;
		sig->h[sig->nh++] = lower(xstrdup(p));
	}
	x_free(all);
	if (!from) {
		snprintf(why, whylen, "h= does not include From");
		return -1;
	}
	return 0;
}

/* parse_c - c=, "header[/body]", each simple or relaxed */
static int
parse_c(struct dkim_sig *sig, const struct taglist_tag *t)
{
	char *c = taglist_copy_nows(t), *body;
	int ok = 1;

	if ((body = strchr(c, '/')) != NULL)
		*body++ = '\0';
	if (strcasecmp(c, "relaxed") == 0)
		sig->hrelaxed = 1;
	else if (strcasecmp(c, "simple") != 0)
		ok = 0;
	if (body != NULL && strcasecmp(body, "relaxed") == 0)
		sig->brelaxed = 1;
	else if (body != NULL && strcasecmp(body, "simple") != 0)
		ok = 0;
	x_free(c);
	return ok ? 0 : -1;
}

/* parse_i - i=, [local-part] "@" domain, the domain d= or below it */
static int
parse_i(struct dkim_sig *sig, const struct taglist_tag *t, char *why,
    size_t whylen)
{
	const char *at;

	sig->i = taglist_copy_nows(t);
	if ((at = strrchr(sig->i, '@')) == NULL ||
	    !domain_check(at + 1, SIG_DOMAIN)) {
		snprintf(why, whylen, "i= has no domain name");
		return -1;
	}
	/* RFC 6376 3.5: the same as, or a subdomain of, d= */
	if (domain_is_under(at + 1, sig->d))
		return 0;
	snprintf(why, whylen, "i= is not in the d= domain");
	return -1;
}

/* parse_alg - a=; rsa-sha1 is parsed (to report it as policy) */
static int
parse_alg(struct dkim_sig *sig, const struct taglist_tag *t)
{
	sig->a = taglist_copy_nows(t);
	if (strcasecmp(sig->a, "rsa-sha256") == 0)
		sig->alg = DKIM_ALG_RSA_SHA256;
	else if (strcasecmp(sig->a, "rsa-sha1") == 0)
		sig->alg = DKIM_ALG_RSA_SHA1;
	else if (strcasecmp(sig->a, "ed25519-sha256") == 0)
		sig->alg = DKIM_ALG_ED25519_SHA256;
	else
		return -1;
	return 0;
}

/* parse_hashes - b= and bh=, decoded */
static int
parse_hashes(struct dkim_sig *sig, const struct taglist_tag *b,
    const struct taglist_tag *bh, char *why, size_t whylen)
{
	unsigned char tmp[128];
	long n;

	sig->b = xmalloc(b->vlen * 3 / 4 + 3);
	n = dkim_b64_decode(b->val, b->vlen, sig->b);
	if (n <= 0) {
		snprintf(why, whylen, "b= is not base64");
		return -1;
	}
	sig->blen = (size_t)n;
	sig->b8 = taglist_copy_nows(b);
	if (strlen(sig->b8) > 8)
		sig->b8[8] = '\0';
	/* A hash of the wrong size is a body hash that does not match. */
	if (bh->vlen > 160 ||
	    (n = dkim_b64_decode(bh->val, bh->vlen, tmp)) <= 0 ||
	    n > (long)sizeof(sig->bh)) {
		snprintf(why, whylen, "bh= is not a base64 hash");
		return -1;
	}
	memcpy(sig->bh, tmp, (size_t)n);
	sig->bhlen = (size_t)n;
	sig->b_off = b->voff;
	sig->b_end = b->vend;
	return 0;
}

/* check_numbers - l=, t= and x= (RFC 6376 3.5) */
static int
check_numbers(struct dkim_sig *sig, const struct taglist *tags, char *why,
    size_t whylen)
{
	const struct taglist_tag *t;

	sig->l = sig->t = sig->x = -1;
	if ((t = taglist_get(tags, "l")) != NULL &&
	    (sig->l = number(t, 76)) < 0) {
		snprintf(why, whylen, "l= is not a number");
		return -1;
	}
	if ((t = taglist_get(tags, "t")) != NULL &&
	    (sig->t = number(t, 12)) < 0) {
		snprintf(why, whylen, "t= is not a timestamp");
		return -1;
	}
	if ((t = taglist_get(tags, "x")) != NULL &&
	    (sig->x = number(t, 12)) < 0) {
		snprintf(why, whylen, "x= is not a timestamp");
		return -1;
	}
	if (sig->t >= 0 && sig->x >= 0 && sig->x < sig->t) {
		snprintf(why, whylen, "x= is before t=");
		return -1;
	}
	return 0;
}

/* dkim_sig_parse - a DKIM-Signature value, every key-free rule checked */
struct dkim_sig *
dkim_sig_parse(const char *value, size_t len, char *why, size_t whylen)
{
	static const char *const required[] = { "v", "a", "b", "bh", "d",
	    "h", "s" };
	struct taglist tags;
	const struct taglist_tag *t;
	struct dkim_sig *sig;
	size_t k;

	if (taglist_split(value, len, &tags, why, whylen) != 0)
		return NULL;
	for (k = 0; k < sizeof(required) / sizeof(required[0]); k++)
		if (taglist_get(&tags, required[k]) == NULL) {
			snprintf(why, whylen, "%s= tag missing", required[k]);
			return NULL;
		}
	t = taglist_get(&tags, "v");
	if (t->vlen != 1 || t->val[0] != '1') {
		snprintf(why, whylen, "unknown version v=%.*s",
		    (int)(t->vlen > 16 ? 16 : t->vlen), t->val);
		return NULL;
	}
	sig = xcalloc(1, sizeof(*sig));
	sig->d = domain_lower(taglist_copy_nows(taglist_get(&tags, "d")));
	sig->s = taglist_copy_nows(taglist_get(&tags, "s"));
	if (!domain_check(sig->d, SIG_DOMAIN))
		snprintf(why, whylen, "d= is not a domain name");
	else if (!domain_check(sig->s, SIG_SELECTOR))
		snprintf(why, whylen, "invalid s=");
	else if (parse_alg(sig, taglist_get(&tags, "a")) != 0)
		snprintf(why, whylen, "unknown algorithm a=%.32s", sig->a);
	else if (parse_hashes(sig, taglist_get(&tags, "b"),
	    taglist_get(&tags, "bh"), why, whylen) != 0)
		;
	else if (parse_h(sig, taglist_get(&tags, "h"), why, whylen) != 0)
		;
	else if ((t = taglist_get(&tags, "c")) != NULL &&
	    parse_c(sig, t) != 0)
		snprintf(why, whylen, "unknown canonicalization c=");
	else if ((t = taglist_get(&tags, "i")) != NULL &&
	    parse_i(sig, t, why, whylen) != 0)
		;
	else if ((t = taglist_get(&tags, "q")) != NULL &&
	    !taglist_has(t, "dns/txt"))
		snprintf(why, whylen, "q= does not offer dns/txt");
	else if (check_numbers(sig, &tags, why, whylen) != 0)
		;
	else
		return sig;
	dkim_sig_free(sig);
	return NULL;
}

/* dkim_sig_free - release a parsed signature; NULL is a no-op */
void
dkim_sig_free(struct dkim_sig *sig)
{
	size_t k;

	if (sig == NULL)
		return;
	for (k = 0; k < sig->nh; k++)
		x_free(sig->h[k]);
	x_free(sig->h);
	x_free(sig->a);
	x_free(sig->d);
	x_free(sig->s);
	x_free(sig->i);
	x_free(sig->b);
	x_free(sig->b8);
	x_free(sig);
}
