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
#include "netset.h"
#include "spf_check.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "spf_walk.h"
#include "vstr.h"
#include "xmalloc.h"

/* RFC 7208 4.3, 7.3: what a target name may be (as spf_check.c) */
#define WALK_DOMAIN	(DOMAIN_PRINTABLE | DOMAIN_TRAILING_DOT | \
			    DOMAIN_MULTI_LABEL)

/* What a term does for the client address, while walking. */
enum ipm {
	IPM_NO = 0,		/* no match: go on */
	IPM_YES,		/* matches: the term's qualifier decides */
	IPM_UNKNOWN,		/* the walk cannot tell (ptr, exists, macro) */
	IPM_TEMP,
	IPM_PERM
};

struct walker {
	struct dns	*dns;
	struct spf_walk	*w;
	const char	*top;		/* the domain walked: %{o} */
	int		 have_ip, ip_v4;
	unsigned char	 ip[16];
	const char	*path[SPF_WALK_HARD_DEPTH + 1];	/* domains above */
	int		 over_warned;
	int		 voids_warned;
	int		 stopped;
};

static enum spf_res walk_record(struct walker *, const char *domain,
	    const char *via, int depth, int pass);

/* GROW - make room for one more element in ARR (N used, CAP allocated) */
#define GROW(arr, n, cap) do {						\
	if ((n) == (cap)) {						\
		(cap) = (cap) != 0 ? (cap) * 2 : 8;			\
		(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));	\
	}								\
} while (0)

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

/* warn - a warning about node NODE that breaks nothing */
static void
warn(struct walker *k, size_t node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(k, node, SPF_RES_PASS, fmt, ap);
	va_end(ap);
}

/* worse - the walk's overall result, errors winning over success */
static void
worse(struct spf_walk *w, enum spf_res r)
{
	if (r == SPF_RES_PERMERROR || (r == SPF_RES_TEMPERROR &&
	    w->result != SPF_RES_PERMERROR))
		w->result = r;
}

/*
 * fail - a warning about node NODE that makes the walk RES (TEMPERROR,
 * PERMERROR, or NONE for a top domain that cannot be walked): the
 * reason spf_walk_domain() returns it
 */
static void
fail(struct walker *k, size_t node, enum spf_res res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(k, node, res, fmt, ap);
	va_end(ap);
	worse(k->w, res);
}

/* add_net - a pass network, host bits cleared */
static void
add_net(struct spf_walk *w, int family, const unsigned char *addr, int len)
{
	GROW(w->nets, w->nnets, w->capnets);
	netset_net_set(&w->nets[w->nnets++], family, addr, len);
}

/* in_net - whether the client is inside FAMILY ADDR/LEN */
static int
in_net(const struct walker *k, int family, const unsigned char *addr,
    int len)
{
	return k->have_ip && (family == AF_INET) == k->ip_v4 &&
	    netset_prefix_eq(k->ip, addr, len);
}

/* term_str - a term as written (modulo case and a default "+") */
static void
term_str(const struct spf_term *t, struct vstr *out)
{
	static const char *const names[] = { "all", "include", "a", "mx",
	    "ptr", "ip4", "ip6", "exists" };
	char buf[INET6_ADDRSTRLEN];

	if (t->qualifier != '+')
		vstr_catc(out, t->qualifier);
	vstr_cat(out, names[t->mech]);
	if (t->mech == SPF_MECH_IP4 || t->mech == SPF_MECH_IP6) {
		inet_ntop(t->mech == SPF_MECH_IP4 ? AF_INET : AF_INET6,
		    t->addr, buf, sizeof(buf));
		vstr_catf(out, ":%s", buf);
	} else if (t->domain_spec != NULL)
		vstr_catf(out, ":%s", t->domain_spec);
	if (t->mech == SPF_MECH_IP6 ? t->cidr6 >= 0 : t->cidr4 >= 0)
		vstr_catf(out, "/%d", t->mech == SPF_MECH_IP6 ? t->cidr6 :
		    t->cidr4);
	if (t->mech != SPF_MECH_IP6 && t->cidr6 >= 0)
		vstr_catf(out, "//%d", t->cidr6);
}

/*
 * count_lookup - RFC 7208 4.6.4: one more DNS-querying term; the
 * eleventh makes the record a permerror for every client that gets that
 * far.  Returns nonzero when this term is over the limit.
 */
static int
count_lookup(struct walker *k, size_t node, const char *term)
{
	k->w->nodes[node].lookups++;
	if (++k->w->lookups <= SPF_WALK_MAX_LOOKUPS)
		return 0;
	if (!k->over_warned) {
		k->over_warned = 1;
		fail(k, node, SPF_RES_PERMERROR, "%s is DNS lookup %d, over "
		    "the limit of %d (RFC "
		    "7208 4.6.4): permerror for every address not matched "
		    "before it", term, k->w->lookups, SPF_WALK_MAX_LOOKUPS);
	}
	worse(k->w, SPF_RES_PERMERROR);
	return 1;
}

/*
 * classify - a term's own query: NXDOMAIN and NODATA are void lookups
 * (RFC 7208 4.6.4: more than two is a permerror), other errors
 * temperror (5).  Returns the status as an ipm: NO when answered.
 */
static enum ipm
classify(struct walker *k, size_t node, const char *term,
    enum dns_status st)
{
	switch (st) {
	case DNS_OK:
		return IPM_NO;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		k->w->nodes[node].voids++;
		if (++k->w->voids <= SPF_WALK_MAX_VOIDS)
			return IPM_NO;
		if (!k->voids_warned) {
			k->voids_warned = 1;
			fail(k, node, SPF_RES_PERMERROR, "%s is void lookup "
			    "%d, over the limit of %d (RFC 7208 4.6.4): "
			    "permerror", term,
			    k->w->voids, SPF_WALK_MAX_VOIDS);
		}
		worse(k->w, SPF_RES_PERMERROR);
		return IPM_PERM;
	default:
		fail(k, node, SPF_RES_TEMPERROR, "%s: DNS %s: temperror", term,
		    dns_status_str(st));
		return IPM_TEMP;
	}
}

/*
 * addresses - NAME's A and AAAA records as networks of CIDR4/CIDR6
 * (pass networks when PASS); whether one covers the client.  OWN: the
 * term's own query, whose emptiness is a void lookup -- counted when
 * neither family has an address, so void for every client.
 */
static enum ipm
addresses(struct walker *k, size_t node, const char *term, const char *name,
    const struct spf_term *t, int pass, int own)
{
	static const enum dns_type types[2] = { DNS_T_A, DNS_T_AAAA };
	struct dns_answer *a;
	enum dns_status st[2];
	enum ipm m = IPM_NO;
	size_t i;
	int j, len;

	for (j = 0; j < 2; j++) {
		a = dns_query(k->dns, name, types[j]);
		st[j] = a->status;
		for (i = 0; a->status == DNS_OK && i < a->n; i++) {
			if (a->rr[i].family != (j == 0 ? AF_INET : AF_INET6))
				continue;
			len = j == 0 ? (t->cidr4 < 0 ? 32 : t->cidr4) :
			    (t->cidr6 < 0 ? 128 : t->cidr6);
			if (pass)
				add_net(k->w, a->rr[i].family, a->rr[i].addr,
				    len);
			if (in_net(k, a->rr[i].family, a->rr[i].addr, len))
				m = IPM_YES;
		}
		dns_answer_free(a);
	}
	for (j = 0; j < 2; j++)
		if (st[j] != DNS_OK && st[j] != DNS_NXDOMAIN &&
		    st[j] != DNS_NODATA)
			return classify(k, node, term, st[j]);
	if (own && st[0] != DNS_OK && st[1] != DNS_OK)
		return classify(k, node, term, st[0]);
	return m;
}

/* mech_mx - RFC 7208 5.4: the exchanges' addresses */
static enum ipm
mech_mx(struct walker *k, size_t node, const char *term, const char *name,
    const struct spf_term *t, int pass)
{
	struct dns_answer *a;
	enum ipm m, r;
	size_t i;

	a = dns_query(k->dns, name, DNS_T_MX);
	m = classify(k, node, term, a->status);
	if (a->status == DNS_OK && a->n > SPF_WALK_MAX_NAMES) {
		fail(k, node, SPF_RES_PERMERROR, "%s: %zu MX names, over the "
		    "limit of %d (RFC 7208 4.6.4): permerror", term, a->n,
		    SPF_WALK_MAX_NAMES);
		m = IPM_PERM;
	}
	for (i = 0; m != IPM_PERM && a->status == DNS_OK && i < a->n &&
	    i < SPF_WALK_MAX_NAMES; i++) {
		if (a->rr[i].text == NULL || strcmp(a->rr[i].text, ".") == 0)
			continue;	/* RFC 7505 null MX */
		r = addresses(k, node, term, a->rr[i].text, t, pass, 0);
		if (m == IPM_NO)
			m = r;
	}
	dns_answer_free(a);
	return m;
}

/*
 * include_ipm - RFC 7208 5.2: what an included record's result means
 * for the include term
 */
static enum ipm
include_ipm(enum spf_res r)
{
	switch (r) {
	case SPF_RES_PASS:
		return IPM_YES;
	case SPF_RES_FAIL:
	case SPF_RES_SOFTFAIL:
	case SPF_RES_NEUTRAL:
		return IPM_NO;
	case SPF_RES_TEMPERROR:
		return IPM_TEMP;
	case SPF_RES_NONE:
		return IPM_UNKNOWN;	/* the walk could not tell */
	default:
		return IPM_PERM;
	}
}

/*
 * left_out - a term that cannot be flattened: ptr (RFC 7208 5.5,
 * deprecated) and exists (5.7) depend on the client
 */
static int
left_out(struct walker *k, size_t node, const struct spf_term *t,
    const char *term)
{
	if (t->mech == SPF_MECH_PTR)
		warn(k, node, "%s: ptr is deprecated (RFC 7208 5.5) and "
		    "depends on the client's reverse DNS: left out", term);
	else if (t->mech == SPF_MECH_EXISTS)
		warn(k, node, "%s: exists tests a name, not an address: "
		    "left out", term);
	else
		return 0;
	return 1;
}

/*
 * target - the name a term or redirect= (TERM, of node NODE, in
 * DOMAIN's record) points at: SPEC, or DOMAIN without one.  Macros (RFC
 * 7208 7.2) are expanded when they use only %{d} (the record's domain)
 * and %{o} (the domain walked, as the sender's); any other letter
 * depends on the message, and WHAT ("this term is") is left out.
 * Returns 0 with NAME set, 1 when left out, -1 when the expansion is a
 * permerror.  Both warned.
 */
static int
target(struct walker *k, size_t node, const char *term, const char *spec,
    const char *domain, const char *what, struct vstr *name)
{
	static const struct {
		char		 letter;
		const char	*what;
	} message[] = {
		{ 's', "the sender" }, { 'l', "the sender's local part" },
		{ 'i', "the client's address" }, { 'c', "the client's address" },
		{ 'v', "the client's address family" },
		{ 'p', "the client's reverse DNS" }, { 'h', "the HELO name" },
		{ 'r', "the receiving host" }, { 't', "the time" },
	};
	struct spf_macro_env env;
	struct vstr letters = VSTR_INIT, whats = VSTR_INIT;
	size_t i, n = 0;

	vstr_reset(name);
	if (spec == NULL || strchr(spec, '%') == NULL) {
		vstr_cat(name, spec != NULL ? spec : domain);
		return 0;
	}
	for (i = 0; i < sizeof(message) / sizeof(message[0]); i++) {
		if (!spf_macro_uses(spec, message[i].letter))
			continue;
		vstr_catf(&letters, "%s%%{%c}", n++ > 0 ? ", " : "",
		    message[i].letter);
		if (strstr(vstr_str(&whats), message[i].what) == NULL)
			vstr_catf(&whats, "%s%s", whats.len > 0 ? ", " : "",
			    message[i].what);
	}
	if (n > 0) {
		warn(k, node, "%s: macro%s %s depend%s on %s: %s left out",
		    term, n > 1 ? "s" : "", vstr_str(&letters),
		    n > 1 ? "" : "s", vstr_str(&whats), what);
		vstr_free(&letters);
		vstr_free(&whats);
		return 1;
	}
	memset(&env, 0, sizeof(env));
	env.domain = domain;
	env.sender_domain = k->top;
	if (spf_macro_expand(spec, &env, name) != 0) {
		fail(k, node, SPF_RES_PERMERROR, "%s: the macro expansion "
		    "fails: permerror", term);
		return -1;
	}
	spf_macro_truncate(name);	/* RFC 7208 7.3 */
	return 0;
}

/*
 * walk_term - one term of node NODE (DOMAIN's record): networks, lookups
 * and warnings; what it does for the client
 */
static enum ipm
walk_term(struct walker *k, size_t node, const struct spf_term *t,
    const char *domain, int depth, int pass, long *child)
{
	struct vstr term = VSTR_INIT, target_name = VSTR_INIT;
	const char *name;
	enum ipm m = IPM_NO, sub;
	enum spf_res r;
	size_t before;
	int fam, len, tr;

	term_str(t, &term);
	pass = pass && t->qualifier == '+';
	switch (t->mech) {
	case SPF_MECH_ALL:
		if (t->qualifier == '+' || t->qualifier == '?')
			warn(k, node, "%call: every address %s", t->qualifier,
			    t->qualifier == '+' ? "passes" : "not listed "
			    "before it is neutral (as good as no record)");
		m = IPM_YES;
		break;
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		fam = t->mech == SPF_MECH_IP4 ? AF_INET : AF_INET6;
		len = fam == AF_INET ? (t->cidr4 < 0 ? 32 : t->cidr4) :
		    (t->cidr6 < 0 ? 128 : t->cidr6);
		if (pass)
			add_net(k->w, fam, t->addr, len);
		m = in_net(k, fam, t->addr, len) ? IPM_YES : IPM_NO;
		break;
	default:
		if (count_lookup(k, node, vstr_str(&term))) {
			m = IPM_PERM;
			if (k->w->lookups > SPF_WALK_HARD_LOOKUPS) {
				if (!k->stopped)
					fail(k, node, SPF_RES_PERMERROR,
					    "walk stopped after %d lookups",
					    SPF_WALK_HARD_LOOKUPS);
				k->stopped = 1;
				break;
			}
		}
		if (left_out(k, node, t, vstr_str(&term)) ||
		    (tr = target(k, node, vstr_str(&term), t->domain_spec,
		    domain, t->mech == SPF_MECH_INCLUDE ? "the included "
		    "record and all below it are" : "this term is",
		    &target_name)) == 1) {
			if (m == IPM_NO)
				m = IPM_UNKNOWN;
			break;
		}
		if (tr != 0) {
			m = IPM_PERM;
			break;
		}
		name = vstr_str(&target_name);
		if (t->mech == SPF_MECH_INCLUDE) {
			before = k->w->nnodes;
			r = walk_record(k, name, vstr_str(&term), depth + 1,
			    pass);
			if (r == SPF_RES_NONE) {
				fail(k, node, SPF_RES_PERMERROR, "%s: %s has "
				    "no SPF record: permerror (RFC 7208 5.2)",
				    vstr_str(&term), name);
				r = SPF_RES_PERMERROR;
			}
			if (m == IPM_NO) {
				m = include_ipm(r != SPF_RES_PASS ? r :
				    k->w->nodes[before].ip_result);
				*child = (long)before;
			}
		} else {
			if (t->mech == SPF_MECH_A)
				sub = addresses(k, node, vstr_str(&term), name,
				    t, pass, 1);
			else
				sub = mech_mx(k, node, vstr_str(&term), name,
				    t, pass);
			if (m == IPM_NO)
				m = sub;
		}
		break;
	}
	vstr_free(&term);
	vstr_free(&target_name);
	return m;
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
		fail(k, node, SPF_RES_TEMPERROR, "TXT %s: DNS %s: temperror",
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
				warn(k, node, "the record's TXT strings split "
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
		fail(k, node, SPF_RES_PERMERROR, "the record holds a NUL byte: "
		    "permerror");
	else if (found > 1)
		fail(k, node, SPF_RES_PERMERROR, "%zu v=spf1 records: "
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
		worse(k->w, s);
	return s;
}

/*
 * walk_redirect - RFC 7208 6.1: node NODE's redirect= to SPEC (in
 * DOMAIN's record, macros as target() expands them), whose record's
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
	if ((over = count_lookup(k, node, vstr_str(&via))))
		r = SPF_RES_PERMERROR;
	tr = target(k, node, vstr_str(&via), spec, domain, "the redirected "
	    "record and all below it are", &name);
	if (tr < 0)
		r = SPF_RES_PERMERROR;
	else if (tr == 0) {
		s = walk_record(k, vstr_str(&name), vstr_str(&via), depth + 1,
		    pass);
		if (s == SPF_RES_NONE) {
			fail(k, node, SPF_RES_PERMERROR, "%s: %s has no SPF "
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
		term_str(&rec->terms[at], &term);
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
		m = walk_term(k, node, &rec->terms[i], domain, depth, pass,
		    &child);
		if (decided == IPM_NO && m != IPM_NO) {
			decided = m;
			at = i;
			dchild = child;
		}
	}
	if (rec->redirect != NULL && has_all)
		warn(k, node, "redirect=%s is never used: the record has an "
		    "all term (RFC 7208 6.1)", rec->redirect);
	else if (rec->redirect != NULL && !k->stopped) {
		walk_redirect(k, node, rec->redirect, domain, depth, pass,
		    decided == IPM_NO);
		if (decided == IPM_NO)
			return;
	} else if (rec->redirect == NULL && !has_all && depth == 0)
		warn(k, node, "no all term: addresses not listed get neutral "
		    "(RFC 7208 4.7), as good as no record");
	if (k->have_ip)
		decide(k, node, rec, decided, at, dchild);
}

/*
 * walk_record - DOMAIN's record as a new node at DEPTH, reached VIA;
 * PASS: every qualifier above was "+".  Returns the node's status.
 */
static enum spf_res
walk_record(struct walker *k, const char *domain, const char *via,
    int depth, int pass)
{
	struct spf_record rec;
	enum spf_res s;
	char *text, err[128];
	size_t node = add_node(k->w, domain, via, depth);

	if (!domain_check(domain, WALK_DOMAIN)) {
		fail(k, node, depth > 0 ? SPF_RES_PERMERROR : SPF_RES_NONE,
		    "%s is not a domain name (RFC 7208 4.3)", domain);
		return settle(k, node, depth > 0 ? SPF_RES_PERMERROR :
		    SPF_RES_NONE);
	}
	if (on_path(k, domain, depth)) {
		fail(k, node, SPF_RES_PERMERROR, "loop: %s is already being "
		    "walked above; an evaluation goes round until the lookup "
		    "limit: permerror", domain);
		return settle(k, node, SPF_RES_PERMERROR);
	}
	if (depth >= SPF_WALK_HARD_DEPTH) {
		fail(k, node, SPF_RES_PERMERROR, "walk stopped at depth %d",
		    depth);
		return settle(k, node, SPF_RES_PERMERROR);
	}
	k->path[depth] = domain;
	if ((s = fetch(k, node, domain, &text)) != SPF_RES_PASS)
		return settle(k, node, s);
	k->w->nodes[node].record = text;
	/* RFC 7208 4.6: a syntax error anywhere is a permerror */
	if (spf_record_parse(text, &rec, err, sizeof(err)) != 0) {
		fail(k, node, SPF_RES_PERMERROR, "%s: permerror", err);
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
	s = walk_record(&k, domain, NULL, 0, 1);
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
