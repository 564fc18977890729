/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check - mxauth-check, the offline front end over the same core.
 *
 *   mxauth-check [-c CONFIG] [--zone FILE] --ip ADDR [--helo NAME]
 *                [--mail-from ADDR] [--auth USER] [--at EPOCH]
 *                [--json | --explain] [MESSAGE]
 *   mxauth-check [-c CONFIG] [--zone FILE] --spf-walk [--ip ADDR]
 *                [--json | --explain] [DOMAIN...]
 *
 * It feeds a message file (or stdin) through exactly the calls the milter
 * glue makes, so its verdict is the daemon's.  With --zone, every DNS
 * answer comes from a master file and no packet leaves the process.
 * Exit status: 0 verdict printed, 1 config/zone/input error, 2 usage.
 * --spf-walk walks SPF records instead (check_walk): the domains given,
 * or one a line on stdin; exit 1 when one could not be walked whole.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_walk.h"
#include "conf.h"
#include "dns.h"
#include "domain.h"
#include "eval.h"
#include "result.h"
#include "vstr.h"
#include "xmalloc.h"

struct opts {
	const char	*config;
	const char	*zone;
	const char	*ip;
	const char	*helo;
	const char	*mail_from;
	const char	*auth;
	const char	*message;
	time_t		 at;		/* judge DKIM x= at; 0 = now */
	int		 json;
	int		 explain;
	int		 walk;		/* --spf-walk */
	int		 envelope;	/* --helo, --mail-from, --auth, --at */
	char	       **domains;	/* --spf-walk: the rest of argv */
	int		 ndomains;
};

/* usage - synopsis on stderr, exit 2 */
static void
usage(void)
{
	fprintf(stderr, "usage: mxauth-check [-c config] [--zone file] "
	    "--ip addr [--helo name]\n"
	    "                    [--mail-from addr] [--auth user] [--at epoch] "
	    "[--json | --explain] [message]\n"
	    "       mxauth-check [-c config] [--zone file] --spf-walk "
	    "[--ip addr]\n"
	    "                    [--json | --explain] [domain ...]\n");
	exit(2);
}

/* parse_at - --at: seconds since the epoch, a re-check in the past */
static time_t
parse_at(const char *arg)
{
	char *end;
	long long t;

	errno = 0;
	t = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || t <= 0) {
		fprintf(stderr, "mxauth-check: --at %s: not a time in seconds "
		    "since 1970\n", arg);
		exit(2);
	}
	return (time_t)t;
}

/* parse_args - command line into O */
static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "zone", required_argument, NULL, 'z' },
		{ "ip", required_argument, NULL, 'i' },
		{ "helo", required_argument, NULL, 'H' },
		{ "mail-from", required_argument, NULL, 'm' },
		{ "auth", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "at", required_argument, NULL, 't' },
		{ "explain", no_argument, NULL, 'x' },
		{ "spf-walk", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned char buf[sizeof(struct in6_addr)];
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'z': o->zone = optarg; break;
		case 'i': o->ip = optarg; break;
		case 'H': o->helo = optarg; o->envelope = 1; break;
		case 'm': o->mail_from = optarg; o->envelope = 1; break;
		case 'a': o->auth = optarg; o->envelope = 1; break;
		case 'j': o->json = 1; break;
		case 't': o->at = parse_at(optarg); o->envelope = 1; break;
		case 'x': o->explain = 1; break;
		case 'w': o->walk = 1; break;
		default: usage();
		}
	}
	if (o->walk) {
		/* the domains; no message, no envelope */
		o->domains = argv + optind;
		o->ndomains = argc - optind;
		optind = argc;
	} else if (optind < argc)
		o->message = argv[optind++];
	if (optind != argc || (o->ip == NULL && !o->walk) ||
	    (o->json && o->explain) || (o->walk && o->envelope))
		usage();
	if (o->ip != NULL && inet_pton(AF_INET, o->ip, buf) != 1 &&
	    inet_pton(AF_INET6, o->ip, buf) != 1) {
		fprintf(stderr, "mxauth-check: --ip %s: not an IP address\n",
		    o->ip);
		exit(2);
	}
}

/* read_all - the whole of FP into OUT */
static int
read_all(FILE *fp, struct vstr *out)
{
	char buf[8192];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		vstr_ncat(out, buf, n);
	return ferror(fp) ? -1 : 0;
}

/*
 * name_len - the length of the field name LINE (LEN bytes) starts with,
 * read as Postfix's is_header() does: printable ASCII other than ':',
 * optional blanks (RFC 5322 4.5 obs-optional), then ':'.  0: LINE is
 * not a header field.
 */
static size_t
name_len(const char *line, size_t len)
{
	size_t i = 0, n;

	while (i < len && (unsigned char)line[i] > ' ' &&
	    (unsigned char)line[i] < 0x7f && line[i] != ':')
		i++;
	n = i;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < len && line[i] == ':' ? n : 0;
}

/*
 * feed_header - split one unfolded-as-received field into name/value
 *
 * Like libmilter with SMFIP_HDR_LEADSPC: the value is everything after
 * the colon, leading blanks included; folds stay in it as "\n" +
 * whitespace.  The name goes as written, blanks before the colon
 * included: the core drops them, as Postfix does.
 */
static void
feed_header(struct eval *e, const char *field, size_t len)
{
	const char *colon = memchr(field, ':', len);
	char *name, *value;

	name = xstrndup(field, (size_t)(colon - field));
	colon++;
	value = xstrndup(colon, (size_t)(field + len - colon));
	eval_header(e, name, value);
	x_free(name);
	x_free(value);
}

/*
 * feed_message - headers and body of MSG into E
 *
 * Line ends may be CRLF or bare LF; the core sees header folds as "\n"
 * and body lines ending in CRLF, as from the MTA.  The header ends at
 * the empty line or, as in Postfix, at the first line that is neither a
 * field nor a fold: that line is the body's first.  An mbox "From "
 * line on top is skipped.
 */
static void
feed_message(struct eval *e, const char *msg, size_t len)
{
	struct vstr field = VSTR_INIT, body = VSTR_INIT;
	const char *p = msg, *end = msg + len, *eol, *next;
	size_t n;

	for (; p < end; p = next) {
		eol = memchr(p, '\n', (size_t)(end - p));
		next = eol != NULL ? eol + 1 : end;
		n = eol != NULL ? (size_t)(eol - p) : (size_t)(end - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && (*p == ' ' || *p == '\t') && field.len > 0) {
			vstr_catc(&field, '\n');
			vstr_ncat(&field, p, n);
			continue;
		}
		if (field.len > 0)
			feed_header(e, field.buf, field.len);
		vstr_reset(&field);
		if (n == 0) {
			p = next;
			break;
		}
		if (name_len(p, n) == 0) {
			if (p == msg && n >= 5 && memcmp(p, "From ", 5) == 0)
				continue;	/* mbox separator, not "From :" */
			break;
		}
		vstr_ncat(&field, p, n);
	}
	if (field.len > 0)
		feed_header(e, field.buf, field.len);
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		n = eol != NULL ? (size_t)(eol - p) : (size_t)(end - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		vstr_ncat(&body, p, n);
		if (eol != NULL)
			vstr_cat(&body, "\r\n");
		p = eol != NULL ? eol + 1 : end;
	}
	if (body.len > 0)
		eval_body(e, (const unsigned char *)body.buf, body.len);
	vstr_free(&field);
	vstr_free(&body);
}

/* json_str_or_null - a JSON string, or null for NULL */
static void
json_str_or_null(struct vstr *out, const char *s)
{
	if (s == NULL)
		vstr_cat(out, "null");
	else
		vstr_json(out, s);
}

/* json_policy - a DMARC policy as a JSON string, or null when unset */
static void
json_policy(struct vstr *out, const char *key, enum dmarc_policy p)
{
	vstr_catf(out, ", \"%s\": ", key);
	if (p == DMARC_POLICY_UNSET)
		vstr_cat(out, "null");
	else
		vstr_json(out, result_policy_str(p));
}

/* json_edits - a JSON array of "Name: value" strings */
static void
json_edits(struct vstr *out, const struct eval_edit *ed, size_t n)
{
	struct vstr field = VSTR_INIT;
	size_t i;

	vstr_catc(out, '[');
	for (i = 0; i < n; i++) {
		vstr_reset(&field);
		vstr_catf(&field, "%s: %s", ed[i].name, ed[i].value);
		vstr_cat(out, i > 0 ? ", " : "");
		vstr_json(out, vstr_str(&field));
	}
	vstr_catc(out, ']');
	vstr_free(&field);
}

/* json_spf - the "spf" member */
static void
json_spf(struct vstr *out, const struct spf_result *spf)
{
	if (spf == NULL) {
		vstr_cat(out, "null");
		return;
	}
	vstr_cat(out, "{\"result\": ");
	vstr_json(out, result_spf_str(spf->result));
	vstr_cat(out, ", \"identity\": ");
	vstr_json(out, spf->identity == SPF_ID_HELO ? "helo" : "mailfrom");
	vstr_cat(out, ", \"domain\": ");
	json_str_or_null(out, spf->domain);
	vstr_cat(out, ", \"helo_result\": ");
	vstr_json(out, result_spf_str(spf->helo_result));
	vstr_cat(out, ", \"client_ip\": ");
	json_str_or_null(out, spf->client_ip);
	vstr_catc(out, '}');
}

/* json_dkim - the "dkim" array */
static void
json_dkim(struct vstr *out, const struct dkim_result *d, size_t n)
{
	size_t i;

	vstr_catc(out, '[');
	for (i = 0; i < n; i++) {
		vstr_cat(out, i > 0 ? ", {\"result\": " : "{\"result\": ");
		vstr_json(out, result_dkim_str(d[i].result));
		vstr_cat(out, ", \"domain\": ");
		json_str_or_null(out, d[i].domain);
		vstr_cat(out, ", \"selector\": ");
		json_str_or_null(out, d[i].selector);
		vstr_cat(out, ", \"algorithm\": ");
		json_str_or_null(out, d[i].algorithm);
		vstr_cat(out, ", \"reason\": ");
		json_str_or_null(out, d[i].reason);
		vstr_catc(out, '}');
	}
	vstr_catc(out, ']');
}

/* json_dmarc - the "dmarc" member */
static void
json_dmarc(struct vstr *out, const struct dmarc_result *d)
{
	if (d == NULL) {
		vstr_cat(out, "null");
		return;
	}
	vstr_cat(out, "{\"result\": ");
	vstr_json(out, result_dmarc_str(d->result));
	vstr_cat(out, ", \"domain\": ");
	json_str_or_null(out, d->domain);
	json_policy(out, "policy", d->policy);
	vstr_cat(out, ", \"disposition\": ");
	vstr_json(out, d->disposition == DMARC_POLICY_UNSET ? "none" :
	    result_policy_str(d->disposition));
	json_policy(out, "p", d->p);
	json_policy(out, "sp", d->sp);
	vstr_cat(out, ", \"policy_domain\": ");
	json_str_or_null(out, d->policy_domain);
	vstr_cat(out, ", \"org_domain\": ");
	json_str_or_null(out, d->org_domain);
	vstr_catf(out, ", \"testing\": %s", d->testing ? "true" : "false");
	vstr_cat(out, ", \"reason\": ");
	json_str_or_null(out, d->reason);
	vstr_catf(out, ", \"spf_aligned\": %s, \"dkim_aligned\": %s}",
	    d->spf_aligned ? "true" : "false",
	    d->dkim_aligned ? "true" : "false");
}

/* json_upstream - the trusted hop's verdict, or null */
static void
json_upstream(struct vstr *out, const struct eval *e)
{
	static const char *const methods[] = { "spf", "dkim", "dmarc" };
	const char *id = eval_result(e)->upstream;
	size_t i;

	if (id == NULL) {
		vstr_cat(out, "null");
		return;
	}
	vstr_cat(out, "{\"authserv_id\": ");
	vstr_json(out, id);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		vstr_catf(out, ", \"%s\": ", methods[i]);
		json_str_or_null(out, eval_upstream_result(e, methods[i]));
	}
	vstr_catc(out, '}');
}

/* print_json - the verdict as one JSON object (the documented contract) */
static void
print_json(const struct eval *e)
{
	const struct eval_result *r = eval_result(e);
	struct vstr out = VSTR_INIT;

	vstr_cat(&out, "{\"ingress\": ");
	vstr_json(&out, result_ingress_str(r->ingress));
	vstr_cat(&out, ", \"client_ip\": ");
	json_str_or_null(&out, r->origin_ip != NULL ? r->origin_ip :
	    r->client_ip);
	vstr_cat(&out, ",\n \"upstream\": ");
	json_upstream(&out, e);
	vstr_cat(&out, ",\n \"spf\": ");
	json_spf(&out, r->spf);
	vstr_cat(&out, ",\n \"dkim\": ");
	json_dkim(&out, r->dkim, r->ndkim);
	vstr_cat(&out, ",\n \"dmarc\": ");
	json_dmarc(&out, r->dmarc);
	vstr_cat(&out, ",\n \"action\": ");
	vstr_json(&out, result_action_str(r->action));
	vstr_cat(&out, ", \"reason\": ");
	vstr_json(&out, r->reason);
	vstr_cat(&out, ",\n \"add_headers\": ");
	json_edits(&out, r->add, r->nadd);
	vstr_cat(&out, ",\n \"remove_headers\": ");
	json_edits(&out, r->del, r->ndel);
	vstr_cat(&out, "}\n");
	fputs(vstr_str(&out), stdout);
	vstr_free(&out);
}

/*
 * put_terminal - OUT to FP for a person's terminal: the message's own
 * bytes (a deleted field, a reason, a DNS record) may hold control
 * characters, which are written as \xHH so that they cannot move the
 * cursor or retitle the window; tabs and line ends stay
 */
static void
put_terminal(FILE *fp, const struct vstr *out)
{
	const unsigned char *p = (const unsigned char *)vstr_str(out);

	for (; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\t' && *p != '\n' &&
		    !(*p == '\r' && p[1] == '\n')) || *p == 0x7f)
			fprintf(fp, "\\x%02X", *p);
		else
			putc(*p, fp);
	}
}

/* print_plain - deletions ("-" prefixed), additions, then the action */
static void
print_plain(struct vstr *out, const struct eval_result *r)
{
	size_t i;

	for (i = 0; i < r->ndel; i++)
		vstr_catf(out, "-%s: %s\n", r->del[i].name, r->del[i].value);
	for (i = 0; i < r->nadd; i++)
		vstr_catf(out, "%s: %s\n", r->add[i].name, r->add[i].value);
	vstr_catf(out, "action: %s (%s)\n", result_action_str(r->action),
	    r->reason);
	if (r->rcode != NULL)
		vstr_catf(out, "reply: %s %s %s\n", r->rcode, r->xcode,
		    r->reply);
}

/*
 * print_explain - the reasoning behind the verdict, for a person:
 * where the client stands, SPF, each DKIM signature, then the DMARC
 * walk and the site rule eval collected in EXPLAIN
 */
static void
print_explain(struct vstr *out, const struct eval_result *r,
    const struct vstr *explain)
{
	size_t i;

	vstr_catf(out, "client %s (%s), HELO %s, MAIL FROM <%s>\n",
	    r->client_ip != NULL ? r->client_ip : "-",
	    result_ingress_str(r->ingress), r->helo != NULL ? r->helo : "-",
	    r->mail_from != NULL ? r->mail_from : "");
	if (!result_outside(r->ingress)) {
		vstr_catf(out, "inside the edge: nothing is checked\n");
		return;
	}
	if (r->spf != NULL)
		vstr_catf(out, "SPF: %s for %s (identity %s)\n",
		    result_spf_str(r->spf->result), r->spf->domain != NULL ?
		    r->spf->domain : "-", r->spf->identity == SPF_ID_HELO ?
		    "HELO" : "MAIL FROM");
	if (r->ndkim == 0)
		vstr_catf(out, "DKIM: no signature evaluated\n");
	for (i = 0; i < r->ndkim; i++)
		vstr_catf(out, "DKIM: %s d=%s s=%s%s%s%s\n",
		    result_dkim_str(r->dkim[i].result),
		    r->dkim[i].domain != NULL ? r->dkim[i].domain : "-",
		    r->dkim[i].selector != NULL ? r->dkim[i].selector : "-",
		    r->dkim[i].reason != NULL ? " (" : "",
		    r->dkim[i].reason != NULL ? r->dkim[i].reason : "",
		    r->dkim[i].reason != NULL ? ")" : "");
	if (explain->len > 0)
		vstr_cat(out, vstr_str(explain));
	else
		vstr_catf(out, "decided at MAIL FROM: %s\n", r->reason);
}

/* load_conf - -c FILE, else the default file if present, else defaults */
static struct conf *
load_conf(const char *path)
{
	struct conf *conf;
	char err[512];

	if (path == NULL && access(MXAUTH_DEFAULT_CONF, F_OK) != 0)
		return conf_defaults();
	if (path == NULL)
		path = MXAUTH_DEFAULT_CONF;
	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxauth-check: %s\n", err);
		exit(1);
	}
	return conf;
}

/* open_dns - the zone resolver for --zone, else the configured one */
static struct dns *
open_dns(const struct opts *o, const struct conf *conf)
{
	struct dns *dns;
	char err[512];

	dns = o->zone != NULL ? dns_new_zone(o->zone, err, sizeof(err)) :
	    conf_dns_new(conf, err, sizeof(err));
	if (dns == NULL) {
		fprintf(stderr, "mxauth-check: %s\n", err);
		exit(1);
	}
	return dns;
}

/*
 * walk_one - --spf-walk for one domain as typed (U-labels allowed),
 * CHECK_MS the DNS budget of one check (dns_check_timeout); the exit
 * status it asks for
 */
static int
walk_one(struct dns *dns, unsigned check_ms, const struct opts *o,
    const char *typed, struct check_walk_nets *acc)
{
	struct vstr out = VSTR_INIT, err = VSTR_INIT;
	enum check_walk_mode mode = o->json ? CHECK_WALK_JSON : o->explain ?
	    CHECK_WALK_EXPLAIN : CHECK_WALK_NETS;
	char *domain = domain_to_ascii(typed);
	int rc;

	rc = check_walk_domain(dns, check_ms, domain != NULL ? domain :
	    typed, o->ip, mode, acc, &out, &err);
	put_terminal(stdout, &out);
	fflush(stdout);
	put_terminal(stderr, &err);
	x_free(domain);
	vstr_free(&out);
	vstr_free(&err);
	return rc;
}

/*
 * run_walk - --spf-walk: the domains of the command line, else those
 * on stdin (one a line, like smtpctl spf walk, or several separated by
 * blanks); the
 * networks of them all as one list at the end.  0: every domain walked
 * whole; 1: one could not be (what could be walked is still printed).
 */
static int
run_walk(struct dns *dns, unsigned check_ms, const struct opts *o)
{
	struct check_walk_nets acc = { NULL, 0, 0 };
	struct vstr out = VSTR_INIT;
	char *line = NULL, *p, *end;
	size_t cap = 0;
	int i, rc = 0;

	for (i = 0; i < o->ndomains; i++)
		rc |= walk_one(dns, check_ms, o, o->domains[i], &acc);
	/* every word of every line: "a.example b.example" walks both */
	while (o->ndomains == 0 && getline(&line, &cap, stdin) != -1)
		for (p = line; *(p += strspn(p, " \t\r\n")) != '\0'; p = end) {
			end = p + strcspn(p, " \t\r\n");
			if (*end != '\0')
				*end++ = '\0';
			rc |= walk_one(dns, check_ms, o, p, &acc);
		}
	free(line);
	if (!o->json && !o->explain && o->ip == NULL) {
		check_walk_print_nets(&acc, &out);
		put_terminal(stdout, &out);
	}
	x_free(acc.nets);
	vstr_free(&out);
	return rc;
}

int
main(int argc, char **argv)
{
	struct vstr msg = VSTR_INIT, explain = VSTR_INIT, out = VSTR_INIT;
	struct opts o;
	struct conf *conf;
	struct dns *dns;
	struct eval *e;
	FILE *fp = stdin;

	parse_args(argc, argv, &o);
	conf = load_conf(o.config);
	dns = open_dns(&o, conf);
	if (o.walk) {
		int rc = run_walk(dns, (unsigned)conf->dns_check_timeout *
		    1000, &o);

		conf_release(conf);
		dns_free(dns);
		return rc;
	}
	if (o.message != NULL && (fp = fopen(o.message, "r")) == NULL) {
		fprintf(stderr, "mxauth-check: %s: %s\n", o.message,
		    strerror(errno));
		return 1;
	}
	if (read_all(fp, &msg) != 0) {
		fprintf(stderr, "mxauth-check: cannot read %s\n",
		    o.message != NULL ? o.message : "standard input");
		return 1;
	}
	if (fp != stdin)
		fclose(fp);

	/* the daemon's calls, in its order (ctx_msg_begin, mlfi_envfrom ...) */
	e = eval_new(conf, dns);
	if (o.explain)
		eval_set_explain(e, &explain);
	eval_set_client(e, o.ip, NULL);
	eval_set_helo(e, o.helo);
	eval_set_time(e, o.at);
	eval_set_auth(e, o.auth);
	eval_set_mail_from(e, o.mail_from != NULL ? o.mail_from : "");
	if (eval_envelope(e) == ACTION_ACCEPT) {
		feed_message(e, msg.buf != NULL ? msg.buf : "", msg.len);
		eval_end(e);
	}
	if (o.explain)
		print_explain(&out, eval_result(e), &explain);
	if (o.json)
		print_json(e);
	else
		print_plain(&out, eval_result(e));
	put_terminal(stdout, &out);

	eval_free(e);
	conf_release(conf);
	dns_free(dns);
	vstr_free(&msg);
	vstr_free(&explain);
	vstr_free(&out);
	return 0;
}
