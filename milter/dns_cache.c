/*
 * dns_cache - hash table + LRU list of DNS answers under one mutex.
 *
 * Keys are the wire form of the name, compared case-insensitively
 * (RFC 4343), plus the type, so "Example.ORG" and "example.org." share
 * an entry whatever case the caller's dname has.  Case folding is done
 * on raw wire bytes: length octets are at most 63, below 'A', so only
 * label characters fold.
 *
 * What is cached (dns_cache.h): DNS_OK for its TTL, NXDOMAIN and NODATA
 * for the negative TTL; nothing with TTL 0, and never SERVFAIL, TIMEOUT
 * or ERROR -- the next message asks again, so an outage ends for us the
 * moment the server recovers.
 *
 * Lookups and inserts are O(1) on average.  The lock is held only for
 * the table work and the deep copy of an answer (the copy made by
 * dns_cache_put() is made before taking it), never across network I/O.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "dns.h"
#include "dns_cache.h"
#include "xmalloc.h"

struct entry {
	struct entry	*hnext;		/* hash chain */
	struct entry	*prev, *next;	/* LRU, most recent first */
	uint8_t		*key;
	size_t		 keylen;
	ldns_rr_type	 type;
	size_t		 bucket;
	time_t		 expires;
	struct dns_answer *answer;
};

struct dns_cache {
	pthread_mutex_t	 lock;
	struct entry	**buckets;
	size_t		 nbuckets;
	size_t		 count;
	size_t		 max;
	struct entry	*head, *tail;
};

/* dns_cache_new - a cache holding at most MAX answers (MAX >= 1) */
struct dns_cache *
dns_cache_new(size_t max)
{
	struct dns_cache *c;

	c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->max = max > 0 ? max : 1;
	c->nbuckets = 64;
	while (c->nbuckets < c->max && c->nbuckets < (1u << 22))
		c->nbuckets *= 2;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	return c;
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
hash(const uint8_t *key, size_t len, ldns_rr_type type)
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
bucket_of(const struct dns_cache *c, const ldns_rdf *name, ldns_rr_type type)
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
find(struct dns_cache *c, const ldns_rdf *name, ldns_rr_type type)
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
	free_entry(e);
	c->count--;
}

/* dns_cache_get - a copy of a live answer, or NULL */
struct dns_answer *
dns_cache_get(struct dns_cache *c, const ldns_rdf *name, ldns_rr_type type,
    time_t now)
{
	struct dns_answer *a = NULL;
	struct entry *e;

	pthread_mutex_lock(&c->lock);
	if ((e = find(c, name, type)) != NULL) {
		if (e->expires <= now)
			drop(c, e);
		else {
			lru_unlink(c, e);
			lru_push(c, e);
			a = dns_answer_dup(e->answer);
			a->ttl = (uint32_t)(e->expires - now);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return a;
}

/* dns_cache_put - remember a cacheable answer */
void
dns_cache_put(struct dns_cache *c, const ldns_rdf *name, ldns_rr_type type,
    const struct dns_answer *a, time_t now)
{
	struct entry *e, *old;
	uint32_t ttl;
	size_t i;

	if ((a->status != DNS_OK && a->status != DNS_NXDOMAIN &&
	    a->status != DNS_NODATA) || a->ttl == 0)
		return;
	ttl = a->ttl > DNS_CACHE_MAX_TTL ? DNS_CACHE_MAX_TTL : a->ttl;
	e = xcalloc(1, sizeof(*e));
	e->keylen = ldns_rdf_size(name);
	e->key = xmalloc(e->keylen);
	for (i = 0; i < e->keylen; i++)
		e->key[i] = fold(ldns_rdf_data(name)[i]);
	e->type = type;
	e->bucket = bucket_of(c, name, type);
	e->expires = now + (time_t)ttl;
	e->answer = dns_answer_dup(a);

	pthread_mutex_lock(&c->lock);
	if ((old = find(c, name, type)) != NULL)
		drop(c, old);
	while (c->count >= c->max && c->tail != NULL)
		drop(c, c->tail);
	e->hnext = c->buckets[e->bucket];
	c->buckets[e->bucket] = e;
	lru_push(c, e);
	c->count++;
	pthread_mutex_unlock(&c->lock);
}

/* dns_cache_count - answers currently held */
size_t
dns_cache_count(struct dns_cache *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
}
