/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_netset - networks aggregated into the shortest equal list:
 * duplicates, networks inside another, sibling halves merged (again and
 * again), adjacent non-siblings kept apart, /0, /32 and /128 edges,
 * IPv4 and IPv6 kept apart (IPv4 first), host bits set in the input,
 * the empty list; and the text of one network.
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

#include "netset.h"
#include "vstr.h"
#include "xmalloc.h"

#define MAXNETS	64

/* parse - the space-separated "ADDR[/LEN]" of IN into NETS, as written */
static size_t
parse(const char *in, struct netset_net *nets)
{
	char *copy, *tok, *save, *slash;
	size_t n = 0;

	copy = xstrdup(in);
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save), n++) {
		assert_true(n < MAXNETS);
		memset(&nets[n], 0, sizeof(nets[n]));
		if ((slash = strchr(tok, '/')) != NULL)
			*slash++ = '\0';
		nets[n].family = strchr(tok, ':') ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(nets[n].family, tok, nets[n].addr),
		    1);
		nets[n].len = slash != NULL ? atoi(slash) :
		    nets[n].family == AF_INET ? 32 : 128;
	}
	x_free(copy);
	return n;
}

/* show - N networks, space-separated, into OUT */
static void
show(const struct netset_net *nets, size_t n, struct vstr *out)
{
	char buf[64];
	size_t i;

	vstr_reset(out);
	for (i = 0; i < n; i++) {
		netset_net_str(&nets[i], buf, sizeof(buf));
		vstr_catf(out, "%s%s", i > 0 ? " " : "", buf);
	}
}

/* test_aggregate - a table of lists in, the list out */
static void
test_aggregate(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		/* the empty list */
		{ "", "" },
		/* duplicates */
		{ "192.0.2.1 192.0.2.1", "192.0.2.1" },
		{ "2001:db8::/32 2001:db8::/32 2001:db8::/32", "2001:db8::/32" },
		/* contained networks dropped, in either order */
		{ "192.0.2.0/24 192.0.2.77 192.0.2.128/26", "192.0.2.0/24" },
		{ "192.0.2.128/26 192.0.2.77 192.0.2.0/24", "192.0.2.0/24" },
		{ "2001:db8:1::/48 2001:db8::/32 2001:db8::1", "2001:db8::/32" },
		/* adjacent halves merged into their parent */
		{ "192.0.2.0/25 192.0.2.128/25", "192.0.2.0/24" },
		/* four quarters fold twice */
		{ "10.0.3.0/24 10.0.1.0/24 10.0.0.0/24 10.0.2.0/24",
		    "10.0.0.0/22" },
		/* a merge that makes the other half of the one before */
		{ "10.0.0.0/24 10.0.1.0/25 10.0.1.128/25", "10.0.0.0/23" },
		/* adjacent but not siblings: kept apart */
		{ "10.0.1.0/24 10.0.2.0/24", "10.0.1.0/24 10.0.2.0/24" },
		/* halves of different sizes: no merge */
		{ "192.0.2.0/25 192.0.2.128/26", "192.0.2.0/25 192.0.2.128/26" },
		{ "192.0.2.0 192.0.2.1 192.0.2.2 192.0.2.3", "192.0.2.0/30" },
		{ "2001:db8::/33 2001:db8:8000::/33 2001:db8::1",
		    "2001:db8::/32" },
		{ "2001:db8::/128 2001:db8::1/128", "2001:db8::/127" },
		/* v4 and v6: never merged, IPv4 first, each sorted */
		{ "2001:db8::/32 10.0.0.0/8 2001:db8::/48 10.1.0.0/16",
		    "10.0.0.0/8 2001:db8::/32" },
		{ "::ffff:192.0.2.0/120 192.0.2.0/24",
		    "192.0.2.0/24 ::ffff:192.0.2.0/120" },
		{ "0.0.0.0/0 ::/0", "0.0.0.0/0 ::/0" },
		/* /0: everything, however it is reached */
		{ "0.0.0.0/1 128.0.0.0/1", "0.0.0.0/0" },
		{ "192.0.2.1 0.0.0.0/0 10.0.0.0/8", "0.0.0.0/0" },
		{ "::/1 8000::/1 ::", "::/0" },
		/* host bits set in the input mean the network */
		{ "192.0.2.77/24", "192.0.2.0/24" },
		{ "10.0.0.9/24 10.0.0.5", "10.0.0.0/24" },
		{ "192.0.2.200/25 192.0.2.5/25", "192.0.2.0/24" },
		{ "10.1.2.3/0", "0.0.0.0/0" },
		{ "2001:db8::ffff/32 2001:db8:1::/48", "2001:db8::/32" },
	};
	struct netset_net nets[MAXNETS];
	struct vstr got = VSTR_INIT;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = netset_aggregate(nets, parse(cases[i].in, nets));
		show(nets, n, &got);
		if (strcmp(vstr_str(&got), cases[i].want) != 0)
			fail_msg("case %zu (%s): \"%s\", want \"%s\"", i,
			    cases[i].in, vstr_str(&got), cases[i].want);
	}
	assert_int_equal(netset_aggregate(NULL, 0), 0);
	vstr_free(&got);
}

/* test_many - 256 host addresses of one /24, shuffled: one network */
static void
test_many(void **state)
{
	struct netset_net nets[256];
	unsigned char a[4] = { 198, 51, 100, 0 };
	struct vstr got = VSTR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 256; i++) {
		a[3] = (unsigned char)(i * 167 % 256);	/* 167 odd: a shuffle */
		netset_net_set(&nets[i], AF_INET, a, 32);
	}
	show(nets, netset_aggregate(nets, 256), &got);
	assert_string_equal(vstr_str(&got), "198.51.100.0/24");
	/* one missing: the other 255 as 8 networks */
	for (i = 0; i < 255; i++) {
		a[3] = (unsigned char)(i + 1);
		netset_net_set(&nets[i], AF_INET, a, 32);
	}
	show(nets, netset_aggregate(nets, 255), &got);
	assert_string_equal(vstr_str(&got), "198.51.100.1 198.51.100.2/31 "
	    "198.51.100.4/30 198.51.100.8/29 198.51.100.16/28 "
	    "198.51.100.32/27 198.51.100.64/26 198.51.100.128/25");
	vstr_free(&got);
}

/* test_net - one network made and written: host bits, length clamped */
static void
test_net(void **state)
{
	static const struct {
		const char *addr;
		int len;
		const char *want;
	} cases[] = {
		{ "192.0.2.255", 24, "192.0.2.0/24" },
		{ "192.0.2.255", 32, "192.0.2.255" },
		{ "192.0.2.255", 40, "192.0.2.255" },	/* clamped */
		{ "192.0.2.255", 0, "0.0.0.0/0" },
		{ "192.0.2.255", -1, "0.0.0.0/0" },	/* clamped */
		{ "2001:db8::ffff", 64, "2001:db8::/64" },
		{ "2001:db8::ffff", 128, "2001:db8::ffff" },
		{ "2001:db8::ffff", 127, "2001:db8::fffe/127" },
	};
	unsigned char addr[16];
	struct netset_net n;
	char buf[64];
	size_t i;
	int family;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		family = strchr(cases[i].addr, ':') ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(family, cases[i].addr, addr), 1);
		netset_net_set(&n, family, addr, cases[i].len);
		netset_net_str(&n, buf, sizeof(buf));
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, buf,
			    cases[i].want);
	}
}

/* test_prefix - an address inside a network, at every kind of length */
static void
test_prefix(void **state)
{
	static const unsigned char a[16] = { 192, 0, 2, 130 },
	    b[16] = { 192, 0, 2, 0 }, c[16] = { 192, 0, 3, 0 },
	    v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 5 },
	    v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2 };

	(void)state;
	assert_true(netset_prefix_eq(a, b, 0));
	assert_true(netset_prefix_eq(a, b, 24));
	assert_true(netset_prefix_eq(a, b, 23));
	assert_true(netset_prefix_eq(a, c, 23));	/* 192.0.2/23 */
	assert_false(netset_prefix_eq(a, c, 24));
	assert_true(netset_prefix_eq(a, b, 24));
	assert_false(netset_prefix_eq(a, b, 25));	/* .130 not in .0/25 */
	assert_true(netset_prefix_eq(a, a, 32));
	assert_false(netset_prefix_eq(a, b, 32));
	assert_true(netset_prefix_eq(v6a, v6b, 46));	/* 2001:db8::/46 */
	assert_false(netset_prefix_eq(v6a, v6b, 47));
	assert_true(netset_prefix_eq(v6a, v6a, 128));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_net),
		cmocka_unit_test(test_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
