/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_check - RFC 7208 check_host() and the per-message identities.
 *
 * Why our own evaluator: libspf2 1.2.10 passes 142 of the RFC 7208
 * suite's 203 tests -- lenient syntax where the RFC says permerror, no
 * void-lookup limit, lookup-limit bugs, /0 CIDR and IPv4-mapped IPv6
 * errors, a hard-wired pass for 127.0.0.0/8 clients, and macro overflows
 * (CVE-2021-20314, CVE-2021-33912, CVE-2021-33913) -- and none of those
 * classes can be closed without forking it.  This evaluator passes the
 * whole RFC 7208 suite (test/spf).  Every DNS query goes through
 * milter/dns (shared servers, timeouts, cache); type SPF (99) records are
 * never queried and Sender ID (spf2.0/...) records are never used.
 *
 * API: spf_check_host() is check_host() (RFC 7208 4) for one domain;
 * spf_check_message() judges the HELO and MAIL FROM identities of one
 * message into a struct spf_result, whose strings the caller frees with
 * spf_check_result_clear().
 *
 * One struct spf_check_walk (spf_check_mech.h) carries what a whole
 * evaluation shares: the client address, the DNS-lookup and void-lookup
 * counters (RFC 7208 4.6.4: ten and two across every include and
 * redirect), and the %{p} name.  Records are fetched, validated whole
 * (spf_record), then evaluated left to right; include recurses with no
 * explanation slot (6.2: an included record's exp= is not used),
 * redirect hands over the caller's.  Recursion depth is bounded by the
 * lookup limit.  DNS trouble is temperror, never a pass.
 *
 * Thread-safe: all state is per call; the DNS layer is shared.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dns.h"
#include "domain.h"
#include "dns_msg.h"
#include "spf_check.h"
#include "spf_check_mech.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "vstr.h"
#include "xmalloc.h"

static enum spf_res check_host(struct spf_check_walk *, const char *,
	    struct vstr *);

/*
 * RFC 7208 4.3: a <domain> (and a target after macro expansion, 7.3) is
 * a multi-label name, labels of 1..63 printable bytes, at most 253
 * bytes; a trailing dot is allowed (domain.c).
 */
#define SPF_DOMAIN	(DOMAIN_PRINTABLE | DOMAIN_TRAILING_DOT | \
			    DOMAIN_MULTI_LABEL)

/* macro_env - the macro letters' values while evaluating DOMAIN */
static void
macro_env(const struct spf_check_walk *w, const char *domain,
    struct spf_macro_env *env, char *stamp, size_t stamplen)
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
	snprintf(stamp, stamplen, "%lld", (long long)time(NULL));
	env->timestamp = stamp;
}

/*
 * expand - macro-expand S (a domain-spec, or with EXP an explain-string)
 * for DOMAIN into OUT, resolving %{p} first if S uses it; -1 = permerror
 */
static int
expand(struct spf_check_walk *w, const char *s, const char *domain,
    struct vstr *out)
{
	struct spf_macro_env env;
	char stamp[32];

	if (spf_macro_uses(s, 'p'))
		spf_check_ptr_macro(w, domain);
	macro_env(w, domain, &env, stamp, sizeof(stamp));
	return spf_macro_expand(s, &env, out);
}

/*
 * target - the target-name of a mechanism or modifier: SPEC expanded, or
 * DOMAIN when there is none.  RFC 7208 7.3: an expansion longer than 253
 * bytes loses labels on the left.
 */
static int
target(struct spf_check_walk *w, const char *spec, const char *domain,
    struct vstr *out)
{
	vstr_reset(out);
	if (spec == NULL) {
		vstr_cat(out, domain);
		return 0;
	}
	if (expand(w, spec, domain, out) != 0)
		return -1;
	spf_macro_truncate(out);
	return 0;
}

/* match_include - RFC 7208 5.2: the include result table */
static enum spf_check_match
match_include(struct spf_check_walk *w, const char *name)
{
	switch (check_host(w, name, NULL)) {
	case SPF_RES_PASS:
		return SPF_CHECK_YES;
	case SPF_RES_FAIL:
	case SPF_RES_SOFTFAIL:
	case SPF_RES_NEUTRAL:
		return SPF_CHECK_NO;
	case SPF_RES_TEMPERROR:
		return SPF_CHECK_TEMP;
	default:
		return SPF_CHECK_PERM;	/* permerror, and none (5.2) */
	}
}

/*
 * match_term - one mechanism against the client.  RFC 7208 4.6.4: each
 * of include, a, mx, ptr and exists counts one DNS lookup, the eleventh
 * is a permerror -- counted before the name is even expanded.
 */
static enum spf_check_match
match_term(struct spf_check_walk *w, const struct spf_term *t,
    const char *domain)
{
	struct vstr name = VSTR_INIT;
	enum spf_check_match m;

	switch (t->mech) {
	case SPF_MECH_ALL:
		return SPF_CHECK_YES;
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		return spf_check_ip(w, t) ? SPF_CHECK_YES : SPF_CHECK_NO;
	default:
		break;
	}
	if (++w->lookups > SPF_CHECK_MAX_LOOKUPS ||
	    target(w, t->domain_spec, domain, &name) != 0) {
		vstr_free(&name);
		return SPF_CHECK_PERM;
	}
	switch (t->mech) {
	case SPF_MECH_INCLUDE:
		m = match_include(w, vstr_str(&name));
		break;
	case SPF_MECH_A:
		m = spf_check_mech_a(w, vstr_str(&name), t);
		break;
	case SPF_MECH_MX:
		m = spf_check_mech_mx(w, vstr_str(&name), t);
		break;
	case SPF_MECH_PTR:
		m = spf_check_mech_ptr(w, vstr_str(&name));
		break;
	default:
		m = spf_check_mech_exists(w, vstr_str(&name));
		break;
	}
	vstr_free(&name);
	return m;
}

/* spf_check_qualified - the result a matching qualifier gives (RFC
 * 7208 4.6.2) */
enum spf_res
spf_check_qualified(char q)
{
	switch (q) {
	case '-': return SPF_RES_FAIL;
	case '~': return SPF_RES_SOFTFAIL;
	case '?': return SPF_RES_NEUTRAL;
	default: return SPF_RES_PASS;
	}
}

/*
 * explain - RFC 7208 6.2: the exp= TXT record, macro-expanded (c, r, t
 * allowed there only).  Any trouble -- a bad target, a DNS error, not
 * exactly one TXT record, a syntax error -- means no explanation; it
 * never changes the result.
 */
static void
explain(struct spf_check_walk *w, const char *spec, const char *domain,
    struct vstr *out)
{
	struct vstr name = VSTR_INIT, text_out = VSTR_INIT;
	struct dns_answer *a = NULL;
	const char *text;
	size_t len;

	if (target(w, spec, domain, &name) != 0 ||
	    !domain_check(vstr_str(&name), SPF_DOMAIN))
		goto done;
	a = dns_query(w->dns, vstr_str(&name), DNS_T_TXT);
	if (a->status != DNS_OK || a->n != 1)
		goto done;
	text = a->rr[0].text;
	len = a->rr[0].len;
	if (len != strlen(text) || !spf_record_macro_ok(text, len, 1))
		goto done;
	if (expand(w, text, domain, &text_out) == 0) {
		vstr_reset(out);
		vstr_cat(out, vstr_str(&text_out));
	}
done:
	dns_answer_free(a);
	vstr_free(&name);
	vstr_free(&text_out);
}

/*
 * fetch_record - RFC 7208 4.4, 4.5: DOMAIN's TXT records that start
 * "v=spf1" (others, e.g. spf2.0/pra, are ignored); none is "none", more
 * than one is a permerror, a DNS error a temperror.  On success *TEXT
 * (caller frees with x_free) and SPF_RES_PASS, meaning "found".
 */
static enum spf_res
fetch_record(struct spf_check_walk *w, const char *domain, char **text)
{
	struct dns_answer *a;
	enum spf_res res = SPF_RES_NONE;
	size_t i, j, n, len;
	char *t;

	*text = NULL;
	a = dns_query(w->dns, domain, DNS_T_TXT);
	if (a->status != DNS_OK && a->status != DNS_NXDOMAIN &&
	    a->status != DNS_NODATA)
		res = SPF_RES_TEMPERROR;
	n = a->status == DNS_OK ? a->n : 0;
	for (i = 0; i < n && res == SPF_RES_NONE; i++) {
		len = a->rr[i].len;
		t = xmalloc(len + 1);
		memcpy(t, a->rr[i].text, len + 1);
		/* A NUL inside: make it a byte the parser refuses. */
		for (j = 0; j < len; j++)
			if (t[j] == '\0')
				t[j] = '\001';
		if (!spf_record_is_spf1(t))
			x_free(t);
		else if (*text == NULL)
			*text = t;
		else {
			x_free(t);
			res = SPF_RES_PERMERROR;
		}
	}
	dns_answer_free(a);
	if (res != SPF_RES_NONE) {
		x_free(*text);
		*text = NULL;
	}
	return *text != NULL ? SPF_RES_PASS : res;
}

/* redirect - RFC 7208 6.1: the result of the redirect= target */
static enum spf_res
redirect(struct spf_check_walk *w, const char *spec, const char *domain,
    struct vstr *exp)
{
	struct vstr name = VSTR_INIT;
	enum spf_res res;

	/* 4.6.4: redirect counts as a lookup; 6.1: no record = permerror */
	if (++w->lookups > SPF_CHECK_MAX_LOOKUPS ||
	    target(w, spec, domain, &name) != 0)
		res = SPF_RES_PERMERROR;
	else if ((res = check_host(w, vstr_str(&name), exp)) == SPF_RES_NONE)
		res = SPF_RES_PERMERROR;
	vstr_free(&name);
	return res;
}

/* check_host - RFC 7208 4 for DOMAIN; EXP collects a fail's explanation */
static enum spf_res
check_host(struct spf_check_walk *w, const char *domain, struct vstr *exp)
{
	struct spf_record rec;
	enum spf_res res;
	enum spf_check_match m = SPF_CHECK_NO;
	char *text, err[128];
	size_t i;

	if (!domain_check(domain, SPF_DOMAIN))
		return SPF_RES_NONE;		/* RFC 7208 4.3 */
	if ((res = fetch_record(w, domain, &text)) != SPF_RES_PASS)
		return res;
	/* RFC 7208 4.6: a syntax error anywhere is a permerror. */
	if (spf_record_parse(text, &rec, err, sizeof(err)) != 0) {
		x_free(text);
		return SPF_RES_PERMERROR;
	}
	x_free(text);
	for (i = 0; i < rec.nterms; i++)
		if ((m = match_term(w, &rec.terms[i], domain)) != SPF_CHECK_NO)
			break;
	if (m == SPF_CHECK_YES)
		res = spf_check_qualified(rec.terms[i].qualifier);
	else if (m == SPF_CHECK_TEMP)
		res = SPF_RES_TEMPERROR;
	else if (m == SPF_CHECK_PERM)
		res = SPF_RES_PERMERROR;
	else if (rec.redirect != NULL)	/* 6.1: only when nothing matched */
		res = redirect(w, rec.redirect, domain, exp);
	else
		res = SPF_RES_NEUTRAL;		/* 4.7 */
	/* 6.2: exp= of this record, only for its own fail */
	if (res == SPF_RES_FAIL && m == SPF_CHECK_YES && exp != NULL &&
	    rec.exp != NULL)
		explain(w, rec.exp, domain, exp);
	spf_record_clear(&rec);
	return res;
}

/*
 * spf_check_host - check_host() with fresh limits.  RFC 7208 4.3: a
 * sender without a local part is "postmaster"; a client address that
 * does not parse is a permerror (nothing can be judged).
 */
enum spf_res
spf_check_host(struct dns *dns, const struct spf_check_req *req,
    const char *domain, struct vstr *exp)
{
	struct spf_check_req r = *req;
	struct vstr sender = VSTR_INIT;
	struct spf_check_walk w;
	const char *s = req->sender != NULL ? req->sender : "";
	const char *at = strrchr(s, '@');
	enum spf_res res;

	if (domain == NULL)
		return SPF_RES_NONE;
	dns_msg_begin(dns);		/* RFC 7208 4.6.4: a time limit too */
	memset(&w, 0, sizeof(w));
	w.dns = dns;
	w.req = &r;
	if (req->client_ip == NULL ||
	    spf_check_walk_init(&w, req->client_ip) != 0)
		return SPF_RES_PERMERROR;
	w.sender_domain = at != NULL ? at + 1 : *s != '\0' ? s : domain;
	if (at == NULL || at == s) {
		w.local = xstrdup("postmaster");
		vstr_catf(&sender, "postmaster@%s", w.sender_domain);
		r.sender = vstr_str(&sender);
	} else
		w.local = xstrndup(s, (size_t)(at - s));
	res = check_host(&w, domain, exp);
	spf_check_walk_clear(&w);
	vstr_free(&sender);
	return res;
}

/*
 * helo_ok - RFC 7208 2.3: a HELO SPF can judge is a FQDN -- not an
 * address literal ("[192.0.2.1]"), not a single label (a bare IPv6
 * address is one), not ending in a numeric label (a bare IPv4 address
 * does).
 */
static int
helo_ok(const char *helo)
{
	return helo != NULL && *helo != '[' &&
	    domain_check(helo, SPF_DOMAIN | DOMAIN_NOT_NUMERIC);
}

/* null_sender - MAIL FROM:<> (given as NULL, "" or "<>") */
static int
null_sender(const char *mail_from)
{
	return mail_from == NULL || *mail_from == '\0' ||
	    strcmp(mail_from, "<>") == 0;
}

/* strip_path - MAIL FROM without the angle brackets of a reverse-path */
static void
strip_path(struct vstr *out, const char *mail_from)
{
	size_t len = strlen(mail_from);

	vstr_reset(out);
	if (len >= 2 && mail_from[0] == '<' && mail_from[len - 1] == '>')
		vstr_ncat(out, mail_from + 1, len - 2);
	else
		vstr_cat(out, mail_from);
}

/*
 * spf_check_message - the HELO identity (RFC 7208 2.3) first when
 * CHECK_HELO, or when MAIL FROM is null; then the MAIL FROM identity
 * (2.4), whose result is the message's.  The null sender is judged as
 * postmaster@HELO: identity SPF_ID_HELO, result = the HELO result.  OUT
 * is overwritten; its strings are the caller's (spf_check_result_clear).
 */
void
spf_check_message(struct dns *dns, const char *client_ip, const char *helo,
    const char *mail_from, const char *receiver, int check_helo,
    struct spf_result *out)
{
	struct spf_check_req req;
	struct vstr exp = VSTR_INIT, sender = VSTR_INIT;
	const char *at;
	int null = null_sender(mail_from);

	memset(out, 0, sizeof(*out));
	out->client_ip = xstrdup(client_ip);
	memset(&req, 0, sizeof(req));
	req.client_ip = client_ip;
	req.helo = helo;
	req.receiver = receiver;
	out->helo_result = SPF_RES_NONE;
	if ((check_helo || null) && helo_ok(helo)) {
		vstr_catf(&sender, "postmaster@%s", helo);
		req.sender = vstr_str(&sender);
		out->helo_result = spf_check_host(dns, &req, helo,
		    null ? &exp : NULL);
	}
	if (null) {
		out->identity = SPF_ID_HELO;
		out->domain = xstrdup(helo != NULL ? helo : "");
		out->result = out->helo_result;
	} else {
		strip_path(&sender, mail_from);
		req.sender = vstr_str(&sender);
		at = strrchr(req.sender, '@');
		out->identity = SPF_ID_MAILFROM;
		out->domain = xstrdup(at != NULL ? at + 1 : req.sender);
		out->result = spf_check_host(dns, &req, out->domain, &exp);
	}
	if (out->result == SPF_RES_FAIL && exp.len > 0)
		out->explanation = vstr_steal(&exp);
	vstr_free(&exp);
	vstr_free(&sender);
}

/* spf_check_result_clear - free OUT's strings; OUT is zeroed */
void
spf_check_result_clear(struct spf_result *out)
{
	x_free(out->domain);
	x_free(out->client_ip);
	x_free(out->explanation);
	memset(out, 0, sizeof(*out));
}
