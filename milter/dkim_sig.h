/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_sig - the DKIM-Signature field (RFC 6376 3.5) parsed into a
 * struct.
 *
 * dkim_sig_parse reads the tag-list with taglist_split (taglist.h),
 * checks every rule of 3.5 and 6.1.1 that needs no key and no DNS, and
 * returns an owned struct.
 * Pure: no DNS, no logging, no global state.
 */
#ifndef MXAUTH_DKIM_SIG_H
#define MXAUTH_DKIM_SIG_H

#include <stddef.h>
#include <stdint.h>

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
