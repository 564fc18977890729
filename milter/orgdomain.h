/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * orgdomain - where a domain's DMARC policy is and what its
 * organizational domain is, through milter/dns.
 *
 * RFC 9989 4.10 (dmarc_org_domain = treewalk): the DNS tree walk from the
 * domain towards the root, at most 8 queries (a name of 8 or more labels
 * jumps to its last 7 after the first query), stopping at a record with
 * psd=y or psd=n.  The organizational domain (4.10.2) is the record with
 * psd=n, the name below a psd=y record, or else the record with the
 * fewest labels, or the domain itself when there is none.  The policy
 * (4.10.1) is the domain's own record, else its organizational domain's,
 * else its public suffix domain's (psd=y).  RFC 7489 (psl): the Public
 * Suffix List gives the organizational domain; the policy is the
 * domain's record, else the organizational domain's.  In both modes a
 * name with several DMARC records has none (RFC 9989 4.10 step 2), so
 * the next candidate's record applies.
 *
 * Which of p, sp, np applies is dmarc_record_policy(); whether two org
 * domains align is dmarc_aligned() (dmarc_eval.h).  DNS trouble on any
 * name asked is ORG_TEMP, never "no policy".  Thread-safe: a Public
 * Suffix List from org_psl_load() is read-only, and its owner (the
 * config snapshot) keeps it until no message uses it.
 */
#ifndef MXAUTH_ORGDOMAIN_H
#define MXAUTH_ORGDOMAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "dmarc_record.h"

struct dns;
struct psl_ctx_st;		/* libpsl's psl_ctx_t */
struct vstr;

#define ORG_MAX_QUERIES	8	/* RFC 9989 4.10 */

enum org_status {
	ORG_OK = 0,		/* looked up; POLICY_DOMAIN may be NULL */
	ORG_UNUSABLE,		/* a record, but no policy in it */
	ORG_TEMP		/* DNS trouble: temperror */
};

struct org_found {
	enum org_status	 status;
	struct dmarc_record rec;	/* when POLICY_DOMAIN is set */
	char		*policy_domain;	/* where the record is, or NULL */
	char		*org_domain;	/* never NULL after a lookup */
	char		 why[160];	/* ORG_UNUSABLE / ORG_TEMP */
	char		*asked[ORG_MAX_QUERIES]; /* _dmarc.<these>, in order */
	size_t		 nasked;
};

struct org_opts {
	/* RFC 7489 mode: org domains by this list; NULL: RFC 9989 walk */
	const struct psl_ctx_st *psl;
};

/*
 * org_psl_load - the Public Suffix List in PATH (a regular file, opened
 * without blocking; at least one rule); caller frees with org_psl_free.
 * NULL and the reason in ERR: a config error for conf.c.
 */
struct psl_ctx_st *org_psl_load(const char *path, char *err, size_t errlen);
void	 org_psl_free(struct psl_ctx_st *);

/*
 * org_discover - DOMAIN's policy record and organizational domain into
 * OUT (release with org_found_clear).  EXPLAIN, if not NULL, gets one
 * line per name asked with its answer.
 */
enum org_status org_discover(struct dns *, const struct org_opts *,
	    const char *domain, struct org_found *out, struct vstr *explain);
/*
 * org_domain - only the organizational domain of DOMAIN (an SPF domain
 * or DKIM d=); *ORG caller frees with x_free.  ORG_TEMP on DNS trouble.
 */
enum org_status org_domain(struct dns *, const struct org_opts *,
	    const char *domain, char **org, struct vstr *explain);
/*
 * org_exists - RFC 9989 np= (3.2.13, which takes RFC 8020's meaning):
 * NXDOMAIN = 0, exists = 1, DNS trouble = -1
 */
int	 org_exists(struct dns *, const char *domain);
void	 org_found_clear(struct org_found *);

#endif
