/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_zone - the zone-file resolver: record types, RRsets, joined
 * TXT strings and the other records as mxauth values, NXDOMAIN vs NODATA
 * vs empty non-terminal, wildcards, CNAME chains,
 * their limit and loops, case, relative names and $ORIGIN, zones with and
 * without SOA, injected timeout/SERVFAIL, and parse errors with line
 * numbers.  Fixtures are the master files under test/data/zones/.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns_int.h"
#include "xmalloc.h"

#define ZONES	TEST_DATA "/zones/"

/* rdata_str - the first RR's rdata as text: an address, the joined TXT
 * or the target name; x_free */
static char *
rdata_str(const struct dns_answer *a)
{
	const struct dns_rr *rr = &a->rr[0];
	char buf[INET6_ADDRSTRLEN];

	if (rr->family != 0)
		return xstrdup(inet_ntop(rr->family, rr->addr, buf,
		    sizeof(buf)));
	assert_non_null(rr->text);
	return xstrdup(rr->text);
}

/* test_lookups - a table of questions and the answers they must get */
static void
test_lookups(void **state)
{
	static const struct {
		const char *zone;
		const char *name;
		enum dns_type type;
		enum dns_status want;
		size_t want_count;
		const char *want_rdata;		/* first RR */
		uint32_t want_ttl;		/* 0 = not checked */
	} cases[] = {
		/* basic.zone: SOA with TTL 600 and MINIMUM 120 */
		{ "basic", "host.example", DNS_T_A, DNS_OK, 1,
		    "192.0.2.1", 600 },
		{ "basic", "host.example.", DNS_T_AAAA, DNS_OK, 1,
		    "2001:db8::1", 600 },
		{ "basic", "HOST.Example", DNS_T_A, DNS_OK, 1,
		    "192.0.2.1", 600 },
		{ "basic", "mixed.case.example", DNS_T_A, DNS_OK, 1,
		    "192.0.2.2", 600 },
		{ "basic", "example", DNS_T_MX, DNS_OK, 1,
		    "mail.example.", 600 },
		{ "basic", "split.example", DNS_T_TXT, DNS_OK, 1,
		    "v=spf1 ip4:192.0.2.0/24 -all", 600 },
		{ "basic", "1.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_OK,
		    1, "host.example.", 600 },
		{ "basic", "alias2.example", DNS_T_A, DNS_OK, 1,
		    "192.0.2.1", 600 },
		{ "basic", "alias.example", DNS_T_CNAME, DNS_OK, 1,
		    "host.example.", 600 },
		{ "basic", "short.example", DNS_T_A, DNS_OK, 1,
		    "192.0.2.9", 60 },
		/* exists with other types: NODATA, TTL min(SOA TTL, MINIMUM) */
		{ "basic", "host.example", DNS_T_TXT, DNS_NODATA, 0,
		    NULL, 120 },
		/* empty non-terminal: NODATA, not NXDOMAIN */
		{ "basic", "below.ent.example", DNS_T_A, DNS_NODATA, 0,
		    NULL, 120 },
		{ "basic", "leaf.below.ent.example", DNS_T_TXT, DNS_OK,
		    1, "deep", 600 },
		{ "basic", "nothing.example", DNS_T_A, DNS_NXDOMAIN, 0,
		    NULL, 120 },
		{ "basic", "x.leaf.below.ent.example", DNS_T_A,
		    DNS_NXDOMAIN, 0, NULL, 120 },
		{ "basic", "loop1.example", DNS_T_A, DNS_ERROR, 0, NULL,
		    0 },
		/* wildcards: the closest encloser's "*" (RFC 4592 3.3.1) */
		{ "basic", "a.wild.example", DNS_T_TXT, DNS_OK, 1,
		    "v=DMARC1", 600 },
		{ "basic", "x.y.wild.example", DNS_T_A, DNS_OK, 1,
		    "192.0.2.77", 600 },
		{ "basic", "a.wild.example", DNS_T_MX, DNS_NODATA, 0,
		    NULL, 120 },
		{ "basic", "exact.wild.example", DNS_T_TXT, DNS_NODATA, 0,
		    NULL, 120 },
		{ "basic", "sub.exact.wild.example", DNS_T_A,
		    DNS_NXDOMAIN, 0, NULL, 120 },
		{ "basic", "wild.example", DNS_T_TXT, DNS_NODATA, 0, NULL,
		    120 },
		{ "basic", "z.cwild.example", DNS_T_A, DNS_OK, 1,
		    "192.0.2.1", 600 },
		{ "basic", "nowild.example", DNS_T_TXT, DNS_NXDOMAIN, 0,
		    NULL, 120 },
		{ "basic", "slow.example", DNS_T_TXT, DNS_TIMEOUT, 0,
		    NULL, 0 },
		{ "basic", "slow.example", DNS_T_A, DNS_TIMEOUT, 0, NULL,
		    0 },
		{ "basic", "BROKEN.example", DNS_T_MX, DNS_SERVFAIL, 0,
		    NULL, 0 },
		{ "basic", "bad..name", DNS_T_A, DNS_NXDOMAIN, 0, NULL,
		    0 },
		{ "basic", "", DNS_T_A, DNS_NXDOMAIN, 0, NULL, 0 },
		/* origin.zone: no SOA, no $TTL */
		{ "origin", "www.one.example", DNS_T_A, DNS_OK, 2,
		    "192.0.2.10", 3600 },
		{ "origin", "www.one.example", DNS_T_TXT, DNS_OK, 2,
		    "first second", 3600 },
		{ "origin", "upper.one.example", DNS_T_A, DNS_OK, 2,
		    "192.0.2.10", 3600 },
		{ "origin", "away.one.example", DNS_T_A, DNS_NXDOMAIN, 0,
		    NULL, 300 },
		{ "origin", "www.two.example", DNS_T_A, DNS_OK, 1,
		    "198.51.100.1", 3600 },
		{ "origin", "www.two.example", DNS_T_TXT, DNS_NODATA, 0,
		    NULL, 300 },
		{ "origin", "absolute.one.example", DNS_T_AAAA, DNS_OK,
		    1, "2001:db8::2", 3600 },
		{ "origin", "absolute.two.example", DNS_T_AAAA,
		    DNS_NXDOMAIN, 0, NULL, 300 },
		{ "origin", "two.example", DNS_T_A, DNS_NODATA, 0, NULL,
		    300 },
		{ "origin", "example", DNS_T_TXT, DNS_NODATA, 0, NULL,
		    300 },
		{ "origin", "c0.two.example", DNS_T_A, DNS_OK, 1,
		    "192.0.2.8", 3600 },
		{ "origin", "d0.two.example", DNS_T_A, DNS_ERROR, 0,
		    NULL, 0 },
		{ "origin", "d1.two.example", DNS_T_A, DNS_OK, 1,
		    "192.0.2.9", 3600 },
		{ "origin", "to-slow.two.example", DNS_T_MX,
		    DNS_SERVFAIL, 0, NULL, 0 },
		{ "origin", "typed.two.example", DNS_T_A, DNS_OK, 1,
		    "192.0.2.99", 3600 },
		{ "origin", "typed.two.example", DNS_T_TXT, DNS_TIMEOUT,
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
		assert_int_equal(a->n, cases[i].want_count);
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
	char err[256];

	(void)state;
	d = dns_new_zone(ZONES "basic.zone", err, sizeof(err));
	assert_non_null(d);
	a = dns_query(d, "split.example", DNS_T_TXT);
	b = dns_query(d, "split.example", DNS_T_TXT);
	assert_ptr_not_equal(a->rr, b->rr);
	assert_ptr_not_equal(a->rr[0].text, b->rr[0].text);
	dns_answer_free(a);
	dns_free(d);			/* b outlives the zone */
	assert_string_equal(b->rr[0].text, "v=spf1 ip4:192.0.2.0/24 -all");
	dns_answer_free(b);
}

/*
 * test_convert - records as mxauth values (dns_answer_from_rrs): TXT
 * character-strings joined without separator (RFC 7208 3.3) with a NUL
 * inside kept and counted, addresses, MX preference and exchange, names
 * in presentation form, and rdata lacking a field
 */
static void
test_convert(void **state)
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
	static const struct {
		const char *rr;
		enum dns_type type;
		int family;
		uint16_t pref;
		const char *want;	/* address or TEXT */
	} others[] = {
		{ "x. IN A 192.0.2.1", DNS_T_A, AF_INET, 0, "192.0.2.1" },
		{ "x. IN AAAA 2001:db8::5", DNS_T_AAAA, AF_INET6, 0,
		    "2001:db8::5" },
		{ "x. IN MX 10 Mail.Example.", DNS_T_MX, 0, 10,
		    "Mail.Example." },
		{ "x. IN MX 0 .", DNS_T_MX, 0, 0, "." },	/* RFC 7505 */
		{ "x. IN PTR a\\.b.example.", DNS_T_PTR, 0, 0,
		    "a\\.b.example." },
		{ "x. IN PTR a\\032b.example.", DNS_T_PTR, 0, 0,
		    "a\\032b.example." },
		{ "x. IN CNAME host.example.", DNS_T_CNAME, 0, 0,
		    "host.example." },
	};
	char buf[INET6_ADDRSTRLEN];
	struct dns_answer *a, *b;
	const struct dns_rr *r;
	ldns_rr *rr[2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ldns_rr_new_frm_str(&rr[0], cases[i].rr, 0,
		    NULL, NULL), LDNS_STATUS_OK);
		a = dns_answer_from_rrs(DNS_T_TXT, 60, (const ldns_rr **)rr,
		    1);
		assert_int_equal(a->status, DNS_OK);
		assert_int_equal(a->ttl, 60);
		assert_int_equal(a->n, 1);
		assert_int_equal(a->rr[0].type, DNS_T_TXT);
		assert_string_equal(a->rr[0].text, cases[i].want);
		assert_int_equal(a->rr[0].len, cases[i].want_len);
		assert_int_equal(a->rr[0].text[a->rr[0].len], '\0');
		dns_answer_free(a);
		ldns_rr_free(rr[0]);
	}
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		assert_int_equal(ldns_rr_new_frm_str(&rr[0], others[i].rr, 0,
		    NULL, NULL), LDNS_STATUS_OK);
		/* the same record with its rdata fields gone */
		rr[1] = ldns_rr_clone(rr[0]);
		while (ldns_rr_rd_count(rr[1]) > 0)
			ldns_rdf_deep_free(ldns_rr_pop_rdf(rr[1]));
		a = dns_answer_from_rrs(others[i].type, 60,
		    (const ldns_rr **)rr, 2);
		b = dns_answer_dup(a);	/* a copy reads the same */
		dns_answer_free(a);
		assert_int_equal(b->n, 2);
		r = &b->rr[0];
		assert_int_equal(r->type, others[i].type);
		assert_int_equal(r->family, others[i].family);
		assert_int_equal(r->pref, others[i].pref);
		if (r->family != 0)
			assert_string_equal(inet_ntop(r->family, r->addr, buf,
			    sizeof(buf)), others[i].want);
		else {
			assert_string_equal(r->text, others[i].want);
			assert_int_equal(r->len, strlen(others[i].want));
		}
		/* kept and counted, with nothing to read */
		assert_int_equal(b->rr[1].family, 0);
		assert_null(b->rr[1].text);
		dns_answer_free(b);
		ldns_rr_free(rr[0]);
		ldns_rr_free(rr[1]);
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
		a = dns_query(d, "any.example", DNS_T_TXT);
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
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
