/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_verify - DKIM verification of every signature of one message
 * (RFC 6376, RFC 8463 Ed25519, RFC 8301 crypto rules); mxauth's own
 * parser and canonicalization (dkim_sig, dkim_canon, dkim_key) over
 * OpenSSL's digests and signature checks.
 *
 * Fed incrementally in SMTP order: dkim_verify_header per field,
 * dkim_verify_body per chunk, then dkim_verify_end, which returns one
 * struct dkim_result per evaluated signature.  Key lookups go through
 * milter/dns (shared cache and timeouts).  mxauth keeps no copy of the
 * body.
 */
#ifndef MXAUTH_DKIM_VERIFY_H
#define MXAUTH_DKIM_VERIFY_H

#include <stddef.h>
#include <time.h>

#include "result.h"

struct dns;
struct dkim_verify;

struct dkim_verify_opts {
	unsigned	 min_key_bits;		/* RSA keys below never pass */
	int		 allow_partial_body;	/* l= shorter than the body */
	unsigned	 max_signatures;	/* evaluate at most this many */
	time_t		 now;			/* x= judged at; 0 = now */
};

/* dkim_verify_start - a verifier for one message; NULL if DKIM is off */
struct dkim_verify *dkim_verify_start(struct dns *,
	    const struct dkim_verify_opts *, const char *id);
/* dkim_verify_header - one field; VALUE: the bytes after the colon, exact */
void	 dkim_verify_header(struct dkim_verify *, const char *name,
	    const char *value);
void	 dkim_verify_body(struct dkim_verify *, const unsigned char *, size_t);
/*
 * dkim_verify_end - verify; *OUT gets an array of results (caller frees
 * with dkim_verify_results_free), *IGNORED the signatures past the
 * limit.  Returns the number of results.
 */
size_t	 dkim_verify_end(struct dkim_verify *, struct dkim_result **out,
	    size_t *ignored);
void	 dkim_verify_free(struct dkim_verify *);
void	 dkim_verify_results_free(struct dkim_result *, size_t);

#endif
