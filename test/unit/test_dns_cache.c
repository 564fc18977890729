/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_cache - TTL expiry and the TTL handed out (with an injected
 * clock), negative caching per RFC 2308, temporary failures and TTL 0
 * never cached, the one-day cap, the entry bound and the byte bound
 * (LRU), the cap on one answer, the byte count against what malloc
 * really hands out, keys that ignore case whatever the caller's dname
 * looks like, per-type keys, independent copies, concurrent use from
 * many threads, identical questions in flight shared; and the
 * resolver's server list (dns_new) including a server that is not there,
 * on loopback only.
 */
#include "config.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <malloc.h>
#include <time.h>

#include "dns_cache.h"
#include "dns_int.h"
#include "xmalloc.h"

/* answer - an answer with STATUS/TTL and, for DNS_OK, one A record */
static struct dns_answer *
answer(enum dns_status status, uint32_t ttl, const char *a)
{
	struct dns_answer *ans;
	ldns_rr *rr;
	char text[128];

	if (status != DNS_OK)
		return dns_answer_new(status, ttl);
	snprintf(text, sizeof(text), "x.example. %u IN A %s", ttl, a);
	assert_int_equal(ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL),
	    LDNS_STATUS_OK);
	ans = dns_answer_from_rrs(DNS_T_A, ttl, (const ldns_rr **)&rr, 1);
	ldns_rr_free(rr);
	return ans;
}

/* put - cache ANSWER under NAME/A at NOW, then free our copy */
static void
put(struct dns_cache *c, const char *name, struct dns_answer *a, time_t now)
{
	ldns_rdf *d = dns_dname_new(name);

	dns_cache_put(c, d, DNS_T_A, a, now);
	ldns_rdf_deep_free(d);
	dns_answer_free(a);
}

/* get - look NAME/A up at NOW */
static struct dns_answer *
get(struct dns_cache *c, const char *name, time_t now)
{
	ldns_rdf *d = dns_dname_new(name);
	struct dns_answer *a;

	a = dns_cache_get(c, d, DNS_T_A, now);
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
		c = dns_cache_new(10, SIZE_MAX);
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
	c = dns_cache_new(2, SIZE_MAX);
	put(c, "a.example", answer(DNS_OK, 60, "192.0.2.1"), 0);
	put(c, "b.example", answer(DNS_OK, 60, "192.0.2.2"), 0);
	a = get(c, "a.example", 1);		/* a is now most recent */
	assert_non_null(a);
	dns_answer_free(a);
	put(c, "c.example", answer(DNS_OK, 60, "192.0.2.3"), 1);
	assert_int_equal(dns_cache_usage(c).count, 2);
	assert_null(get(c, "b.example", 2));
	a = get(c, "a.example", 2);
	assert_non_null(a);
	dns_answer_free(a);
	a = get(c, "c.example", 2);
	assert_non_null(a);
	dns_answer_free(a);
	/* Replacing an entry does not grow the cache. */
	put(c, "c.example", answer(DNS_OK, 60, "192.0.2.4"), 3);
	assert_int_equal(dns_cache_usage(c).count, 2);
	dns_cache_free(c);
}

/* big - a DNS_OK TXT answer at NAME of about KB kilobytes of strings */
static struct dns_answer *
big(const char *name, size_t kb)
{
	struct dns_answer *ans;
	char *text;
	size_t i, n = 0, len;
	ldns_rr *rr;

	len = 64 + kb * 1024 / 200 * 204;
	text = xmalloc(len);
	n = (size_t)snprintf(text, len, "%s 300 IN TXT", name);
	for (i = 0; i < kb * 1024 / 200; i++) {
		memcpy(text + n, " \"", 2);
		memset(text + n + 2, 'a' + (int)(i % 26), 200);
		memcpy(text + n + 202, "\"", 2);
		n += 203;
	}
	text[n] = '\0';
	assert_int_equal(ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL),
	    LDNS_STATUS_OK);
	x_free(text);
	ans = dns_answer_from_rrs(DNS_T_TXT, 300, (const ldns_rr **)&rr, 1);
	ldns_rr_free(rr);
	return ans;
}

/* put_big - cache a KB-kilobyte answer for NAME/A at NOW */
static void
put_big(struct dns_cache *c, const char *name, size_t kb, time_t now)
{
	put(c, name, big(name, kb), now);
}

/* has - whether NAME is cached at NOW */
static int
has(struct dns_cache *c, const char *name, time_t now)
{
	struct dns_answer *a = get(c, name, now);

	dns_answer_free(a);
	return a != NULL;
}

/*
 * test_byte_bound - answers of 8 KB into a 64 KB cache: the bytes held
 * never pass the bound, the least recently used go first, and one
 * answer over DNS_CACHE_MAX_ANSWER is never kept however big the cache
 */
static void
test_byte_bound(void **state)
{
	char name[64];
	struct dns_cache *c;
	int i;

	(void)state;
	c = dns_cache_new(10000, 64 * 1024);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		put_big(c, name, 8, 0);
		if (dns_cache_usage(c).bytes > 64 * 1024)
			fail_msg("after %d answers: %zu bytes held", i + 1,
			    dns_cache_usage(c).bytes);
		if (i == 3)
			assert_true(has(c, "n0.example", 0));	/* now recent */
	}
	/* 8 KB of strings take about 9 KB: six or seven fit */
	assert_true(dns_cache_usage(c).count >= 5 && dns_cache_usage(c).count <= 7);
	assert_true(has(c, "n39.example", 0));
	assert_false(has(c, "n1.example", 0));
	assert_false(has(c, "n0.example", 0));	/* touched, then aged out */
	/* LRU: touch the oldest survivor, add one: the next oldest goes */
	snprintf(name, sizeof(name), "n%zu.example", 40 - dns_cache_usage(c).count);
	assert_true(has(c, name, 0));
	put_big(c, "new.example", 8, 0);
	assert_true(has(c, name, 0));
	snprintf(name, sizeof(name), "n%zu.example", 41 - dns_cache_usage(c).count);
	assert_false(has(c, name, 0));
	dns_cache_free(c);

	/* one 60 KB answer (an SPF include:%{l}.big.example) is not kept */
	c = dns_cache_new(10000, (size_t)1 << 30);
	put_big(c, "x.big.example", 60, 0);
	assert_false(has(c, "x.big.example", 0));
	assert_int_equal(dns_cache_usage(c).count, 0);
	assert_int_equal(dns_cache_usage(c).bytes, 0);
	put_big(c, "y.big.example", 16, 0);	/* under the cap: kept */
	assert_true(has(c, "y.big.example", 0));
	dns_cache_free(c);
}

/*
 * test_byte_count - what the cache counts is what the heap holds: the
 * count is within 10% of malloc's own figure for a small and a large
 * answer (glibc's mallinfo2; sanitizer builds have their own malloc and
 * report nothing there, so only the counted side is checked; main()
 * turns glibc's thread cache off, whose free chunks count as in use)
 */
static void
test_byte_count(void **state)
{
	static const size_t kbs[] = { 0, 1, 20 };
	struct dns_answer *a;
	struct dns_cache *c;
	struct mallinfo2 m0, m1;
	size_t i, counted, real;

	(void)state;
	for (i = 0; i < sizeof(kbs) / sizeof(kbs[0]); i++) {
		a = kbs[i] == 0 ? answer(DNS_OK, 60, "192.0.2.1") :
		    big("x.example", kbs[i]);
		c = dns_cache_new(10, SIZE_MAX);
		m0 = mallinfo2();
		put(c, "x.example", dns_answer_dup(a), 0);
		m1 = mallinfo2();
		counted = dns_cache_usage(c).bytes;
		assert_int_equal(dns_cache_usage(c).count, 1);
		real = m1.uordblks - m0.uordblks;
		if (m0.uordblks != 0 && (counted * 10 < real * 9 ||
		    counted * 10 > real * 11))
			fail_msg("%zu KB: counted %zu, malloc holds %zu",
			    kbs[i], counted, real);
		assert_true(counted > kbs[i] * 1024);
		dns_answer_free(a);
		dns_cache_free(c);
	}
}

struct flight_arg {
	struct dns_cache	*cache;
	long long		 deadline_ms;
	int			 asked;		/* out: it had to ask */
	enum dns_status		 got;		/* out */
};

/* mono_ms - CLOCK_MONOTONIC in milliseconds */
static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* join_flight - one thread asking q.example/A through dns_cache_begin */
static void *
join_flight(void *arg)
{
	struct flight_arg *f = arg;
	struct dns_flight *flight;
	struct dns_answer *a;
	ldns_rdf *d = dns_dname_new("q.example");

	a = dns_cache_begin(f->cache, d, DNS_T_A, 0, f->deadline_ms,
	    &flight);
	if (a == NULL) {
		f->asked = 1;
		a = answer(DNS_OK, 60, "192.0.2.9");
		dns_cache_end(f->cache, flight, d, DNS_T_A, a, 0);
	}
	f->got = a->status;
	dns_answer_free(a);
	ldns_rdf_deep_free(d);
	return NULL;
}

/*
 * test_in_flight - while one thread asks, the others wait for its answer
 * (a failure too), a waiter's deadline ends its wait, and afterwards the
 * cache answers without a flight
 */
static void
test_in_flight(void **state)
{
	struct flight_arg args[6];
	pthread_t t[6];
	struct dns_flight *flight, *other;
	struct dns_answer *a, *mine;
	struct dns_cache *c;
	ldns_rdf *d;
	long long t0;
	int i;

	(void)state;
	c = dns_cache_new(10, SIZE_MAX);
	d = dns_dname_new("q.example");
	/* we ask; the threads must wait for us */
	assert_null(dns_cache_begin(c, d, DNS_T_A, 0, 0, &flight));
	assert_non_null(flight);
	/* another type is another question */
	assert_null(dns_cache_begin(c, d, DNS_T_MX, 0, 0, &other));
	mine = answer(DNS_SERVFAIL, 0, NULL);
	dns_cache_end(c, other, d, DNS_T_MX, mine, 0);
	dns_answer_free(mine);
	memset(args, 0, sizeof(args));
	for (i = 0; i < 6; i++) {
		args[i].cache = c;
		/* the last one gives up after 200 ms */
		args[i].deadline_ms = i == 5 ? mono_ms() + 200 : 0;
		assert_int_equal(pthread_create(&t[i], NULL, join_flight,
		    &args[i]), 0);
	}
	t0 = mono_ms();
	assert_int_equal(pthread_join(t[5], NULL), 0);
	assert_true(mono_ms() - t0 < 2000);
	assert_int_equal(args[5].got, DNS_TIMEOUT);
	assert_int_equal(args[5].asked, 0);
	usleep(300 * 1000);	/* the other five are waiting by now */
	/* our failure is theirs: nobody asks again, nothing is cached */
	mine = answer(DNS_SERVFAIL, 0, NULL);
	dns_cache_end(c, flight, d, DNS_T_A, mine, 0);
	dns_answer_free(mine);
	for (i = 0; i < 5; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(args[i].asked, 0);
		assert_int_equal(args[i].got, DNS_SERVFAIL);
	}
	assert_int_equal(dns_cache_usage(c).count, 0);
	/* the next one asks, and its answer is cached for the one after */
	join_flight(&args[0]);
	assert_int_equal(args[0].asked, 1);
	args[1].asked = 0;
	join_flight(&args[1]);
	assert_int_equal(args[1].asked, 0);
	assert_int_equal(args[1].got, DNS_OK);
	/* with no entry allowed, the flight is still shared, nothing kept */
	dns_cache_free(c);
	c = dns_cache_new(0, SIZE_MAX);
	assert_null(dns_cache_begin(c, d, DNS_T_A, 0, 0, &flight));
	a = dns_cache_begin(c, d, DNS_T_A, 0, mono_ms() + 50, &other);
	assert_non_null(a);
	assert_int_equal(a->status, DNS_TIMEOUT);
	dns_answer_free(a);
	mine = answer(DNS_OK, 60, "192.0.2.1");
	dns_cache_end(c, flight, d, DNS_T_A, mine, 0);
	dns_answer_free(mine);
	assert_int_equal(dns_cache_usage(c).count, 0);
	ldns_rdf_deep_free(d);
	dns_cache_free(c);
}

/* test_keys_and_copies - case-insensitive keys; copies are independent */
static void
test_keys_and_copies(void **state)
{
	struct dns_cache *c;
	struct dns_answer *a, *b;
	ldns_rdf *raw, *d;
	char s[INET_ADDRSTRLEN];

	(void)state;
	c = dns_cache_new(10, SIZE_MAX);
	put(c, "Mixed.EXAMPLE.", answer(DNS_OK, 60, "192.0.2.7"), 0);
	a = get(c, "mixed.example", 1);
	assert_non_null(a);
	b = get(c, "MIXED.example", 1);
	assert_non_null(b);
	assert_ptr_not_equal(a->rr, b->rr);
	dns_answer_free(a);		/* b must survive a's release */
	assert_int_equal(b->n, 1);
	assert_int_equal(b->rr[0].family, AF_INET);
	assert_non_null(inet_ntop(AF_INET, b->rr[0].addr, s, sizeof(s)));
	assert_string_equal(s, "192.0.2.7");
	dns_answer_free(b);

	/* A dname that nobody made canonical still finds the entry. */
	assert_int_equal(ldns_str2rdf_dname(&raw, "MiXeD.ExAmPlE."),
	    LDNS_STATUS_OK);
	a = dns_cache_get(c, raw, DNS_T_A, 1);
	assert_non_null(a);
	dns_answer_free(a);
	/* ... and the key is per type. */
	assert_null(dns_cache_get(c, raw, DNS_T_TXT, 1));
	a = answer(DNS_NXDOMAIN, 60, NULL);
	dns_cache_put(c, raw, DNS_T_TXT, a, 1);
	dns_answer_free(a);
	d = dns_dname_new("mixed.example");
	a = dns_cache_get(c, d, DNS_T_TXT, 2);
	assert_non_null(a);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	assert_int_equal(a->n, 0);
	assert_null(a->rr);
	dns_answer_free(a);
	a = dns_cache_get(c, d, DNS_T_A, 2);
	assert_int_equal(a->status, DNS_OK);
	dns_answer_free(a);
	ldns_rdf_deep_free(d);
	ldns_rdf_deep_free(raw);
	assert_int_equal(dns_cache_usage(c).count, 2);
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
			if (a->status != DNS_OK || a->n != 1)
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
	c = dns_cache_new(16, SIZE_MAX);
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
	assert_true(dns_cache_usage(c).count <= 16);
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
	a = dns_query(d, "example.org", DNS_T_TXT);
	assert_int_equal(a->status, DNS_TIMEOUT);
	dns_answer_free(a);
	dns_free(d);
}

int
main(int argc, char **argv)
{
	/*
	 * glibc's per-thread cache keeps freed chunks counted as in use,
	 * which would blur test_byte_count: run without it.
	 */
	(void)argc;
	if (getenv("GLIBC_TUNABLES") == NULL) {
		setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
		execv("/proc/self/exe", argv);
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_byte_bound),
		cmocka_unit_test(test_byte_count),
		cmocka_unit_test(test_in_flight),
		cmocka_unit_test(test_keys_and_copies),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_servers),
		cmocka_unit_test(test_no_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
