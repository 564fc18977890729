/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_walk - a domain's SPF record walked whole, for admins (see
 * spf_walk.h): networks, lookups, warnings, and the term that matches
 * one address.
 *
 * The walk reads records with spf_record (the evaluator's own parser,
 * so a record is broken here exactly when it is broken for mail) and
 * asks every question through dns.h.  Networks are collected only from
 * terms whose whole path is "+": what a "-include:" or "~all" covers is
 * not an allowlist.  Terms that depend on the client (ptr, exists, and
 * macros other than %{d} and %{o}, which the walk expands) cannot be
 * flattened and are reported as left out.  Loops, depth and the walk's
 * own lookups are bounded (SPF_WALK_HARD_*), so a hostile record costs
 * at most SPF_WALK_HARD_LOOKUPS questions plus ten names per mx term.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include "dns.h"
#include "domain.h"
#include "spf_check.h"
#include "spf_record.h"
#include "spf_walk.h"
#include "spf_walk_int.h"
#include "vstr.h"
#include "xmalloc.h"

/* RFC 7208 4.3, 7.3: what a target name may be (as spf_check.c) */
#define WALK_DOMAIN	(DOMAIN_PRINTABLE | DOMAIN_TRAILING_DOT | \
			    DOMAIN_MULTI_LABEL)

/* vwarn - a warning about node NODE that makes the walk RES */
static void
vwarn(struct walker *k, size_t node, enum spf_res res, const char *fmt,
    va_list ap)
{
	struct spf_walk *w = k->w;
	struct vstr s = VSTR_INIT;

	vstr_vcatf(&s, fmt, ap);
	GROW(w->warns, w->nwarns, w->capwarns);
	w->warns[w->nwarns].node = node;
	w->warns[w->nwarns].res = res;
	w->warns[w->nwarns++].text = vstr_steal(&s);
}

/* spf_walk_warn - a warning about node NODE that breaks nothing */
void
spf_walk_warn(struct walker *k, size_t node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(k, node, SPF_RES_PASS, fmt, ap);
	va_end(ap);
}

/* spf_walk_worse - the walk's overall result, errors winning over success */
void
spf_walk_worse(struct spf_walk *w, enum spf_res r)
{
	if (r == SPF_RES_PERMERROR || (r == SPF_RES_TEMPERROR &&
	    w->result != SPF_RES_PERMERROR))
		w->result = r;
}

/*
 * spf_walk_fail - a warning about node NODE that makes the walk RES
 * (TEMPERROR, PERMERROR, or NONE for a top domain that cannot be
 * walked): the reason spf_walk_domain() returns it
 */
void
spf_walk_fail(struct walker *k, size_t node, enum spf_res res,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(k, node, res, fmt, ap);
	va_end(ap);
	spf_walk_worse(k->w, res);
}

/*
 * fetch - DOMAIN's v=spf1 record (RFC 7208 4.4, 4.5) into node NODE:
 * the status, and the text on success (caller frees with x_free)
 */
static enum spf_res
fetch(struct walker *k, size_t node, const char *domain, char **text)
{
	struct dns_answer *a;
	enum spf_res res = SPF_RES_NONE;
	size_t i, found = 0;
	int nul = 0;

	*text = NULL;
	a = dns_query(k->dns, domain, DNS_T_TXT);
	if (a->status != DNS_OK && a->status != DNS_NXDOMAIN &&
	    a->status != DNS_NODATA) {
		spf_walk_fail(k, node, SPF_RES_TEMPERROR, "TXT %s: DNS %s: temperror",
		    domain, dns_status_str(a->status));
		res = SPF_RES_TEMPERROR;
	}
	for (i = 0; a->status == DNS_OK && i < a->n; i++) {
		if (!spf_record_is_spf1(a->rr[i].text))
			continue;
		/* a NUL byte inside: spf_check refuses it as a permerror */
		nul |= a->rr[i].len != strlen(a->rr[i].text);
		if (found++ == 0) {
			*text = xstrdup(a->rr[i].text);
			if (a->rr[i].split > 0)
				spf_walk_warn(k, node, "the record's TXT strings split "
				    "a term at byte %zu (\"%.*s|%.*s\"): "
				    "joined without a space (RFC 7208 3.3), "
				    "but a reader that adds one breaks it",
				    a->rr[i].split, a->rr[i].split > 12 ? 12 :
				    (int)a->rr[i].split, a->rr[i].text +
				    (a->rr[i].split > 12 ? a->rr[i].split - 12 :
				    0), 12, a->rr[i].text + a->rr[i].split);
		}
	}
	dns_answer_free(a);
	if (found == 1 && nul)
		spf_walk_fail(k, node, SPF_RES_PERMERROR, "the record holds a NUL byte: "
		    "permerror");
	else if (found > 1)
		spf_walk_fail(k, node, SPF_RES_PERMERROR, "%zu v=spf1 records: "
		    "permerror (RFC 7208 4.5)", found);
	if (found > 1 || nul) {
		x_free(*text);
		*text = NULL;
		return SPF_RES_PERMERROR;
	}
	return *text != NULL ? SPF_RES_PASS : res;
}

/* add_node - a new node for DOMAIN; its index */
static size_t
add_node(struct spf_walk *w, const char *domain, const char *via, int depth)
{
	struct spf_walk_node *n;

	GROW(w->nodes, w->nnodes, w->capnodes);
	n = &w->nodes[w->nnodes];
	memset(n, 0, sizeof(*n));
	n->domain = xstrdup(domain);
	n->via = via != NULL ? xstrdup(via) : NULL;
	n->depth = depth;
	n->status = SPF_RES_PASS;
	n->ip_child = -1;
	return w->nnodes++;
}

/* on_path - whether DOMAIN is already being walked above DEPTH */
static int
on_path(const struct walker *k, const char *domain, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		if (domain_equal(k->path[i], domain))
			return 1;
	return 0;
}

/* settle - node NODE's status S (not PASS); returns S */
static enum spf_res
settle(struct walker *k, size_t node, enum spf_res s)
{
	k->w->nodes[node].status = s;
	if (s != SPF_RES_NONE)
		spf_walk_worse(k->w, s);
	return s;
}

/*
 * walk_redirect - RFC 7208 6.1: node NODE's redirect= to SPEC (in
 * DOMAIN's record, macros as spf_walk_target() expands them), whose record's
 * result becomes the node's when no term matched.  With
 * DECIDE (no term decided the client), the node's client result is
 * the redirected record's.
 */
static void
walk_redirect(struct walker *k, size_t node, const char *spec,
    const char *domain, int depth, int pass, int decide)
{
	struct vstr via = VSTR_INIT, name = VSTR_INIT;
	enum spf_res r = SPF_RES_NONE, s;
	size_t before = k->w->nnodes;
	int tr, over;

	vstr_catf(&via, "redirect=%s", spec);
	/* 4.6.4: redirect counts as a lookup */
	if ((over = spf_walk_count_lookup(k, node, vstr_str(&via))))
		r = SPF_RES_PERMERROR;
	tr = spf_walk_target(k, node, vstr_str(&via), spec, domain, "the redirected "
	    "record and all below it are", &name);
	if (tr < 0)
		r = SPF_RES_PERMERROR;
	else if (tr == 0) {
		s = spf_walk_record(k, vstr_str(&name), vstr_str(&via), depth + 1,
		    pass);
		if (s == SPF_RES_NONE) {
			spf_walk_fail(k, node, SPF_RES_PERMERROR, "%s: %s has no SPF "
			    "record: permerror (RFC 7208 6.1)", vstr_str(&via),
			    vstr_str(&name));
			s = SPF_RES_PERMERROR;
		}
		if (r == SPF_RES_NONE)
			r = s != SPF_RES_PASS ? s :
			    k->w->nodes[before].ip_result;
	}
	if (decide) {
		k->w->nodes[node].ip_result = r;
		k->w->nodes[node].ip_term = vstr_steal(&via);
		k->w->nodes[node].ip_child = tr != 0 || over ? -1 :
		    (long)before;
	}
	vstr_free(&via);
	vstr_free(&name);
}

/*
 * decide - node NODE's client result from the term AT that decided it
 * (DECIDED, and CHILD the include node that matched), or neutral when
 * none did (RFC 7208 4.7)
 */
static void
decide(struct walker *k, size_t node, const struct spf_record *rec,
    enum ipm decided, size_t at, long child)
{
	struct spf_walk_node *n = &k->w->nodes[node];
	struct vstr term = VSTR_INIT;

	if (decided != IPM_NO && decided != IPM_UNKNOWN) {
		spf_walk_term_str(&rec->terms[at], &term);
		n->ip_term = vstr_steal(&term);
		n->ip_child = child;
	}
	switch (decided) {
	case IPM_NO:
		n->ip_result = SPF_RES_NEUTRAL;
		break;
	case IPM_YES:
		n->ip_result = spf_check_qualified(rec->terms[at].qualifier);
		break;
	case IPM_TEMP:
		n->ip_result = SPF_RES_TEMPERROR;
		break;
	case IPM_PERM:
		n->ip_result = SPF_RES_PERMERROR;
		break;
	default:
		n->ip_result = SPF_RES_NONE;	/* the walk cannot tell */
		break;
	}
}

/* walk_terms - node NODE's parsed record, terms then redirect= */
static void
walk_terms(struct walker *k, size_t node, const struct spf_record *rec,
    const char *domain, int depth, int pass)
{
	enum ipm m, decided = IPM_NO;
	size_t i, at = 0;
	long child, dchild = -1;
	int has_all = 0;

	for (i = 0; i < rec->nterms; i++)
		has_all |= rec->terms[i].mech == SPF_MECH_ALL;
	for (i = 0; i < rec->nterms && !k->stopped; i++) {
		child = -1;
		m = spf_walk_term(k, node, &rec->terms[i], domain, depth, pass,
		    &child);
		if (decided == IPM_NO && m != IPM_NO) {
			decided = m;
			at = i;
			dchild = child;
		}
	}
	if (rec->redirect != NULL && has_all)
		spf_walk_warn(k, node, "redirect=%s is never used: the record has an "
		    "all term (RFC 7208 6.1)", rec->redirect);
	else if (rec->redirect != NULL && !k->stopped) {
		walk_redirect(k, node, rec->redirect, domain, depth, pass,
		    decided == IPM_NO);
		if (decided == IPM_NO)
			return;
	} else if (rec->redirect == NULL && !has_all && depth == 0)
		spf_walk_warn(k, node, "no all term: addresses not listed get neutral "
		    "(RFC 7208 4.7), as good as no record");
	if (k->have_ip)
		decide(k, node, rec, decided, at, dchild);
}

/*
 * spf_walk_record - DOMAIN's record as a new node at DEPTH, reached VIA;
 * PASS: every qualifier above was "+".  Returns the node's status.
 */
enum spf_res
spf_walk_record(struct walker *k, const char *domain, const char *via,
    int depth, int pass)
{
	struct spf_record rec;
	enum spf_res s;
	char *text, err[128];
	size_t node = add_node(k->w, domain, via, depth);

	if (!domain_check(domain, WALK_DOMAIN)) {
		spf_walk_fail(k, node, depth > 0 ? SPF_RES_PERMERROR : SPF_RES_NONE,
		    "%s is not a domain name (RFC 7208 4.3)", domain);
		return settle(k, node, depth > 0 ? SPF_RES_PERMERROR :
		    SPF_RES_NONE);
	}
	if (on_path(k, domain, depth)) {
		spf_walk_fail(k, node, SPF_RES_PERMERROR, "loop: %s is already being "
		    "walked above; an evaluation goes round until the lookup "
		    "limit: permerror", domain);
		return settle(k, node, SPF_RES_PERMERROR);
	}
	if (depth >= SPF_WALK_HARD_DEPTH) {
		spf_walk_fail(k, node, SPF_RES_PERMERROR, "walk stopped at depth %d",
		    depth);
		return settle(k, node, SPF_RES_PERMERROR);
	}
	k->path[depth] = domain;
	if ((s = fetch(k, node, domain, &text)) != SPF_RES_PASS)
		return settle(k, node, s);
	k->w->nodes[node].record = text;
	/* RFC 7208 4.6: a syntax error anywhere is a permerror */
	if (spf_record_parse(text, &rec, err, sizeof(err)) != 0) {
		spf_walk_fail(k, node, SPF_RES_PERMERROR, "%s: permerror", err);
		spf_record_clear(&rec);
		return settle(k, node, SPF_RES_PERMERROR);
	}
	walk_terms(k, node, &rec, domain, depth, pass);
	spf_record_clear(&rec);
	return SPF_RES_PASS;
}

/* spf_walk_domain - the whole walk of DOMAIN (see spf_walk.h) */
enum spf_res
spf_walk_domain(struct dns *dns, const char *domain, const char *ip,
    struct spf_walk *out)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	struct walker k;
	enum spf_res s;

	memset(out, 0, sizeof(*out));
	memset(&k, 0, sizeof(k));
	k.dns = dns;
	k.w = out;
	k.top = domain;
	out->result = SPF_RES_PASS;
	if (ip != NULL && inet_pton(AF_INET, ip, k.ip) == 1)
		k.have_ip = k.ip_v4 = 1;
	else if (ip != NULL && inet_pton(AF_INET6, ip, k.ip) == 1) {
		k.have_ip = 1;
		if (memcmp(k.ip, mapped, 12) == 0) {	/* RFC 7208 5 */
			memmove(k.ip, k.ip + 12, 4);
			k.ip_v4 = 1;
		}
	}
	s = spf_walk_record(&k, domain, NULL, 0, 1);
	if (s == SPF_RES_NONE)
		out->result = SPF_RES_NONE;
	return out->result;
}

/* spf_walk_clear - free everything OUT owns; OUT is zeroed */
void
spf_walk_clear(struct spf_walk *w)
{
	size_t i;

	for (i = 0; i < w->nnodes; i++) {
		x_free(w->nodes[i].domain);
		x_free(w->nodes[i].via);
		x_free(w->nodes[i].record);
		x_free(w->nodes[i].ip_term);
	}
	for (i = 0; i < w->nwarns; i++)
		x_free(w->warns[i].text);
	x_free(w->nodes);
	x_free(w->warns);
	x_free(w->nets);
	memset(w, 0, sizeof(*w));
}
