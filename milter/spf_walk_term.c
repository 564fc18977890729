/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_walk_term - one term of a record walked (spf_walk_int.h): ip4/ip6
 * as they are, a and mx resolved with the term's CIDR lengths, include
 * walked through spf_walk_record; each DNS-querying term counted against
 * RFC 7208 4.6.4's limits, its void lookups too; ptr, exists and
 * macros that depend on the message left out with a warning.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "dns.h"
#include "netset.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "spf_walk.h"
#include "spf_walk_int.h"
#include "vstr.h"
#include "xmalloc.h"

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

/* spf_walk_term_str - a term as written (modulo case and a default "+") */
void
spf_walk_term_str(const struct spf_term *t, struct vstr *out)
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
 * spf_walk_count_lookup - RFC 7208 4.6.4: one more DNS-querying term; the
 * eleventh makes the record a permerror for every client that gets that
 * far.  Returns nonzero when this term is over the limit.
 */
int
spf_walk_count_lookup(struct walker *k, size_t node, const char *term)
{
	k->w->nodes[node].lookups++;
	if (++k->w->lookups <= SPF_WALK_MAX_LOOKUPS)
		return 0;
	if (!k->over_warned) {
		k->over_warned = 1;
		spf_walk_fail(k, node, SPF_RES_PERMERROR, "%s is DNS lookup %d, over "
		    "the limit of %d (RFC "
		    "7208 4.6.4): permerror for every address not matched "
		    "before it", term, k->w->lookups, SPF_WALK_MAX_LOOKUPS);
	}
	spf_walk_worse(k->w, SPF_RES_PERMERROR);
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
			spf_walk_fail(k, node, SPF_RES_PERMERROR, "%s is void lookup "
			    "%d, over the limit of %d (RFC 7208 4.6.4): "
			    "permerror", term,
			    k->w->voids, SPF_WALK_MAX_VOIDS);
		}
		spf_walk_worse(k->w, SPF_RES_PERMERROR);
		return IPM_PERM;
	default:
		spf_walk_fail(k, node, SPF_RES_TEMPERROR, "%s: DNS %s: temperror", term,
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
		spf_walk_fail(k, node, SPF_RES_PERMERROR, "%s: %zu MX names, over the "
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
		spf_walk_warn(k, node, "%s: ptr is deprecated (RFC 7208 5.5) and "
		    "depends on the client's reverse DNS: left out", term);
	else if (t->mech == SPF_MECH_EXISTS)
		spf_walk_warn(k, node, "%s: exists tests a name, not an address: "
		    "left out", term);
	else
		return 0;
	return 1;
}

/*
 * spf_walk_target - the name a term or redirect= (TERM, of node NODE, in
 * DOMAIN's record) points at: SPEC, or DOMAIN without one.  Macros (RFC
 * 7208 7.2) are expanded when they use only %{d} (the record's domain)
 * and %{o} (the domain walked, as the sender's); any other letter
 * depends on the message, and WHAT ("this term is") is left out.
 * Returns 0 with NAME set, 1 when left out, -1 when the expansion is a
 * permerror.  Both warned.
 */
int
spf_walk_target(struct walker *k, size_t node, const char *term,
    const char *spec,
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
		spf_walk_warn(k, node, "%s: macro%s %s depend%s on %s: %s left out",
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
		spf_walk_fail(k, node, SPF_RES_PERMERROR, "%s: the macro expansion "
		    "fails: permerror", term);
		return -1;
	}
	spf_macro_truncate(name);	/* RFC 7208 7.3 */
	return 0;
}

/*
 * spf_walk_term - one term of node NODE (DOMAIN's record): networks, lookups
 * and warnings; what it does for the client
 */
enum ipm
spf_walk_term(struct walker *k, size_t node, const struct spf_term *t,
    const char *domain, int depth, int pass, long *child)
{
	struct vstr term = VSTR_INIT, target_name = VSTR_INIT;
	const char *name;
	enum ipm m = IPM_NO, sub;
	enum spf_res r;
	size_t before;
	int fam, len, tr;

	spf_walk_term_str(t, &term);
	pass = pass && t->qualifier == '+';
	switch (t->mech) {
	case SPF_MECH_ALL:
		if (t->qualifier == '+' || t->qualifier == '?')
			spf_walk_warn(k, node, "%call: every address %s", t->qualifier,
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
		if (spf_walk_count_lookup(k, node, vstr_str(&term))) {
			m = IPM_PERM;
			if (k->w->lookups > SPF_WALK_HARD_LOOKUPS) {
				if (!k->stopped)
					spf_walk_fail(k, node, SPF_RES_PERMERROR,
					    "walk stopped after %d lookups",
					    SPF_WALK_HARD_LOOKUPS);
				k->stopped = 1;
				break;
			}
		}
		if (left_out(k, node, t, vstr_str(&term)) ||
		    (tr = spf_walk_target(k, node, vstr_str(&term), t->domain_spec,
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
			r = spf_walk_record(k, name, vstr_str(&term), depth + 1,
			    pass);
			if (r == SPF_RES_NONE) {
				spf_walk_fail(k, node, SPF_RES_PERMERROR, "%s: %s has "
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
