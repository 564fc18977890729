/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_check - DMARC for one message (RFC 9989; RFC 7489 with the
 * Public Suffix List when asked): the author domain's policy record and
 * organizational domain (orgdomain.c, through milter/dns), the
 * organizational domains of the authenticated identifiers, alignment
 * (dmarc_eval.c), and the policy that applies (p, sp or np).  The site's
 * rules are not applied here (policy.c).
 */
#ifndef MXAUTH_DMARC_CHECK_H
#define MXAUTH_DMARC_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

struct dns;
struct psl_ctx_st;
struct vstr;

struct dmarc_check_in {
	const char	*from_domain;	/* NULL: no single author domain */
	const char	*from_error;	/* why not, when NULL */
	const struct spf_result *spf;	/* NULL: not evaluated */
	const struct dkim_result *dkim;
	size_t		 ndkim;
	/* RFC 7489 mode: org domains by this Public Suffix List (from
	 * org_psl_load, borrowed); NULL: RFC 9989 tree walk */
	const struct psl_ctx_st *psl;
};

/*
 * dmarc_check - the DMARC result (caller frees with dmarc_result_free);
 * never NULL.  EXPLAIN, if not NULL, gets the reasoning a person needs:
 * the names asked, where the record was, which identifiers aligned.
 */
struct dmarc_result *dmarc_check(struct dns *, const struct dmarc_check_in *,
	    struct vstr *explain);

#endif
