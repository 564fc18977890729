/*
 * test_dns_zone - the zone-file resolver: record types, NXDOMAIN vs
 * NODATA vs empty non-terminal, CNAME chains and loops, case, relative
 * names, injected timeout/SERVFAIL, and parse errors with line numbers.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns.h"
#include "xmalloc.h"

#define ZONE	TEST_DATA "/zones/basic.zone"

/* rdata_str - the first RR's rdata as presentation text; x_free */
static char *
rdata_str(const struct dns_answer *a)
{
	const ldns_rr *rr = ldns_rr_list_rr(a->rrs, 0);
	char *s, *out;

	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT)
		return dns_txt_join(rr, NULL);
	s = ldns_rdf2str(ldns_rr_rdf(rr, ldns_rr_rd_count(rr) - 1));
	out = xstrdup(s);
	LDNS_FREE(s);
	return out;
}

/* test_lookups - a table of questions and the answers they must get */
static void
test_lookups(void **state)
{
	static const struct {
		const char *name;
		ldns_rr_type type;
		enum dns_status want;
		size_t want_count;
		const char *want_rdata;		/* first RR */
		uint32_t want_ttl;
	} cases[] = {
		{ "host.example", LDNS_RR_TYPE_A, DNS_OK, 1, "192.0.2.1", 600 },
		{ "host.example.", LDNS_RR_TYPE_AAAA, DNS_OK, 1, "2001:db8::1",
		    600 },
		{ "HOST.Example", LDNS_RR_TYPE_A, DNS_OK, 1, "192.0.2.1", 600 },
		{ "mixed.case.example", LDNS_RR_TYPE_A, DNS_OK, 1, "192.0.2.2",
		    600 },
		{ "example", LDNS_RR_TYPE_MX, DNS_OK, 1, "mail.example.", 600 },
		{ "split.example", LDNS_RR_TYPE_TXT, DNS_OK, 1,
		    "v=spf1 ip4:192.0.2.0/24 -all", 600 },
		{ "1.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, DNS_OK, 1,
		    "host.example.", 600 },
		{ "alias2.example", LDNS_RR_TYPE_A, DNS_OK, 1, "192.0.2.1",
		    600 },
		{ "short.example", LDNS_RR_TYPE_A, DNS_OK, 1, "192.0.2.9", 60 },
		/* exists with other types: NODATA, SOA-derived TTL */
		{ "host.example", LDNS_RR_TYPE_TXT, DNS_NODATA, 0, NULL, 120 },
		/* empty non-terminal: NODATA, not NXDOMAIN */
		{ "below.ent.example", LDNS_RR_TYPE_A, DNS_NODATA, 0, NULL,
		    120 },
		{ "nothing.example", LDNS_RR_TYPE_A, DNS_NXDOMAIN, 0, NULL,
		    120 },
		{ "loop1.example", LDNS_RR_TYPE_A, DNS_ERROR, 0, NULL, 0 },
		{ "slow.example", LDNS_RR_TYPE_TXT, DNS_TIMEOUT, 0, NULL, 0 },
		{ "slow.example", LDNS_RR_TYPE_A, DNS_TIMEOUT, 0, NULL, 0 },
		{ "BROKEN.example", LDNS_RR_TYPE_MX, DNS_SERVFAIL, 0, NULL, 0 },
		{ "bad..name", LDNS_RR_TYPE_A, DNS_NXDOMAIN, 0, NULL, 0 },
		{ "", LDNS_RR_TYPE_A, DNS_NXDOMAIN, 0, NULL, 0 },
	};
	struct dns_answer *a;
	struct dns *d;
	char err[256], *rd;
	size_t i;

	(void)state;
	d = dns_new_zone(ZONE, err, sizeof(err));
	if (d == NULL)
		fail_msg("%s", err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = dns_query(d, cases[i].name, cases[i].type);
		if (a->status != cases[i].want)
			fail_msg("%s: got %s, want %s", cases[i].name,
			    dns_status_str(a->status),
			    dns_status_str(cases[i].want));
		assert_int_equal(a->rrs != NULL ?
		    ldns_rr_list_rr_count(a->rrs) : 0, cases[i].want_count);
		if (cases[i].want_rdata != NULL) {
			rd = rdata_str(a);
			assert_string_equal(rd, cases[i].want_rdata);
			x_free(rd);
		}
		if (cases[i].want_ttl != 0)
			assert_int_equal(a->ttl, cases[i].want_ttl);
		dns_answer_free(a);
	}
	dns_free(d);
}

/* test_load_errors - bad files are refused with FILE:LINE */
static void
test_load_errors(void **state)
{
	static const struct {
		const char *text;
		const char *want;	/* prefix after "FILE:" */
	} cases[] = {
		{ "; ok\n;! sleep a.example\n", "2: bad fault line" },
		{ ";! timeout\n", "1: bad fault line" },
	};
	char path[] = "/tmp/mxauth-test-zone.XXXXXX", err[256], want[512];
	struct dns *d;
	FILE *fp;
	size_t i;
	int fd;

	(void)state;
	d = dns_new_zone(TEST_DATA "/zones/bad.zone", err, sizeof(err));
	assert_null(d);
	assert_true(strncmp(err, TEST_DATA "/zones/bad.zone:4: ",
	    strlen(TEST_DATA "/zones/bad.zone:4: ")) == 0);
	assert_null(dns_new_zone("/nonexistent.zone", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent.zone: cannot open: No such "
	    "file or directory");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strcpy(path, "/tmp/mxauth-test-zone.XXXXXX");
		fd = mkstemp(path);
		fp = fdopen(fd, "w");
		fputs(cases[i].text, fp);
		fclose(fp);
		assert_null(dns_new_zone(path, err, sizeof(err)));
		snprintf(want, sizeof(want), "%s:%s", path, cases[i].want);
		assert_true(strncmp(err, want, strlen(want)) == 0);
		unlink(path);
	}
}

/* test_empty - a zone with no records: every name NXDOMAIN, TTL 300 */
static void
test_empty(void **state)
{
	char path[] = "/tmp/mxauth-test-zone.XXXXXX", err[256];
	struct dns_answer *a;
	struct dns *d;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(write(fd, "; nothing\n", 10) == 10);
	close(fd);
	d = dns_new_zone(path, err, sizeof(err));
	assert_non_null(d);
	a = dns_query(d, "any.example", LDNS_RR_TYPE_TXT);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	assert_int_equal(a->ttl, 300);
	dns_answer_free(a);
	dns_free(d);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
