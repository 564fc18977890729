/*
 * dns_cache - a bounded, thread-safe TTL cache of DNS answers.
 *
 * Positive answers live for their TTL, NXDOMAIN and NODATA for their
 * negative TTL (RFC 2308 5); TTLs are capped at one day and TTL 0 is not
 * cached.  SERVFAIL, TIMEOUT and ERROR are never cached: the next message
 * asks again.  When full, the least recently used answer is evicted.
 *
 * Keys are (name, type) with the name compared case-insensitively
 * (RFC 4343), so a caller's dname need not be canonical; dns_dname_new()
 * names ending in a dot or not are the same key.  Answers go in and come
 * out as deep copies, so no caller shares memory with the cache.  The
 * clock is a parameter (seconds, any monotonic origin) so tests can move
 * it.  Every function takes the cache's own mutex; none blocks on I/O.
 */
#ifndef MXAUTH_DNS_CACHE_H
#define MXAUTH_DNS_CACHE_H

#include <stddef.h>
#include <time.h>

#include <ldns/ldns.h>

struct dns_answer;
struct dns_cache;

#define DNS_CACHE_MAX_TTL	86400

/* dns_cache_new - at most MAX_ENTRIES answers (0 is taken as 1) */
struct dns_cache *dns_cache_new(size_t max_entries);
/* dns_cache_free - release the cache and every answer; NULL is a no-op */
void	 dns_cache_free(struct dns_cache *);
/* dns_cache_get - a copy of the live answer for NAME/TYPE with its TTL
 * counted down to NOW, or NULL; caller frees with dns_answer_free() */
struct dns_answer *dns_cache_get(struct dns_cache *, const ldns_rdf *name,
	    ldns_rr_type, time_t now);
/* dns_cache_put - remember a copy of ANSWER if it may be cached */
void	 dns_cache_put(struct dns_cache *, const ldns_rdf *name,
	    ldns_rr_type, const struct dns_answer *, time_t now);
/* dns_cache_count - answers held, expired ones not yet dropped included */
size_t	 dns_cache_count(struct dns_cache *);

#endif
