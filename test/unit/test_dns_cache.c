/*
 * test_dns_cache - TTL expiry and the TTL handed out (with an injected
 * clock), negative caching per RFC 2308, temporary failures and TTL 0
 * never cached, the one-day cap, the size bound (LRU), keys that ignore
 * case whatever the caller's dname looks like, per-type keys,
 * independent copies, concurrent use from many threads; and the
 * resolver's server list (dns_new) including a server that is not there,
 * on loopback only.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"
#include "dns_cache.h"
#include "xmalloc.h"

/* answer - an answer with STATUS/TTL and, for DNS_OK, one A record */
static struct dns_answer *
answer(enum dns_status status, uint32_t ttl, const char *a)
{
	struct dns_answer *ans;
	ldns_rr *rr;
	char text[128];

	ans = xcalloc(1, sizeof(*ans));
	ans->status = status;
	ans->ttl = ttl;
	if (status == DNS_OK) {
		snprintf(text, sizeof(text), "x.example. %u IN A %s", ttl, a);
		assert_int_equal(ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL),
		    LDNS_STATUS_OK);
		ans->rrs = ldns_rr_list_new();
		ldns_rr_list_push_rr(ans->rrs, rr);
	}
	return ans;
}

/* put - cache ANSWER under NAME/A at NOW, then free our copy */
static void
put(struct dns_cache *c, const char *name, struct dns_answer *a, time_t now)
{
	ldns_rdf *d = dns_dname_new(name);

	dns_cache_put(c, d, LDNS_RR_TYPE_A, a, now);
	ldns_rdf_deep_free(d);
	dns_answer_free(a);
}

/* get - look NAME/A up at NOW */
static struct dns_answer *
get(struct dns_cache *c, const char *name, time_t now)
{
	ldns_rdf *d = dns_dname_new(name);
	struct dns_answer *a;

	a = dns_cache_get(c, d, LDNS_RR_TYPE_A, now);
	ldns_rdf_deep_free(d);
	return a;
}

/* test_expiry - positive and negative answers live exactly their TTL */
static void
test_expiry(void **state)
{
	static const struct {
		enum dns_status status;
		uint32_t ttl;
		time_t at;		/* seconds after the put */
		int want_hit;
	} cases[] = {
		{ DNS_OK, 60, 0, 1 },
		{ DNS_OK, 60, 59, 1 },
		{ DNS_OK, 60, 60, 0 },
		{ DNS_NXDOMAIN, 120, 119, 1 },	/* RFC 2308 negative */
		{ DNS_NXDOMAIN, 120, 120, 0 },
		{ DNS_NODATA, 30, 29, 1 },
		{ DNS_NODATA, 30, 31, 0 },
		{ DNS_OK, 0, 0, 0 },		/* TTL 0: not cached */
		{ DNS_SERVFAIL, 300, 0, 0 },	/* temporary: not cached */
		{ DNS_TIMEOUT, 300, 0, 0 },
		{ DNS_ERROR, 300, 0, 0 },
		{ DNS_OK, 10 * 86400, 86399, 1 },	/* capped at a day */
		{ DNS_OK, 10 * 86400, 86400, 0 },
	};
	struct dns_cache *c;
	struct dns_answer *a;
	time_t t0 = 1000000;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = dns_cache_new(10);
		put(c, "x.example", answer(cases[i].status, cases[i].ttl,
		    "192.0.2.1"), t0);
		a = get(c, "x.example", t0 + cases[i].at);
		if ((a != NULL) != cases[i].want_hit)
			fail_msg("case %zu: hit=%d want %d", i, a != NULL,
			    cases[i].want_hit);
		if (a != NULL) {
			assert_int_equal(a->status, cases[i].status);
			/* The TTL handed out counts down from the cap. */
			assert_int_equal(a->ttl, (cases[i].ttl > 86400 ?
			    86400 : cases[i].ttl) - cases[i].at);
			dns_answer_free(a);
		}
		dns_cache_free(c);
	}
}

/* test_bound - the least recently used answer goes first */
static void
test_bound(void **state)
{
	struct dns_cache *c;
	struct dns_answer *a;

	(void)state;
	c = dns_cache_new(2);
	put(c, "a.example", answer(DNS_OK, 60, "192.0.2.1"), 0);
	put(c, "b.example", answer(DNS_OK, 60, "192.0.2.2"), 0);
	a = get(c, "a.example", 1);		/* a is now most recent */
	assert_non_null(a);
	dns_answer_free(a);
	put(c, "c.example", answer(DNS_OK, 60, "192.0.2.3"), 1);
	assert_int_equal(dns_cache_count(c), 2);
	assert_null(get(c, "b.example", 2));
	a = get(c, "a.example", 2);
	assert_non_null(a);
	dns_answer_free(a);
	a = get(c, "c.example", 2);
	assert_non_null(a);
	dns_answer_free(a);
	/* Replacing an entry does not grow the cache. */
	put(c, "c.example", answer(DNS_OK, 60, "192.0.2.4"), 3);
	assert_int_equal(dns_cache_count(c), 2);
	dns_cache_free(c);
}

/* test_keys_and_copies - case-insensitive keys; copies are independent */
static void
test_keys_and_copies(void **state)
{
	struct dns_cache *c;
	struct dns_answer *a, *b;
	ldns_rdf *raw, *d;
	char *s;

	(void)state;
	c = dns_cache_new(10);
	put(c, "Mixed.EXAMPLE.", answer(DNS_OK, 60, "192.0.2.7"), 0);
	a = get(c, "mixed.example", 1);
	assert_non_null(a);
	b = get(c, "MIXED.example", 1);
	assert_non_null(b);
	assert_ptr_not_equal(a->rrs, b->rrs);
	dns_answer_free(a);		/* b must survive a's release */
	s = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(b->rrs, 0), 0));
	assert_string_equal(s, "192.0.2.7");
	LDNS_FREE(s);
	dns_answer_free(b);

	/* A dname that nobody made canonical still finds the entry. */
	assert_int_equal(ldns_str2rdf_dname(&raw, "MiXeD.ExAmPlE."),
	    LDNS_STATUS_OK);
	a = dns_cache_get(c, raw, LDNS_RR_TYPE_A, 1);
	assert_non_null(a);
	dns_answer_free(a);
	/* ... and the key is per type. */
	assert_null(dns_cache_get(c, raw, LDNS_RR_TYPE_TXT, 1));
	a = answer(DNS_NXDOMAIN, 60, NULL);
	dns_cache_put(c, raw, LDNS_RR_TYPE_TXT, a, 1);
	dns_answer_free(a);
	d = dns_dname_new("mixed.example");
	a = dns_cache_get(c, d, LDNS_RR_TYPE_TXT, 2);
	assert_non_null(a);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	assert_null(a->rrs);
	dns_answer_free(a);
	a = dns_cache_get(c, d, LDNS_RR_TYPE_A, 2);
	assert_int_equal(a->status, DNS_OK);
	dns_answer_free(a);
	ldns_rdf_deep_free(d);
	ldns_rdf_deep_free(raw);
	assert_int_equal(dns_cache_count(c), 2);
	dns_cache_free(c);
}

#define NTHREADS	8
#define NOPS		4000

struct hammer_arg {
	struct dns_cache	*cache;
	const struct dns_answer	*template;	/* read-only, shared */
	unsigned		 seed;
};

/* hammer - one thread's mix of puts and gets over a few names */
static void *
hammer(void *arg)
{
	struct hammer_arg *h = arg;
	struct dns_answer *a;
	char name[64];
	int i;

	for (i = 0; i < NOPS; i++) {
		snprintf(name, sizeof(name), "N%d.example",
		    rand_r(&h->seed) % 40);
		if (rand_r(&h->seed) % 3 == 0) {
			a = dns_answer_dup(h->template);
			a->ttl = 1 + rand_r(&h->seed) % 5;
			put(h->cache, name, a, i / 100);
		} else if ((a = get(h->cache, name, i / 100)) != NULL) {
			if (a->status != DNS_OK ||
			    ldns_rr_list_rr_count(a->rrs) != 1)
				abort();	/* no cmocka off-thread */
			dns_answer_free(a);
		}
	}
	return NULL;
}

/* test_threads - many threads share one cache; the bound holds */
static void
test_threads(void **state)
{
	struct hammer_arg args[NTHREADS];
	pthread_t t[NTHREADS];
	struct dns_answer *tmpl;
	struct dns_cache *c;
	int i;

	(void)state;
	c = dns_cache_new(16);
	tmpl = answer(DNS_OK, 5, "192.0.2.1");
	for (i = 0; i < NTHREADS; i++) {
		args[i].cache = c;
		args[i].template = tmpl;
		args[i].seed = (unsigned)i + 1;
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &args[i]),
		    0);
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_true(dns_cache_count(c) <= 16);
	dns_answer_free(tmpl);
	dns_cache_free(c);
}

/* test_servers - dns_servers syntax accepted and refused by dns_new */
static void
test_servers(void **state)
{
	static const struct {
		const char *servers;
		const char *want_err;	/* NULL: accepted */
	} cases[] = {
		{ "127.0.0.1", NULL },
		{ "127.0.0.1:5353 [::1]:5353", NULL },
		{ "::1", NULL },
		{ "[::1]", NULL },
		{ "127.0.0.1,127.0.0.2:53", NULL },
		{ " , 127.0.0.1 ,\t127.0.0.2 ", NULL },
		{ "127.0.0.1:65535", NULL },
		{ "127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 "
		    "127.0.0.7 127.0.0.8", NULL },
		{ "127.0.0.1:0", "bad DNS server \"127.0.0.1:0\"" },
		{ "127.0.0.1:70000", "bad DNS server \"127.0.0.1:70000\"" },
		{ "127.0.0.1:", "bad DNS server \"127.0.0.1:\"" },
		{ "127.0.0.1:53x", "bad DNS server \"127.0.0.1:53x\"" },
		{ "127.0.0.1:+53", "bad DNS server \"127.0.0.1:+53\"" },
		{ "[::1", "bad DNS server \"[::1\"" },
		{ "[::1]53", "bad DNS server \"[::1]53\"" },
		{ "[]:53", "bad DNS server \"[]:53\"" },
		{ "127.0.0.1 ns.example", "bad DNS server \"ns.example\"" },
		{ "127.0.0.256", "bad DNS server \"127.0.0.256\"" },
		{ " , \t", "no DNS server in \" , \t\"" },
		{ "127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 "
		    "127.0.0.7 127.0.0.8 127.0.0.9",
		    "bad DNS server \"127.0.0.9\" (at most 8 servers" },
	};
	struct dns_opts o;
	struct dns *d;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.servers = cases[i].servers;
		o.timeout = 1;
		err[0] = '\0';
		d = dns_new(&o, err, sizeof(err));
		if ((d != NULL) != (cases[i].want_err == NULL))
			fail_msg("%s: ok=%d (%s)", cases[i].servers, d != NULL,
			    err);
		if (d == NULL && strncmp(err, cases[i].want_err,
		    strlen(cases[i].want_err)) != 0)
			fail_msg("%s: got \"%s\"", cases[i].servers, err);
		dns_free(d);
	}
}

/* test_no_server - a server that does not answer is TIMEOUT, not NXDOMAIN */
static void
test_no_server(void **state)
{
	struct dns_answer *a;
	struct dns_opts o;
	struct dns *d;
	char err[256];

	(void)state;
	memset(&o, 0, sizeof(o));
	/* Loopback port 9 (discard): nothing answers DNS there. */
	o.servers = "127.0.0.1:9";
	o.timeout = 1;
	o.retries = 0;
	o.cache_size = 10;
	d = dns_new(&o, err, sizeof(err));
	assert_non_null(d);
	a = dns_query(d, "example.org", LDNS_RR_TYPE_TXT);
	assert_int_equal(a->status, DNS_TIMEOUT);
	dns_answer_free(a);
	dns_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_keys_and_copies),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_servers),
		cmocka_unit_test(test_no_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
