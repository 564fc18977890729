/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_int - what the DNS modules (dns.c, dns_answer.c, dns_cache.c,
 * dns_zone.c) share, with ldns; nothing outside milter/dns* includes it
 * (the DNS modules' own unit tests do).
 *
 * An answer is built once from ldns records (dns_answer_from_rrs) into
 * the one-allocation form dns.h describes; from then on, cache, zone and
 * callers copy and free it without ldns.
 */
#ifndef MXAUTH_DNS_INT_H
#define MXAUTH_DNS_INT_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "dns.h"

/* dns_wait_begin, dns_wait_end - the hooks of dns_set_wait_hooks() */
void dns_wait_begin(void);
void dns_wait_end(void);

/* dns_answer_new - an answer with STATUS and TTL and no records */
struct dns_answer *dns_answer_new(enum dns_status, uint32_t ttl);
/*
 * dns_answer_from_rrs - a DNS_OK answer with TTL holding the N records
 * RRS (borrowed; all of TYPE) as mxauth values; caller frees with
 * dns_answer_free()
 */
struct dns_answer *dns_answer_from_rrs(enum dns_type, uint32_t ttl,
	    const ldns_rr *const *rrs, size_t n);
/* dns_answer_dup - a copy (one allocation); caller frees it */
struct dns_answer *dns_answer_dup(const struct dns_answer *);
/* dns_answer_bytes - the bytes the answer's one allocation asked for */
size_t	 dns_answer_bytes(const struct dns_answer *);

/*
 * dns_dname_new - NAME as an absolute, lower-case dname; NULL when it
 * cannot be a DNS name (empty label, label over 63, name over 253).
 * Caller frees with ldns_rdf_deep_free().
 */
ldns_rdf *dns_dname_new(const char *name);
/*
 * dns_soa_neg_ttl - RFC 2308 5 negative-caching TTL from an SOA record:
 * min(SOA TTL, SOA MINIMUM); 0 if RR is not a well-formed SOA
 */
uint32_t dns_soa_neg_ttl(const ldns_rr *);

#endif
