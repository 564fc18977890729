/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_check_mech - the client address and the DNS-querying mechanisms
 * of RFC 7208 5 for spf_check.c: a, mx, ptr, exists, the ip4/ip6
 * comparisons, and the validated %{p} name.
 *
 * DNS results map as RFC 7208 5 says: NXDOMAIN and NODATA are no match
 * and count as void lookups (4.6.4) when they answer the term's own
 * query; SERVFAIL, TIMEOUT and any other error are temperror, except
 * inside the PTR walk (5.5), where a failed lookup only skips a name.
 * Every loop over DNS data stops at SPF_CHECK_MAX_NAMES names.
 *
 * All state is in the caller's struct spf_check_walk (one evaluation,
 * one thread); the DNS layer is shared and thread-safe.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "netset.h"
#include "spf_check_mech.h"
#include "vstr.h"
#include "xmalloc.h"

/*
 * spf_check_walk_init - the client address as bytes and in its macro
 * forms.  RFC 7208 5: an IPv4-mapped IPv6 client (::ffff:a.b.c.d) is an
 * IPv4 client.  No address is special: loopback is judged like any
 * other (libspf2 passes 127.0.0.0/8 unconditionally; we do not).
 */
int
spf_check_walk_init(struct spf_check_walk *w, const char *ip)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	char *p;
	int i, upper;

	if (inet_pton(AF_INET, ip, w->addr) == 1)
		w->v4 = 1;
	else if (inet_pton(AF_INET6, ip, w->addr) == 1) {
		if (memcmp(w->addr, mapped, 12) == 0) {
			memmove(w->addr, w->addr + 12, 4);
			memset(w->addr + 4, 0, 12);
			w->v4 = 1;
		}
	} else
		return -1;
	if (w->v4) {
		inet_ntop(AF_INET, w->addr, w->ip_text, sizeof(w->ip_text));
		snprintf(w->ip_dotted, sizeof(w->ip_dotted), "%s", w->ip_text);
		return 0;
	}
	inet_ntop(AF_INET6, w->addr, w->ip_text, sizeof(w->ip_text));
	/*
	 * RFC 7208 7.3: %{i} of IPv6 is 32 dot-separated nibbles.  They
	 * keep the case the address was written in, as the suite's
	 * reference implementation does (its v-macro-ip6 explanation
	 * depends on it); DNS names compare case-blind (RFC 4343).
	 */
	upper = strpbrk(ip, "ABCDEF") != NULL;
	for (i = 0, p = w->ip_dotted; i < 16; i++, p += 4)
		snprintf(p, 5, upper ? "%X.%X." : "%x.%x.", w->addr[i] >> 4,
		    w->addr[i] & 15);
	w->ip_dotted[63] = '\0';
	return 0;
}

/* spf_check_walk_clear - free what the walk owns */
void
spf_check_walk_clear(struct spf_check_walk *w)
{
	x_free(w->local);
	x_free(w->ptr);
	w->local = w->ptr = NULL;
}

/* reverse_name - the in-addr.arpa / ip6.arpa name of the client */
static void
reverse_name(const struct spf_check_walk *w, struct vstr *out)
{
	int i;

	if (w->v4) {
		vstr_catf(out, "%u.%u.%u.%u.in-addr.arpa", w->addr[3],
		    w->addr[2], w->addr[1], w->addr[0]);
		return;
	}
	for (i = 15; i >= 0; i--)
		vstr_catf(out, "%x.%x.", w->addr[i] & 15, w->addr[i] >> 4);
	vstr_cat(out, "ip6.arpa");
}

/* addr_in - whether the client is inside ADDR/BITS of its family */
static int
addr_in(const struct spf_check_walk *w, const unsigned char *addr, int bits)
{
	return netset_prefix_eq(w->addr, addr, bits);
}

/* spf_check_ip - ip4/ip6: same family and inside the network */
int
spf_check_ip(const struct spf_check_walk *w, const struct spf_term *t)
{
	if (t->mech == SPF_MECH_IP4)
		return w->v4 && addr_in(w, t->addr, t->cidr4 < 0 ? 32 :
		    t->cidr4);
	return !w->v4 && addr_in(w, t->addr, t->cidr6 < 0 ? 128 : t->cidr6);
}

/* rr_addr_in - whether an A/AAAA record's network covers the client */
static int
rr_addr_in(const struct spf_check_walk *w, const struct dns_rr *rr,
    int cidr4, int cidr6)
{
	if (w->v4 && rr->family == AF_INET)
		return addr_in(w, rr->addr, cidr4 < 0 ? 32 : cidr4);
	if (!w->v4 && rr->family == AF_INET6)
		return addr_in(w, rr->addr, cidr6 < 0 ? 128 : cidr6);
	return 0;
}

/*
 * classify - a DNS status as a match result.  With OWN (the term's own
 * query) NXDOMAIN and NODATA count as void lookups.
 */
static enum spf_check_match
classify(struct spf_check_walk *w, enum dns_status st, int own)
{
	switch (st) {
	case DNS_OK:
		return SPF_CHECK_NO;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		/* RFC 7208 4.6.4: more than two void lookups is a permerror */
		if (own && ++w->voids > SPF_CHECK_MAX_VOIDS)
			return SPF_CHECK_PERM;
		return SPF_CHECK_NO;
	default:
		return SPF_CHECK_TEMP;	/* RFC 7208 5: DNS error */
	}
}

/* addr_match - NAME's A or AAAA (by client family) against the client */
static enum spf_check_match
addr_match(struct spf_check_walk *w, const char *name, int cidr4, int cidr6,
    int own)
{
	struct dns_answer *a;
	enum spf_check_match m;
	size_t i, n;

	a = dns_query(w->dns, name, w->v4 ? DNS_T_A : DNS_T_AAAA);
	m = classify(w, a->status, own);
	n = a->status == DNS_OK ? a->n : 0;
	for (i = 0; m == SPF_CHECK_NO && i < n; i++)
		if (rr_addr_in(w, &a->rr[i], cidr4, cidr6))
			m = SPF_CHECK_YES;
	dns_answer_free(a);
	return m;
}

/* spf_check_mech_a - RFC 7208 5.3 "a" at NAME with dual CIDR */
enum spf_check_match
spf_check_mech_a(struct spf_check_walk *w, const char *name,
    const struct spf_term *t)
{
	return addr_match(w, name, t->cidr4, t->cidr6, 1);
}

/*
 * spf_check_mech_mx - RFC 7208 5.4 "mx": the addresses of NAME's
 * exchanges.  4.6.4: more than ten MX names is a permerror.  The
 * exchanges' own address lookups are not the term's query: they do not
 * count as voids, but their DNS errors are temperror (5).
 */
enum spf_check_match
spf_check_mech_mx(struct spf_check_walk *w, const char *name,
    const struct spf_term *t)
{
	struct dns_answer *a;
	enum spf_check_match m;
	const char *host;
	size_t i, n;

	a = dns_query(w->dns, name, DNS_T_MX);
	m = classify(w, a->status, 1);
	n = a->status == DNS_OK ? a->n : 0;
	if (n > SPF_CHECK_MAX_NAMES)
		m = SPF_CHECK_PERM;
	for (i = 0; m == SPF_CHECK_NO && i < n; i++) {
		if ((host = a->rr[i].text) == NULL)
			continue;
		if (strcmp(host, ".") != 0)	/* RFC 7505 null MX */
			m = addr_match(w, host, t->cidr4, t->cidr6, 0);
	}
	dns_answer_free(a);
	return m;
}

/* spf_check_mech_exists - RFC 7208 5.7: any A record at NAME */
enum spf_check_match
spf_check_mech_exists(struct spf_check_walk *w, const char *name)
{
	struct dns_answer *a;
	enum spf_check_match m;

	a = dns_query(w->dns, name, DNS_T_A);
	m = classify(w, a->status, 1);
	if (m == SPF_CHECK_NO && a->status == DNS_OK)
		m = SPF_CHECK_YES;
	dns_answer_free(a);
	return m;
}

/*
 * validated - RFC 7208 5.5 steps: the client's PTR names (at most ten,
 * 4.6.4) whose addresses include the client.  Calls FN for each until it
 * returns nonzero; returns the classification of the PTR query itself
 * (counted as the term's own lookup when OWN).  Errors looking up a
 * name's addresses skip that name.
 */
static enum spf_check_match
validated(struct spf_check_walk *w, int own,
    int (*fn)(struct spf_check_walk *, const char *, const void *),
    const void *arg)
{
	struct vstr rev = VSTR_INIT;
	struct dns_answer *a;
	enum spf_check_match m;
	char *name;
	size_t i, n, len;
	int done = 0;

	reverse_name(w, &rev);
	a = dns_query(w->dns, vstr_str(&rev), DNS_T_PTR);
	vstr_free(&rev);
	m = classify(w, a->status, own);
	n = a->status == DNS_OK ? a->n : 0;
	for (i = 0; m == SPF_CHECK_NO && !done && i < n &&
	    i < SPF_CHECK_MAX_NAMES; i++) {
		if (a->rr[i].text == NULL)
			continue;
		/* without the trailing dot, "." itself kept */
		len = a->rr[i].len;
		name = xstrndup(a->rr[i].text, len > 1 &&
		    a->rr[i].text[len - 1] == '.' ? len - 1 : len);
		if (addr_match(w, name, -1, -1, 0) == SPF_CHECK_YES)
			done = fn(w, name, arg);
		x_free(name);
	}
	dns_answer_free(a);
	if (m == SPF_CHECK_TEMP)
		m = SPF_CHECK_NO;	/* RFC 7208 5.5: a DNS error: no match */
	return m == SPF_CHECK_NO && done ? SPF_CHECK_YES : m;
}

/* ptr_in_domain - validated NAME is the target domain or under it */
static int
ptr_in_domain(struct spf_check_walk *w, const char *name, const void *arg)
{
	(void)w;
	return domain_is_under(name, arg);
}

/* spf_check_mech_ptr - RFC 7208 5.5 "ptr" for target NAME */
enum spf_check_match
spf_check_mech_ptr(struct spf_check_walk *w, const char *name)
{
	return validated(w, 1, ptr_in_domain, name);
}

/* ptr_pick - remember a validated name for %{p}; stop at one in DOMAIN */
static int
ptr_pick(struct spf_check_walk *w, const char *name, const void *arg)
{
	int in = domain_is_under(name, arg);

	if (w->ptr == NULL || in) {
		x_free(w->ptr);
		w->ptr = xstrdup(name);
	}
	return in;
}

/*
 * spf_check_ptr_macro - RFC 7208 7.3 %{p}: a validated name, one equal
 * to or under DOMAIN preferred, else "unknown" (ptr stays NULL).  Done
 * once per evaluation; it is not a term, so it counts no lookups.
 */
void
spf_check_ptr_macro(struct spf_check_walk *w, const char *domain)
{
	if (w->ptr_done)
		return;
	w->ptr_done = 1;
	(void)validated(w, 0, ptr_pick, domain);
}
