/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eval - one message's evaluation (see eval.h for the call order).
 *
 * Header handling keeps only what the decision needs: the index of
 * every Authentication-Results field trust_ar_fate() condemns (so the
 * glue can delete it), the upstream verdict a trusted hop wrote, a
 * relay's Received fields (at most RECEIVED_MAX) and the From facts.
 * The DKIM verifier keeps the header fields of an outside client's
 * message (the MTA bounds the header's size); the body is never kept.
 *
 * DMARC is decided at eval_end for outside clients (decide_dmarc); a
 * message from inside with a trusted upstream verdict takes that
 * verdict instead (decide_upstream).  What the site does with either is
 * policy.c's answer (policy_site, policy_upstream); eval applies it.
 *
 * The fields below are eval's alone; the front ends, verdict.c and the
 * tests read the const view publish() keeps in res (eval_result).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "conf.h"
#include "dkim_verify.h"
#include "dmarc_check.h"
#include "dns_msg.h"
#include "eval.h"
#include "hdr_parse.h"
#include "log.h"
#include "metrics.h"
#include "policy.h"
#include "received.h"
#include "spf_check.h"
#include "trust.h"
#include "vstr.h"
#include "xmalloc.h"

struct eval {
	struct conf	*conf;		/* reference held */
	struct dns	*dns;		/* own handle (dns_msg.h) */

	/* envelope; NULL = unknown */
	char		*queue_id;
	char		*client_ip;
	char		*client_host;
	char		*helo;
	char		*mail_from;	/* without <>; "" = null sender */
	char		*auth_user;
	time_t		 now;		/* judge x= at this time; 0 = now */

	/* header facts */
	size_t		 nheaders;
	size_t		 nar;		/* Authentication-Results seen so far */
	size_t		 nfrom;
	char		*from_domain;	/* author domain (A-labels) or NULL */
	struct vstr	 from_error;	/* why none ("" = no From yet) */

	struct dkim_verify *dkim_v;	/* external clients only */
	struct ar_walk	 ar_walk;	/* A-R fields seen, top down */
	struct authres_parsed *upstream; /* a trusted hop's verdict, or NULL */
	char		*received[RECEIVED_MAX]; /* relay clients: top down */
	size_t		 nreceived;
	char		*origin_ip;	/* the client a trusted relay saw */
	char		*origin_helo;
	size_t		 dkim_ignored;	/* signatures past the limit */

	/* results, filled by eval_end */
	enum ingress	 ingress;
	struct spf_result *spf;		/* NULL = not evaluated */
	struct dkim_result *dkim;
	size_t		 ndkim;
	struct dmarc_result *dmarc;	/* NULL = not evaluated */
	int		 envelope_done;
	enum action	 envelope_action; /* what eval_envelope decided */
	enum action	 action;
	int		 quarantine_hold; /* QUARANTINE via the MTA's hold */
	struct vstr	*explain;	/* mxauth-check --explain; borrowed */
	const char	*rcode;		/* SMTP reply when refusing, or NULL */
	const char	*xcode;
	struct vstr	 reply;
	struct vstr	 reason;
	struct eval_edit *del;		/* highest index first after eval_end */
	size_t		 ndel;
	struct eval_edit *add;		/* insert at the top, in order */
	size_t		 nadd;

	struct eval_result res;		/* the view eval_result() returns */
};

static void decide_dmarc(struct eval *, struct vstr *);
static void decide_upstream(struct eval *);
static void judge_relayed(struct eval *);
static void take_decision(struct eval *, const struct policy_decision *);
static void spf_decided(struct eval *);
static void publish(struct eval *);

#define AR_NAME		"Authentication-Results"

/* eval_new - start a message under config snapshot CONF (ref taken) */
struct eval *
eval_new(struct conf *conf, struct dns *dns)
{
	struct eval *e;

	e = xcalloc(1, sizeof(*e));
	conf_hold(conf);
	e->conf = conf;
	/* RFC 7208 4.6.4: a bound on the DNS time of each check */
	e->dns = dns != NULL ? dns_msg_new(dns,
	    (unsigned)conf->dns_check_timeout * 1000) : NULL;
	vstr_init(&e->reason);
	vstr_init(&e->reply);
	vstr_init(&e->from_error);
	publish(e);
	return e;
}

/* free_edits - release an edit array */
static void
free_edits(struct eval_edit *ed, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		x_free(ed[i].name);
		x_free(ed[i].value);
	}
	x_free(ed);
}

/* eval_free - release the message and its config reference */
void
eval_free(struct eval *e)
{
	size_t i;

	if (e == NULL)
		return;
	conf_release(e->conf);
	dns_msg_free(e->dns);
	for (i = 0; i < e->nreceived; i++)
		x_free(e->received[i]);
	x_free(e->upstream);
	x_free(e->origin_ip);
	x_free(e->origin_helo);
	x_free(e->queue_id);
	x_free(e->client_ip);
	x_free(e->client_host);
	x_free(e->helo);
	x_free(e->mail_from);
	x_free(e->auth_user);
	x_free(e->from_domain);
	if (e->spf != NULL) {
		spf_check_result_clear(e->spf);
		x_free(e->spf);
	}
	dkim_verify_free(e->dkim_v);
	dmarc_result_free(e->dmarc);
	dkim_verify_results_free(e->dkim, e->ndkim);
	vstr_free(&e->reason);
	vstr_free(&e->reply);
	vstr_free(&e->from_error);
	free_edits(e->del, e->ndel);
	free_edits(e->add, e->nadd);
	x_free(e);
}

/* replace - set *DST to a copy of SRC (NULL allowed) */
static void
replace(char **dst, const char *src)
{
	x_free(*dst);
	*dst = src != NULL ? xstrdup(src) : NULL;
}

/* eval_set_queue_id - the MTA's queue id, for the verdict line */
void
eval_set_queue_id(struct eval *e, const char *id)
{
	replace(&e->queue_id, id);
	publish(e);
}

/* eval_set_client - connecting IP (text) and its verified name */
void
eval_set_client(struct eval *e, const char *ip, const char *host)
{
	replace(&e->client_ip, ip);
	replace(&e->client_host, host);
	publish(e);
}

/* eval_set_helo - the HELO/EHLO argument */
void
eval_set_helo(struct eval *e, const char *helo)
{
	replace(&e->helo, helo);
	publish(e);
}

/* eval_set_time - judge signature expiry (x=) as of T (mxauth-check) */
void
eval_set_time(struct eval *e, time_t t)
{
	e->now = t;
}

/* eval_set_explain - mxauth-check --explain: the DMARC walk and the
 * site rule go to OUT (borrowed until eval_free) */
void
eval_set_explain(struct eval *e, struct vstr *out)
{
	e->explain = out;
}

/* eval_set_auth - SMTP AUTH identity; NULL or "" = not authenticated */
void
eval_set_auth(struct eval *e, const char *user)
{
	replace(&e->auth_user, user != NULL && *user != '\0' ? user : NULL);
	publish(e);
}

/*
 * eval_set_mail_from - the MAIL FROM argument
 *
 * Accepts "<addr>" or a bare address; surrounding space and angle
 * brackets are removed, so "<>" becomes "" (the null sender).
 */
void
eval_set_mail_from(struct eval *e, const char *arg)
{
	const char *p = arg, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end > p && *p == '<' && end[-1] == '>') {
		p++;
		end--;
	}
	x_free(e->mail_from);
	e->mail_from = xstrndup(p, (size_t)(end - p));
	publish(e);
}

/* add_edit - append an edit to *ARR */
static void
add_edit(struct eval_edit **arr, size_t *n, const char *name, size_t index,
    char *value)
{
	*arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[*n].name = xstrdup(name);
	(*arr)[*n].index = index;
	(*arr)[*n].value = value;
	(*n)++;
}

/*
 * eval_header - one header field: NAME as written before the colon,
 * VALUE the exact bytes after it (folds as "\n" + WSP)
 *
 * RFC 5322 4.5 (obs-optional): white space may stand between a field
 * name and its colon.  Postfix rewrites "From :" as "From:" before any
 * milter sees it; mxauth-check hands the name over as written.  The
 * blanks are dropped here, once, for every field, so both front ends see
 * the same fields: "From :" is a From field (two of them stay two), and
 * "Authentication-Results :" is counted among the A-R fields, as the
 * MTA counts them when it deletes by name and index.  DKIM sees the
 * trimmed name too: relaxed canonicalization drops those blanks anyway
 * (RFC 6376 3.4.2); simple cannot get back bytes Postfix already changed.
 *
 * A-R fields are counted so each one's index among same-name fields is
 * known; trust_ar_fate() says which are deleted and which one is the
 * upstream verdict.
 */
void
eval_header(struct eval *e, const char *raw_name, const char *value)
{
	struct dkim_verify_opts o;
	char why[160], *name;
	size_t nlen = strlen(raw_name);

	while (nlen > 0 && (raw_name[nlen - 1] == ' ' ||
	    raw_name[nlen - 1] == '\t'))
		nlen--;
	name = xstrndup(raw_name, nlen);

	if (e->nheaders++ == 0 && eval_envelope(e) == ACTION_ACCEPT &&
	    result_outside(e->ingress)) {
		o.min_key_bits = (unsigned)e->conf->dkim_min_key_bits;
		o.allow_partial_body = e->conf->dkim_allow_partial_body;
		o.max_signatures = (unsigned)e->conf->dkim_max_signatures;
		o.now = e->now;
		e->dkim_v = dkim_verify_start(e->dns, &o, e->queue_id);
	}
	dkim_verify_header(e->dkim_v, name, value);
	if (strcasecmp(name, AR_NAME) == 0) {
		e->nar++;
		switch (trust_ar_fate(e->conf, e->ingress, value, &e->ar_walk)) {
		case AR_DELETE:
			add_edit(&e->del, &e->ndel, AR_NAME, e->nar,
			    xstrdup(value));
			break;
		case AR_UPSTREAM:	/* it parses: trust_ar_fate checked */
			e->upstream = xcalloc(1, sizeof(*e->upstream));
			if (authres_parse(value, e->upstream) != 0) {
				x_free(e->upstream);
				e->upstream = NULL;
			}
			break;
		case AR_KEEP:
			break;
		}
	} else if (strcasecmp(name, "Received") == 0 &&
	    e->ingress == INGRESS_RELAY && e->nreceived < RECEIVED_MAX) {
		e->received[e->nreceived++] = xstrdup(value);
	} else if (strcasecmp(name, "From") == 0) {
		e->nfrom++;
		x_free(e->from_domain);
		e->from_domain = NULL;
		vstr_reset(&e->from_error);
		if (e->nfrom > 1)
			vstr_catf(&e->from_error, "%zu From fields", e->nfrom);
		else if (hdr_author_domain(value, &e->from_domain, why,
		    sizeof(why)) != 0)
			vstr_cat(&e->from_error, why);
	}
	x_free(name);
}

/* eval_body - a chunk of the body, CRLF line ends (DKIM reads it) */
void
eval_body(struct eval *e, const unsigned char *buf, size_t len)
{
	judge_relayed(e);
	dkim_verify_body(e->dkim_v, buf, len);
	publish(e);
}

/*
 * judge_relayed - once the headers are in: a relay's client is taken
 * from the Received fields and judged as the edge judges any client
 */
static void
judge_relayed(struct eval *e)
{
	struct received_client rc;
	const char *ip = e->client_ip, *helo = e->helo;
	bool unknown = false;
	char why[160];

	if (e->ingress != INGRESS_RELAY || e->spf != NULL || e->dns == NULL ||
	    e->client_ip == NULL || e->action != ACTION_ACCEPT)
		return;
	if (received_origin(e->conf->trusted_relays, e->received,
	    e->nreceived, &rc, why, sizeof(why)) == 0) {
		replace(&e->origin_ip, rc.ip);
		ip = e->origin_ip;
		helo = rc.helo[0] != '\0' ? rc.helo : NULL;
		replace(&e->origin_helo, helo);
		helo = e->origin_helo;
	} else {
		log_warning("%s: relay %s: %s; judging the relay itself",
		    e->queue_id != NULL ? e->queue_id : "NOQUEUE", e->client_ip,
		    why);
		unknown = true;
	}
	e->spf = xcalloc(1, sizeof(*e->spf));
	spf_check_message(e->dns, ip, helo, e->mail_from,
	    e->conf->authserv_id, e->conf->spf_helo, e->spf);
	/*
	 * The relay's own address passing is not the sender's pass: a
	 * forger who makes the relay's Received field unreadable (a HELO
	 * that mimics the relay's part) must not inherit the SPF record
	 * that lists the site's own backup MX.  Anything short of a pass
	 * stands as judged.
	 */
	if (unknown && e->spf->result == SPF_RES_PASS)
		e->spf->result = SPF_RES_NEUTRAL;
	spf_decided(e);
}

/*
 * plan_deletions - order the forged A-R deletions highest index first
 *
 * Deleting by index last-first keeps the remaining indices valid (the
 * bug behind CVE-2022-48521 was deleting first-first).
 */
static void
plan_deletions(struct eval *e)
{
	struct eval_edit tmp;
	size_t i;

	for (i = 0; i < e->ndel / 2; i++) {
		tmp = e->del[i];
		e->del[i] = e->del[e->ndel - 1 - i];
		e->del[e->ndel - 1 - i] = tmp;
	}
}

/*
 * spf_decided - the message's SPF result is final: count it, and let
 * the SPF-only rules (spf_*_action) decide the action
 */
static void
spf_decided(struct eval *e)
{
	struct policy_decision d;

	metrics_spf(e->spf->result);
	policy_decision_init(&d);
	policy_mail_from(e->conf, e->spf, &d);
	take_decision(e, &d);
	policy_decision_free(&d);
}

/* take_decision - a policy decision becomes the message's action */
static void
take_decision(struct eval *e, const struct policy_decision *d)
{
	e->action = d->action;
	e->rcode = d->rcode;
	e->xcode = d->xcode;
	vstr_reset(&e->reply);
	vstr_cat(&e->reply, vstr_str(&d->reply));
	vstr_reset(&e->reason);
	vstr_cat(&e->reason, vstr_str(&d->reason));
}

/*
 * eval_envelope - at MAIL FROM: where the client stands and, for an
 * external one, SPF (RFC 7208: only the edge judges the connecting IP)
 * and the SPF-only rules.  Returns the action; REJECT or TEMPFAIL end
 * the message here (rcode, xcode and reply say how).
 */
enum action
eval_envelope(struct eval *e)
{
	if (e->envelope_done)
		return e->envelope_action;
	e->envelope_done = 1;
	e->ingress = trust_ingress(e->conf, e->client_ip, e->auth_user);
	/* A relay's client is in its Received field: judged after headers */
	if (result_outside(e->ingress) && e->dns != NULL &&
	    e->client_ip != NULL && e->ingress != INGRESS_RELAY) {
		e->spf = xcalloc(1, sizeof(*e->spf));
		spf_check_message(e->dns, e->client_ip, e->helo, e->mail_from,
		    e->conf->authserv_id, e->conf->spf_helo, e->spf);
		spf_decided(e);
	}
	e->envelope_action = e->action;
	publish(e);
	return e->envelope_action;
}

/* judged_helo - the HELO SPF judged: the relay's client's, or ours */
static const char *
judged_helo(const struct eval *e)
{
	return e->origin_ip != NULL ? e->origin_helo : e->helo;
}

/* add_received_spf - RFC 7208 9.1 trace field, when configured */
static void
add_received_spf(struct eval *e)
{
	struct vstr v = VSTR_INIT;

	if (e->spf == NULL || !e->conf->received_spf)
		return;
	authres_received_spf(&v, e->spf, e->conf->authserv_id, e->mail_from,
	    judged_helo(e));
	add_edit(&e->add, &e->nadd, "Received-SPF", 0, vstr_steal(&v));
}

/* add_results - our Authentication-Results (and Received-SPF) fields */
static void
add_results(struct eval *e)
{
	struct authres_in in;
	struct vstr ar = VSTR_INIT;

	memset(&in, 0, sizeof(in));
	in.authserv_id = e->conf->authserv_id;
	in.ingress = e->ingress;
	in.auth_user = e->auth_user;
	in.mail_from = e->mail_from;
	in.helo = judged_helo(e);
	in.from_domain = e->from_domain;
	in.spf = e->spf;
	in.dkim = e->dkim;
	in.ndkim = e->ndkim;
	in.dmarc = e->dmarc;
	authres_format(&ar, &in);
	add_edit(&e->add, &e->nadd, AR_NAME, 0, vstr_steal(&ar));
	add_received_spf(e);
	if (e->reason.len == 0)
		vstr_cat(&e->reason, result_outside(e->ingress) ?
		    "no policy applies" : "inside the edge");
}

/* refusing - whether A ends the SMTP transaction */
static int
refusing(enum action a)
{
	return a == ACTION_REJECT || a == ACTION_TEMPFAIL;
}

/* unedited - a refused message is not edited: drop the planned edits */
static void
unedited(struct eval *e)
{
	free_edits(e->del, e->ndel);
	free_edits(e->add, e->nadd);
	e->del = e->add = NULL;
	e->ndel = e->nadd = 0;
}

/* eval_end - decide the message: results, edits, action */
void
eval_end(struct eval *e)
{
	int believed = 0;
	size_t i;

	if (eval_envelope(e) != ACTION_ACCEPT) {
		unedited(e);	/* refused at MAIL FROM */
		publish(e);
		return;
	}
	judge_relayed(e);	/* a relay's client, when there was no body */
	plan_deletions(e);
	e->ndkim = dkim_verify_end(e->dkim_v, &e->dkim, &e->dkim_ignored);
	for (i = 0; i < e->ndkim; i++)
		metrics_dkim(e->dkim[i].result);
	if (result_outside(e->ingress) && e->dns != NULL &&
	    e->action == ACTION_ACCEPT)
		decide_dmarc(e, e->explain);
	else if (e->upstream != NULL) {
		decide_upstream(e);
		metrics_upstream_believed();
		believed = 1;
	}
	if (refusing(e->action))
		unedited(e);	/* refused at end of DATA */
	else if (!believed)
		add_results(e);	/* a believed upstream A-R stays, ours none */
	publish(e);
}

/*
 * take_site - policy D on a DMARC result becomes the message's action,
 * its quarantine carried out as D says
 */
static void
take_site(struct eval *e, const struct policy_decision *d)
{
	take_decision(e, d);
	e->quarantine_hold = d->quarantine_hold;
	if (d->action == ACTION_QUARANTINE && d->quarantine_note.len > 0)
		add_edit(&e->add, &e->nadd, POLICY_QUARANTINE_FIELD, 0,
		    xstrdup(vstr_str(&d->quarantine_note)));
}

/*
 * decide_dmarc - DMARC for an outside client's message and the site's
 * rules for it; the action, reply and reason replace the envelope's.
 * EXPLAIN (mxauth-check --explain) gets the reasoning, if not NULL.
 */
static void
decide_dmarc(struct eval *e, struct vstr *explain)
{
	struct dmarc_check_in in;
	struct policy_decision d;

	memset(&in, 0, sizeof(in));
	in.from_domain = e->from_domain;
	in.from_error = e->nfrom == 0 ? "no From field" :
	    vstr_str(&e->from_error);
	in.spf = e->spf;
	in.dkim = e->dkim;
	in.ndkim = e->ndkim;
	in.psl = e->conf->psl;	/* loaded with the snapshot, psl mode only */
	e->dmarc = dmarc_check(e->dns, &in, explain);
	metrics_dmarc(e->dmarc->result);
	/*
	 * pct (RFC 7489 mode): a uniform draw, fresh per message, made only
	 * when a pct below 100 can use it (arc4random is a system call)
	 */
	policy_decision_init(&d);
	policy_site(e->conf, e->dmarc, e->dmarc != NULL && e->dmarc->pct < 100 ?
	    arc4random_uniform(100) : 0, &d);
	take_site(e, &d);
	e->dmarc->disposition = d.disposition;
	e->dmarc->overrides = d.overrides;
	e->dmarc->override = d.override != NULL ? xstrdup(d.override) : NULL;
	policy_decision_free(&d);
	if (explain != NULL)
		vstr_catf(explain, "site rule: %s -> %s\n", vstr_str(&e->reason),
		    result_action_str(e->action));
}

/* upstream_res - the upstream verdict's first resinfo for METHOD */
static const struct authres_result *
upstream_res(const struct eval *e, const char *method)
{
	size_t i;

	if (e->upstream == NULL)
		return NULL;
	for (i = 0; i < e->upstream->n; i++)
		if (strcasecmp(e->upstream->res[i].method, method) == 0)
			return &e->upstream->res[i];
	return NULL;
}

/* eval_upstream_result - the upstream verdict's result for METHOD, or NULL */
const char *
eval_upstream_result(const struct eval *e, const char *method)
{
	const struct authres_result *r = upstream_res(e, method);

	return r != NULL ? r->result : NULL;
}

/* decide_upstream - a trusted hop's verdict, under the site's rules */
static void
decide_upstream(struct eval *e)
{
	struct policy_decision d;

	policy_decision_init(&d);
	policy_upstream(e->conf, e->upstream->id, upstream_res(e, "dmarc"), &d);
	take_site(e, &d);
	policy_decision_free(&d);
}

/*
 * publish - the const view of E, renewed after every call that may
 * change it.  A refusal always carries its codes and a text: the
 * reply policy wrote, else the reason.
 */
static void
publish(struct eval *e)
{
	struct eval_result *r = &e->res;
	int refused = refusing(e->action);

	r->queue_id = e->queue_id;
	r->client_ip = e->client_ip;
	r->origin_ip = e->origin_ip;
	r->helo = e->helo;
	r->mail_from = e->mail_from;
	r->ingress = e->ingress;
	r->nfrom = e->nfrom;
	r->from_domain = e->from_domain;
	r->from_error = vstr_str(&e->from_error);
	r->nar = e->nar;
	r->received = (const char *const *)e->received;
	r->nreceived = e->nreceived;
	r->upstream = e->upstream != NULL ? e->upstream->id : NULL;
	r->spf = e->spf;
	r->dkim = e->dkim;
	r->ndkim = e->ndkim;
	r->dkim_ignored = e->dkim_ignored;
	r->dmarc = e->dmarc;
	r->action = e->action;
	r->quarantine_hold = e->quarantine_hold;
	r->rcode = !refused ? NULL : e->rcode != NULL ? e->rcode :
	    e->action == ACTION_REJECT ? "550" : "451";
	r->xcode = !refused ? NULL : e->xcode != NULL ? e->xcode :
	    e->action == ACTION_REJECT ? "5.7.1" : "4.7.1";
	r->reply = refused && e->reply.len == 0 ? vstr_str(&e->reason) :
	    vstr_str(&e->reply);
	r->reason = vstr_str(&e->reason);
	r->del = e->del;
	r->ndel = e->ndel;
	r->add = e->add;
	r->nadd = e->nadd;
}

/* eval_result - the const view of what E found and decided so far */
const struct eval_result *
eval_result(const struct eval *e)
{
	return &e->res;
}
