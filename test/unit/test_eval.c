/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_eval - the core pipeline as both front ends drive it: which A-R
 * fields are deleted (by index, last first), the header added, ingress
 * classes, and the verdict line.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "authres.h"
#include "conf.h"
#include "dns.h"
#include "eval.h"
#include "netlist.h"
#include "verdict.h"
#include "vstr.h"
#include "xmalloc.h"

struct hdr {
	const char *name;
	const char *value;
};

/* test_conf - defaults with a fixed authserv-id */
static struct conf *
test_conf(void)
{
	struct conf *conf;

	conf = conf_defaults();
	x_free(conf->authserv_id);
	conf->authserv_id = xstrdup("mx.example");
	return conf;
}

/* run - one message through the core; caller frees with eval_free */
static struct eval *
run(struct conf *conf, const char *ip, const char *auth,
    const struct hdr *h, size_t n)
{
	struct eval *e;
	size_t i;

	e = eval_new(conf, NULL);
	eval_set_queue_id(e, "4ABCD123");
	eval_set_client(e, ip, "client.example");
	eval_set_helo(e, "client.example");
	eval_set_auth(e, auth);
	eval_set_mail_from(e, "<bob@a.example>");
	for (i = 0; i < n; i++)
		eval_header(e, h[i].name, h[i].value);
	eval_end(e);
	return e;
}

/* test_forged_order - forged A-R deleted by index, highest first */
static void
test_forged_order(void **state)
{
	static const struct hdr h[] = {
		{ "Received", "from x by y" },
		{ "Authentication-Results", "mx.example; spf=pass" },	/* 1 */
		{ "authentication-results", "other.example; spf=pass" }, /* 2 */
		{ "From", "Bob <bob@B.Example>" },
		{ "Authentication-Results", "MX.example; dkim=pass" },	/* 3 */
		{ "Authentication-Results", "(x) mx.example 1; none" },	/* 4 */
		{ "Subject", "hi" },
	};
	struct conf *conf = test_conf();
	struct eval *e;
	const struct eval_result *r;

	(void)state;
	e = run(conf, "192.0.2.10", NULL, h, sizeof(h) / sizeof(h[0]));
	r = eval_result(e);
	assert_int_equal(r->ingress, INGRESS_EXTERNAL);
	assert_int_equal(r->ndel, 3);
	assert_int_equal(r->del[0].index, 4);
	assert_int_equal(r->del[1].index, 3);
	assert_int_equal(r->del[2].index, 1);
	assert_string_equal(r->del[2].value, "mx.example; spf=pass");
	assert_int_equal(r->nadd, 1);
	assert_string_equal(r->add[0].name, "Authentication-Results");
	assert_true(strncmp(r->add[0].value, "mx.example;", 11) == 0);
	assert_non_null(strstr(r->add[0].value, "header.from=b.example"));
	assert_non_null(strstr(r->add[0].value, "smtp.mailfrom=a.example"));
	assert_int_equal(r->action, ACTION_ACCEPT);
	eval_free(e);
	conf_release(conf);
}

/* test_ingress - trusted network and SMTP AUTH are inside the edge */
static void
test_ingress(void **state)
{
	static const struct {
		const char *ip;
		const char *auth;
		enum ingress want;
		const char *want_ar;
	} cases[] = {
		{ "127.0.0.1", NULL, INGRESS_TRUSTED, "mx.example; none" },
		{ "::1", NULL, INGRESS_TRUSTED, "mx.example; none" },
		{ "192.0.2.10", "alice", INGRESS_AUTHENTICATED,
		    "mx.example;\n\tauth=pass smtp.auth=alice" },
		{ "2001:db8::1", NULL, INGRESS_EXTERNAL, NULL },
		{ "192.0.2.10", "", INGRESS_EXTERNAL, NULL },
	};
	struct conf *conf = test_conf();
	struct eval *e;
	const struct eval_result *r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = run(conf, cases[i].ip, cases[i].auth, NULL, 0);
		r = eval_result(e);
		assert_int_equal(r->ingress, cases[i].want);
		if (cases[i].want_ar != NULL)
			assert_string_equal(r->add[0].value, cases[i].want_ar);
		assert_null(r->spf);
		assert_null(r->dmarc);
		eval_free(e);
	}
	conf_release(conf);
}

/* test_verdict_line - queue id first, key=value, quoting */
static void
test_verdict_line(void **state)
{
	static const struct hdr h[] = {
		{ "From", "x <x@b.example>" },
		{ "Authentication-Results", "mx.example; spf=pass" },
	};
	struct conf *conf = test_conf();
	struct vstr line = VSTR_INIT;
	struct eval *e;

	(void)state;
	e = run(conf, "192.0.2.10", NULL, h, 2);
	verdict_format(&line, e);
	assert_string_equal(vstr_str(&line),
	    "4ABCD123: ingress=external ip=192.0.2.10 helo=client.example "
	    "mailfrom=bob@a.example from=b.example spf=none dkim=none "
	    "dmarc=none forged_ar=1 action=accept "
	    "reason=\"no policy applies\"");
	eval_free(e);

	e = eval_new(conf, NULL);
	eval_set_client(e, "127.0.0.1", NULL);
	eval_set_helo(e, "evil\"helo x");
	eval_set_mail_from(e, "<>");
	eval_end(e);
	vstr_reset(&line);
	verdict_format(&line, e);
	assert_string_equal(vstr_str(&line),
	    "NOQUEUE: ingress=trusted ip=127.0.0.1 helo=\"evil\\\"helo x\" "
	    "mailfrom=<> from=- spf=skip dkim=skip dmarc=skip "
	    "action=accept reason=\"inside the edge\"");
	eval_free(e);
	vstr_free(&line);
	conf_release(conf);
}

/* test_snapshot - a message keeps the config it started with */
static void
test_snapshot(void **state)
{
	struct conf *a, *b, *cur;
	struct eval *e;

	(void)state;
	a = test_conf();
	conf_install(a);
	cur = conf_get();
	e = eval_new(cur, NULL);
	conf_release(cur);
	b = test_conf();
	x_free(b->authserv_id);
	b->authserv_id = xstrdup("new.example");
	conf_install(b);		/* a's last reference is the eval's */
	eval_set_client(e, "192.0.2.1", NULL);
	eval_end(e);
	assert_true(strncmp(eval_result(e)->add[0].value, "mx.example;",
	    11) == 0);
	eval_free(e);
	cur = conf_get();
	assert_string_equal(cur->authserv_id, "new.example");
	conf_release(cur);
}

/* test_from_domain - the author domain, never one picked out of several */
static void
test_from_domain(void **state)
{
	static const struct {
		const char *from[2];
		const char *want;	/* NULL = none */
	} cases[] = {
		{ { " Bob <bob@B.Example.>", NULL }, "b.example" },
		{ { " \"ceo@bank.example\" <x@evil.example>", NULL },
		    "evil.example" },
		{ { " a@x.example, b@x.example", NULL }, "x.example" },
		{ { " a@x.example, b@y.example", NULL }, NULL },
		{ { " friends: a@x.example;", NULL }, NULL },
		{ { " broken <a@x.example", NULL }, NULL },
		{ { " a@x.example", " b@x.example" }, NULL },	/* two fields */
	};
	struct conf *conf = test_conf();
	struct hdr h[2];
	struct eval *e;
	const struct eval_result *r;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (n = 0; n < 2 && cases[i].from[n] != NULL; n++) {
			h[n].name = "From";
			h[n].value = cases[i].from[n];
		}
		e = run(conf, "192.0.2.10", NULL, h, n);
		r = eval_result(e);
		if (cases[i].want == NULL)
			assert_null(r->from_domain);
		else
			assert_string_equal(r->from_domain, cases[i].want);
		eval_free(e);
	}
	conf_release(conf);
}

/*
 * test_obs_names - RFC 5322 4.5: blanks before the colon; the field is
 * the named one whichever front end passes the name (Postfix strips the
 * blanks, mxauth-check does not)
 */
static void
test_obs_names(void **state)
{
	static const struct hdr one[] = {
		{ "From \t", " Bob <bob@B.Example>" },
	};
	static const struct hdr two[] = {
		{ "From ", " a@x.example" },
		{ "From", " b@y.example" },
	};
	static const struct hdr ar[] = {
		{ "Authentication-Results ", " other.example; spf=pass" }, /* 1 */
		{ "Authentication-Results", " mx.example; spf=pass" },	/* 2 */
		{ "Authentication-Results\t", " mx.example; dkim=pass" }, /* 3 */
		{ "From", " a@x.example" },
	};
	static const struct hdr rcvd[] = {
		{ "Received \t ", " from a by b" },
		{ "Received", " from c by d" },
	};
	struct conf *conf = test_conf();
	struct eval *e;
	const struct eval_result *r;
	char why[128];

	(void)state;
	e = run(conf, "192.0.2.10", NULL, one, 1);
	r = eval_result(e);
	assert_int_equal(r->nfrom, 1);
	assert_non_null(r->from_domain);
	assert_string_equal(r->from_domain, "b.example");
	eval_free(e);
	/* two From fields stay two, never the first or the last */
	e = run(conf, "192.0.2.10", NULL, two, 2);
	r = eval_result(e);
	assert_int_equal(r->nfrom, 2);
	assert_null(r->from_domain);
	assert_string_equal(r->from_error, "2 From fields");
	eval_free(e);
	/* A-R indices count every spelling of the name, as the MTA does */
	e = run(conf, "192.0.2.10", NULL, ar, 4);
	r = eval_result(e);
	assert_int_equal(r->nar, 3);
	assert_int_equal(r->ndel, 2);
	assert_string_equal(r->del[0].name, "Authentication-Results");
	assert_int_equal(r->del[0].index, 3);
	assert_int_equal(r->del[1].index, 2);
	eval_free(e);
	/* a relay's "Received :" field is read like "Received:" */
	assert_int_equal(netlist_add(conf->trusted_relays, "192.0.2.20/32",
	    why, sizeof(why)), 0);
	e = run(conf, "192.0.2.20", NULL, rcvd, 2);
	r = eval_result(e);
	assert_int_equal(r->ingress, INGRESS_RELAY);
	assert_int_equal(r->nreceived, 2);
	assert_string_equal(r->received[0], " from a by b");
	eval_free(e);
	conf_release(conf);
}

/* test_upstream - a trusted hop's verdict believed, or deleted */
static void
test_upstream(void **state)
{
	static const struct hdr pass[] = {
		{ "Authentication-Results", " edge.example;\n\tspf=pass "
		    "smtp.mailfrom=a.example;\n\tdkim=pass header.d=a.example;"
		    "\n\tdmarc=pass (p=reject sp=reject dis=none) "
		    "header.from=a.example policy.dmarc=none" },
		{ "From", " <bob@a.example>" },
	};
	static const struct hdr fail[] = {
		{ "Authentication-Results", " edge.example; spf=fail "
		    "smtp.mailfrom=a.example; dkim=none; dmarc=fail "
		    "header.from=a.example policy.dmarc=reject" },
		{ "From", " <bob@a.example>" },
	};
	static const struct hdr quar[] = {
		{ "Authentication-Results", " edge.example; dmarc=fail "
		    "header.from=a.example policy.dmarc=quarantine" },
		{ "From", " <bob@a.example>" },
	};
	struct conf *conf = test_conf();
	struct vstr line = VSTR_INIT;
	struct eval *e;
	const struct eval_result *r;

	(void)state;
	x_free(conf->trusted_authserv_ids);
	conf->trusted_authserv_ids = xstrdup("edge.example");
	/* inside: believed, nothing added, the verdict line says so */
	e = run(conf, "127.0.0.1", NULL, pass, 2);
	r = eval_result(e);
	assert_non_null(r->upstream);
	assert_int_equal(r->nadd, 0);
	assert_int_equal(r->ndel, 0);
	verdict_format(&line, e);
	assert_string_equal(vstr_str(&line), "4ABCD123: ingress=trusted "
	    "upstream=edge.example ip=127.0.0.1 helo=client.example "
	    "mailfrom=bob@a.example from=a.example spf=pass dkim=pass "
	    "dmarc=pass action=accept reason=\"upstream verdict of "
	    "edge.example\"");
	eval_free(e);
	/* a failing upstream verdict is only logged ... */
	e = run(conf, "127.0.0.1", NULL, fail, 2);
	r = eval_result(e);
	assert_int_equal(r->action, ACTION_ACCEPT);
	eval_free(e);
	/* ... unless inner_enforce: then the site's DMARC rules act */
	conf->inner_enforce = 1;
	e = run(conf, "127.0.0.1", NULL, fail, 2);
	r = eval_result(e);
	assert_int_equal(r->action, ACTION_REJECT);
	assert_string_equal(r->reason, "DMARC fail for a.example, "
	    "policy reject (dmarc_reject_action=reject) (upstream "
	    "edge.example, inner_enforce=yes)");
	eval_free(e);
	/* an enforced quarantine goes the configured way */
	e = run(conf, "127.0.0.1", NULL, quar, 2);
	r = eval_result(e);
	assert_int_equal(r->action, ACTION_QUARANTINE);
	assert_int_equal(r->quarantine_hold, 1);
	assert_int_equal(r->nadd, 0);
	eval_free(e);
	conf->quarantine_method = CONF_QUARANTINE_HEADER;
	e = run(conf, "127.0.0.1", NULL, quar, 2);
	r = eval_result(e);
	assert_int_equal(r->action, ACTION_QUARANTINE);
	assert_int_equal(r->quarantine_hold, 0);
	assert_int_equal(r->nadd, 1);
	assert_string_equal(r->add[0].name, "X-Mxauth-Quarantine");
	assert_string_equal(r->add[0].value, "DMARC policy of a.example");
	eval_free(e);
	/* from outside the same field is a forgery */
	e = run(conf, "192.0.2.1", NULL, pass, 2);
	r = eval_result(e);
	assert_null(r->upstream);
	assert_int_equal(r->ndel, 1);
	eval_free(e);
	vstr_free(&line);
	conf_release(conf);
}

/* added - the value of the field NAME that E adds, or NULL */
static const char *
added(const struct eval *e, const char *name)
{
	const struct eval_result *r = eval_result(e);
	size_t i;

	for (i = 0; i < r->nadd; i++)
		if (strcmp(r->add[i].name, name) == 0)
			return r->add[i].value;
	return NULL;
}

/* run_dns - an outside client's message judged with the e2e zone's DNS */
static struct eval *
run_dns(struct conf *conf, struct dns *dns, const char *mail_from,
    const struct hdr *h, size_t n)
{
	struct eval *e;
	size_t i;

	e = eval_new(conf, dns);
	eval_set_queue_id(e, "4ABCD124");
	eval_set_client(e, "203.0.113.66", NULL);
	eval_set_helo(e, "spoofer\xc3\xa9\x01.example");
	eval_set_mail_from(e, mail_from);
	(void)eval_envelope(e);
	for (i = 0; i < n; i++)
		eval_header(e, h[i].name, h[i].value);
	eval_end(e);
	return e;
}

/*
 * test_monitoring_edge - policy.dmarc is the domain's policy, not the
 * edge's disposition: an edge that only monitors (dmarc_reject_action
 * = none) writes policy.dmarc=reject dis=none, and the inner hop with
 * inner_enforce refuses the forgery under its own rules
 */
static void
test_monitoring_edge(void **state)
{
	static const struct hdr forged[] = {
		{ "From", " Bank <alerts@bank.example>" },
		{ "Subject", " forged" },
	};
	struct conf *edge = test_conf(), *inner = test_conf();
	struct eval *e, *edge_e;
	const struct eval_result *r;
	struct hdr h[2];
	struct dns *dns;
	const char *ar;
	char err[256];

	(void)state;
	dns = dns_new_zone(TEST_DATA "/zones-e2e/example.zone", err,
	    sizeof(err));
	assert_non_null(dns);
	edge->site.reject_action = CONF_DMARC_NONE;
	e = run_dns(edge, dns, "<alerts@bank.example>", forged, 2);
	r = eval_result(e);
	assert_int_equal(r->action, ACTION_ACCEPT);
	assert_non_null(ar = added(e, "Authentication-Results"));
	assert_non_null(strstr(ar, "dmarc=fail (p=reject sp=reject dis=none) "
	    "header.from=bank.example policy.dmarc=reject"));
	h[0].name = "Authentication-Results";
	h[0].value = ar;
	h[1] = forged[0];
	x_free(inner->authserv_id);
	inner->authserv_id = xstrdup("inner.example");
	x_free(inner->trusted_authserv_ids);
	inner->trusted_authserv_ids = xstrdup("mx.example");
	inner->inner_enforce = 1;
	edge_e = e;
	e = run(inner, "127.0.0.1", NULL, h, 2);
	r = eval_result(e);
	assert_non_null(r->upstream);
	assert_int_equal(r->action, ACTION_REJECT);
	assert_string_equal(r->reason, "DMARC fail for "
	    "bank.example, policy reject (dmarc_reject_action=reject) "
	    "(upstream mx.example, inner_enforce=yes)");
	eval_free(e);
	/* a verdict without header.from: refused, nothing read from NULL */
	h[0].value = "mx.example; dmarc=fail policy.dmarc=reject";
	e = run(inner, "127.0.0.1", NULL, h, 2);
	r = eval_result(e);
	assert_int_equal(r->action, ACTION_REJECT);
	assert_string_equal(r->reply, "rejected by DMARC policy "
	    "for -");
	eval_free(e);
	/* a quarantine header names the upstream's domain filtered */
	h[0].value = "mx.example; dmarc=fail header.from=\"a\r\n\tX: y\" "
	    "policy.dmarc=quarantine";
	inner->quarantine_method = CONF_QUARANTINE_HEADER;
	e = run(inner, "127.0.0.1", NULL, h, 2);
	r = eval_result(e);
	assert_int_equal(r->action, ACTION_QUARANTINE);
	assert_non_null(ar = added(e, "X-Mxauth-Quarantine"));
	assert_string_equal(ar, "DMARC policy of \"a???X: y\"");
	eval_free(e);
	h[0].value = added(edge_e, "Authentication-Results");
	/* the inner site's own rules: a monitoring inner hop only logs */
	inner->site.reject_action = CONF_DMARC_NONE;
	e = run(inner, "127.0.0.1", NULL, h, 2);
	r = eval_result(e);
	assert_int_equal(r->action, ACTION_ACCEPT);
	eval_free(e);
	eval_free(edge_e);
	dns_free(dns);
	conf_release(edge);
	conf_release(inner);
}

/*
 * test_hostile_signature - a signature whose a= ends in a backslash and
 * holds parentheses cannot hide the DMARC result from the next hop; its
 * text reaches the verdict line escaped, the header only a fixed text
 */
static void
test_hostile_signature(void **state)
{
	static const struct hdr h[] = {
		{ "DKIM-Signature", " v=1; a=x(\\; b=AAAA; bh=AAAA; "
		    "d=bank.example; h=from; s=s1" },
		{ "DKIM-Signature", " v=1; a=)\\; b=AAAA; bh=AAAA; "
		    "d=bank.example; h=from; s=s1" },
		{ "From", " Bank <alerts@bank.example>" },
	};
	struct conf *conf = test_conf();
	struct authres_parsed a;
	struct vstr line = VSTR_INIT;
	struct dns *dns;
	struct eval *e;
	const unsigned char *p;
	const char *ar;
	char err[256];

	(void)state;
	dns = dns_new_zone(TEST_DATA "/zones-e2e/example.zone", err,
	    sizeof(err));
	assert_non_null(dns);
	conf->site.reject_action = CONF_DMARC_NONE;
	e = run_dns(conf, dns, "<alerts@bank.example>", h, 3);
	assert_non_null(ar = added(e, "Authentication-Results"));
	assert_int_equal(authres_parse(ar, &a), 0);
	assert_int_equal(a.n, 4);
	assert_string_equal(a.res[1].result, "permerror");
	assert_string_equal(a.res[3].method, "dmarc");
	assert_string_equal(a.res[3].result, "fail");
	assert_string_equal(a.res[3].policy_dmarc, "reject");
	assert_non_null(strstr(ar,
	    "dkim=permerror (signature syntax error);"));
	assert_null(strstr(ar, "x("));
	verdict_format(&line, e);
	assert_non_null(strstr(vstr_str(&line), " helo=\"spoofer\\xc3\\xa9"
	    "\\x01.example\" "));
	assert_non_null(strstr(vstr_str(&line), " dkim_reason=\"unknown "
	    "algorithm a=x(\\\\; unknown algorithm a=)\\\\\""));
	for (p = (const unsigned char *)vstr_str(&line); *p != '\0'; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	eval_free(e);
	vstr_free(&line);
	dns_free(dns);
	conf_release(conf);
}

/* run_relay - a message from the trusted relay 192.0.2.20 (inside
 * legit.example's SPF) whose top Received field is RCVD */
static struct eval *
run_relay(struct conf *conf, struct dns *dns, const char *rcvd)
{
	struct eval *e;

	e = eval_new(conf, dns);
	eval_set_queue_id(e, "4ABCD125");
	eval_set_client(e, "192.0.2.20", "backup.legit.example");
	eval_set_helo(e, "backup.legit.example");
	eval_set_mail_from(e, "<sender@legit.example>");
	(void)eval_envelope(e);
	eval_header(e, "Received", rcvd);
	eval_header(e, "From", " <sender@legit.example>");
	eval_end(e);
	return e;
}

/*
 * test_relay_unknown_origin - when the relay's Received field cannot be
 * read with certainty, the relay itself is judged, and its own pass is
 * not the sender's: neutral, so DMARC cannot pass on it
 */
static void
test_relay_unknown_origin(void **state)
{
	struct conf *conf = test_conf();
	struct dns *dns;
	struct eval *e;
	const struct eval_result *r;
	char err[256];

	(void)state;
	dns = dns_new_zone(TEST_DATA "/zones-e2e/example.zone", err,
	    sizeof(err));
	assert_non_null(dns);
	assert_int_equal(netlist_add(conf->trusted_relays, "192.0.2.20/32",
	    err, sizeof(err)), 0);
	/* readable: the forger behind the relay is judged, SPF fails */
	e = run_relay(conf, dns, " from spoofer.example (unknown "
	    "[203.0.113.66]) by backup.legit.example (Postfix) with ESMTP id "
	    "1A2B3C; Mon, 30 Nov 2026 07:00:00 +0000");
	r = eval_result(e);
	assert_non_null(r->spf);
	assert_string_equal(r->origin_ip, "203.0.113.66");
	assert_int_equal(r->spf->result, SPF_RES_FAIL);
	eval_free(e);
	/* ambiguous (the HELO mimics the relay's part): the relay's own
	 * address passes legit.example's SPF, which must not count */
	e = run_relay(conf, dns, " from x (unknown [192.0.2.10]) by y "
	    "(unknown [203.0.113.66]) by backup.legit.example (Postfix) with "
	    "ESMTP id 1A2B3D; Mon, 30 Nov 2026 07:00:00 +0000");
	r = eval_result(e);
	assert_non_null(r->spf);
	assert_null(r->origin_ip);
	assert_int_equal(r->spf->result, SPF_RES_NEUTRAL);
	assert_non_null(r->dmarc);
	assert_int_not_equal(r->dmarc->result, DMARC_RES_PASS);
	eval_free(e);
	/* no client named at all: the same */
	e = run_relay(conf, dns, " by backup.legit.example (Postfix) id 9; "
	    "Mon, 30 Nov 2026 07:00:00 +0000");
	r = eval_result(e);
	assert_non_null(r->spf);
	assert_int_equal(r->spf->result, SPF_RES_NEUTRAL);
	eval_free(e);
	dns_free(dns);
	conf_release(conf);
}

/*
 * test_relay_refused - a relay's client refused by spf_fail_action gets
 * the same verdict whether the message had a body or not: not edited
 * (the forged A-R is not counted as deleted), DKIM still read
 */
static void
test_relay_refused(void **state)
{
	static const char *const rcvd = " from spoofer.example (unknown "
	    "[203.0.113.66]) by backup.legit.example (Postfix) with ESMTP id "
	    "1A2B3C; Mon, 30 Nov 2026 07:00:00 +0000";
	struct conf *conf = test_conf();
	struct vstr line[2] = { VSTR_INIT, VSTR_INIT };
	const struct eval_result *r;
	struct dns *dns;
	struct eval *e;
	char err[256];
	int body;

	(void)state;
	dns = dns_new_zone(TEST_DATA "/zones-e2e/example.zone", err,
	    sizeof(err));
	assert_non_null(dns);
	assert_int_equal(netlist_add(conf->trusted_relays, "192.0.2.20/32",
	    err, sizeof(err)), 0);
	conf->spf_fail_action = CONF_SPF_REJECT;
	for (body = 0; body < 2; body++) {
		e = eval_new(conf, dns);
		eval_set_queue_id(e, "4ABCD126");
		eval_set_client(e, "192.0.2.20", "backup.legit.example");
		eval_set_helo(e, "backup.legit.example");
		eval_set_mail_from(e, "<sender@legit.example>");
		assert_int_equal(eval_envelope(e), ACTION_ACCEPT);
		eval_header(e, "Received", rcvd);
		eval_header(e, "Authentication-Results",
		    " mx.example; spf=pass");
		eval_header(e, "From", " <sender@legit.example>");
		if (body)
			eval_body(e, (const unsigned char *)"hi\r\n", 4);
		eval_end(e);
		r = eval_result(e);
		assert_int_equal(r->action, ACTION_REJECT);
		assert_string_equal(r->rcode, "550");
		assert_string_equal(r->xcode, "5.7.23");
		assert_int_equal(r->ndel, 0);
		assert_int_equal(r->nadd, 0);
		verdict_format(&line[body], e);
		eval_free(e);
	}
	assert_string_equal(vstr_str(&line[1]), vstr_str(&line[0]));
	assert_null(strstr(vstr_str(&line[0]), "forged_ar"));
	vstr_free(&line[0]);
	vstr_free(&line[1]);
	dns_free(dns);
	conf_release(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forged_order),
		cmocka_unit_test(test_ingress),
		cmocka_unit_test(test_verdict_line),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_from_domain),
		cmocka_unit_test(test_upstream),
		cmocka_unit_test(test_obs_names),
		cmocka_unit_test(test_monitoring_edge),
		cmocka_unit_test(test_hostile_signature),
		cmocka_unit_test(test_relay_unknown_origin),
		cmocka_unit_test(test_relay_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
