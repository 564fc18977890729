/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_cache - a bounded, thread-safe TTL cache of DNS answers, and the
 * meeting point of identical questions asked at the same time.
 *
 * Positive answers live for their TTL, NXDOMAIN and NODATA for their
 * negative TTL (RFC 2308 5); TTLs are capped at one day and TTL 0 is not
 * cached.  SERVFAIL, TIMEOUT and ERROR are never cached: the next message
 * asks again.
 *
 * Two bounds hold at once: at most MAX_ENTRIES answers and at most
 * MAX_BYTES bytes, each answer counted at what it really takes in memory
 * (the answer's one allocation, plus our entry and key, with malloc's
 * rounding and header).  Past either bound the least recently used answers go.  An
 * answer counted at more than DNS_CACHE_MAX_ANSWER bytes is never kept:
 * the message that asked uses it, the next one asks again.  The hash
 * table (one pointer per allowed entry) comes on top of MAX_BYTES.
 *
 * In flight: dns_cache_begin() tells the first thread to miss on
 * NAME/TYPE to ask the wire, and makes every thread that misses on the
 * same question while that one is out wait for its answer (a condition
 * variable, bounded by the waiter's own deadline), whatever its status:
 * fifty messages from one domain arriving together cost one query.
 *
 * Keys are (name, type) with the name, an ldns dname (this header is for
 * the DNS modules and their tests only), compared case-insensitively
 * (RFC 4343), so a caller's dname need not be canonical; dns_dname_new()
 * names ending in a dot or not are the same key.  Answers go in and come
 * out as copies, so no caller shares memory with the cache.  The
 * clock is a parameter (seconds, any monotonic origin) so tests can move
 * it; deadlines are CLOCK_MONOTONIC milliseconds.  Every function takes
 * the cache's own mutex; only dns_cache_begin() waits, and never for I/O
 * of its own.
 */
#ifndef MXAUTH_DNS_CACHE_H
#define MXAUTH_DNS_CACHE_H

#include <stddef.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dns.h"

struct dns_answer;
struct dns_cache;
struct dns_flight;

#define DNS_CACHE_MAX_TTL	86400
/* A bigger answer is used by the message that asked, never cached. */
#define DNS_CACHE_MAX_ANSWER	(32 * 1024)

/* dns_cache_new - at most MAX_ENTRIES answers (0: none is kept, but
 * questions in flight are still shared) and MAX_BYTES bytes */
struct dns_cache *dns_cache_new(size_t max_entries, size_t max_bytes);
/* dns_cache_free - release the cache and every answer; NULL is a no-op.
 * No thread may be inside dns_cache_begin()/dns_cache_end(). */
void	 dns_cache_free(struct dns_cache *);
/* dns_cache_get - a copy of the live answer for NAME/TYPE with its TTL
 * counted down to NOW, or NULL; caller frees with dns_answer_free() */
struct dns_answer *dns_cache_get(struct dns_cache *, const ldns_rdf *name,
	    enum dns_type, time_t now);
/* dns_cache_put - remember a copy of ANSWER if it may be cached */
void	 dns_cache_put(struct dns_cache *, const ldns_rdf *name,
	    enum dns_type, const struct dns_answer *, time_t now);
/*
 * dns_cache_begin - the answer for NAME/TYPE without asking the wire, if
 * there is one: a cached copy, or the answer of the thread already
 * asking the same question, waited for until DEADLINE_MS (0 = no limit;
 * then a DNS_TIMEOUT answer).  Otherwise NULL and *FLIGHT set: the
 * caller asks and must hand the answer to dns_cache_end().  Caller
 * frees a returned answer with dns_answer_free().
 */
struct dns_answer *dns_cache_begin(struct dns_cache *, const ldns_rdf *name,
	    enum dns_type, time_t now, long long deadline_ms,
	    struct dns_flight **flight);
/* dns_cache_end - cache a copy of ANSWER to NAME/TYPE (the question of
 * FLIGHT) as dns_cache_put() would, give it to every thread waiting on
 * FLIGHT, and release FLIGHT */
void	 dns_cache_end(struct dns_cache *, struct dns_flight *,
	    const ldns_rdf *name, enum dns_type, const struct dns_answer *,
	    time_t now);
/* What the cache holds: answers (expired ones not yet dropped
 * included) and the bytes they take, as counted against the bound. */
struct dns_cache_usage {
	size_t	count;
	size_t	bytes;
};
struct dns_cache_usage dns_cache_usage(struct dns_cache *);

#endif
