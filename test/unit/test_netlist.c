/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_netlist - CIDR sets: IPv4 and IPv6 membership, prefix edges (/0,
 * /32, /128), IPv4-mapped IPv6 both ways, host bits cleared, canonical
 * entry text, and the error text for each kind of bad entry.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "netlist.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* build - a list of the space-separated entries in NETS (all must parse) */
static struct netlist *
build(const char *nets)
{
	struct netlist *nl;
	char buf[512], err[128], *item, *save = NULL;

	nl = netlist_new();
	snprintf(buf, sizeof(buf), "%s", nets);
	for (item = strtok_r(buf, " ", &save); item != NULL;
	    item = strtok_r(NULL, " ", &save))
		if (netlist_add(nl, item, err, sizeof(err)) != 0)
			fail_msg("%s: %s", item, err);
	return nl;
}

/* test_match - membership over a table of (networks, address) */
static void
test_match(void **state)
{
	static const struct {
		const char *nets;
		const char *ip;
		int want_match;
	} cases[] = {
		/* IPv4 */
		{ "192.0.2.0/24", "192.0.2.0", 1 },
		{ "192.0.2.0/24", "192.0.2.255", 1 },
		{ "192.0.2.0/24", "192.0.3.0", 0 },
		{ "192.0.2.0/24", "192.0.1.255", 0 },
		{ "192.0.2.7", "192.0.2.7", 1 },		/* bare = /32 */
		{ "192.0.2.7", "192.0.2.8", 0 },
		{ "192.0.2.7/32", "192.0.2.7", 1 },
		{ "192.0.2.7/32", "192.0.2.6", 0 },
		{ "192.0.2.7/31", "192.0.2.6", 1 },
		{ "10.0.0.0/8", "10.255.255.255", 1 },
		{ "10.0.0.0/8", "11.0.0.0", 0 },
		{ "192.0.2.128/25", "192.0.2.127", 0 },
		{ "192.0.2.128/25", "192.0.2.200", 1 },
		{ "0.0.0.0/0", "203.0.113.9", 1 },
		{ "0.0.0.0/0", "0.0.0.0", 1 },
		{ "0.0.0.0/0", "2001:db8::1", 0 },	/* v4 /0 is not v6 */
		{ "192.0.2.99/24", "192.0.2.1", 1 },	/* host bits cleared */
		/* IPv6 */
		{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
		{ "2001:db8::/32", "2001:db9::1", 0 },
		{ "2001:db8::1/128", "2001:db8::1", 1 },
		{ "2001:db8::1/128", "2001:db8::2", 0 },
		{ "2001:db8::1", "2001:DB8:0:0::1", 1 },	/* bare = /128 */
		{ "2001:db8::/127", "2001:db8::1", 1 },
		{ "2001:db8::/127", "2001:db8::2", 0 },
		{ "2001:db8:1::/48", "2001:db8:1:ffff::", 1 },
		{ "2001:db8:1::/48", "2001:db8:2::", 0 },
		{ "2001:db8::1:0/33", "2001:db8:7fff::1", 1 },	/* cleared */
		{ "::/0", "2001:db8::1", 1 },
		{ "::/0", "::", 1 },
		{ "::1/128", "::1", 1 },
		{ "::1/128", "::2", 0 },
		{ "127.0.0.0/8", "::1", 0 },
		{ "::1", "127.0.0.1", 0 },
		/* IPv4-mapped IPv6 matches IPv4 entries, and back */
		{ "192.0.2.0/24", "::ffff:192.0.2.10", 1 },
		{ "192.0.2.0/24", "::FFFF:c000:0201", 1 },
		{ "192.0.2.0/24", "::ffff:192.0.3.10", 0 },
		{ "192.0.2.1", "::ffff:192.0.2.1", 1 },
		{ "0.0.0.0/0", "::ffff:198.51.100.1", 1 },
		{ "::ffff:192.0.2.0/120", "192.0.2.10", 1 },
		{ "::ffff:192.0.2.0/120", "192.0.3.10", 0 },
		{ "::ffff:192.0.2.1", "192.0.2.1", 1 },
		{ "::ffff:0:0/96", "203.0.113.1", 1 },	/* all of IPv4 */
		{ "::ffff:0:0/96", "2001:db8::1", 0 },
		{ "::/0", "192.0.2.1", 1 },	/* documented: contains v4 */
		/* IPv4-compatible (deprecated) is not mapped */
		{ "192.0.2.0/24", "::192.0.2.1", 0 },
		/* several entries */
		{ "10.0.0.0/8 2001:db8::/32 192.0.2.1", "192.0.2.1", 1 },
		{ "10.0.0.0/8 2001:db8::/32 192.0.2.1", "2001:db8::9", 1 },
		{ "10.0.0.0/8 2001:db8::/32 192.0.2.1", "192.0.2.2", 0 },
		/* not an address: never a match */
		{ "0.0.0.0/0 ::/0", "not-an-ip", 0 },
		{ "0.0.0.0/0 ::/0", "", 0 },
		{ "0.0.0.0/0 ::/0", "192.0.2.1/32", 0 },
		{ "0.0.0.0/0 ::/0", " 192.0.2.1", 0 },
		{ "", "192.0.2.1", 0 },				/* empty list */
	};
	struct netlist *nl;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		nl = build(cases[i].nets);
		if (netlist_match(nl, cases[i].ip) != cases[i].want_match)
			fail_msg("\"%s\" in \"%s\": want %d", cases[i].ip,
			    cases[i].nets, cases[i].want_match);
		netlist_free(nl);
	}
}

/* test_bad - bad entries are refused with a message naming them */
static void
test_bad(void **state)
{
	static const struct {
		const char *net;
		const char *want_err;
	} cases[] = {
		{ "192.0.2.0/33", "bad network \"192.0.2.0/33\": prefix "
		    "length must be 0 to 32" },
		{ "2001:db8::/129", "bad network \"2001:db8::/129\": prefix "
		    "length must be 0 to 128" },
		{ "::ffff:192.0.2.0/129", "bad network \"::ffff:192.0.2.0/129\""
		    ": prefix length must be 0 to 128" },
		{ "192.0.2.0/", "bad network \"192.0.2.0/\": prefix length "
		    "must be 0 to 32" },
		{ "192.0.2.0/024", "bad network \"192.0.2.0/024\": prefix "
		    "length must be 0 to 32" },
		{ "192.0.2.0/-1", "bad network \"192.0.2.0/-1\": prefix "
		    "length must be 0 to 32" },
		{ "192.0.2.0/+8", "bad network \"192.0.2.0/+8\": prefix "
		    "length must be 0 to 32" },
		{ "192.0.2.0/8x", "bad network \"192.0.2.0/8x\": prefix "
		    "length must be 0 to 32" },
		{ "192.0.2.0/24/8", "bad network \"192.0.2.0/24/8\": prefix "
		    "length must be 0 to 32" },
		{ "192.0.2.0/99999999999", "bad network "
		    "\"192.0.2.0/99999999999\": prefix length must be 0 to 32" },
		{ "192.0.2.0/255.255.255.0", "bad network "
		    "\"192.0.2.0/255.255.255.0\": prefix length must be 0 to "
		    "32" },
		{ "mail.example", "bad network \"mail.example\": not an IP "
		    "address" },
		{ "192.0.2", "bad network \"192.0.2\": not an IP address" },
		{ "192.0.2.256", "bad network \"192.0.2.256\": not an IP "
		    "address" },
		{ "192.0.2.01", "bad network \"192.0.2.01\": not an IP "
		    "address" },
		{ "2001:db8:::1", "bad network \"2001:db8:::1\": not an IP "
		    "address" },
		{ "fe80::1%eth0", "bad network \"fe80::1%eth0\": not an IP "
		    "address" },
		{ "[2001:db8::1]", "bad network \"[2001:db8::1]\": not an IP "
		    "address" },
		{ "/24", "bad network \"/24\": not an IP address" },
		{ "", "bad network \"\": not an IP address" },
		{ " 192.0.2.1", "bad network \" 192.0.2.1\": not an IP "
		    "address" },
		{ "1111:2222:3333:4444:5555:6666:7777:8888:9999/128",
		    "bad network \"1111:2222:3333:4444:5555:6666:7777:8888:"
		    "9999/128\": not an IP address" },
		/* longer than any address: quoted up to 60 bytes */
		{ "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:"
		    "dddd", "bad network \"1111:2222:3333:4444:5555:6666:7777:"
		    "8888:9999:aaaa:bbbb:cccc:...\": not an IP address" },
	};
	struct netlist *nl;
	char err[128];
	size_t i;

	(void)state;
	nl = netlist_new();
	for (i = 0; i < NELEM(cases); i++) {
		err[0] = '\0';
		if (netlist_add(nl, cases[i].net, err, sizeof(err)) != -1)
			fail_msg("\"%s\" accepted", cases[i].net);
		assert_string_equal(err, cases[i].want_err);
	}
	assert_int_equal(netlist_count(nl), 0);
	netlist_free(nl);
}

/* test_entries - the canonical text netlist_entry() gives each entry */
static void
test_entries(void **state)
{
	static const struct {
		const char *net;
		const char *want_entry;
	} cases[] = {
		{ "192.0.2.0/24", "192.0.2.0/24" },
		{ "192.0.2.99/24", "192.0.2.0/24" },
		{ "192.0.2.7", "192.0.2.7/32" },
		{ "192.0.2.255/31", "192.0.2.254/31" },
		{ "203.0.113.9/0", "0.0.0.0/0" },
		{ "0.0.0.0/0", "0.0.0.0/0" },
		{ "2001:DB8:0::1", "2001:db8::1/128" },
		{ "2001:0db8:0000:0000:0000:0000:0000:0001/64",
		    "2001:db8::/64" },
		{ "2001:db8::1:0/33", "2001:db8::/33" },
		{ "2001:db8:ffff::/35", "2001:db8:e000::/35" },
		{ "::1", "::1/128" },
		{ "::", "::/128" },
		{ "2001:db8::1/0", "::/0" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1/128" },
		{ "::ffff:c000:02ff/120", "::ffff:192.0.2.0/120" },
	};
	struct netlist *nl;
	char err[128];
	size_t i;

	(void)state;
	nl = netlist_new();
	for (i = 0; i < NELEM(cases); i++) {
		if (netlist_add(nl, cases[i].net, err, sizeof(err)) != 0)
			fail_msg("%s: %s", cases[i].net, err);
		assert_int_equal(netlist_count(nl), i + 1);
		assert_string_equal(netlist_entry(nl, i),
		    cases[i].want_entry);
	}
	/* Entries keep their order and text as the list grows. */
	for (i = 0; i < NELEM(cases); i++)
		assert_string_equal(netlist_entry(nl, i),
		    cases[i].want_entry);
	assert_null(netlist_entry(nl, NELEM(cases)));
	netlist_free(nl);
}

/* test_empty - an empty list (or none) matches nothing */
static void
test_empty(void **state)
{
	struct netlist *nl;

	(void)state;
	nl = netlist_new();
	assert_int_equal(netlist_count(nl), 0);
	assert_null(netlist_entry(nl, 0));
	assert_false(netlist_match(nl, "127.0.0.1"));
	assert_false(netlist_match(nl, "::1"));
	netlist_free(nl);
	assert_int_equal(netlist_count(NULL), 0);
	assert_null(netlist_entry(NULL, 0));
	assert_false(netlist_match(NULL, "127.0.0.1"));
	netlist_free(NULL);
}

/* test_many - a long list (as from a file:) keeps every entry */
static void
test_many(void **state)
{
	struct netlist *nl;
	char ip[64], err[128];
	int i;

	(void)state;
	nl = netlist_new();
	for (i = 0; i < 1000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.0/24", i / 256, i % 256);
		assert_int_equal(netlist_add(nl, ip, err, sizeof(err)), 0);
	}
	assert_int_equal(netlist_count(nl), 1000);
	assert_string_equal(netlist_entry(nl, 999), "10.3.231.0/24");
	assert_true(netlist_match(nl, "10.3.231.77"));
	assert_true(netlist_match(nl, "10.0.0.1"));
	assert_false(netlist_match(nl, "10.3.232.1"));
	netlist_free(nl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
