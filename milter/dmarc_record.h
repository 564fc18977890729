/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_record - one DMARC policy record (RFC 9989 4.7; RFC 7489 6.3),
 * parsed.  Pure: no DNS.
 *
 * dmarc_record_is() says whether a TXT string is a DMARC record at all
 * (v=DMARC1 first, case-sensitive): the caller discards the others and,
 * per RFC 9989 4.10, treats a name with several DMARC records as having
 * none.  dmarc_record_parse() reads the tags; unknown tags are ignored.
 * dmarc_record_policy() picks p, sp or np for an author domain (RFC 9989
 * 4.10.1), so that the choice is table-testable without DNS.
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

/* dmarc_record_parse's answer; 0 = a record with a policy to apply */
enum dmarc_rec_status {
	DMARC_REC_OK = 0,
	DMARC_REC_NOT_DMARC,		/* no v=DMARC1 first: not a record */
	DMARC_REC_NO_POLICY		/* a record, but no DMARC processing */
};

struct dmarc_record {
	enum dmarc_policy p;		/* DMARC_POLICY_UNSET: no usable p */
	bool		 p_given;	/* a valid p= was in the record */
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
 * dmarc_record_parse - TXT into REC (release with dmarc_record_clear,
 * whatever the answer).  DMARC_REC_NO_POLICY, with the reason in WHY,
 * when the record gives no policy to apply: no valid p=, or an invalid
 * sp= or np=, and no rua= (RFC 9989 4.10.1: then no DMARC processing at
 * all); with a rua= such a record reads as p=none.  REC->psd is set
 * even then (the tree walk stops at it).  The first of duplicate tags
 * counts.
 */
enum dmarc_rec_status dmarc_record_parse(const char *txt, size_t len,
	    struct dmarc_record *rec, char *why, size_t whylen);
/*
 * dmarc_record_policy - the policy REC gives an author domain: p when
 * REC is the author domain's own record (OWN), else np when the author
 * domain does not exist (!EXISTS: NXDOMAIN), else sp; an absent np
 * falls back to sp, an absent sp to p (RFC 9989 4.7 np=, sp=; 4.10.1).
 * An existence that DNS trouble left unknown has no value here: where np
 * and sp differ, that is the caller's temperror (dmarc_check.c).
 */
enum dmarc_policy dmarc_record_policy(const struct dmarc_record *rec,
	    bool own, bool exists);
void	 dmarc_record_clear(struct dmarc_record *);

#endif
