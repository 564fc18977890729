/*
 * dmarc_record - one DMARC policy record (RFC 9989 4.7; RFC 7489 6.3),
 * parsed.  Pure: no DNS.
 *
 * dmarc_record_is() says whether a TXT string is a DMARC record at all
 * (v=DMARC1 first, case-sensitive): the caller discards the others and,
 * per RFC 9989 4.10, treats a name with several DMARC records as having
 * none.  dmarc_record_parse() reads the tags; unknown tags are ignored.
 */
#ifndef MXAUTH_DMARC_RECORD_H
#define MXAUTH_DMARC_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

enum dmarc_psd {
	DMARC_PSD_U = 0,	/* default: unknown */
	DMARC_PSD_Y,
	DMARC_PSD_N
};

struct dmarc_record {
	enum dmarc_policy p;		/* DMARC_POLICY_UNSET: no usable p */
	enum dmarc_policy sp;		/* UNSET: absent (falls back to p) */
	enum dmarc_policy np;		/* UNSET: absent (falls back to sp) */
	enum dmarc_psd	 psd;
	bool		 testing;	/* t=y */
	bool		 adkim_strict, aspf_strict;
	int		 pct;		/* 0..100, default 100 (RFC 7489) */
	char		*rua, *ruf;	/* kept for reporting; NULL if absent */
};

/* dmarc_record_is - whether TXT (LEN bytes) starts with v=DMARC1 */
bool	 dmarc_record_is(const char *txt, size_t len);
/*
 * dmarc_record_parse - TXT into REC (release with dmarc_record_clear).
 * Returns 0; or -1 with the reason in WHY when the record gives no
 * policy to apply: no valid p= and no rua= (RFC 9989 4.7: then no DMARC
 * processing at all).  An invalid p= with a rua= reads as p=none.
 */
int	 dmarc_record_parse(const char *txt, size_t len,
	    struct dmarc_record *rec, char *why, size_t whylen);
void	 dmarc_record_clear(struct dmarc_record *);

#endif
