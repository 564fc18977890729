/*
 * dns_cache - a bounded, thread-safe TTL cache of DNS answers.
 *
 * Positive answers live for their TTL, NXDOMAIN and NODATA for their
 * negative TTL (RFC 2308 5); TTLs are capped at one day.  SERVFAIL,
 * TIMEOUT and ERROR are never cached: the next message asks again.
 * When full, the least recently used answer is evicted.  Answers go in
 * and come out as deep copies, so no caller shares memory with the cache.
 * The clock is a parameter so tests can move it.
 */
#ifndef MXAUTH_DNS_CACHE_H
#define MXAUTH_DNS_CACHE_H

#include <stddef.h>
#include <time.h>

#include <ldns/ldns.h>

struct dns_answer;
struct dns_cache;

#define DNS_CACHE_MAX_TTL	86400

struct dns_cache *dns_cache_new(size_t max_entries);
void	 dns_cache_free(struct dns_cache *);
/* dns_cache_get - a copy of the live answer for NAME/TYPE, or NULL */
struct dns_answer *dns_cache_get(struct dns_cache *, const ldns_rdf *name,
	    ldns_rr_type, time_t now);
/* dns_cache_put - remember ANSWER (copied) if it may be cached */
void	 dns_cache_put(struct dns_cache *, const ldns_rdf *name, ldns_rr_type,
	    const struct dns_answer *, time_t now);
size_t	 dns_cache_count(struct dns_cache *);

#endif
