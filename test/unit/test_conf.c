/*
 * test_conf - mxauth.conf parsing: good files, every error message with
 * its FILE:LINE, defaults, `mxauth -n` output, and snapshot refcounts.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "log.h"
#include "netlist.h"
#include "xmalloc.h"

/* write_tmp - TEXT into a new temp file; caller unlinks and frees */
static char *
write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/mxauth-test-conf.XXXXXX");
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* subst_data - the file at PATH with @DATA@ replaced by TEST_DATA */
static char *
subst_data(const char *path)
{
	char line[512], out[65536], *at;
	size_t n = 0;
	FILE *fp;

	fp = fopen(path, "r");
	assert_non_null(fp);
	out[0] = '\0';
	while (fgets(line, sizeof(line), fp) != NULL) {
		if ((at = strstr(line, "@DATA@")) != NULL) {
			*at = '\0';
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s%s",
			    line, TEST_DATA, at + 6);
		} else
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s",
			    line);
	}
	fclose(fp);
	return write_tmp(out);
}

/* test_good - a file using every kind of value */
static void
test_good(void **state)
{
	struct conf *c;
	char *path, err[512];

	(void)state;
	path = subst_data(TEST_DATA "/conf/good.conf");
	c = conf_load(path, err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_string_equal(c->socket, "inet:8891@127.0.0.1");
	assert_string_equal(c->user, "");
	assert_string_equal(c->authserv_id, "MX.example");
	assert_int_equal(c->log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(c->dns_timeout, 3);
	assert_int_equal(c->dns_retries, 2);		/* default */
	assert_string_equal(c->dns_servers,
	    "127.0.0.1:5353 [::1]:5353 192.0.2.53:53");
	assert_int_equal(netlist_count(c->trusted_networks), 5);
	assert_true(netlist_match(c->trusted_networks, "10.1.2.3"));
	assert_true(netlist_match(c->trusted_networks, "203.0.113.7"));
	assert_true(netlist_match(c->trusted_networks, "2001:db8::5"));
	assert_false(netlist_match(c->trusted_networks, "127.0.0.1"));
	conf_release(c);
	unlink(path);
	x_free(path);
}

/* test_errors - each mistake an admin makes, and the message they read */
static void
test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *want;	/* after "FILE:" */
	} cases[] = {
		{ "# c\n\nsocket inet:1@127.0.0.1\n",
		    "3: missing '=' in \"socket inet:1@127.0.0.1\"" },
		{ "= x\n", "1: missing setting name before '='" },
		{ "soket = unix:/x\n", "1: unknown setting \"soket\"" },
		{ "dns_timeout = 2\n\ndns_timeout = 3\n",
		    "3: \"dns_timeout\" already set at line 1" },
		{ "dns_timeout = 0\n", "1: dns_timeout = \"0\": must be an "
		    "integer from 1 to 60" },
		{ "dns_timeout = 5s\n", "1: dns_timeout = \"5s\": must be an "
		    "integer from 1 to 60" },
		{ "dns_retries = -1\n", "1: dns_retries = \"-1\": must be an "
		    "integer from 0 to 10" },
		{ "dns_cache_size = 99999999999999999999\n",
		    "1: dns_cache_size = \"99999999999999999999\": must be an "
		    "integer from 0 to 10000000" },
		{ "log_level = loud\n", "1: log_level = \"loud\": must be one "
		    "of error, warning, info, debug" },
		{ "socket = tcp:8891\n", "1: socket = \"tcp:8891\": must be "
		    "unix:/PATH, inet:PORT@ADDR or inet6:PORT@ADDR with PORT "
		    "1 to 65535" },
		{ "socket = inet:0@127.0.0.1\n", "1: socket = "
		    "\"inet:0@127.0.0.1\": must be unix:/PATH, inet:PORT@ADDR "
		    "or inet6:PORT@ADDR with PORT 1 to 65535" },
		{ "socket = unix:relative.sock\n", "1: socket = "
		    "\"unix:relative.sock\": must be unix:/PATH, "
		    "inet:PORT@ADDR or inet6:PORT@ADDR with PORT 1 to 65535" },
		{ "log_target = file:log.txt\n", "1: log_target = "
		    "\"file:log.txt\": must be syslog, stderr or file:/PATH" },
		{ "pid_file = run/mxauth.pid\n", "1: pid_file = "
		    "\"run/mxauth.pid\": must be an absolute path or empty" },
		{ "authserv_id = mx example\n", "1: authserv_id = "
		    "\"mx example\": must be a host name (letters, digits, "
		    "'.', '-', '_')" },
		{ "authserv_id =\n", "1: authserv_id = \"\": must be a host "
		    "name (letters, digits, '.', '-', '_')" },
		{ "user = bad user\n", "1: user = \"bad user\": not a user "
		    "name" },
		{ "dns_servers = 127.0.0.1:99999\n", "1: dns_servers: bad DNS "
		    "server \"127.0.0.1:99999\": must be an IP address with "
		    "optional :PORT ([IPv6]:PORT)" },
		{ "dns_servers = ns.example\n", "1: dns_servers: bad DNS "
		    "server \"ns.example\": must be an IP address with "
		    "optional :PORT ([IPv6]:PORT)" },
		{ "trusted_networks = 192.0.2.0/24,\n  192.0.2.300\n",
		    "1: trusted_networks: bad network \"192.0.2.300\": not an "
		    "IP address" },
		{ "  indented = 1\n", "1: continuation line without a setting "
		    "before it" },
	};
	char *path, err[512], want[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		path = write_tmp(cases[i].text);
		assert_null(conf_load(path, err, sizeof(err)));
		snprintf(want, sizeof(want), "%s:%s", path, cases[i].want);
		assert_string_equal(err, want);
		unlink(path);
		x_free(path);
	}
}

/* test_file_errors - unreadable files and errors inside file: lists */
static void
test_file_errors(void **state)
{
	char *path, err[512], want[1024];

	(void)state;
	assert_null(conf_load("/nonexistent/mxauth.conf", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/mxauth.conf: cannot open: "
	    "No such file or directory");

	path = write_tmp("trusted_networks = file:" TEST_DATA
	    "/conf/badnet.list\n");
	assert_null(conf_load(path, err, sizeof(err)));
	assert_string_equal(err, TEST_DATA "/conf/badnet.list:3: "
	    "trusted_networks: bad network \"192.0.2.0/33\": prefix length "
	    "must be 0 to 32");
	unlink(path);
	x_free(path);

	path = write_tmp("\ntrusted_networks = file:/nonexistent/list\n");
	assert_null(conf_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:2: trusted_networks: cannot open "
	    "/nonexistent/list: No such file or directory", path);
	assert_string_equal(err, want);
	unlink(path);
	x_free(path);
}

/* test_defaults - built-in defaults and an explicitly empty list */
static void
test_defaults(void **state)
{
	struct conf *c;
	char *path, err[512], host[256];

	(void)state;
	c = conf_defaults();
	assert_string_equal(c->socket, "unix:/run/mxauth/mxauth.sock");
	assert_string_equal(c->user, "mxauth");
	assert_string_equal(c->log_target, "syslog");
	assert_int_equal(c->log_level, LOG_LEVEL_INFO);
	assert_int_equal(c->dns_timeout, 5);
	assert_int_equal(c->dns_cache_size, 10000);
	assert_string_equal(c->dns_servers, "");
	assert_true(netlist_match(c->trusted_networks, "127.0.0.1"));
	assert_true(netlist_match(c->trusted_networks, "::1"));
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	assert_string_equal(c->authserv_id, host);
	conf_release(c);

	path = write_tmp("trusted_networks =\n");
	c = conf_load(path, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(netlist_count(c->trusted_networks), 0);
	assert_false(netlist_match(c->trusted_networks, "127.0.0.1"));
	conf_release(c);
	unlink(path);
	x_free(path);
}

/* test_print - -n prints only what differs; -a prints all */
static void
test_print(void **state)
{
	struct conf *c;
	char *path, err[512], buf[4096];
	FILE *mem;
	size_t n;

	(void)state;
	path = write_tmp("dns_timeout = 7\ndns_retries = 2\n"
	    "trusted_networks = 192.0.2.1/24\n");
	c = conf_load(path, err, sizeof(err));
	assert_non_null(c);
	mem = fmemopen(buf, sizeof(buf), "w");
	conf_print(c, mem, 0);
	n = (size_t)ftell(mem);
	fclose(mem);
	buf[n] = '\0';
	/* dns_retries = 2 is the default: not printed. */
	assert_string_equal(buf, "dns_timeout = 7\n"
	    "trusted_networks = 192.0.2.0/24\n");
	mem = fmemopen(buf, sizeof(buf), "w");
	conf_print(c, mem, 1);
	n = (size_t)ftell(mem);
	fclose(mem);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "socket = unix:/run/mxauth/mxauth.sock\n"));
	assert_non_null(strstr(buf, "dns_retries = 2\n"));
	assert_non_null(strstr(buf, "log_level = info\n"));
	conf_release(c);
	unlink(path);
	x_free(path);
}

/* test_snapshots - a held snapshot outlives its replacement */
static void
test_snapshots(void **state)
{
	struct conf *a, *b, *held, *cur;

	(void)state;
	a = conf_defaults();
	conf_install(a);
	held = conf_get();
	assert_ptr_equal(held, a);
	b = conf_defaults();
	b->dns_timeout = 9;
	conf_install(b);
	/* a is still valid: we hold it. */
	assert_int_equal(held->dns_timeout, 5);
	cur = conf_get();
	assert_ptr_equal(cur, b);
	assert_int_equal(cur->dns_timeout, 9);
	conf_release(cur);
	conf_release(held);	/* last reference: freed (ASan checks) */
	conf_install(conf_defaults());
	cur = conf_get();
	conf_release(cur);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_snapshots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
