/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_conf - mxauth.conf parsing: good files, every error message with
 * its FILE:LINE (list files included), normalised values as `mxauth -n`
 * prints them, defaults, print/load round trip, and snapshot refcounts
 * (also under threads, for the sanitizers).
 *
 * Test files are written with mkstemp; in file text, @DATA@ stands for
 * TEST_DATA, and in expected errors @CONF@ for the temp file's path, @DIR@
 * for test_special_files' directory (FIFO, oversized files).
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "conf_table.h"
#include "log.h"
#include "netlist.h"
#include "vstr.h"
#include "xmalloc.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
/* what a bad report_transport is told */
#define TRANSPORT(v)	{ "\nreport_transport = " v "\n", \
	"@CONF@:2: report_transport = \"" v "\": must be sendmail:/PATH or " \
	"smtp:HOST[:PORT] (PORT 1 to 65535, an IPv6 address in brackets)" }

/* subst - S with @DATA@ = TEST_DATA and @CONF@ = CONF; caller frees */
static char *
subst(const char *s, const char *conf)
{
	struct vstr v = VSTR_INIT;

	while (*s != '\0') {
		if (strncmp(s, "@DATA@", 6) == 0) {
			vstr_cat(&v, TEST_DATA);
			s += 6;
		} else if (strncmp(s, "@CONF@", 6) == 0 && conf != NULL) {
			vstr_cat(&v, conf);
			s += 6;
		} else
			vstr_catc(&v, *s++);
	}
	return vstr_steal(&v);
}

/* replace - S with every WHAT replaced by WITH; caller frees */
static char *
replace(const char *s, const char *what, const char *with)
{
	struct vstr v = VSTR_INIT;
	size_t n = strlen(what);

	while (*s != '\0') {
		if (strncmp(s, what, n) == 0) {
			vstr_cat(&v, with);
			s += n;
		} else
			vstr_catc(&v, *s++);
	}
	return vstr_steal(&v);
}

/* write_tmp - TEXT (after subst) into a new temp file; caller unlinks, frees */
static char *
write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/mxauth-test-conf.XXXXXX"), *body;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	body = subst(text, NULL);
	fputs(body, fp);
	x_free(body);
	fclose(fp);
	return path;
}

/* drop_tmp - unlink and free a write_tmp() path */
static void
drop_tmp(char *path)
{
	unlink(path);
	x_free(path);
}

/* print_str - conf_print output as a string; caller frees */
static char *
print_str(const struct conf *c, int all)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	conf_print(c, mem, all);
	fclose(mem);
	return buf;
}

/* test_good - good.conf: every kind of value, continuation, file: list */
static void
test_good(void **state)
{
	struct conf *c;
	char *path, *text, err[512];
	FILE *fp;

	(void)state;
	fp = fopen(TEST_DATA "/conf/good.conf", "r");
	assert_non_null(fp);
	text = xmalloc(8192);
	text[fread(text, 1, 8191, fp)] = '\0';
	fclose(fp);
	path = write_tmp(text);
	x_free(text);
	c = conf_load(path, err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_string_equal(c->path, path);
	assert_string_equal(c->socket, "inet:8891@127.0.0.1");
	assert_string_equal(c->user, "");
	assert_string_equal(c->authserv_id, "MX.example");
	assert_int_equal(c->log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(c->dns_timeout, 3);
	assert_int_equal(c->dns_retries, 2);		/* default */
	assert_string_equal(c->pid_file, "/run/mxauth/mxauth.pid");
	assert_string_equal(c->dns_servers,
	    "127.0.0.1:5353 [::1]:5353 192.0.2.53:53");
	assert_int_equal(c->spf_helo, 0);
	assert_int_equal(c->received_spf, 1);		/* default */
	assert_int_equal(netlist_count(c->trusted_networks), 5);
	assert_true(netlist_match(c->trusted_networks, "10.1.2.3"));
	assert_true(netlist_match(c->trusted_networks, "203.0.113.7"));
	assert_false(netlist_match(c->trusted_networks, "203.0.113.8"));
	assert_true(netlist_match(c->trusted_networks, "2001:db8::5"));
	assert_false(netlist_match(c->trusted_networks, "127.0.0.1"));
	conf_release(c);
	drop_tmp(path);
}

/* test_values - one-setting files and what `mxauth -n` then prints */
static void
test_values(void **state)
{
	static const struct {
		const char *text;
		const char *want_print;
	} cases[] = {
		{ "", "" },
		{ "# only a comment\n\n   \n\t\n", "" },
		{ "dns_timeout = 5\n", "" },		/* default: not shown */
		{ "dns_timeout=7\n", "dns_timeout = 7\n" },
		{ "dns_timeout   =\t7  \n", "dns_timeout = 7\n" },
		{ "dns_timeout = 7\r\n", "dns_timeout = 7\n" },
		{ "dns_timeout = 7", "dns_timeout = 7\n" },	/* no newline */
		{ "dns_timeout =\n  7\n", "dns_timeout = 7\n" },
		{ "dns_cache_size = 0\ndns_retries = 0\ndns_timeout = 60\n",
		    "dns_timeout = 60\ndns_retries = 0\ndns_cache_size = 0\n" },
		{ "dns_cache_size = 10000000\n",
		    "dns_cache_size = 10000000\n" },
		{ "log_level = error\n", "log_level = error\n" },
		{ "log_level = warning\n", "log_level = warning\n" },
		{ "user =\n", "user =\n" },
		{ "user = _mx-auth.d\n", "user = _mx-auth.d\n" },
		{ "pid_file =\n", "pid_file =\n" },
		{ "pid_file = /var/run/my dir/mx.pid\n",
		    "pid_file = /var/run/my dir/mx.pid\n" },
		{ "socket = inet:8891\n", "socket = inet:8891\n" },
		{ "socket = inet:65535@mx.example\n",
		    "socket = inet:65535@mx.example\n" },
		{ "socket = inet6:8891@::1\n", "socket = inet6:8891@::1\n" },
		{ "socket = inet6:8891\n", "socket = inet6:8891\n" },
		{ "socket = local:/var/run/mx.sock\n",
		    "socket = local:/var/run/mx.sock\n" },
		{ "socket = unix:/run/a=b.sock\n",
		    "socket = unix:/run/a=b.sock\n" },
		{ "log_target = stderr\n", "log_target = stderr\n" },
		{ "metrics_listen = 127.0.0.1:9103\n",
		    "metrics_listen = 127.0.0.1:9103\n" },
		{ "metrics_listen = [::1]:9103\n", "metrics_listen = [::1]:9103\n" },
		{ "metrics_listen =\n", "" },	/* default: off */
		{ "report_retention = 0\n", "report_retention = 0\n" },
		{ "report_retention = 30\n", "" },	/* the default */
		{ "report_org_name = Example Mail <&> Co\n"
		    "report_email = dmarc-reports+x@mx.example\n"
		    "report_extra_contact = https://mx.example/dmarc\n",
		    "report_org_name = Example Mail <&> Co\n"
		    "report_email = dmarc-reports+x@mx.example\n"
		    "report_extra_contact = https://mx.example/dmarc\n" },
		{ "log_target = file:/var/log/mxauth.log\n",
		    "log_target = file:/var/log/mxauth.log\n" },
		/* how mxauth-report sends (report_send.c) */
		{ "report_transport = sendmail:/usr/lib/sendmail\n",
		    "report_transport = sendmail:/usr/lib/sendmail\n" },
		{ "report_transport = smtp:localhost\n",
		    "report_transport = smtp:localhost\n" },
		{ "report_transport = smtp:relay.example:587\n",
		    "report_transport = smtp:relay.example:587\n" },
		{ "report_transport = smtp:127.0.0.1:2525\n",
		    "report_transport = smtp:127.0.0.1:2525\n" },
		{ "report_transport = smtp:[::1]:25\n",
		    "report_transport = smtp:[::1]:25\n" },
		{ "authserv_id = mx-1.example_org\n",
		    "authserv_id = mx-1.example_org\n" },
		{ "dns_servers = 127.0.0.1, [::1]:5353 ::1\n",
		    "dns_servers = 127.0.0.1:53 [::1]:5353 [::1]:53\n" },
		{ "dns_servers = [192.0.2.1]:54\n",
		    "dns_servers = 192.0.2.1:54\n" },
		{ "dns_servers = file:@DATA@/conf/servers.list\n",
		    "dns_servers = 192.0.2.53:53 198.51.100.53:5353 "
		    "[2001:db8::53]:53\n" },
		{ "dns_servers = 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4\n"
		    "  192.0.2.5,192.0.2.6 , 192.0.2.7,192.0.2.8\n",
		    "dns_servers = 192.0.2.1:53 192.0.2.2:53 192.0.2.3:53 "
		    "192.0.2.4:53 192.0.2.5:53 192.0.2.6:53 192.0.2.7:53 "
		    "192.0.2.8:53\n" },
		{ "trusted_networks = 10.1.2.3/8,2001:DB8::1/32\n",
		    "trusted_networks = 10.0.0.0/8 2001:db8::/32\n" },
		{ "trusted_networks =\n", "trusted_networks =\n" },
		{ "trusted_networks = , ,\n", "trusted_networks =\n" },
		{ "trusted_networks = 127.0.0.1/8 ::1\n", "" },	/* default */
		{ "trusted_networks = ::1/128 127.0.0.0/8\n",
		    "trusted_networks = ::1/128 127.0.0.0/8\n" },
		{ "trusted_networks =\n  192.0.2.0/24\n\n  # a comment\n"
		    "\t198.51.100.0/24\n",
		    "trusted_networks = 192.0.2.0/24 198.51.100.0/24\n" },
		{ "trusted_networks = file:@DATA@/conf/networks.list,"
		    "file:@DATA@/conf/networks.list\n",
		    "trusted_networks = 198.51.100.0/24 203.0.113.7/32 "
		    "10.0.0.0/8 198.51.100.0/24 203.0.113.7/32 10.0.0.0/8\n" },
		{ "spf_helo = no\nreceived_spf = no\n",
		    "spf_helo = no\nreceived_spf = no\n" },
		{ "spf_temperror_action = tempfail\nspf_fail_action = reject\n",
		    "spf_fail_action = reject\n"
		    "spf_temperror_action = tempfail\n" },
	};
	struct conf *c;
	char *path, *out, err[512];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		path = write_tmp(cases[i].text);
		if ((c = conf_load(path, err, sizeof(err))) == NULL)
			fail_msg("case %zu: %s", i, err);
		out = print_str(c, 0);
		if (strcmp(out, cases[i].want_print) != 0)
			fail_msg("case %zu: printed \"%s\", want \"%s\"", i, out,
			    cases[i].want_print);
		free(out);
		conf_release(c);
		drop_tmp(path);
	}
}

/* test_errors - each mistake an admin makes, and the message they read */
static void
test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *want_err;
	} cases[] = {
		{ "# c\n\nsocket inet:1@127.0.0.1\n", "@CONF@:3: missing '=' "
		    "in \"socket inet:1@127.0.0.1\"" },
		{ "= x\n", "@CONF@:1: missing setting name before '='" },
		{ "soket = unix:/x\n", "@CONF@:1: unknown setting \"soket\"" },
		{ "DNS_TIMEOUT = 5\n",
		    "@CONF@:1: unknown setting \"DNS_TIMEOUT\"" },
		{ "dns_timeout = 2\n\ndns_timeout = 3\n",
		    "@CONF@:3: \"dns_timeout\" already set at line 1" },
		{ "dns_timeout = 2\r\ndns_timeout = 3\r\n",
		    "@CONF@:2: \"dns_timeout\" already set at line 1" },
		{ "trusted_networks = 10.0.0.0/8\n  192.0.2.0/24\n\n"
		    "trusted_networks =\n", "@CONF@:4: \"trusted_networks\" "
		    "already set at line 1" },
		{ "  indented = 1\n", "@CONF@:1: continuation line without a "
		    "setting before it" },
		{ "# comment\n  192.0.2.0/24\n", "@CONF@:2: continuation line "
		    "without a setting before it" },
		{ "trusted_networks = 10.0.0.0/8\n  192.0.2.0/24\nfoo = 1\n",
		    "@CONF@:3: unknown setting \"foo\"" },
		/* integers */
		{ "dns_timeout = 0\n", "@CONF@:1: dns_timeout = \"0\": must be "
		    "an integer from 1 to 60" },
		{ "dns_timeout = 61\n", "@CONF@:1: dns_timeout = \"61\": must "
		    "be an integer from 1 to 60" },
		{ "dns_timeout = 5s\n", "@CONF@:1: dns_timeout = \"5s\": must "
		    "be an integer from 1 to 60" },
		{ "dns_timeout = 0x10\n", "@CONF@:1: dns_timeout = \"0x10\": "
		    "must be an integer from 1 to 60" },
		{ "dns_timeout = 5 # seconds\n", "@CONF@:1: dns_timeout = "
		    "\"5 # seconds\": must be an integer from 1 to 60" },
		{ "dns_timeout =\n", "@CONF@:1: dns_timeout = \"\": must be an "
		    "integer from 1 to 60" },
		{ "dns_timeout = x", "@CONF@:1: dns_timeout = \"x\": must be "
		    "an integer from 1 to 60" },
		{ "dns_retries = -1\n", "@CONF@:1: dns_retries = \"-1\": must "
		    "be an integer from 0 to 10" },
		{ "dns_retries = 11\n", "@CONF@:1: dns_retries = \"11\": must "
		    "be an integer from 0 to 10" },
		{ "dns_cache_size = 99999999999999999999\n",
		    "@CONF@:1: dns_cache_size = \"99999999999999999999\": must "
		    "be an integer from 0 to 10000000" },
		/* the report store */
		{ "reporting = yes\nreport_store = reports.db\n",
		    "@CONF@:2: report_store = \"reports.db\": must be "
		    "sqlite:/PATH or postgresql://..." },
		{ "report_store = sqlite:reports.db\n",
		    "@CONF@:1: report_store = \"sqlite:reports.db\": must be "
		    "sqlite:/PATH or postgresql://..." },
		{ "report_store = mysql://db/r\n",
		    "@CONF@:1: report_store = \"mysql://db/r\": must be "
		    "sqlite:/PATH or postgresql://..." },
		{ "report_queue = 0\n", "@CONF@:1: report_queue = \"0\": must "
		    "be an integer from 1 to 10000000" },
		{ "report_retention = 3651\n", "@CONF@:1: report_retention = "
		    "\"3651\": must be an integer from 0 to 3650" },
		{ "report_retention = -1\n", "@CONF@:1: report_retention = "
		    "\"-1\": must be an integer from 0 to 3650" },
		{ "reporting = maybe\n", "@CONF@:1: reporting = \"maybe\": "
		    "must be yes or no" },
		/* the reporter's identity (mxauth-report) */
		{ "\nreport_email = dmarc\n", "@CONF@:2: report_email = "
		    "\"dmarc\": must be an address, local@domain.example" },
		{ "report_email = <d@mx.example>\n", "@CONF@:1: report_email "
		    "= \"<d@mx.example>\": must be an address, "
		    "local@domain.example" },
		{ "report_email = d@localhost\n", "@CONF@:1: report_email = "
		    "\"d@localhost\": must be an address, local@domain.example" },
		{ "report_email = d m@mx.example\n", "@CONF@:1: report_email "
		    "= \"d m@mx.example\": must be an address, "
		    "local@domain.example" },
		TRANSPORT("sendmail"),
		TRANSPORT("sendmail:sendmail"),
		TRANSPORT("sendmail:/usr/sbin/sendmail -t"),
		TRANSPORT("smtp:"),
		TRANSPORT("smtp:::1"),
		TRANSPORT("smtp:[::1"),
		TRANSPORT("smtp:localhost:0"),
		TRANSPORT("smtp:localhost:65536"),
		TRANSPORT("smtp:bad_host!"),
		TRANSPORT("lmtp:localhost"),
		{ "report_org_name = Example\x01Org\n", "@CONF@:1: "
		    "report_org_name = \"Example\x01Org\": must be 1 to 200 "
		    "printable ASCII characters" },
/* enums and booleans */
		{ "log_level = loud\n", "@CONF@:1: log_level = \"loud\": must "
		    "be one of error, warning, info, debug" },
		{ "log_level = INFO\n", "@CONF@:1: log_level = \"INFO\": must "
		    "be one of error, warning, info, debug" },
		{ "spf_fail_action = drop\n", "@CONF@:1: spf_fail_action = "
		    "\"drop\": must be one of none, reject" },
		{ "spf_helo = maybe\n", "@CONF@:1: spf_helo = \"maybe\": must "
		    "be yes or no" },
		{ "spf_helo = 1\n", "@CONF@:1: spf_helo = \"1\": must be yes "
		    "or no" },
		/* socket */
#define SOCK_ERR	"must be unix:/PATH, local:/PATH, inet:PORT, " \
			"inet:PORT@ADDR or inet6:PORT@ADDR with PORT 1 to 65535"
#define SOCK(v)	{ "socket = " v "\n", \
		    "@CONF@:1: socket = \"" v "\": " SOCK_ERR }
		SOCK("tcp:8891"),
		SOCK("inet:0@127.0.0.1"),
		SOCK("inet:65536"),
		SOCK("inet:08891"),
		SOCK("inet:8891@"),
		SOCK("inet:@127.0.0.1"),
		SOCK("inet:8891@127.0.0.1 x"),
		SOCK("inet6:smtp@::1"),
		SOCK("unix:relative.sock"),
		SOCK("unix:/"),
		SOCK("local:mx.sock"),
		SOCK(""),
		/* log_target, paths, names */
#define LOGT(v)	{ "log_target = " v "\n", "@CONF@:1: log_target = \"" v \
		    "\": must be syslog, stderr or file:/PATH" }
		LOGT("file:log.txt"),
		LOGT("file:/"),
		LOGT("syslog:mail"),
		LOGT("Syslog"),
		LOGT(""),
		{ "pid_file = run/mxauth.pid\n", "@CONF@:1: pid_file = "
		    "\"run/mxauth.pid\": must be an absolute path or empty" },
		{ "authserv_id = mx example\n", "@CONF@:1: authserv_id = "
		    "\"mx example\": must be a host name (letters, digits, "
		    "'.', '-', '_')" },
		{ "authserv_id = mx.example;\n", "@CONF@:1: authserv_id = "
		    "\"mx.example;\": must be a host name (letters, digits, "
		    "'.', '-', '_')" },
		{ "authserv_id =\n", "@CONF@:1: authserv_id = \"\": must be a "
		    "host name (letters, digits, '.', '-', '_')" },
		{ "user = bad user\n", "@CONF@:1: user = \"bad user\": must be "
		    "a user name (letters, digits, '.', '_', '-') or empty" },
		{ "user = -mx\n", "@CONF@:1: user = \"-mx\": must be a user "
		    "name (letters, digits, '.', '_', '-') or empty" },
		/* metrics_listen: an IP address and a port, nothing else */
#define MET(v)	{ "metrics_listen = " v "\n", "@CONF@:1: metrics_listen = " \
		    "\"" v "\": must be empty (off), IPv4:PORT or [IPv6]:PORT " \
		    "with PORT 1 to 65535, e.g. 127.0.0.1:9103 or [::1]:9103" }
		MET("127.0.0.1"),
		MET("127.0.0.1:0"),
		MET("127.0.0.1:65536"),
		MET("localhost:9103"),
		MET("::1:9103"),
		MET("[::1]"),
		MET("[::1]:"),
		MET("*:9103"),
		MET("http://127.0.0.1:9103/metrics"),
		/* dns_servers */
#define SRV_ERR	"must be an IP address with optional :PORT ([IPv6]:PORT)"
#define SRV(v)	{ "dns_servers = " v "\n", "@CONF@:1: dns_servers: bad DNS " \
		    "server \"" v "\": " SRV_ERR }
		SRV("127.0.0.1:99999"),
		SRV("127.0.0.1:0"),
		SRV("ns.example"),
		SRV("[::1"),
		SRV("[::1]:"),
		SRV("::1]:53"),
		{ "dns_servers = 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4\n"
		    "\t192.0.2.5 192.0.2.6 192.0.2.7 192.0.2.8\n\t192.0.2.9\n",
		    "@CONF@:3: dns_servers: too many values (at most 8)" },
		/* a bad item is reported on its own physical line */
		{ "trusted_networks = 192.0.2.0/24,\n  192.0.2.300\n",
		    "@CONF@:2: trusted_networks: bad network \"192.0.2.300\": "
		    "not an IP address" },
		{ "trusted_networks = 192.0.2.0/24,\n    198.51.100.0/24\n"
		    "# comment\n\n\t10.0.0.0/8 192.0.2.0/33\n",
		    "@CONF@:5: trusted_networks: bad network \"192.0.2.0/33\": "
		    "prefix length must be 0 to 32" },
		/* file: lists */
		{ "trusted_networks = file:nets.list\n", "@CONF@:1: "
		    "trusted_networks: \"file:nets.list\": must be an absolute "
		    "path" },
		{ "\ntrusted_networks = 10.0.0.0/8\n  file:/nonexistent/list\n",
		    "@CONF@:3: trusted_networks: /nonexistent/list: cannot open: "
		    "No such file or directory" },
		{ "trusted_networks = 10.0.0.0/8,\n"
		    "  file:@DATA@/conf/badnet.list\n",
		    "@DATA@/conf/badnet.list:4: trusted_networks: bad network "
		    "\"192.0.2.0/33\": prefix length must be 0 to 32" },
		{ "trusted_networks = file:@DATA@/conf/nested.list\n",
		    "@DATA@/conf/nested.list:3: trusted_networks: file: lists "
		    "cannot name other files" },
		{ "dns_servers = file:@DATA@/conf\n", "@CONF@:1: dns_servers: "
		    "@DATA@/conf: cannot read: not a regular file" },
		{ "dns_servers = 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4\n"
		    "  192.0.2.5 192.0.2.6 file:@DATA@/conf/servers.list\n",
		    "@DATA@/conf/servers.list:4: dns_servers: too many values "
		    "(at most 8)" },
		{ "dns_servers = file:@DATA@/conf/networks.list\n",
		    "@DATA@/conf/networks.list:3: dns_servers: bad DNS server "
		    "\"198.51.100.0/24\": " SRV_ERR },
		/* psl mode: the list is loaded with the config, or an error */
		{ "dmarc_org_domain = psl\n# the list\n"
		    "psl_file = /nonexistent/list.dat\n", "@CONF@:3: psl_file: "
		    "/nonexistent/list.dat: cannot open: No such file or "
		    "directory" },
		{ "psl_file = @DATA@/psl\n\ndmarc_org_domain = psl\n",
		    "@CONF@:1: psl_file: @DATA@/psl: cannot read: not a regular "
		    "file" },
	};
	char *path, *want, err[512];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		path = write_tmp(cases[i].text);
		err[0] = '\0';
		if (conf_load(path, err, sizeof(err)) != NULL)
			fail_msg("case %zu: accepted", i);
		want = subst(cases[i].want_err, path);
		if (strcmp(err, want) != 0)
			fail_msg("case %zu:\n got  %s\n want %s", i, err, want);
		x_free(want);
		drop_tmp(path);
	}
}

/* test_open_errors - files that cannot be read at all; short buffers */
static void
test_open_errors(void **state)
{
	char err[512], small[16];

	(void)state;
	assert_null(conf_load("/nonexistent/mxauth.conf", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/mxauth.conf: cannot open: "
	    "No such file or directory");
	assert_null(conf_load(TEST_DATA "/conf", err, sizeof(err)));
	assert_string_equal(err, TEST_DATA "/conf: cannot read: not a "
	    "regular file");
	/* The message is cut to fit, never written past the buffer. */
	assert_null(conf_load("/nonexistent/mxauth.conf", small,
	    sizeof(small)));
	assert_string_equal(small, "/nonexistent/mx");
}

/*
 * test_special_files - every file conf reads (the config, file: lists,
 * policy_overrides) must be a regular file of at most CONF_MAX_FILE
 * bytes: a FIFO, /dev/zero or a directory is a FILE:LINE error, never a
 * load that blocks or reads forever (SIGALRM fails the test if it hangs).
 */
static void
test_special_files(void **state)
{
	static const struct {
		const char	*text;		/* "@DIR@" = the test directory */
		const char	*want_err;
	} cases[] = {
		{ "\ntrusted_networks = file:@DIR@/fifo\n",
		    "@CONF@:2: trusted_networks: @DIR@/fifo: cannot read: not a "
		    "regular file" },
		{ "trusted_relays = 192.0.2.1\n  file:/dev/zero\n",
		    "@CONF@:2: trusted_relays: /dev/zero: cannot read: not a "
		    "regular file" },
		{ "trusted_authserv_ids = file:@DIR@\n",
		    "@CONF@:1: trusted_authserv_ids: @DIR@: cannot read: not a "
		    "regular file" },
		{ "trusted_networks = file:@DIR@/big\n",
		    "@CONF@:1: trusted_networks: @DIR@/big: cannot read: larger "
		    "than 1048576 bytes" },
		{ "trusted_networks = file:@DIR@/max\n", NULL },
		{ "# overrides\npolicy_overrides = file:@DIR@/fifo\n",
		    "@CONF@:2: policy_overrides: @DIR@/fifo: cannot read: not a "
		    "regular file" },
		{ "policy_overrides = file:/dev/zero\n",
		    "@CONF@:1: policy_overrides: /dev/zero: cannot read: not a "
		    "regular file" },
		{ "policy_overrides = file:@DIR@/big\n",
		    "@CONF@:1: policy_overrides: @DIR@/big: cannot read: larger "
		    "than 1048576 bytes" },
		{ "policy_overrides = file:@DIR@\n",
		    "@CONF@:1: policy_overrides: @DIR@: cannot read: not a "
		    "regular file" },
	};
	char dir[] = "/tmp/mxauth-test-special.XXXXXX", path[256], err[512];
	char *text, *conf, *want;
	struct conf *c;
	FILE *fp;
	size_t i, n;

	(void)state;
	alarm(20);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	/* max: exactly CONF_MAX_FILE bytes of comment; big: one more */
	snprintf(path, sizeof(path), "%s/max", dir);
	assert_non_null(fp = fopen(path, "w"));
	for (n = 0; n < CONF_MAX_FILE / 64; n++)
		fprintf(fp, "#%62s\n", "");
	fclose(fp);
	snprintf(path, sizeof(path), "%s/big", dir);
	assert_non_null(fp = fopen(path, "w"));
	for (n = 0; n < CONF_MAX_FILE / 64; n++)
		fprintf(fp, "#%62s\n", "");
	fputc('\n', fp);
	fclose(fp);

	for (i = 0; i < NELEM(cases); i++) {
		text = replace(cases[i].text, "@DIR@", dir);
		conf = write_tmp(text);
		err[0] = '\0';
		c = conf_load(conf, err, sizeof(err));
		if (cases[i].want_err == NULL) {
			if (c == NULL)
				fail_msg("case %zu: refused: %s", i, err);
			conf_release(c);
		} else {
			if (c != NULL)
				fail_msg("case %zu: accepted", i);
			want = replace(cases[i].want_err, "@DIR@", dir);
			x_free(text);
			text = subst(want, conf);
			if (strcmp(err, text) != 0)
				fail_msg("case %zu:\n got  %s\n want %s", i, err,
				    text);
			x_free(want);
		}
		x_free(text);
		drop_tmp(conf);
	}

	/* The config file itself. */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_null(conf_load(path, err, sizeof(err)));
	want = replace("@DIR@/fifo: cannot read: not a regular file", "@DIR@",
	    dir);
	assert_string_equal(err, want);
	x_free(want);
	assert_null(conf_load("/dev/zero", err, sizeof(err)));
	assert_string_equal(err, "/dev/zero: cannot read: not a regular file");
	snprintf(path, sizeof(path), "%s/big", dir);
	assert_null(conf_load(path, err, sizeof(err)));
	want = replace("@DIR@/big: cannot read: larger than 1048576 bytes",
	    "@DIR@", dir);
	assert_string_equal(err, want);
	x_free(want);

	alarm(0);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/max", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/big", dir);
	unlink(path);
	rmdir(dir);
}

/* canonical_name - NAME's canonical name in place, if it has one */
static void
canonical_name(char *name, size_t len)
{
	struct addrinfo hints = { .ai_flags = AI_CANONNAME,
	    .ai_socktype = SOCK_STREAM }, *ai = NULL;

	if (strchr(name, '.') == NULL &&
	    getaddrinfo(name, NULL, &hints, &ai) == 0 &&
	    ai->ai_canonname != NULL && ai->ai_canonname[0] != '\0')
		snprintf(name, len, "%s", ai->ai_canonname);
	if (ai != NULL)
		freeaddrinfo(ai);
}

/* test_defaults - built-in defaults; `mxauth -n -a` lists every row */
static void
test_defaults(void **state)
{
	struct conf *c;
	char *out, *p, host[256], want[300];
	size_t i;

	(void)state;
	c = conf_defaults();
	assert_null(c->path);
	assert_string_equal(c->socket, "inet:8891@127.0.0.1");
	assert_string_equal(c->user, "mxauth");
	assert_string_equal(c->pid_file, "/run/mxauth/mxauth.pid");
	assert_string_equal(c->log_target, "syslog");
	assert_int_equal(c->log_level, LOG_LEVEL_INFO);
	assert_int_equal(c->dns_timeout, 5);
	assert_int_equal(c->dns_retries, 2);
	assert_int_equal(c->dns_cache_size, 10000);
	assert_string_equal(c->dns_servers, "");
	assert_int_equal(netlist_count(c->trusted_networks), 2);
	assert_string_equal(netlist_entry(c->trusted_networks, 0),
	    "127.0.0.0/8");
	assert_string_equal(netlist_entry(c->trusted_networks, 1), "::1/128");
	assert_true(netlist_match(c->trusted_networks, "127.0.0.1"));
	assert_true(netlist_match(c->trusted_networks, "::1"));
	assert_false(netlist_match(c->trusted_networks, "192.0.2.1"));
	/* authserv_id: the canonical name of the host name (the short
	 * name when there is none); test/e2e/authserv_id.sh checks both
	 * cases with a host name and /etc/hosts of its own. */
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	canonical_name(host, sizeof(host));
	assert_string_equal(c->authserv_id, host);

	out = print_str(c, 0);
	assert_string_equal(out, "");
	free(out);
	/* all=1: one line per table row, in table order */
	out = print_str(c, 1);
	for (p = out, i = 0; i < conf_table_len; i++) {
		snprintf(want, sizeof(want), "%s =", conf_table[i].name);
		if (strncmp(p, want, strlen(want)) != 0)
			fail_msg("row %s: got \"%.40s\"", want, p);
		assert_non_null(p = strchr(p, '\n'));
		p++;
	}
	assert_string_equal(p, "");
	snprintf(want, sizeof(want), "\nauthserv_id = %s\n", host);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "\ntrusted_networks = 127.0.0.0/8 "
	    "::1/128\n"));
	assert_non_null(strstr(out, "\ndns_servers =\n"));
	free(out);
	conf_release(c);
}

/* test_roundtrip - what conf_print writes loads back to the same conf */
static void
test_roundtrip(void **state)
{
	static const char *const all_changed =
	    "socket = inet6:8891@::1\nuser =\npid_file =\n"
	    "log_target = file:/var/log/mx.log\nlog_level = debug\n"
	    "authserv_id = mx.example\n"
	    "dns_servers = ::1, 127.0.0.1:5353\n"
	    "dns_timeout = 1\ndns_retries = 0\ndns_cache_size = 0\n"
	    "trusted_networks =\n"
	    "spf_helo = no\nreceived_spf = no\n";
	struct conf *a, *b;
	char *path, *path2, *pa, *pb, err[512];
	int all;

	(void)state;
	path = write_tmp(all_changed);
	a = conf_load(path, err, sizeof(err));
	if (a == NULL)
		fail_msg("%s", err);
	for (all = 0; all <= 1; all++) {
		pa = print_str(a, all);
		path2 = write_tmp(pa);
		if ((b = conf_load(path2, err, sizeof(err))) == NULL)
			fail_msg("reloading printed conf: %s", err);
		pb = print_str(b, 1);
		free(pa);
		pa = print_str(a, 1);
		assert_string_equal(pa, pb);
		free(pa);
		free(pb);
		conf_release(b);
		drop_tmp(path2);
	}
	pa = print_str(a, 0);
	assert_non_null(strstr(pa, "user =\npid_file =\n"));
	assert_non_null(strstr(pa, "\ndns_servers = [::1]:53 "
	    "127.0.0.1:5353\n"));
	assert_non_null(strstr(pa, "\ntrusted_networks =\n"));
	free(pa);
	conf_release(a);
	drop_tmp(path);
}

/* test_snapshots - a held snapshot outlives its replacement */
static void
test_snapshots(void **state)
{
	struct conf *a, *b, *held, *again, *cur;

	(void)state;
	assert_null(conf_get());		/* nothing installed yet */
	a = conf_defaults();
	conf_install(a);
	held = conf_get();			/* a message starts */
	assert_ptr_equal(held, a);
	again = conf_get();			/* and another */
	conf_hold(again);			/* which shares its ref */
	b = conf_defaults();
	b->dns_timeout = 9;
	conf_install(b);			/* reload */
	/* a is still valid: messages hold it (ASan checks every read). */
	assert_int_equal(held->dns_timeout, 5);
	cur = conf_get();
	assert_ptr_equal(cur, b);
	assert_int_equal(cur->dns_timeout, 9);
	conf_release(cur);
	conf_release(held);
	assert_int_equal(again->dns_timeout, 5);
	conf_release(again);
	assert_int_equal(again->dns_timeout, 5);
	conf_release(again);			/* last reference: freed */
	conf_install(NULL);			/* b freed */
	assert_null(conf_get());
	conf_hold(NULL);
	conf_release(NULL);
	conf_free(NULL);
}

/* reader - a message thread: take the snapshot, read it, drop it */
static void *
reader(void *arg)
{
	struct conf *c;
	long sum = 0;
	int i;

	(void)arg;
	for (i = 0; i < 20000; i++) {
		if ((c = conf_get()) == NULL)
			continue;
		sum += c->dns_timeout + (long)strlen(c->socket);
		conf_release(c);
	}
	return (void *)(intptr_t)(sum > 0);
}

/* test_threads - reloads race with messages taking snapshots */
static void
test_threads(void **state)
{
	pthread_t tid[4];
	struct conf *c;
	void *ret;
	int i;

	(void)state;
	conf_install(conf_defaults());
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, reader, NULL), 0);
	for (i = 0; i < 500; i++) {
		c = conf_defaults();
		c->dns_timeout = 1 + i % 60;
		conf_install(c);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(tid[i], &ret), 0);
		assert_ptr_equal(ret, (void *)(intptr_t)1);
	}
	conf_install(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_special_files),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_snapshots),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
