/*
 * test_dns_cache - TTL expiry (with an injected clock), negative caching
 * per RFC 2308, temporary failures never cached, the size bound, key
 * case-insensitivity, independent copies; and resolver server parsing.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
		{ DNS_NXDOMAIN, 120, 119, 1 },	/* RFC 2308 negative caching */
		{ DNS_NXDOMAIN, 120, 120, 0 },
		{ DNS_NODATA, 30, 29, 1 },
		{ DNS_NODATA, 30, 31, 0 },
		{ DNS_OK, 0, 0, 0 },		/* TTL 0: not cached */
		{ DNS_SERVFAIL, 300, 0, 0 },	/* temporary: never cached */
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
			/* The TTL handed out counts down. */
			assert_true(a->ttl <= cases[i].ttl - cases[i].at);
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
	dns_cache_free(c);
}

/* test_servers - dns_servers syntax accepted and refused by dns_new */
static void
test_servers(void **state)
{
	static const struct {
		const char *servers;
		int want_ok;
	} cases[] = {
		{ "127.0.0.1", 1 },
		{ "127.0.0.1:5353 [::1]:5353", 1 },
		{ "::1", 1 },
		{ "127.0.0.1,127.0.0.2:53", 1 },
		{ "127.0.0.1:0", 0 },
		{ "127.0.0.1:70000", 0 },
		{ "[::1", 0 },
		{ "ns.example", 0 },
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
		d = dns_new(&o, err, sizeof(err));
		if ((d != NULL) != cases[i].want_ok)
			fail_msg("%s: ok=%d", cases[i].servers, d != NULL);
		if (d == NULL)
			assert_non_null(strstr(err, "bad DNS server"));
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
		cmocka_unit_test(test_servers),
		cmocka_unit_test(test_no_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
