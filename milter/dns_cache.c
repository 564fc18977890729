/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_cache - hash table + LRU list of DNS answers, and the list of
 * questions in flight, under one mutex.
 *
 * Keys are the wire form of the name, compared case-insensitively
 * (RFC 4343), plus the type, so "Example.ORG" and "example.org." share
 * an entry whatever case the caller's dname has.  Case folding is done
 * on raw wire bytes: length octets are at most 63, below 'A', so only
 * label characters fold.
 *
 * What is cached (dns_cache.h): DNS_OK for its TTL, NXDOMAIN and NODATA
 * for the negative TTL; nothing with TTL 0, never SERVFAIL, TIMEOUT or
 * ERROR -- the next message asks again, so an outage ends for us the
 * moment the server recovers -- and never an answer that alone takes
 * more than DNS_CACHE_MAX_ANSWER bytes: a domain that answers every
 * made-up name with 60 KB of TXT (an SPF include:%{l}.example) would
 * otherwise fill the cache with answers nobody asks for twice.
 *
 * Size: each entry is counted at the bytes malloc really hands out for
 * it (cost()), and entries are evicted from the LRU tail until both the
 * entry and the byte bound hold.
 *
 * In flight: a struct flight per question some thread is asking the
 * wire.  It is found by key like an entry, holds a reference per thread
 * that uses it (the asker and each waiter) and its own condition
 * variable on CLOCK_MONOTONIC; the last one out frees it.  The number
 * of flights is at most the number of threads asking, so a list will do.
 *
 * Lookups and inserts are O(1) on average.  The lock is held only for
 * the table work and the copy of an answer (one malloc and memcpy; the
 * copy made by dns_cache_put() is made before taking it), never across
 * network I/O.  Answers are stored as dns_answer.c builds them, already
 * converted from the wire: a hit copies plain data, nothing is parsed.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "dns_cache.h"
#include "dns_int.h"
#include "metrics.h"
#include "xmalloc.h"

struct entry {
	struct entry	*hnext;		/* hash chain */
	struct entry	*prev, *next;	/* LRU, most recent first */
	uint8_t		*key;
	size_t		 keylen;
	enum dns_type	 type;
	size_t		 bucket;
	time_t		 expires;
	size_t		 bytes;		/* cost() of the whole entry */
	struct dns_answer *answer;
};

struct dns_flight {
	struct dns_flight *next;
	uint8_t		*key;		/* folded, as in struct entry */
	size_t		 keylen;
	enum dns_type	 type;
	int		 refs;		/* asker + waiters */
	struct dns_answer *answer;	/* set once the asker is done */
	pthread_cond_t	 done;
};

struct dns_cache {
	pthread_mutex_t	 lock;
	struct entry	**buckets;
	size_t		 nbuckets;
	size_t		 count, max;
	size_t		 bytes, max_bytes;
	struct entry	*head, *tail;
	struct dns_flight *flights;
};

/* dns_cache_new - at most MAX answers and MAX_BYTES bytes */
struct dns_cache *
dns_cache_new(size_t max, size_t max_bytes)
{
	struct dns_cache *c;

	c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->max = max;
	c->max_bytes = max_bytes;
	c->nbuckets = 64;
	while (c->nbuckets < c->max && c->nbuckets < (1u << 22))
		c->nbuckets *= 2;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	return c;
}

/*
 * chunk - what malloc takes for a request of N bytes: glibc adds an
 * 8-byte header and rounds to 16, at least 32 (ASan's and musl's
 * allocators are in the same range)
 */
static size_t
chunk(size_t n)
{
	n = (n + 8 + 15) & ~(size_t)15;
	return n < 32 ? 32 : n;
}

/*
 * cost - the bytes an entry for ANSWER under a KEYLEN-byte key holds:
 * the entry, the key and the answer, which is one allocation holding its
 * records and their text (dns_answer.c)
 */
static size_t
cost(const struct dns_answer *a, size_t keylen)
{
	return chunk(sizeof(struct entry)) + chunk(keylen) +
	    chunk(dns_answer_bytes(a));
}

/* free_entry - release one entry */
static void
free_entry(struct entry *e)
{
	dns_answer_free(e->answer);
	x_free(e->key);
	x_free(e);
}

/* dns_cache_free - release the cache; NULL is a no-op */
void
dns_cache_free(struct dns_cache *c)
{
	struct entry *e, *next;

	if (c == NULL)
		return;
	/* no flight is left: each one's asker is inside dns_query() */
	for (e = c->head; e != NULL; e = next) {
		next = e->next;
		free_entry(e);
	}
	x_free(c->buckets);
	pthread_mutex_destroy(&c->lock);
	x_free(c);
}

/* fold - a wire-form name byte in lower case */
static uint8_t
fold(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/* hash - FNV-1a over the case-folded key and the type */
static size_t
hash(const uint8_t *key, size_t len, enum dns_type type)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ fold(key[i])) * 16777619u;
	h = (h ^ (uint32_t)type) * 16777619u;
	return h;
}

/* bucket_of - the hash chain index for NAME/TYPE */
static size_t
bucket_of(const struct dns_cache *c, const ldns_rdf *name, enum dns_type type)
{
	return hash(ldns_rdf_data(name), ldns_rdf_size(name), type) &
	    (c->nbuckets - 1);
}

/* same_key - whether the stored (folded) KEY is NAME, ignoring case */
static int
same_key(const uint8_t *key, size_t keylen, const ldns_rdf *name)
{
	const uint8_t *p = ldns_rdf_data(name);
	size_t i;

	if (keylen != ldns_rdf_size(name))
		return 0;
	for (i = 0; i < keylen; i++)
		if (key[i] != fold(p[i]))
			return 0;
	return 1;
}

/* find - the entry for NAME/TYPE, or NULL */
static struct entry *
find(struct dns_cache *c, const ldns_rdf *name, enum dns_type type)
{
	struct entry *e;

	for (e = c->buckets[bucket_of(c, name, type)]; e != NULL; e = e->hnext)
		if (e->type == type && same_key(e->key, e->keylen, name))
			return e;
	return NULL;
}

/* lru_unlink - take E out of the LRU list */
static void
lru_unlink(struct dns_cache *c, struct entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

/* lru_push - make E the most recently used */
static void
lru_push(struct dns_cache *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head != NULL)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

/* drop - remove E from table and list and free it */
static void
drop(struct dns_cache *c, struct entry *e)
{
	struct entry **pp;

	for (pp = &c->buckets[e->bucket]; *pp != e; pp = &(*pp)->hnext)
		;
	*pp = e->hnext;
	lru_unlink(c, e);
	c->bytes -= e->bytes;
	free_entry(e);
	c->count--;
}

/* hit - under the lock, a copy of the live answer for NAME/TYPE, or
 * NULL; counted as a cache hit or miss */
static struct dns_answer *
hit(struct dns_cache *c, const ldns_rdf *name, enum dns_type type, time_t now)
{
	struct dns_answer *a;
	struct entry *e;

	if ((e = find(c, name, type)) == NULL) {
		metrics_dns_cache(0);
		return NULL;
	}
	if (e->expires <= now) {
		drop(c, e);
		metrics_dns_cache(0);
		return NULL;
	}
	metrics_dns_cache(1);
	lru_unlink(c, e);
	lru_push(c, e);
	a = dns_answer_dup(e->answer);
	a->ttl = (uint32_t)(e->expires - now);
	return a;
}

/* dns_cache_get - a copy of a live answer, or NULL */
struct dns_answer *
dns_cache_get(struct dns_cache *c, const ldns_rdf *name, enum dns_type type,
    time_t now)
{
	struct dns_answer *a;

	pthread_mutex_lock(&c->lock);
	a = hit(c, name, type, now);
	pthread_mutex_unlock(&c->lock);
	return a;
}

/* new_key - NAME's wire form folded to lower case; *LENP its length */
static uint8_t *
new_key(const ldns_rdf *name, size_t *lenp)
{
	uint8_t *key;
	size_t i;

	*lenp = ldns_rdf_size(name);
	key = xmalloc(*lenp);
	for (i = 0; i < *lenp; i++)
		key[i] = fold(ldns_rdf_data(name)[i]);
	return key;
}

/* dns_cache_put - remember a cacheable answer */
void
dns_cache_put(struct dns_cache *c, const ldns_rdf *name, enum dns_type type,
    const struct dns_answer *a, time_t now)
{
	struct entry *e, *old;
	uint32_t ttl;
	size_t keylen, bytes;

	if ((a->status != DNS_OK && a->status != DNS_NXDOMAIN &&
	    a->status != DNS_NODATA) || a->ttl == 0 || c->max == 0)
		return;
	bytes = cost(a, ldns_rdf_size(name));
	if (bytes > DNS_CACHE_MAX_ANSWER || bytes > c->max_bytes)
		return;			/* used by its message, not kept */
	ttl = a->ttl > DNS_CACHE_MAX_TTL ? DNS_CACHE_MAX_TTL : a->ttl;
	e = xcalloc(1, sizeof(*e));
	e->key = new_key(name, &keylen);
	e->keylen = keylen;
	e->type = type;
	e->bucket = bucket_of(c, name, type);
	e->expires = now + (time_t)ttl;
	e->answer = dns_answer_dup(a);
	e->bytes = bytes;

	pthread_mutex_lock(&c->lock);
	if ((old = find(c, name, type)) != NULL)
		drop(c, old);
	while ((c->count >= c->max || c->bytes + bytes > c->max_bytes) &&
	    c->tail != NULL)
		drop(c, c->tail);
	e->hnext = c->buckets[e->bucket];
	c->buckets[e->bucket] = e;
	lru_push(c, e);
	c->count++;
	c->bytes += bytes;
	pthread_mutex_unlock(&c->lock);
}

/* flight_find - the question NAME/TYPE in flight, or NULL */
static struct dns_flight *
flight_find(struct dns_cache *c, const ldns_rdf *name, enum dns_type type)
{
	struct dns_flight *f;

	for (f = c->flights; f != NULL; f = f->next)
		if (f->type == type && same_key(f->key, f->keylen, name))
			return f;
	return NULL;
}

/* flight_release - drop one reference to F, under the lock */
static void
flight_release(struct dns_flight *f)
{
	if (--f->refs > 0)
		return;
	pthread_cond_destroy(&f->done);
	dns_answer_free(f->answer);
	x_free(f->key);
	x_free(f);
}

/* flight_new - F for NAME/TYPE, in the list, held by its asker */
static struct dns_flight *
flight_new(struct dns_cache *c, const ldns_rdf *name, enum dns_type type)
{
	pthread_condattr_t attr;
	struct dns_flight *f;

	f = xcalloc(1, sizeof(*f));
	f->key = new_key(name, &f->keylen);
	f->type = type;
	f->refs = 1;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&f->done, &attr);
	pthread_condattr_destroy(&attr);
	f->next = c->flights;
	c->flights = f;
	return f;
}

/*
 * wait_for - under the lock, wait until F's asker is done or DEADLINE_MS
 * passes; a copy of its answer, or DNS_TIMEOUT.  Releases our reference.
 */
static struct dns_answer *
wait_for(struct dns_cache *c, struct dns_flight *f, long long deadline_ms)
{
	struct dns_answer *a;
	struct timespec until;
	int rc = 0;

	until.tv_sec = (time_t)(deadline_ms / 1000);
	until.tv_nsec = (long)(deadline_ms % 1000) * 1000000;
	f->refs++;
	dns_wait_begin();
	while (f->answer == NULL && rc != ETIMEDOUT)
		rc = deadline_ms > 0 ? pthread_cond_timedwait(&f->done,
		    &c->lock, &until) : pthread_cond_wait(&f->done, &c->lock);
	dns_wait_end();
	/* the asker's status, failure included, is ours */
	a = f->answer != NULL ? dns_answer_dup(f->answer) :
	    dns_answer_new(DNS_TIMEOUT, 0);
	flight_release(f);
	return a;
}

/* dns_cache_begin - a cached or shared answer, or the duty to ask */
struct dns_answer *
dns_cache_begin(struct dns_cache *c, const ldns_rdf *name, enum dns_type type,
    time_t now, long long deadline_ms, struct dns_flight **flight)
{
	struct dns_answer *a;
	struct dns_flight *f;

	*flight = NULL;
	pthread_mutex_lock(&c->lock);
	if ((a = hit(c, name, type, now)) == NULL) {
		if ((f = flight_find(c, name, type)) != NULL)
			a = wait_for(c, f, deadline_ms);
		else
			*flight = flight_new(c, name, type);
	}
	pthread_mutex_unlock(&c->lock);
	return a;
}

/* dns_cache_end - publish the asker's answer and release its flight */
void
dns_cache_end(struct dns_cache *c, struct dns_flight *f, const ldns_rdf *name,
    enum dns_type type, const struct dns_answer *a, time_t now)
{
	struct dns_answer *copy = dns_answer_dup(a);
	struct dns_flight **pp;

	dns_cache_put(c, name, type, a, now);
	pthread_mutex_lock(&c->lock);
	for (pp = &c->flights; *pp != f; pp = &(*pp)->next)
		;
	*pp = f->next;
	f->answer = copy;
	pthread_cond_broadcast(&f->done);
	flight_release(f);
	pthread_mutex_unlock(&c->lock);
}

/* dns_cache_usage - answers held and the bytes cost() counts for them */
struct dns_cache_usage
dns_cache_usage(struct dns_cache *c)
{
	struct dns_cache_usage u;

	pthread_mutex_lock(&c->lock);
	u.count = c->count;
	u.bytes = c->bytes;
	pthread_mutex_unlock(&c->lock);
	return u;
}
