/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_sig - the DKIM tag=value list (RFC 6376 3.2) and the
 * DKIM-Signature field (RFC 6376 3.5) parsed into a struct.
 *
 * dkim_tags_parse splits a tag-list without copying (the tags point
 * into the caller's string); dkim_sig_parse checks every rule of 3.5
 * and 6.1.1 that needs no key and no DNS, and returns an owned struct.
 * Pure: no DNS, no logging, no global state.
 */
#ifndef MXAUTH_DKIM_SIG_H
#define MXAUTH_DKIM_SIG_H

#include <stddef.h>
#include <stdint.h>

#define DKIM_MAX_TAGS	64	/* more tags than this is a permerror */

struct dkim_tag {
	const char	*name;		/* into the parsed string */
	size_t		 nlen;
	const char	*val;		/* value, FWS trimmed at both ends */
	size_t		 vlen;
	size_t		 voff;		/* offset just after '=' */
	size_t		 vend;		/* offset of the ';' or the end */
};

struct dkim_tags {
	struct dkim_tag	 tag[DKIM_MAX_TAGS];
	size_t		 n;
};

enum dkim_alg {
	DKIM_ALG_RSA_SHA256 = 0,
	DKIM_ALG_RSA_SHA1,
	DKIM_ALG_ED25519_SHA256
};

struct dkim_sig {
	enum dkim_alg	 alg;
	char		*a;		/* a= as written */
	int		 hrelaxed;	/* c= header canonicalization */
	int		 brelaxed;	/* c= body canonicalization */
	char		*d;		/* lower case */
	char		*s;
	char		*i;		/* NULL when absent */
	char		**h;		/* h= names, lower case */
	size_t		 nh;
	unsigned char	*b;		/* decoded signature */
	size_t		 blen;
	char		*b8;		/* first 8 characters of b= (RFC 6008) */
	unsigned char	 bh[64];	/* decoded body hash */
	size_t		 bhlen;
	int64_t		 l;		/* -1 when absent */
	int64_t		 t;		/* -1 when absent */
	int64_t		 x;		/* -1 when absent */
	size_t		 b_off, b_end;	/* b= value span in the field value */
};

/*
 * dkim_tags_parse - split the tag-list S (LEN bytes) into TAGS.  Returns
 * 0, or -1 with a reason in WHY: bad syntax, a character outside
 * VALCHAR / FWS, a duplicate tag (RFC 6376 3.2), too many tags.
 */
int	 dkim_tags_parse(const char *s, size_t len, struct dkim_tags *,
	    char *why, size_t whylen);
/* dkim_tags_get - the tag named NAME, or NULL */
const struct dkim_tag *dkim_tags_get(const struct dkim_tags *,
	    const char *name);
/* dkim_tag_has - whether T's colon-separated list holds ITEM */
int	 dkim_tag_has(const struct dkim_tag *t, const char *item);
/*
 * dkim_b64_decode - base64 with FWS anywhere (RFC 6376 2.4); a caller-
 * allocated OUT of at least len*3/4+3 bytes.  Returns the decoded length
 * or -1 for characters or padding base64 does not allow.
 */
long	 dkim_b64_decode(const char *in, size_t len, unsigned char *out);

/*
 * dkim_sig_parse - VALUE of a DKIM-Signature field (as received, after
 * the colon).  Returns a struct (caller frees with dkim_sig_free), or
 * NULL with the reason in WHY: the signature is a permerror.
 */
struct dkim_sig *dkim_sig_parse(const char *value, size_t len, char *why,
	    size_t whylen);
void	 dkim_sig_free(struct dkim_sig *);

#endif
