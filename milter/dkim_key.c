/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_key - DKIM key records and the parsed-key cache.
 *
 * The cache: CACHE_BUCKETS chains under one mutex, at most CACHE_MAX
 * keys (a few hundred bytes to 2 KB each); when full it is emptied and
 * starts again, which costs one re-parse per key and keeps the bound
 * simple.  Entries hold one reference; lookups add one for the caller
 * (EVP_PKEY references are atomic, and a key is only read once built,
 * which OpenSSL allows from several threads).
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>

#include "dkim_key.h"
#include "taglist.h"
#include "xmalloc.h"

#define CACHE_BUCKETS	256
#define CACHE_MAX	512

struct kentry {
	struct kentry	*next;
	int		 ed25519;
	char		*p;		/* p= without FWS */
	size_t		 plen;
	EVP_PKEY	*pkey;
	unsigned	 bits;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kentry *cache[CACHE_BUCKETS];
static size_t cache_n;

/* hash - FNV-1a of the p= text */
static uint32_t
hash(const char *s, size_t len, int ed25519)
{
	uint32_t h = 2166136261u ^ (uint32_t)ed25519;

	while (len-- > 0)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* cache_flush - drop every entry (caller holds the lock) */
static void
cache_flush(void)
{
	struct kentry *e, *next;
	size_t i;

	for (i = 0; i < CACHE_BUCKETS; i++) {
		for (e = cache[i]; e != NULL; e = next) {
			next = e->next;
			EVP_PKEY_free(e->pkey);
			x_free(e->p);
			x_free(e);
		}
		cache[i] = NULL;
	}
	cache_n = 0;
}

/* decode - p= bytes into a key of the wanted type, or NULL */
static EVP_PKEY *
decode(const unsigned char *der, size_t len, int ed25519)
{
	const unsigned char *p = der;
	EVP_PKEY *k;

	if (ed25519)	/* RFC 8463 4: the bare 32-byte public key */
		return len != 32 ? NULL : EVP_PKEY_new_raw_public_key(
		    EVP_PKEY_ED25519, NULL, der, len);
	/* RFC 6376 3.6.1: SubjectPublicKeyInfo; PKCS#1 also seen in use. */
	k = d2i_PUBKEY(NULL, &p, (long)len);
	if (k == NULL || p != der + len || EVP_PKEY_get_base_id(k) !=
	    EVP_PKEY_RSA) {
		EVP_PKEY_free(k);
		p = der;
		k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
		if (k != NULL && p != der + len) {
			EVP_PKEY_free(k);
			k = NULL;
		}
	}
	return k;
}

/* lookup - the parsed key for p= text P (a new reference), or NULL */
static EVP_PKEY *
lookup(const char *p, size_t plen, int ed25519, unsigned *bits)
{
	uint32_t h = hash(p, plen, ed25519) % CACHE_BUCKETS;
	unsigned char *der;
	struct kentry *e;
	EVP_PKEY *k = NULL;
	long n;

	pthread_mutex_lock(&cache_lock);
	for (e = cache[h]; e != NULL; e = e->next)
		if (e->ed25519 == ed25519 && e->plen == plen &&
		    memcmp(e->p, p, plen) == 0) {
			if (EVP_PKEY_up_ref(e->pkey) == 1) {
				k = e->pkey;
				*bits = e->bits;
			}
			pthread_mutex_unlock(&cache_lock);
			return k;
		}
	pthread_mutex_unlock(&cache_lock);
	der = xmalloc(plen * 3 / 4 + 3);
	if ((n = dkim_b64_decode(p, plen, der)) > 0)
		k = decode(der, (size_t)n, ed25519);
	x_free(der);
	if (k == NULL)
		return NULL;
	*bits = (unsigned)EVP_PKEY_get_bits(k);
	pthread_mutex_lock(&cache_lock);
	if (cache_n >= CACHE_MAX)
		cache_flush();
	if (EVP_PKEY_up_ref(k) == 1) {
		e = xcalloc(1, sizeof(*e));
		e->ed25519 = ed25519;
		e->p = xstrndup(p, plen);
		e->plen = plen;
		e->pkey = k;
		e->bits = *bits;
		e->next = cache[h];
		cache[h] = e;
		cache_n++;
	}
	pthread_mutex_unlock(&cache_lock);
	return k;
}

/* check_tags - v=, h=, k=, s= against the signature (RFC 6376 3.6.1) */
static int
check_tags(const struct taglist *tags, enum dkim_alg alg, int *ed25519,
    char *why, size_t whylen)
{
	const char *hash = alg == DKIM_ALG_RSA_SHA1 ? "sha1" : "sha256";
	const struct taglist_tag *t;

	if ((t = taglist_get(tags, "v")) != NULL && (t != &tags->tag[0] ||
	    t->vlen != 5 || memcmp(t->val, "DKIM1", 5) != 0)) {
		snprintf(why, whylen, "key record is malformed (v=)");
		return -1;
	}
	if ((t = taglist_get(tags, "h")) != NULL && !taglist_has(t, hash)) {
		snprintf(why, whylen, "key h= does not allow %s", hash);
		return -1;
	}
	*ed25519 = 0;
	if ((t = taglist_get(tags, "k")) != NULL) {
		if (t->vlen == 7 && strncasecmp(t->val, "ed25519", 7) == 0)
			*ed25519 = 1;
		else if (t->vlen != 3 || strncasecmp(t->val, "rsa", 3) != 0) {
			snprintf(why, whylen, "unknown key type k=%.*s",
			    (int)(t->vlen > 16 ? 16 : t->vlen), t->val);
			return -1;
		}
	}
	if (*ed25519 != (alg == DKIM_ALG_ED25519_SHA256)) {
		snprintf(why, whylen, "key type does not match a=");
		return -1;
	}
	if ((t = taglist_get(tags, "s")) != NULL &&
	    !taglist_has(t, "email") && !taglist_has(t, "*")) {
		snprintf(why, whylen, "key s= is not for email");
		return -1;
	}
	return 0;
}

/* dkim_key_parse - the key record for a signature, checked and parsed */
int
dkim_key_parse(const char *txt, size_t len, enum dkim_alg alg,
    struct dkim_key *key, char *why, size_t whylen)
{
	struct taglist tags;
	const struct taglist_tag *t;
	char *p;
	int ed25519;

	memset(key, 0, sizeof(*key));
	if (taglist_split(txt, len, &tags, why, whylen) != 0) {
		snprintf(why, whylen, "key record is malformed");
		return -1;
	}
	if (check_tags(&tags, alg, &ed25519, why, whylen) != 0)
		return -1;
	if ((t = taglist_get(&tags, "p")) == NULL) {
		snprintf(why, whylen, "key record is malformed (no p=)");
		return -1;
	}
	if (t->vlen == 0) {
		snprintf(why, whylen, "key revoked");	/* 3.6.1 */
		return -1;
	}
	p = taglist_copy_nows(t);
	key->pkey = lookup(p, strlen(p), ed25519, &key->bits);
	x_free(p);
	if (key->pkey == NULL) {
		snprintf(why, whylen, "key p= is not a%s public key",
		    ed25519 ? "n Ed25519" : "n RSA");
		return -1;
	}
	if ((t = taglist_get(&tags, "t")) != NULL) {
		key->testing = taglist_has(t, "y");
		key->strict = taglist_has(t, "s");
	}
	return 0;
}

/* dkim_key_release - drop the caller's reference */
void
dkim_key_release(struct dkim_key *key)
{
	EVP_PKEY_free(key->pkey);
	key->pkey = NULL;
}
