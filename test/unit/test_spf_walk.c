/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spf_walk - the SPF walk over test/data/zones/walk.zone: the
 * networks of nested includes, redirect, a/mx with CIDR lengths and
 * ip6, only "+" paths listed; ptr, exists and macros flagged as left
 * out; the lookup and void limits, loops, duplicate and missing
 * records, split TXT strings; the term that matches one address along
 * the include path; which warning is the reason for an error (the
 * aggregation on its own: test_netset).
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

#include <cmocka.h>

#include "dns.h"
#include "netset.h"
#include "result.h"
#include "spf_walk.h"
#include "vstr.h"
#include "xmalloc.h"

#define ZONE	TEST_DATA "/zones/walk.zone"

/* nets_str - the walk's networks aggregated, space-separated */
static void
nets_str(struct spf_walk *w, struct vstr *out)
{
	char buf[64];
	size_t i, n = netset_aggregate(w->nets, w->nnets);

	for (i = 0; i < n; i++) {
		netset_net_str(&w->nets[i], buf, sizeof(buf));
		vstr_catf(out, "%s%s", i > 0 ? " " : "", buf);
	}
}

/* warns_str - every warning, one a line */
static void
warns_str(const struct spf_walk *w, struct vstr *out)
{
	size_t i;

	for (i = 0; i < w->nwarns; i++)
		vstr_catf(out, "%s: %s\n", w->nodes[w->warns[i].node].domain,
		    w->warns[i].text);
}

/* path_str - the deciding terms from the top down, space-separated */
static void
path_str(const struct spf_walk *w, struct vstr *out)
{
	long n = 0;

	while (n >= 0 && (size_t)n < w->nnodes && w->nodes[n].ip_term) {
		vstr_catf(out, "%s%s", out->len > 0 ? " " : "",
		    w->nodes[n].ip_term);
		n = w->nodes[n].ip_child;
	}
}

/* test_walks - a table of domains and what their walk must find */
static void
test_walks(void **state)
{
	static const struct {
		const char *domain;
		enum spf_res want;
		const char *want_nets;
		int want_lookups, want_voids;
		size_t want_nodes;
		const char *want_warn;	/* in the warnings; NULL = none */
	} cases[] = {
		{ "top.example", SPF_RES_PASS, "192.0.2.0/24 198.51.100.7 "
		    "203.0.113.0/28 203.0.113.66 2001:db8:1::/48 "
		    "2001:db8:5::5 2001:db8:66::/64", 4, 0, 3, NULL },
		{ "red.example", SPF_RES_PASS, "198.51.100.7 2001:db8:1::/48",
		    1, 0, 2, NULL },
		{ "neg.example", SPF_RES_PASS, "192.0.2.1", 1, 0, 2, NULL },
		{ "flag.example", SPF_RES_PASS, "192.0.2.9", 3, 0, 1,
		    "ptr: ptr is deprecated" },
		{ "flag.example", SPF_RES_PASS, NULL, 3, 0, 1,
		    "exists:%{i}.x.example: exists tests a name, not an "
		    "address: left out" },
		{ "flag.example", SPF_RES_PASS, NULL, 3, 0, 1,
		    "include:%{l}.y.example: macro %{l} depends on the "
		    "sender's local part: the included record and all below "
		    "it are left out" },
		{ "flag.example", SPF_RES_PASS, NULL, 3, 0, 1,
		    "?all: every address not listed before it is neutral" },
		/* %{d}, %{d2} and %{o} expanded: nothing left out */
		{ "dmac.example", SPF_RES_PASS, "192.0.2.64/26 198.51.100.99 "
		    "203.0.113.66 2001:db8:66::1", 3, 0, 2, NULL },
		{ "dnone.example", SPF_RES_PERMERROR, "192.0.2.1", 1, 0, 2,
		    "include:%{d}.y.example: dnone.example.y.example has no "
		    "SPF record: permerror" },
		{ "exist.example", SPF_RES_PASS, "", 1, 0, 1,
		    "exists:top.example: exists tests a name" },
		{ "plus.example", SPF_RES_PASS, "192.0.2.1", 0, 0, 1,
		    "+all: every address passes" },
		{ "noall.example", SPF_RES_PASS, "192.0.2.1", 0, 0, 1,
		    "no all term" },
		{ "dup.example", SPF_RES_PERMERROR, "", 0, 0, 1,
		    "2 v=spf1 records" },
		{ "incnone.example", SPF_RES_PERMERROR, "192.0.2.3", 1, 0, 2,
		    "include:nothing.example: nothing.example has no SPF "
		    "record" },
		{ "split.example", SPF_RES_PASS, "192.0.2.0/24", 0, 0, 1,
		    "split a term at byte 18 (\" ip4:192.0.2|.0/24 -all\")" },
		{ "loop1.example", SPF_RES_PERMERROR,
		    "192.0.2.11 192.0.2.12", 2, 0, 3, "loop: loop1.example" },
		{ "over.example", SPF_RES_PERMERROR, "192.0.2.77 192.0.2.200",
		    11, 1, 2, "a:h.example is DNS lookup 11, over the limit" },
		{ "void.example", SPF_RES_PERMERROR, "192.0.2.1", 3, 3, 1,
		    "a:nx3.example is void lookup 3, over the limit of 2" },
		{ "nul.example", SPF_RES_PERMERROR, "", 0, 0, 1,
		    "the record holds a NUL byte: permerror" },
		{ "bad.example", SPF_RES_PERMERROR, "", 0, 0, 1,
		    "bad IP address" },
		{ "temp.example", SPF_RES_TEMPERROR, "192.0.2.1", 1, 0, 2,
		    "TXT slow.example: DNS timeout" },
		{ "redover.example", SPF_RES_PERMERROR,
		    "192.0.2.77 198.51.100.7 2001:db8:1::/48", 11, 0, 2,
		    "redirect=l2.example is DNS lookup 11, over the limit" },
		{ "redmac.example", SPF_RES_PASS, "192.0.2.1", 1, 0, 1,
		    "redirect=%{l}.example: macro %{l} depends on the "
		    "sender's local part: the redirected record and all below "
		    "it are left out" },
		/* 84 includes unbounded: the walk itself stops */
		{ "fan.example", SPF_RES_PERMERROR, "192.0.2.99", 61, 0, 61,
		    "walk stopped after 60 lookups" },
		{ "nothing.example", SPF_RES_NONE, "", 0, 0, 1, NULL },
		{ "not_a..name", SPF_RES_NONE, "", 0, 0, 1,
		    "is not a domain name" },
	};
	struct vstr nets = VSTR_INIT, warns = VSTR_INIT;
	struct spf_walk w;
	struct dns *dns;
	char err[256];
	size_t i;

	(void)state;
	if ((dns = dns_new_zone(ZONE, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vstr_reset(&nets);
		vstr_reset(&warns);
		assert_int_equal(spf_walk_domain(dns, cases[i].domain, NULL,
		    &w), cases[i].want);
		nets_str(&w, &nets);
		warns_str(&w, &warns);
		if (cases[i].want_nets != NULL &&
		    strcmp(vstr_str(&nets), cases[i].want_nets) != 0)
			fail_msg("case %zu %s: nets \"%s\", want \"%s\"", i,
			    cases[i].domain, vstr_str(&nets),
			    cases[i].want_nets);
		if (w.lookups != cases[i].want_lookups ||
		    w.voids != cases[i].want_voids ||
		    w.nnodes != cases[i].want_nodes)
			fail_msg("case %zu %s: %d lookups %d voids %zu nodes",
			    i, cases[i].domain, w.lookups, w.voids, w.nnodes);
		if (cases[i].want_warn == NULL ? warns.len > 0 :
		    strstr(vstr_str(&warns), cases[i].want_warn) == NULL)
			fail_msg("case %zu %s: warnings:\n%s", i,
			    cases[i].domain, vstr_str(&warns));
		spf_walk_clear(&w);
	}
	vstr_free(&nets);
	vstr_free(&warns);
	dns_free(dns);
}

/* test_ip - which term matches an address, down the include path */
static void
test_ip(void **state)
{
	static const struct {
		const char *domain, *ip;
		enum spf_res want;
		const char *want_path;
	} cases[] = {
		{ "top.example", "198.51.100.7", SPF_RES_PASS,
		    "include:l1.example include:l2.example "
		    "ip4:198.51.100.7" },
		{ "top.example", "192.0.2.200", SPF_RES_PASS,
		    "include:l1.example ip4:192.0.2.128/25" },
		{ "top.example", "203.0.113.9", SPF_RES_PASS, "a/28" },
		{ "top.example", "2001:db8:66::abcd", SPF_RES_PASS, "mx//64" },
		{ "top.example", "::ffff:192.0.2.3", SPF_RES_PASS,
		    "ip4:192.0.2.0/25" },
		{ "top.example", "10.1.1.1", SPF_RES_FAIL, "-all" },
		{ "red.example", "198.51.100.7", SPF_RES_PASS,
		    "redirect=l2.example ip4:198.51.100.7" },
		{ "red.example", "10.1.1.1", SPF_RES_FAIL,
		    "redirect=l2.example -all" },
		{ "neg.example", "10.2.3.4", SPF_RES_FAIL, "-ip4:10.0.0.0/8" },
		{ "neg.example", "198.51.100.7", SPF_RES_FAIL,
		    "-include:l2.example ip4:198.51.100.7" },
		{ "over.example", "192.0.2.200", SPF_RES_PERMERROR,
		    "include:over2.example a:h.example" },
		{ "over.example", "192.0.2.77", SPF_RES_PASS, "a:h.example" },
		{ "flag.example", "192.0.2.9", SPF_RES_NONE, "" },
		{ "dmac.example", "198.51.100.99", SPF_RES_PASS,
		    "include:_spf.%{d} a:%{o}" },
		{ "dmac.example", "2001:db8:66::1", SPF_RES_PASS,
		    "include:_spf.%{d} mx:%{d2}" },
		{ "dnone.example", "10.0.0.1", SPF_RES_PERMERROR,
		    "include:%{d}.y.example" },
		/* over the limit at the redirect or an include: no child */
		{ "redover.example", "198.51.100.7", SPF_RES_PERMERROR,
		    "redirect=l2.example" },
		{ "fan.example", "198.51.100.7", SPF_RES_PERMERROR,
		    "include:fan1.example include:fan2.example "
		    "include:fan3.example" },
		{ "redmac.example", "192.0.2.1", SPF_RES_PASS,
		    "ip4:192.0.2.1" },
		{ "redmac.example", "10.0.0.1", SPF_RES_NONE,
		    "redirect=%{l}.example" },
		{ "noall.example", "10.1.1.1", SPF_RES_NEUTRAL, "" },
	};
	struct vstr path = VSTR_INIT;
	struct spf_walk w;
	struct dns *dns;
	char err[256];
	size_t i;

	(void)state;
	if ((dns = dns_new_zone(ZONE, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vstr_reset(&path);
		(void)spf_walk_domain(dns, cases[i].domain, cases[i].ip, &w);
		path_str(&w, &path);
		if (w.nodes[0].ip_result != cases[i].want ||
		    strcmp(vstr_str(&path), cases[i].want_path) != 0)
			fail_msg("case %zu %s %s: %s via \"%s\"", i,
			    cases[i].domain, cases[i].ip,
			    result_spf_str(w.nodes[0].ip_result),
			    vstr_str(&path));
		spf_walk_clear(&w);
	}
	vstr_free(&path);
	dns_free(dns);
}

/*
 * test_reason - the warning that made a walk permerror, temperror or
 * none is marked as such; the others (ptr, ?all ...) break nothing
 */
static void
test_reason(void **state)
{
	static const struct {
		const char *domain;
		enum spf_res want;
		const char *want_reason;	/* NULL: none marked */
	} cases[] = {
		{ "why.example", SPF_RES_PERMERROR,
		    "include:nothing.example: nothing.example has no SPF "
		    "record" },
		{ "over.example", SPF_RES_PERMERROR, "a:h.example is DNS "
		    "lookup 11" },
		{ "void.example", SPF_RES_PERMERROR, "a:nx3.example is void "
		    "lookup 3" },
		{ "temp.example", SPF_RES_TEMPERROR, "TXT slow.example: DNS "
		    "timeout" },
		{ "dup.example", SPF_RES_PERMERROR, "2 v=spf1 records" },
		{ "loop1.example", SPF_RES_PERMERROR, "loop: loop1.example" },
		{ "bad.example", SPF_RES_PERMERROR, "bad IP address" },
		{ "dnone.example", SPF_RES_PERMERROR, "dnone.example.y.example "
		    "has no SPF record" },
		{ "not_a..name", SPF_RES_NONE, "is not a domain name" },
		{ "flag.example", SPF_RES_PASS, NULL },
		{ "nothing.example", SPF_RES_NONE, NULL },
	};
	struct spf_walk w;
	struct dns *dns;
	char err[256];
	size_t i, j;

	(void)state;
	if ((dns = dns_new_zone(ZONE, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(spf_walk_domain(dns, cases[i].domain, NULL,
		    &w), cases[i].want);
		for (j = 0; j < w.nwarns && w.warns[j].res == SPF_RES_PASS; j++)
			;
		if (cases[i].want_reason == NULL ? j < w.nwarns :
		    j == w.nwarns || w.warns[j].res != cases[i].want ||
		    strstr(w.warns[j].text, cases[i].want_reason) == NULL)
			fail_msg("case %zu %s: first marked warning: %s", i,
			    cases[i].domain, j < w.nwarns ? w.warns[j].text :
			    "none");
		spf_walk_clear(&w);
	}
	dns_free(dns);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walks),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
