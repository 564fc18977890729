/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_zone - answers from an RFC 1035 master file, for tests and for
 * mxauth-check --zone.  No packet ever leaves the process.
 *
 * Names absent from the file are NXDOMAIN; a name that owns records of
 * other types only, or that has names below it (an empty non-terminal),
 * is NODATA.  CNAMEs are followed inside the zone; names ignore case.
 * The negative TTL is min(SOA TTL, SOA MINIMUM), or 300 without an SOA.
 * Fault lines, valid master-file comments:
 *   ;! timeout NAME [TYPE]    every query for NAME (of TYPE) times out
 *   ;! servfail NAME [TYPE]   every query for NAME (of TYPE) is SERVFAIL
 * A timeout answers at once: nothing sleeps.
 * A loaded zone is read-only and safe to share between threads.
 * For the DNS modules and their tests only (names are ldns dnames).
 */
#ifndef MXAUTH_DNS_ZONE_H
#define MXAUTH_DNS_ZONE_H

#include <stddef.h>

#include <ldns/ldns.h>

#include "dns.h"

struct dns_answer;
struct dns_zone;

/* dns_zone_load - parse PATH; NULL and "PATH:LINE: message" on error.
 * Caller frees with dns_zone_free() */
struct dns_zone *dns_zone_load(const char *path, char *err, size_t errlen);
/* dns_zone_free - release the zone; NULL is a no-op */
void	 dns_zone_free(struct dns_zone *);
/* dns_zone_lookup - the answer for NAME/TYPE (never NULL); caller frees
 * with dns_answer_free() */
struct dns_answer *dns_zone_lookup(const struct dns_zone *,
	    const ldns_rdf *name, enum dns_type);

#endif
