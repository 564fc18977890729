/*
 * spf_check - RFC 7208 check_host() and the per-message identities.
 *
 * One struct walk carries what a whole evaluation shares: the client
 * address, the DNS-lookup and void-lookup counters (RFC 7208 4.6.4, ten
 * and two across every include and redirect), and the lazily resolved
 * %{p} name.  Records are fetched, validated whole (spf_record), then
 * their terms evaluated left to right; include recurses with a fresh
 * explanation slot (6.2: an included record's exp= is not used),
 * redirect hands over the caller's.  DNS trouble is temperror, never a
 * pass; NXDOMAIN and NODATA are "void".
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dns.h"
#include "spf_check.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "vstr.h"
#include "xmalloc.h"

#define MAX_LOOKUPS	10	/* RFC 7208 4.6.4 */
#define MAX_VOIDS	2	/* RFC 7208 4.6.4 */
#define MAX_NAMES	10	/* MX and PTR names per mechanism */

enum match {
	M_NO = 0,
	M_YES,
	M_TEMP,		/* temperror */
	M_PERM		/* permerror */
};

struct walk {
	struct dns		*dns;
	const struct spf_check_req *req;
	unsigned char		 addr[16];
	int			 v4;
	char			 ip_dotted[80];
	char			 ip_text[INET6_ADDRSTRLEN];
	char			 local[256];
	const char		*sender_domain;
	int			 lookups;
	int			 voids;
	char			*ptr;		/* validated %{p}, lazily */
};

static enum spf_res check_host(struct walk *, const char *, struct vstr *);

/* valid_domain - RFC 7208 4.3: a multi-label FQDN, labels 1-63 */
static int
valid_domain(const char *d)
{
	size_t len = strlen(d), label = 0, labels = 0;
	const char *p;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return 0;
	for (p = d; p < d + len; p++) {
		if (*p == '.') {
			if (label == 0)
				return 0;
			label = 0;
			labels++;
		} else if (++label > 63 || (unsigned char)*p <= 0x20 ||
		    (unsigned char)*p >= 0x7f)
			return 0;
	}
	return label > 0 && labels >= 1;
}

/* init_addr - client address as bytes and in the macro forms */
static int
init_addr(struct walk *w, const char *ip)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	char *p;
	int i;

	if (inet_pton(AF_INET, ip, w->addr) == 1)
		w->v4 = 1;
	else if (inet_pton(AF_INET6, ip, w->addr) == 1) {
		/* RFC 7208 5: an IPv4-mapped client is an IPv4 client. */
		if (memcmp(w->addr, mapped, 12) == 0) {
			memmove(w->addr, w->addr + 12, 4);
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
	 * RFC 7208 7.3: %{i} of IPv6 is dot-separated nibbles.  They keep
	 * the case the address was written in, as the suite's reference
	 * implementation does; DNS does not care.
	 */
	for (i = 0, p = w->ip_dotted; i < 16; i++, p += 4)
		snprintf(p, 5, strpbrk(ip, "ABCDEF") != NULL ? "%X.%X." :
		    "%x.%x.", w->addr[i] >> 4, w->addr[i] & 15);
	w->ip_dotted[63] = '\0';
	return 0;
}

/* reverse_name - the in-addr.arpa / ip6.arpa name of the client */
static void
reverse_name(const struct walk *w, struct vstr *out)
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
addr_in(const struct walk *w, const unsigned char *addr, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(w->addr, addr, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((w->addr[full] ^ addr[full]) &
	    (0xff << (8 - rest)) & 0xff) == 0;
}

/* rr_addr_in - whether an A/AAAA record's address covers the client */
static int
rr_addr_in(const struct walk *w, const ldns_rr *rr, int cidr4, int cidr6)
{
	const ldns_rdf *rd = ldns_rr_rdf(rr, 0);

	if (rd == NULL)
		return 0;
	if (w->v4 && ldns_rdf_get_type(rd) == LDNS_RDF_TYPE_A)
		return addr_in(w, ldns_rdf_data(rd), cidr4 < 0 ? 32 : cidr4);
	if (!w->v4 && ldns_rdf_get_type(rd) == LDNS_RDF_TYPE_AAAA)
		return addr_in(w, ldns_rdf_data(rd), cidr6 < 0 ? 128 : cidr6);
	return 0;
}

/* classify - a DNS status as a match error, or M_NO; counts voids */
static enum match
classify(struct walk *w, enum dns_status st)
{
	switch (st) {
	case DNS_OK:
		return M_NO;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		/* RFC 7208 4.6.4: more than two void lookups is permerror */
		return ++w->voids > MAX_VOIDS ? M_PERM : M_NO;
	default:
		return M_TEMP;
	}
}

/* count_lookup - RFC 7208 4.6.4: at most ten DNS-querying terms */
static int
count_lookup(struct walk *w)
{
	return ++w->lookups > MAX_LOOKUPS ? -1 : 0;
}

/* macro_env - the letter values for evaluating DOMAIN */
static void
macro_env(struct walk *w, const char *domain, struct spf_macro_env *env,
    char *stamp, size_t stamplen)
{
	memset(env, 0, sizeof(*env));
	env->sender = w->req->sender;
	env->local = w->local;
	env->sender_domain = w->sender_domain;
	env->domain = domain;
	env->ip_dotted = w->ip_dotted;
	env->ip_text = w->ip_text;
	env->ptr = w->ptr;
	env->v = w->v4 ? "in-addr" : "ip6";
	env->helo = w->req->helo != NULL ? w->req->helo : "unknown";
	env->receiver = w->req->receiver;
	snprintf(stamp, stamplen, "%ld", (long)time(NULL));
	env->timestamp = stamp;
}

static enum match ptr_validate(struct walk *, const char *, int);

/* target - expand a domain-spec (NULL = DOMAIN) into OUT */
static int
target(struct walk *w, const char *spec, const char *domain, struct vstr *out)
{
	struct spf_macro_env env;
	char stamp[32];

	vstr_reset(out);
	if (spec == NULL) {
		vstr_cat(out, domain);
		return 0;
	}
	if (spf_macro_uses(spec, 'p') && w->ptr == NULL)
		(void)ptr_validate(w, NULL, 1);
	macro_env(w, domain, &env, stamp, sizeof(stamp));
	if (spf_macro_expand(spec, &env, out) != 0)
		return -1;
	spf_macro_truncate(out);
	return 0;
}

/* name_has_client - whether NAME's A/AAAA records include the client */
static int
name_has_client(struct walk *w, const char *name)
{
	struct dns_answer *a;
	size_t i;
	int hit = 0;

	a = dns_query(w->dns, name, w->v4 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA);
	for (i = 0; a->status == DNS_OK && i < ldns_rr_list_rr_count(a->rrs) &&
	    !hit; i++)
		hit = rr_addr_in(w, ldns_rr_list_rr(a->rrs, i), -1, -1);
	dns_answer_free(a);
	return hit;
}

/* is_sub - NAME equals DOMAIN or ends in "." DOMAIN (case-insensitive) */
static int
is_sub(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (d > 0 && domain[d - 1] == '.')
		d--;
	if (n == d)
		return strncasecmp(name, domain, n) == 0;
	return n > d && name[n - d - 1] == '.' &&
	    strncasecmp(name + n - d, domain, d) == 0;
}

/*
 * ptr_validate - RFC 7208 5.5 validated names: PTR names of the client
 * whose addresses include it.  With FOR_MACRO, remember the best one
 * for %{p} (7.3: one equal to or under DOMAIN preferred); otherwise
 * return whether one is DOMAIN or under it.  DNS errors do not match.
 */
static enum match
ptr_validate(struct walk *w, const char *domain, int for_macro)
{
	struct vstr rev = VSTR_INIT;
	struct dns_answer *a;
	enum match m = M_NO;
	char *name;
	size_t i, n;

	reverse_name(w, &rev);
	a = dns_query(w->dns, vstr_str(&rev), LDNS_RR_TYPE_PTR);
	vstr_free(&rev);
	if (!for_macro && classify(w, a->status) == M_PERM)
		m = M_PERM;
	n = a->status == DNS_OK ? ldns_rr_list_rr_count(a->rrs) : 0;
	for (i = 0; i < n && i < MAX_NAMES && m == M_NO; i++) {
		name = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(a->rrs, i), 0));
		if (name == NULL)
			continue;
		if (strlen(name) > 1 && name[strlen(name) - 1] == '.')
			name[strlen(name) - 1] = '\0';
		if (name_has_client(w, name)) {
			if (for_macro) {
				if (w->ptr == NULL || (domain != NULL &&
				    is_sub(name, domain))) {
					x_free(w->ptr);
					w->ptr = xstrdup(name);
				}
			} else if (is_sub(name, domain))
				m = M_YES;
		}
		free(name);
	}
	dns_answer_free(a);
	return m;
}

/* match_a - "a" (type A/AAAA by client family) at NAME */
static enum match
match_a(struct walk *w, const char *name, const struct spf_term *t)
{
	struct dns_answer *a;
	enum match m;
	size_t i;

	a = dns_query(w->dns, name, w->v4 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA);
	m = classify(w, a->status);
	for (i = 0; m == M_NO && a->status == DNS_OK &&
	    i < ldns_rr_list_rr_count(a->rrs); i++)
		if (rr_addr_in(w, ldns_rr_list_rr(a->rrs, i), t->cidr4,
		    t->cidr6))
			m = M_YES;
	dns_answer_free(a);
	return m;
}

/* match_mx - "mx": the addresses of NAME's (at most ten) exchanges */
static enum match
match_mx(struct walk *w, const char *name, const struct spf_term *t)
{
	struct dns_answer *a;
	enum match m;
	const ldns_rdf *rd;
	char *host;
	size_t i, n;

	a = dns_query(w->dns, name, LDNS_RR_TYPE_MX);
	m = classify(w, a->status);
	n = a->status == DNS_OK ? ldns_rr_list_rr_count(a->rrs) : 0;
	if (n > MAX_NAMES)
		m = M_PERM;	/* RFC 7208 4.6.4 */
	for (i = 0; m == M_NO && i < n; i++) {
		rd = ldns_rr_rdf(ldns_rr_list_rr(a->rrs, i), 1);
		if (rd == NULL || (host = ldns_rdf2str(rd)) == NULL)
			continue;
		if (strcmp(host, ".") != 0) {	/* RFC 7505 null MX */
			struct spf_term tt = *t;
			enum match am;

			tt.domain_spec = NULL;
			am = match_a(w, host, &tt);
			/* Voids on exchange lookups are not the MX's own. */
			m = am == M_PERM ? M_NO : am;
		}
		free(host);
	}
	dns_answer_free(a);
	return m;
}

/* match_exists - "exists": any A record at NAME (RFC 7208 5.7) */
static enum match
match_exists(struct walk *w, const char *name)
{
	struct dns_answer *a;
	enum match m;

	a = dns_query(w->dns, name, LDNS_RR_TYPE_A);
	m = classify(w, a->status);
	if (m == M_NO && a->status == DNS_OK)
		m = M_YES;
	dns_answer_free(a);
	return m;
}

/* match_include - RFC 7208 5.2 result table */
static enum match
match_include(struct walk *w, const char *name)
{
	switch (check_host(w, name, NULL)) {
	case SPF_RES_PASS:
		return M_YES;
	case SPF_RES_FAIL:
	case SPF_RES_SOFTFAIL:
	case SPF_RES_NEUTRAL:
		return M_NO;
	case SPF_RES_TEMPERROR:
		return M_TEMP;
	default:
		return M_PERM;	/* permerror or none */
	}
}

/* match_term - one mechanism against the client */
static enum match
match_term(struct walk *w, const struct spf_term *t, const char *domain)
{
	struct vstr name = VSTR_INIT;
	enum match m;

	switch (t->mech) {
	case SPF_MECH_ALL:
		return M_YES;
	case SPF_MECH_IP4:
		return w->v4 && addr_in(w, t->addr, t->cidr4 < 0 ? 32 :
		    t->cidr4) ? M_YES : M_NO;
	case SPF_MECH_IP6:
		return !w->v4 && addr_in(w, t->addr, t->cidr6 < 0 ? 128 :
		    t->cidr6) ? M_YES : M_NO;
	default:
		break;
	}
	if (count_lookup(w) != 0)
		return M_PERM;
	if (target(w, t->domain_spec, domain, &name) != 0) {
		vstr_free(&name);
		return M_PERM;
	}
	switch (t->mech) {
	case SPF_MECH_INCLUDE:
		m = match_include(w, vstr_str(&name));
		break;
	case SPF_MECH_A:
		m = match_a(w, vstr_str(&name), t);
		break;
	case SPF_MECH_MX:
		m = match_mx(w, vstr_str(&name), t);
		break;
	case SPF_MECH_PTR:
		m = ptr_validate(w, vstr_str(&name), 0);
		break;
	default:
		m = match_exists(w, vstr_str(&name));
		break;
	}
	vstr_free(&name);
	return m;
}

/* qualified - the result a matching qualifier gives (RFC 7208 4.6.2) */
static enum spf_res
qualified(char q)
{
	switch (q) {
	case '-': return SPF_RES_FAIL;
	case '~': return SPF_RES_SOFTFAIL;
	case '?': return SPF_RES_NEUTRAL;
	default: return SPF_RES_PASS;
	}
}

/*
 * explain - RFC 7208 6.2: the exp= TXT record, macro-expanded; any
 * trouble (DNS, not exactly one record, bad macro) means no explanation.
 */
static void
explain(struct walk *w, const char *spec, const char *domain,
    struct vstr *out)
{
	struct spf_macro_env env;
	struct vstr name = VSTR_INIT;
	struct dns_answer *a = NULL;
	char stamp[32], *text = NULL;

	if (target(w, spec, domain, &name) != 0 || !valid_domain(vstr_str(&name)))
		goto done;
	a = dns_query(w->dns, vstr_str(&name), LDNS_RR_TYPE_TXT);
	if (a->status != DNS_OK || ldns_rr_list_rr_count(a->rrs) != 1)
		goto done;
	text = dns_txt_join(ldns_rr_list_rr(a->rrs, 0), NULL);
	if (!spf_record_macro_ok(text, strlen(text), 1))
		goto done;
	if (spf_macro_uses(text, 'p') && w->ptr == NULL)
		(void)ptr_validate(w, domain, 1);
	macro_env(w, domain, &env, stamp, sizeof(stamp));
	if (spf_macro_expand(text, &env, &name) == 0) {
		vstr_reset(out);
		vstr_cat(out, vstr_str(&name));
	}
done:
	x_free(text);
	dns_answer_free(a);
	vstr_free(&name);
}

/* fetch_record - the one v=spf1 TXT record of DOMAIN, or a result */
static enum spf_res
fetch_record(struct walk *w, const char *domain, char **text)
{
	struct dns_answer *a;
	enum spf_res res = SPF_RES_NONE;
	size_t i, j, len;
	char *t;

	*text = NULL;
	a = dns_query(w->dns, domain, LDNS_RR_TYPE_TXT);
	if (a->status == DNS_TIMEOUT || a->status == DNS_SERVFAIL ||
	    a->status == DNS_ERROR)
		res = SPF_RES_TEMPERROR;	/* RFC 7208 4.4 */
	for (i = 0; a->status == DNS_OK && i < ldns_rr_list_rr_count(a->rrs);
	    i++) {
		t = dns_txt_join(ldns_rr_list_rr(a->rrs, i), &len);
		/* A NUL inside is invalid: make it a byte the parser refuses. */
		for (j = 0; j < len; j++)
			if (t[j] == '\0')
				t[j] = '\001';
		if (!spf_record_is_spf1(t)) {
			x_free(t);
			continue;
		}
		if (*text != NULL) {	/* RFC 7208 4.5: more than one */
			x_free(t);
			res = SPF_RES_PERMERROR;
			break;
		}
		*text = t;
	}
	dns_answer_free(a);
	if (res == SPF_RES_PERMERROR) {
		x_free(*text);
		*text = NULL;
	}
	return *text != NULL ? SPF_RES_PASS : res;	/* PASS = "found" */
}

/* check_host - RFC 7208 4 for DOMAIN; EXP collects a fail's explanation */
static enum spf_res
check_host(struct walk *w, const char *domain, struct vstr *exp)
{
	struct spf_record rec;
	struct vstr name = VSTR_INIT;
	enum spf_res res;
	enum match m = M_NO;
	char *text, err[128];
	size_t i;

	if (!valid_domain(domain))
		return SPF_RES_NONE;		/* RFC 7208 4.3 */
	if ((res = fetch_record(w, domain, &text)) != SPF_RES_PASS)
		return res;
	if (spf_record_parse(text, &rec, err, sizeof(err)) != 0) {
		x_free(text);
		return SPF_RES_PERMERROR;
	}
	x_free(text);
	for (i = 0; i < rec.nterms; i++)
		if ((m = match_term(w, &rec.terms[i], domain)) != M_NO)
			break;
	if (m == M_YES)
		res = qualified(rec.terms[i].qualifier);
	else if (m == M_TEMP)
		res = SPF_RES_TEMPERROR;
	else if (m == M_PERM)
		res = SPF_RES_PERMERROR;
	else if (rec.redirect != NULL) {
		/* RFC 7208 6.1: redirect counts as a lookup; no record = perm */
		if (count_lookup(w) != 0 ||
		    target(w, rec.redirect, domain, &name) != 0)
			res = SPF_RES_PERMERROR;
		else if ((res = check_host(w, vstr_str(&name), exp)) ==
		    SPF_RES_NONE)
			res = SPF_RES_PERMERROR;
		vstr_free(&name);
		spf_record_clear(&rec);
		return res;
	} else
		res = SPF_RES_NEUTRAL;
	if (res == SPF_RES_FAIL && exp != NULL && rec.exp != NULL)
		explain(w, rec.exp, domain, exp);
	spf_record_clear(&rec);
	return res;
}

/* split_sender - local part (default postmaster) and domain of SENDER */
static void
split_sender(struct walk *w, const char *sender)
{
	const char *at = strrchr(sender, '@');
	size_t n = at != NULL ? (size_t)(at - sender) : 0;

	if (n == 0 || n >= sizeof(w->local))
		snprintf(w->local, sizeof(w->local), "postmaster");
	else {
		memcpy(w->local, sender, n);
		w->local[n] = '\0';
	}
	w->sender_domain = at != NULL ? at + 1 : sender;
}

/* spf_check_host - check_host() with fresh limits */
enum spf_res
spf_check_host(struct dns *dns, const struct spf_check_req *req,
    const char *domain, struct vstr *exp)
{
	struct spf_check_req r = *req;
	struct vstr sender = VSTR_INIT;
	struct walk w;
	enum spf_res res;

	memset(&w, 0, sizeof(w));
	w.dns = dns;
	w.req = &r;
	if (init_addr(&w, req->client_ip) != 0)
		return SPF_RES_PERMERROR;
	split_sender(&w, req->sender);
	/* RFC 7208 4.3: a sender without local part is postmaster@domain */
	if (strchr(req->sender, '@') == NULL || req->sender[0] == '@') {
		vstr_catf(&sender, "%s@%s", w.local, w.sender_domain);
		r.sender = vstr_str(&sender);
	}
	res = check_host(&w, domain, exp);
	x_free(w.ptr);
	vstr_free(&sender);
	return res;
}

/* helo_ok - a HELO name SPF can judge: a FQDN, not an address literal */
static int
helo_ok(const char *helo)
{
	return helo != NULL && *helo != '[' && valid_domain(helo);
}

/*
 * spf_check_message - HELO identity (RFC 7208 2.3) when CHECK_HELO or
 * when MAIL FROM is null, then the MAIL FROM identity (2.4), whose
 * result is the message's; the null sender is judged as postmaster@HELO.
 */
void
spf_check_message(struct dns *dns, const char *client_ip, const char *helo,
    const char *mail_from, const char *receiver, int check_helo,
    struct spf_result *out)
{
	struct spf_check_req req;
	struct vstr exp = VSTR_INIT, sender = VSTR_INIT;
	const char *at;
	int null_sender = mail_from == NULL || *mail_from == '\0';

	memset(out, 0, sizeof(*out));
	out->client_ip = xstrdup(client_ip);
	memset(&req, 0, sizeof(req));
	req.client_ip = client_ip;
	req.helo = helo;
	req.receiver = receiver;
	out->helo_result = SPF_RES_NONE;
	if ((check_helo || null_sender) && helo_ok(helo)) {
		vstr_catf(&sender, "postmaster@%s", helo);
		req.sender = vstr_str(&sender);
		out->helo_result = spf_check_host(dns, &req, helo,
		    null_sender ? &exp : NULL);
	}
	if (null_sender) {
		out->identity = SPF_ID_HELO;
		out->domain = xstrdup(helo != NULL ? helo : "");
		out->result = out->helo_result;
	} else {
		out->identity = SPF_ID_MAILFROM;
		at = strrchr(mail_from, '@');
		out->domain = xstrdup(at != NULL ? at + 1 : mail_from);
		req.sender = mail_from;
		out->result = spf_check_host(dns, &req, out->domain, &exp);
	}
	if (out->result == SPF_RES_FAIL && exp.len > 0)
		out->explanation = vstr_steal(&exp);
	vstr_free(&exp);
	vstr_free(&sender);
}

/* spf_check_result_clear - free OUT's strings */
void
spf_check_result_clear(struct spf_result *out)
{
	x_free(out->domain);
	x_free(out->client_ip);
	x_free(out->explanation);
	memset(out, 0, sizeof(*out));
}
