/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_eval - identifier alignment and the DMARC result (RFC 9989 4.4,
 * RFC 7489 3.1), pure: the caller has already found the policy record
 * and every organizational domain (through DNS), this module only
 * compares.  Table-tested in test/unit/test_dmarc_eval.c.
 */
#ifndef MXAUTH_DMARC_EVAL_H
#define MXAUTH_DMARC_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

struct vstr;

/* One authenticated (or temporarily failed) identifier. */
struct dmarc_ident {
	const char	*domain;	/* SPF domain or DKIM d=, lower case */
	const char	*org;		/* its organizational domain; NULL if
					 * not needed or not known */
	bool		 pass;		/* SPF pass / DKIM pass */
	bool		 temp;		/* SPF / DKIM temperror */
	bool		 org_temp;	/* finding ORG failed temporarily */
};

struct dmarc_eval_in {
	const char	*from;		/* author domain */
	const char	*from_org;	/* its organizational domain */
	bool		 aspf_strict, adkim_strict;
	const struct dmarc_ident *spf;	/* NULL: no SPF identifier */
	const struct dmarc_ident *dkim;
	size_t		 ndkim;
};

/*
 * dmarc_eval - pass when a passing identifier aligns; temperror when no
 * identifier passes aligned but one that would align failed temporarily
 * (or its alignment could not be decided, which only an identifier at or
 * below the author's organizational domain can be); fail otherwise.  Sets
 * OUT->result, ->spf_aligned, ->dkim_aligned; the reasoning (one line
 * per identifier) goes to WHY.
 */
enum dmarc_res dmarc_eval(const struct dmarc_eval_in *,
	    struct dmarc_result *out, struct vstr *why);
/* dmarc_aligned - whether DOMAIN (org DORG) aligns with the author */
bool	 dmarc_aligned(const struct dmarc_eval_in *, const char *domain,
	    const char *dorg, bool strict);
/*
 * dmarc_may_align - whether DOMAIN can align at all, before its own org
 * domain is known: strict, it is the author domain; relaxed, it is the
 * author's organizational domain or below it.  When not, its org domain
 * need not (and must not) be looked up: its DNS cannot change the result.
 */
bool	 dmarc_may_align(const struct dmarc_eval_in *, const char *domain,
	    bool strict);

#endif
