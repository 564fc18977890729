/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf_table - the directives of mxauth.conf, one row each, and the
 * validators for values that are more than a number or a word.
 *
 * To add a directive: add a field to struct conf, a row here, and its
 * documentation to conf/mxauth.conf and man/mxauth.conf.5 (the CLI test
 * checks that every row is documented in both).  Validators are pure
 * functions of their argument; the table is const, so nothing here
 * needs locking.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_table.h"
#include "domain.h"
#include "vstr.h"

static const char *const log_levels[] = {
	"error", "warning", "info", "debug", NULL
};
static const char *const spf_actions[] = { "none", "reject", NULL };
static const char *const spf_temp_actions[] = { "accept", "tempfail", NULL };
static const char *const dmarc_actions[] = { "reject", "quarantine", "none",
	NULL };
static const char *const org_domains[] = { "treewalk", "psl", NULL };
static const char *const quarantine_methods[] = { "hold", "header", NULL };

/* port_ok - a decimal port 1..65535 */
static int
port_ok(const char *s)
{
	char *end;
	long v;

	if (*s < '1' || *s > '9')
		return 0;
	v = strtol(s, &end, 10);
	return *end == '\0' && v >= 1 && v <= 65535;
}

/* word_ok - MIN..MAX letters, digits, '.', '_' and '-' */
static int
word_ok(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* abs_path_ok - an absolute path naming something below "/" */
static int
abs_path_ok(const char *p)
{
	return p[0] == '/' && p[1] != '\0';
}

/* check_socket - a milter socket address we accept (milter_listen.c) */
static int
check_socket(const char *v, struct vstr *out, char *err, size_t errlen)
{
	char port[8];
	const char *p = NULL, *at;
	size_t n;

	/*
	 * unix:/PATH, local:/PATH, inet:PORT, inet:PORT@ADDR, inet6:PORT@ADDR,
	 * and inet6:PORT, bound to every IPv6 address as inet:PORT is for
	 * IPv4 (libmilter's spelling).  ADDR is not resolved here:
	 * milter_listen takes a host name there too.
	 */
	(void)out;
	if (strncmp(v, "unix:", 5) == 0 && abs_path_ok(v + 5))
		return 0;
	if (strncmp(v, "local:", 6) == 0 && abs_path_ok(v + 6))
		return 0;
	if (strncmp(v, "inet:", 5) == 0)
		p = v + 5;
	else if (strncmp(v, "inet6:", 6) == 0)
		p = v + 6;
	if (p != NULL) {
		at = strchr(p, '@');
		n = at != NULL ? (size_t)(at - p) : strlen(p);
		if (n < sizeof(port) && (at == NULL ||
		    (at[1] != '\0' && strchr(at, ' ') == NULL))) {
			memcpy(port, p, n);
			port[n] = '\0';
			if (port_ok(port))
				return 0;
		}
	}
	snprintf(err, errlen, "must be unix:/PATH, local:/PATH, inet:PORT, "
	    "inet:PORT@ADDR or inet6:PORT@ADDR with PORT 1 to 65535");
	return -1;
}

/* check_log_target - syslog, stderr or file:/ABSOLUTE/PATH */
static int
check_log_target(const char *v, struct vstr *out, char *err, size_t errlen)
{
	(void)out;
	if (strcmp(v, "syslog") == 0 || strcmp(v, "stderr") == 0 ||
	    (strncmp(v, "file:", 5) == 0 && abs_path_ok(v + 5)))
		return 0;
	snprintf(err, errlen, "must be syslog, stderr or file:/PATH");
	return -1;
}

/* check_abs_path - empty or an absolute path */
static int
check_abs_path(const char *v, struct vstr *out, char *err, size_t errlen)
{
	(void)out;
	if (*v == '\0' || abs_path_ok(v))
		return 0;
	snprintf(err, errlen, "must be an absolute path or empty");
	return -1;
}

/* check_user - empty or a plausible user name */
static int
check_user(const char *v, struct vstr *out, char *err, size_t errlen)
{
	(void)out;
	if (word_ok(v, 0, 32) && *v != '-')
		return 0;
	snprintf(err, errlen, "must be a user name (letters, digits, '.', "
	    "'_', '-') or empty");
	return -1;
}

/* check_authserv_id - a name for our A-R header (RFC 8601 2.5) */
static int
check_authserv_id(const char *v, struct vstr *out, char *err, size_t errlen)
{
	/* Letters, digits, '.', '-', '_': a token that needs no quoting. */
	(void)out;
	if (word_ok(v, 1, 253))
		return 0;
	snprintf(err, errlen, "must be a host name (letters, digits, '.', "
	    "'-', '_')");
	return -1;
}

/*
 * host_port - split V, an IP address with an optional :PORT ([IPv6]:PORT
 * when it has one), into HOST (HOSTLEN bytes) and *PORT (NULL: none);
 * 0, or -1 when either is not valid
 */
static int
host_port(const char *v, char *host, size_t hostlen, const char **port)
{
	unsigned char buf[16];
	const char *close;
	size_t n;

	*port = NULL;
	if (*v == '[') {
		if ((close = strchr(v, ']')) == NULL ||
		    (close[1] != '\0' && close[1] != ':'))
			return -1;
		n = (size_t)(close - v - 1);
		*port = close[1] == ':' ? close + 2 : NULL;
		v++;
	} else if (strchr(v, ':') != strrchr(v, ':')) {
		n = strlen(v);		/* bare IPv6, no port */
	} else {
		*port = strchr(v, ':');
		n = *port != NULL ? (size_t)(*port - v) : strlen(v);
		if (*port != NULL)
			(*port)++;
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, v, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, buf) != 1 &&
	    inet_pton(AF_INET6, host, buf) != 1)
		return -1;
	return *port == NULL || port_ok(*port) ? 0 : -1;
}

/* check_server - one dns_servers item: IP, IP:PORT or [IPv6]:PORT */
static int
check_server(const char *v, struct vstr *out, char *err, size_t errlen)
{
	char host[64];
	const char *port;

	if (host_port(v, host, sizeof(host), &port) != 0) {
		snprintf(err, errlen, "bad DNS server \"%s\": must be an IP "
		    "address with optional :PORT ([IPv6]:PORT)", v);
		return -1;
	}
	if (strchr(host, ':') != NULL)
		vstr_catf(out, "[%s]:%s", host, port != NULL ? port : "53");
	else
		vstr_catf(out, "%s:%s", host, port != NULL ? port : "53");
	return 0;
}

/*
 * check_metrics_listen - empty, IPv4:PORT or [IPv6]:PORT (metrics_http
 * binds it as written: no name is looked up)
 */
static int
check_metrics_listen(const char *v, struct vstr *out, char *err,
    size_t errlen)
{
	char host[64];
	const char *port;

	(void)out;
	if (*v == '\0' || (host_port(v, host, sizeof(host), &port) == 0 &&
	    port != NULL))
		return 0;
	snprintf(err, errlen, "must be empty (off), IPv4:PORT or [IPv6]:PORT "
	    "with PORT 1 to 65535, e.g. 127.0.0.1:9103 or [::1]:9103");
	return -1;
}

/* check_reply_text - printable ASCII for an SMTP reply, 1..200 bytes */
static int
check_reply_text(const char *v, struct vstr *out, char *err, size_t errlen)
{
	const char *p;

	(void)out;
	for (p = v; *p >= 0x20 && *p < 0x7f; p++)
		;
	if (*p == '\0' && p > v && p - v <= 200)
		return 0;
	snprintf(err, errlen, "must be 1 to 200 printable ASCII characters");
	return -1;
}

/* check_file_ref - empty or file:/ABSOLUTE/PATH */
static int
check_file_ref(const char *v, struct vstr *out, char *err, size_t errlen)
{
	(void)out;
	if (*v == '\0' || (strncmp(v, "file:", 5) == 0 && abs_path_ok(v + 5)))
		return 0;
	snprintf(err, errlen, "must be file:/PATH or empty");
	return -1;
}

/*
 * check_report_store - sqlite:/ABSOLUTE/PATH or a libpq URI (the
 * backends report_store.c opens; the URI's own syntax is libpq's to
 * judge, at connection time)
 */
static int
check_report_store(const char *v, struct vstr *out, char *err,
    size_t errlen)
{
	(void)out;
	if ((strncmp(v, "sqlite:", 7) == 0 && abs_path_ok(v + 7)) ||
	    (strncmp(v, "postgresql://", 13) == 0 && v[13] != '\0') ||
	    (strncmp(v, "postgres://", 11) == 0 && v[11] != '\0'))
		return 0;
	snprintf(err, errlen, "must be sqlite:/PATH or postgresql://...");
	return -1;
}

/*
 * check_report_text - empty (unset) or 1..200 printable ASCII: the
 * reporter's name and contact in every report (report_org_name,
 * report_extra_contact)
 */
static int
check_report_text(const char *v, struct vstr *out, char *err,
    size_t errlen)
{
	if (*v == '\0')
		return 0;
	return check_reply_text(v, out, err, errlen);
}

/*
 * check_report_email - empty (unset) or LOCAL@DOMAIN: the reports'
 * From and their email element; the domain names the submitter
 * (RFC 9990's filename and Subject)
 */
static int
check_report_email(const char *v, struct vstr *out, char *err,
    size_t errlen)
{
	const char *at = strrchr(v, '@'), *p;

	(void)out;
	if (*v == '\0')
		return 0;
	for (p = v; at != NULL && p < at; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("<>()[]\\,;:\"@", *p))
			break;
	if (at != NULL && at > v && p == at && at - v <= 64 &&
	    domain_check(at + 1, DOMAIN_HOSTNAME | DOMAIN_MULTI_LABEL |
	    DOMAIN_NOT_NUMERIC))
		return 0;
	snprintf(err, errlen, "must be an address, local@domain.example");
	return -1;
}

/*
 * check_report_transport - how mxauth-report hands reports to the MTA
 * (report_send.c): sendmail:/ABSOLUTE/PATH, or smtp:HOST[:PORT] with
 * HOST a host name, an IPv4 address or an [IPv6] one
 */
static int
check_report_transport(const char *v, struct vstr *out, char *err,
    size_t errlen)
{
	char host[256];
	const char *p, *port;
	size_t n;

	(void)out;
	if (strncmp(v, "sendmail:", 9) == 0 && abs_path_ok(v + 9) &&
	    strpbrk(v, " \t") == NULL)
		return 0;
	if (strncmp(v, "smtp:", 5) == 0) {
		p = v + 5;
		/* an address, bracketed when IPv6 */
		if ((*p == '[' || strchr(p, ':') == strrchr(p, ':')) &&
		    host_port(p, host, sizeof(host), &port) == 0)
			return 0;
		/* a host name */
		n = strcspn(p, ":");
		if (n > 0 && n < sizeof(host) && (p[n] == '\0' ||
		    port_ok(p + n + 1))) {
			memcpy(host, p, n);
			host[n] = '\0';
			if (domain_check(host, DOMAIN_HOSTNAME |
			    DOMAIN_NOT_NUMERIC))
				return 0;
		}
	}
	snprintf(err, errlen, "must be sendmail:/PATH or smtp:HOST[:PORT] "
	    "(PORT 1 to 65535, an IPv6 address in brackets)");
	return -1;
}

#define OFF(f)	offsetof(struct conf, f)

const struct conf_def conf_table[] = {
	/* name, type, default, offset, min, max, choices, check */
	/* dns_servers max 8: dns.c's MAX_SERVERS; refused at load time */
	{ "socket", CONF_STR, "inet:8891@127.0.0.1", OFF(socket),
	    0, 0, NULL, check_socket },
	{ "user", CONF_STR, "mxauth", OFF(user), 0, 0, NULL, check_user },
	{ "pid_file", CONF_STR, "/run/mxauth/mxauth.pid", OFF(pid_file),
	    0, 0, NULL, check_abs_path },
	{ "milter_threads", CONF_INT, "32", OFF(milter_threads), 1, 1024,
	    NULL, NULL },
	{ "log_target", CONF_STR, "syslog", OFF(log_target), 0, 0, NULL,
	    check_log_target },
	{ "log_level", CONF_ENUM, "info", OFF(log_level), 0, 0, log_levels,
	    NULL },
	{ "metrics_listen", CONF_STR, "", OFF(metrics_listen), 0, 0, NULL,
	    check_metrics_listen },
	{ "authserv_id", CONF_STR, NULL, OFF(authserv_id), 0, 0, NULL,
	    check_authserv_id },
	{ "dns_servers", CONF_LIST, "", OFF(dns_servers), 0, 8, NULL,
	    check_server },
	{ "dns_timeout", CONF_INT, "5", OFF(dns_timeout), 1, 60, NULL, NULL },
	{ "dns_retries", CONF_INT, "2", OFF(dns_retries), 0, 10, NULL, NULL },
	{ "dns_cache_size", CONF_INT, "10000", OFF(dns_cache_size), 0,
	    10000000, NULL, NULL },
	{ "dns_cache_memory", CONF_INT, "64", OFF(dns_cache_memory), 1, 4096,
	    NULL, NULL },
	/* twice (HELO, MAIL FROM) below Postfix's milter_command_timeout 30s */
	{ "dns_check_timeout", CONF_INT, "12", OFF(dns_check_timeout), 1,
	    300, NULL, NULL },
	{ "trusted_networks", CONF_NETLIST, "127.0.0.0/8 ::1/128",
	    OFF(trusted_networks), 0, 0, NULL, NULL },
	{ "trusted_relays", CONF_NETLIST, "", OFF(trusted_relays), 0, 0, NULL,
	    NULL },
	{ "trusted_authserv_ids", CONF_LIST, "", OFF(trusted_authserv_ids), 0,
	    64, NULL, check_authserv_id },
	{ "inner_enforce", CONF_BOOL, "no", OFF(inner_enforce), 0, 0, NULL,
	    NULL },
	{ "spf_helo", CONF_BOOL, "yes", OFF(spf_helo), 0, 0, NULL, NULL },
	{ "received_spf", CONF_BOOL, "yes", OFF(received_spf), 0, 0, NULL,
	    NULL },
	{ "spf_fail_action", CONF_ENUM, "none", OFF(spf_fail_action), 0, 0,
	    spf_actions, NULL },
	{ "spf_softfail_action", CONF_ENUM, "none", OFF(spf_softfail_action),
	    0, 0, spf_actions, NULL },
	{ "spf_permerror_action", CONF_ENUM, "none",
	    OFF(spf_permerror_action), 0, 0, spf_actions, NULL },
	{ "spf_temperror_action", CONF_ENUM, "accept",
	    OFF(spf_temperror_action), 0, 0, spf_temp_actions, NULL },
	{ "dkim_min_key_bits", CONF_INT, "1024", OFF(dkim_min_key_bits), 512,
	    16384, NULL, NULL },
	{ "dkim_allow_partial_body", CONF_BOOL, "no",
	    OFF(dkim_allow_partial_body), 0, 0, NULL, NULL },
	{ "dkim_max_signatures", CONF_INT, "5", OFF(dkim_max_signatures), 1,
	    50, NULL, NULL },
	{ "dmarc_org_domain", CONF_ENUM, "treewalk", OFF(dmarc_org_domain),
	    0, 0, org_domains, NULL },
	{ "psl_file", CONF_STR, "/usr/share/publicsuffix/public_suffix_list.dat",
	    OFF(psl_file), 0, 0, NULL, check_abs_path },
	{ "dmarc_reject_action", CONF_ENUM, "reject", OFF(site.reject_action),
	    0, 0, dmarc_actions, NULL },
	{ "dmarc_quarantine_action", CONF_ENUM, "quarantine",
	    OFF(site.quarantine_action), 0, 0, dmarc_actions, NULL },
	{ "dmarc_temperror_action", CONF_ENUM, "accept",
	    OFF(site.temperror_action), 0, 0, spf_temp_actions, NULL },
	{ "dmarc_bad_from_action", CONF_ENUM, "reject",
	    OFF(dmarc_bad_from_action), 0, 0, dmarc_actions, NULL },
	{ "dry_run", CONF_BOOL, "no", OFF(site.dry_run), 0, 0, NULL, NULL },
	{ "quarantine_method", CONF_ENUM, "hold", OFF(quarantine_method), 0, 0,
	    quarantine_methods, NULL },
	{ "dmarc_reject_text", CONF_STR, "rejected by DMARC policy for $domain",
	    OFF(dmarc_reject_text), 0, 0, NULL, check_reply_text },
	{ "policy_overrides", CONF_STR, "", OFF(policy_overrides), 0, 0, NULL,
	    check_file_ref },
	{ "reporting", CONF_BOOL, "no", OFF(reporting), 0, 0, NULL, NULL },
	{ "report_store", CONF_STR, "sqlite:/var/lib/mxauth/reports.db",
	    OFF(report_store), 0, 0, NULL, check_report_store },
	{ "report_queue", CONF_INT, "10000", OFF(report_queue), 1, 10000000,
	    NULL, NULL },
	{ "report_retention", CONF_INT, "30", OFF(report_retention), 0, 3650,
	    NULL, NULL },
	{ "report_org_name", CONF_STR, "", OFF(report_org_name), 0, 0, NULL,
	    check_report_text },
	{ "report_email", CONF_STR, "", OFF(report_email), 0, 0, NULL,
	    check_report_email },
	{ "report_extra_contact", CONF_STR, "", OFF(report_extra_contact), 0,
	    0, NULL, check_report_text },
	{ "report_transport", CONF_STR, "sendmail:/usr/sbin/sendmail",
	    OFF(report_transport), 0, 0, NULL, check_report_transport },
};

const size_t conf_table_len = sizeof(conf_table) / sizeof(conf_table[0]);

/* conf_table_find - the row named NAME (case-sensitive), or NULL */
const struct conf_def *
conf_table_find(const char *name)
{
	size_t i;

	for (i = 0; i < conf_table_len; i++)
		if (strcmp(conf_table[i].name, name) == 0)
			return &conf_table[i];
	return NULL;
}
