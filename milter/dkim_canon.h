/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_canon - DKIM canonicalization (RFC 6376 3.4): header fields into
 * a string, the body streamed into a digest.
 *
 * Header values arrive as the MTA gave them: after the colon, leading
 * white space included, folds as "\n" or "\r\n".  Body chunks arrive
 * with CRLF line ends (a bare LF is read as a line end too); the body
 * is never stored, only hashed, up to the l= limit, while its full
 * canonical length is counted.
 */
#ifndef MXAUTH_DKIM_CANON_H
#define MXAUTH_DKIM_CANON_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

struct vstr;

/*
 * dkim_canon_header - append NAME:VALUE canonicalized (simple or
 * RELAXED) to OUT, ending in CRLF unless LAST (the signature field
 * itself, RFC 6376 3.7)
 */
void	 dkim_canon_header(struct vstr *out, int relaxed, const char *name,
	    const char *value, size_t vlen, int last);

struct dkim_body {
	EVP_MD_CTX	*md;
	int		 relaxed;
	int64_t		 limit;		/* l=, or -1 */
	uint64_t	 hashed;	/* bytes given to the digest */
	uint64_t	 total;		/* canonical body length */
	uint64_t	 crlf;		/* line ends not yet emitted */
	int		 wsp;		/* white space not yet emitted */
	int		 cr;		/* a CR, maybe of a CRLF */
	int		 any;		/* a non-empty line seen */
	size_t		 nbuf;
	unsigned char	 buf[2048];
};

/* dkim_body_init - hash with MD (borrowed), canonicalization, l= limit */
void	 dkim_body_init(struct dkim_body *, const EVP_MD *md, int relaxed,
	    int64_t limit);
void	 dkim_body_update(struct dkim_body *, const unsigned char *, size_t);
/* dkim_body_final - the body hash into OUT (EVP_MAX_MD_SIZE); its size */
size_t	 dkim_body_final(struct dkim_body *, unsigned char *out);
void	 dkim_body_free(struct dkim_body *);

#endif
