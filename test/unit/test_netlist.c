/*
 * test_netlist - CIDR sets: v4, v6, prefix edges, mapped addresses, and
 * the error text for bad entries.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netlist.h"

/* test_match - membership over a table of (networks, address) */
static void
test_match(void **state)
{
	static const struct {
		const char *net;
		const char *ip;
		int want;
	} cases[] = {
		{ "192.0.2.0/24", "192.0.2.255", 1 },
		{ "192.0.2.0/24", "192.0.3.0", 0 },
		{ "192.0.2.7", "192.0.2.7", 1 },		/* bare = /32 */
		{ "192.0.2.7", "192.0.2.8", 0 },
		{ "192.0.2.7/32", "192.0.2.7", 1 },
		{ "0.0.0.0/0", "203.0.113.9", 1 },
		{ "0.0.0.0/0", "2001:db8::1", 0 },	/* v4 /0 is not v6 */
		{ "192.0.2.99/24", "192.0.2.1", 1 },	/* host bits cleared */
		{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
		{ "2001:db8::/32", "2001:db9::1", 0 },
		{ "2001:db8::1/128", "2001:db8::1", 1 },
		{ "::/0", "2001:db8::1", 1 },
		{ "192.0.2.0/24", "::ffff:192.0.2.10", 1 },	/* mapped */
		{ "::ffff:192.0.2.0/120", "192.0.2.10", 1 },
		{ "127.0.0.0/8", "::1", 0 },
		{ "192.0.2.0/24", "not-an-ip", 0 },
	};
	struct netlist *nl;
	char err[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nl = netlist_new();
		assert_int_equal(netlist_add(nl, cases[i].net, err,
		    sizeof(err)), 0);
		if (netlist_match(nl, cases[i].ip) != cases[i].want)
			fail_msg("%s in %s: want %d", cases[i].ip,
			    cases[i].net, cases[i].want);
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
		{ "192.0.2.0/", "bad network \"192.0.2.0/\": prefix length "
		    "must be 0 to 32" },
		{ "192.0.2.0/024", "bad network \"192.0.2.0/024\": prefix "
		    "length must be 0 to 32" },
		{ "192.0.2.0/-1", "bad network \"192.0.2.0/-1\": prefix "
		    "length must be 0 to 32" },
		{ "mail.example", "bad network \"mail.example\": not an IP "
		    "address" },
		{ "192.0.2", "bad network \"192.0.2\": not an IP address" },
	};
	struct netlist *nl;
	char err[128];
	size_t i;

	(void)state;
	nl = netlist_new();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(netlist_add(nl, cases[i].net, err,
		    sizeof(err)), -1);
		assert_string_equal(err, cases[i].want_err);
	}
	assert_int_equal(netlist_count(nl), 0);
	netlist_free(nl);
}

/* test_entries - canonical text of each entry */
static void
test_entries(void **state)
{
	struct netlist *nl;
	char err[128];

	(void)state;
	nl = netlist_new();
	assert_int_equal(netlist_add(nl, "192.0.2.99/24", err, sizeof(err)),
	    0);
	assert_int_equal(netlist_add(nl, "2001:DB8:0::1", err, sizeof(err)),
	    0);
	assert_int_equal(netlist_count(nl), 2);
	assert_string_equal(netlist_entry(nl, 0), "192.0.2.0/24");
	assert_string_equal(netlist_entry(nl, 1), "2001:db8::1/128");
	assert_null(netlist_entry(nl, 2));
	netlist_free(nl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
