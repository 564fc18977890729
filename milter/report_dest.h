/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_dest - whether a rua destination may get a policy domain's
 * aggregate reports (RFC 9990, "Verifying External Destinations").
 *
 * A mailto: address whose domain has the policy domain's organizational
 * domain (orgdomain.h: the RFC 9989 tree walk, or the Public Suffix
 * List) needs no lookup.  Any other must be vouched for by its domain:
 * a TXT record at <policy-domain>._report._dmarc.<destination-domain>
 * whose first tag is v=DMARC1 (a wildcard *._report._dmarc.<dest>
 * answers like any other record: that is the DNS's business).  No such
 * record (NXDOMAIN, NODATA, none that starts with v=DMARC1, a name too
 * long for the DNS): unverified.  DNS trouble on any name asked, the
 * organizational domains' included: temperror, so a later run can ask
 * again.  A record with rua= names where the destination wants the
 * reports instead (step 9): its mailto: addresses replace the original,
 * and if any of them is at another domain than the destination's, no
 * report goes to either (unverified).
 */
#ifndef MXAUTH_REPORT_DEST_H
#define MXAUTH_REPORT_DEST_H

#include <stddef.h>

struct dns;
struct org_opts;

#define REPORT_DEST_MAX	8	/* addresses of a rua= override kept */

enum report_dest_status {
	REPORT_DEST_SAME_ORG = 0,	/* inside the organization: no lookup */
	REPORT_DEST_VERIFIED,		/* the destination's record says yes */
	REPORT_DEST_UNVERIFIED,		/* no report to it */
	REPORT_DEST_TEMPERROR		/* DNS trouble: ask again later */
};

struct report_dest {
	enum report_dest_status status;
	char		*to[REPORT_DEST_MAX];	/* where the report goes: the
						 * address, or the override's */
	size_t		 nto;
	char		 why[200];	/* unverified, temperror */
};

/*
 * report_dest_verify - whether ADDR (a rua mailto: address) may get
 * POLICY_DOMAIN's reports, into OUT (release with report_dest_clear)
 */
enum report_dest_status report_dest_verify(struct dns *,
	    const struct org_opts *, const char *policy_domain,
	    const char *addr, struct report_dest *out);
void	 report_dest_clear(struct report_dest *);
/* report_dest_status_str - "same_org", "verified", "unverified", ... */
const char *report_dest_status_str(enum report_dest_status);

#endif
