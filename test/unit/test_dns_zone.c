/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_zone - the zone-file resolver: record types, RRsets, joined
 * TXT strings, NXDOMAIN vs NODATA vs empty non-terminal, CNAME chains,
 * their limit and loops, case, relative names and $ORIGIN, zones with and
 * without SOA, injected timeout/SERVFAIL, and parse errors with line
 * numbers.  Fixtures are the master files under test/data/zones/.
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

#define ZONES	TEST_DATA "/zones/"

/* rdata_str - the first RR's rdata as text (TXT joined); x_free */
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
		const char *zone;
		const char *name;
		ldns_rr_type type;
		enum dns_status want;
		size_t want_count;
		const char *want_rdata;		/* first RR */
		uint32_t want_ttl;		/* 0 = not checked */
	} cases[] = {
		/* basic.zone: SOA with TTL 600 and MINIMUM 120 */
		{ "basic", "host.example", LDNS_RR_TYPE_A, DNS_OK, 1,
		    "192.0.2.1", 600 },
		{ "basic", "host.example.", LDNS_RR_TYPE_AAAA, DNS_OK, 1,
		    "2001:db8::1", 600 },
		{ "basic", "HOST.Example", LDNS_RR_TYPE_A, DNS_OK, 1,
		    "192.0.2.1", 600 },
		{ "basic", "mixed.case.example", LDNS_RR_TYPE_A, DNS_OK, 1,
		    "192.0.2.2", 600 },
		{ "basic", "example", LDNS_RR_TYPE_MX, DNS_OK, 1,
		    "mail.example.", 600 },
		{ "basic", "split.example", LDNS_RR_TYPE_TXT, DNS_OK, 1,
		    "v=spf1 ip4:192.0.2.0/24 -all", 600 },
		{ "basic", "1.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, DNS_OK,
		    1, "host.example.", 600 },
		{ "basic", "alias2.example", LDNS_RR_TYPE_A, DNS_OK, 1,
		    "192.0.2.1", 600 },
		{ "basic", "alias.example", LDNS_RR_TYPE_CNAME, DNS_OK, 1,
		    "host.example.", 600 },
		{ "basic", "short.example", LDNS_RR_TYPE_A, DNS_OK, 1,
		    "192.0.2.9", 60 },
		/* exists with other types: NODATA, TTL min(SOA TTL, MINIMUM) */
		{ "basic", "host.example", LDNS_RR_TYPE_TXT, DNS_NODATA, 0,
		    NULL, 120 },
		/* empty non-terminal: NODATA, not NXDOMAIN */
		{ "basic", "below.ent.example", LDNS_RR_TYPE_A, DNS_NODATA, 0,
		    NULL, 120 },
		{ "basic", "leaf.below.ent.example", LDNS_RR_TYPE_TXT, DNS_OK,
		    1, "deep", 600 },
		{ "basic", "nothing.example", LDNS_RR_TYPE_A, DNS_NXDOMAIN, 0,
		    NULL, 120 },
		{ "basic", "x.leaf.below.ent.example", LDNS_RR_TYPE_A,
		    DNS_NXDOMAIN, 0, NULL, 120 },
		{ "basic", "loop1.example", LDNS_RR_TYPE_A, DNS_ERROR, 0, NULL,
		    0 },
		{ "basic", "slow.example", LDNS_RR_TYPE_TXT, DNS_TIMEOUT, 0,
		    NULL, 0 },
		{ "basic", "slow.example", LDNS_RR_TYPE_A, DNS_TIMEOUT, 0, NULL,
		    0 },
		{ "basic", "BROKEN.example", LDNS_RR_TYPE_MX, DNS_SERVFAIL, 0,
		    NULL, 0 },
		{ "basic", "bad..name", LDNS_RR_TYPE_A, DNS_NXDOMAIN, 0, NULL,
		    0 },
		{ "basic", "", LDNS_RR_TYPE_A, DNS_NXDOMAIN, 0, NULL, 0 },
		/* origin.zone: no SOA, no $TTL */
		{ "origin", "www.one.example", LDNS_RR_TYPE_A, DNS_OK, 2,
		    "192.0.2.10", 3600 },
		{ "origin", "www.one.example", LDNS_RR_TYPE_TXT, DNS_OK, 2,
		    "first second", 3600 },
		{ "origin", "upper.one.example", LDNS_RR_TYPE_A, DNS_OK, 2,
		    "192.0.2.10", 3600 },
		{ "origin", "away.one.example", LDNS_RR_TYPE_A, DNS_NXDOMAIN, 0,
		    NULL, 300 },
		{ "origin", "www.two.example", LDNS_RR_TYPE_A, DNS_OK, 1,
		    "198.51.100.1", 3600 },
		{ "origin", "www.two.example", LDNS_RR_TYPE_TXT, DNS_NODATA, 0,
		    NULL, 300 },
		{ "origin", "absolute.one.example", LDNS_RR_TYPE_AAAA, DNS_OK,
		    1, "2001:db8::2", 3600 },
		{ "origin", "absolute.two.example", LDNS_RR_TYPE_AAAA,
		    DNS_NXDOMAIN, 0, NULL, 300 },
		{ "origin", "two.example", LDNS_RR_TYPE_A, DNS_NODATA, 0, NULL,
		    300 },
		{ "origin", "example", LDNS_RR_TYPE_TXT, DNS_NODATA, 0, NULL,
		    300 },
		{ "origin", "c0.two.example", LDNS_RR_TYPE_A, DNS_OK, 1,
		    "192.0.2.8", 3600 },
		{ "origin", "d0.two.example", LDNS_RR_TYPE_A, DNS_ERROR, 0,
		    NULL, 0 },
		{ "origin", "d1.two.example", LDNS_RR_TYPE_A, DNS_OK, 1,
		    "192.0.2.9", 3600 },
		{ "origin", "to-slow.two.example", LDNS_RR_TYPE_MX,
		    DNS_SERVFAIL, 0, NULL, 0 },
		{ "origin", "typed.two.example", LDNS_RR_TYPE_A, DNS_OK, 1,
		    "192.0.2.99", 3600 },
		{ "origin", "typed.two.example", LDNS_RR_TYPE_TXT, DNS_TIMEOUT,
		    0, NULL, 0 },
	};
	struct dns *basic, *origin, *d;
	struct dns_answer *a;
	char err[256], *rd;
	size_t i;

	(void)state;
	if ((basic = dns_new_zone(ZONES "basic.zone", err, sizeof(err))) ==
	    NULL)
		fail_msg("%s", err);
	if ((origin = dns_new_zone(ZONES "origin.zone", err, sizeof(err))) ==
	    NULL)
		fail_msg("%s", err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = strcmp(cases[i].zone, "basic") == 0 ? basic : origin;
		a = dns_query(d, cases[i].name, cases[i].type);
		if (a->status != cases[i].want)
			fail_msg("%s %s: got %s, want %s", cases[i].zone,
			    cases[i].name, dns_status_str(a->status),
			    dns_status_str(cases[i].want));
		assert_int_equal(a->rrs != NULL ?
		    ldns_rr_list_rr_count(a->rrs) : 0, cases[i].want_count);
		if (cases[i].want_rdata != NULL) {
			rd = rdata_str(a);
			assert_string_equal(rd, cases[i].want_rdata);
			x_free(rd);
		}
		if (cases[i].want_ttl != 0 && a->ttl != cases[i].want_ttl)
			fail_msg("%s %s: ttl %u, want %u", cases[i].zone,
			    cases[i].name, a->ttl, cases[i].want_ttl);
		dns_answer_free(a);
	}
	dns_free(basic);
	dns_free(origin);
}

/* test_copies - every answer is the caller's own copy */
static void
test_copies(void **state)
{
	struct dns_answer *a, *b;
	struct dns *d;
	char err[256], *s;

	(void)state;
	d = dns_new_zone(ZONES "basic.zone", err, sizeof(err));
	assert_non_null(d);
	a = dns_query(d, "split.example", LDNS_RR_TYPE_TXT);
	b = dns_query(d, "split.example", LDNS_RR_TYPE_TXT);
	assert_ptr_not_equal(ldns_rr_list_rr(a->rrs, 0),
	    ldns_rr_list_rr(b->rrs, 0));
	dns_answer_free(a);
	dns_free(d);			/* b outlives the zone */
	s = dns_txt_join(ldns_rr_list_rr(b->rrs, 0), NULL);
	assert_string_equal(s, "v=spf1 ip4:192.0.2.0/24 -all");
	x_free(s);
	dns_answer_free(b);
}

/* test_txt_join - character-strings joined without separator (RFC 7208 3.3) */
static void
test_txt_join(void **state)
{
	static const struct {
		const char *rr;
		const char *want;
		size_t want_len;
	} cases[] = {
		{ "x. IN TXT \"v=spf1\"", "v=spf1", 6 },
		{ "x. IN TXT \"v=spf1 \" \"a\" \" -all\"", "v=spf1 a -all",
		    13 },
		{ "x. IN TXT \"\" \"a\" \"\"", "a", 1 },
		{ "x. IN TXT \"\"", "", 0 },
		{ "x. IN TXT \"a\\000b\"", "a", 3 },	/* NUL inside */
	};
	size_t i, len;
	ldns_rr *rr;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ldns_rr_new_frm_str(&rr, cases[i].rr, 0, NULL,
		    NULL), LDNS_STATUS_OK);
		s = dns_txt_join(rr, &len);
		assert_string_equal(s, cases[i].want);
		assert_int_equal(len, cases[i].want_len);
		x_free(s);
		ldns_rr_free(rr);
	}
}

/* write_temp - TEXT into a fresh temporary file; its name in PATH */
static void
write_temp(char *path, size_t size, const char *text)
{
	FILE *fp;
	int fd;

	snprintf(path, size, "/tmp/mxauth-test-zone.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* test_load_errors - bad files are refused with "FILE:LINE: message" */
static void
test_load_errors(void **state)
{
	static const struct {
		const char *file;	/* fixture; NULL: use TEXT */
		const char *text;
		const char *want;	/* after "FILE:" */
	} cases[] = {
		{ "bad.zone", NULL, "4: " },
		{ "include.zone", NULL, "3: $INCLUDE is not supported" },
		{ "multiline.zone", NULL, "9: " },
		{ NULL, "; ok\n;! sleep a.example\n", "2: bad fault line" },
		{ NULL, ";! timeout\n", "1: bad fault line" },
		{ NULL, ";! servfail a.example BOGUS\n", "1: bad fault line" },
		{ NULL, ";! servfail a.example TXT more\n",
		    "1: bad fault line" },
		{ NULL, ";! timeout a..example\n", "1: bad fault line" },
		{ NULL,
		    "$ORIGIN example.\nok IN A 192.0.2.1\n\nno IN AAAA 1.2\n",
		    "4: " },
		{ NULL, "$ORIGIN example.\nok IN A 192.0.2.1\nfoo IN", "3: " },
	};
	char path[256], err[512], want[512], text[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].file != NULL)
			snprintf(path, sizeof(path), "%s%s", ZONES,
			    cases[i].file);
		else
			write_temp(path, sizeof(path), cases[i].text);
		err[0] = '\0';
		assert_null(dns_new_zone(path, err, sizeof(err)));
		snprintf(want, sizeof(want), "%s:%s", path, cases[i].want);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err,
			    want);
		if (cases[i].file == NULL)
			unlink(path);
	}
	/* A line longer than any fixed buffer still counts as one line. */
	memset(text, 'x', sizeof(text));
	text[0] = ';';
	snprintf(text + 3000, sizeof(text) - 3000, "\n;! nonsense\n");
	write_temp(path, sizeof(path), text);
	assert_null(dns_new_zone(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:2: bad fault line", path);
	assert_true(strncmp(err, want, strlen(want)) == 0);
	unlink(path);
	assert_null(dns_new_zone("/nonexistent.zone", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent.zone: cannot open: No such "
	    "file or directory");
}

/* test_empty - files without records: every name NXDOMAIN, TTL 300 */
static void
test_empty(void **state)
{
	static const char *const texts[] = {
		"", "; nothing\n", "\n\n   \n", "; no newline at the end",
		"$TTL 60\n$ORIGIN example.\n",
	};
	char path[256], err[256];
	struct dns_answer *a;
	struct dns *d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		write_temp(path, sizeof(path), texts[i]);
		d = dns_new_zone(path, err, sizeof(err));
		if (d == NULL)
			fail_msg("case %zu: %s", i, err);
		a = dns_query(d, "any.example", LDNS_RR_TYPE_TXT);
		assert_int_equal(a->status, DNS_NXDOMAIN);
		assert_int_equal(a->ttl, 300);
		dns_answer_free(a);
		dns_free(d);
		unlink(path);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_copies),
		cmocka_unit_test(test_txt_join),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
