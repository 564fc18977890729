/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_key - a DKIM key record (RFC 6376 3.6.1, RFC 8463 4) checked
 * against the signature that asked for it, and turned into an OpenSSL
 * key.
 *
 * Parsing a DER public key costs more than verifying with it (OpenSSL
 * 3's decoders), so parsed keys are kept in a small process-wide cache
 * keyed by the p= text: the DNS cache decides how long a record is
 * believed, this cache only remembers what its bytes mean.  The cache
 * is locked; a key handed out is a reference of its own.
 */
#ifndef MXAUTH_DKIM_KEY_H
#define MXAUTH_DKIM_KEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "dkim_sig.h"

struct dkim_key {
	EVP_PKEY	*pkey;		/* caller's reference */
	unsigned	 bits;		/* RSA modulus size; 256 for Ed25519 */
	int		 testing;	/* t=y */
	int		 strict;	/* t=s: i= domain must be d= itself */
};

/*
 * dkim_key_parse - the TXT record TXT (LEN bytes) as the key for a
 * signature with algorithm ALG.  Returns 0 and fills KEY (release with
 * dkim_key_release), or -1 with the reason in WHY: the signature is a
 * permerror (malformed record, revoked key, h=/k=/s= mismatch).
 */
int	 dkim_key_parse(const char *txt, size_t len, enum dkim_alg alg,
	    struct dkim_key *key, char *why, size_t whylen);
void	 dkim_key_release(struct dkim_key *);

#endif
