/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_check - one message's DMARC result.
 *
 * Order (RFC 9989 4.4 and 4.10): the author domain (found by the caller;
 * none is a permerror), policy discovery and its organizational domain,
 * the organizational domains of the identifiers that need one (relaxed
 * alignment, a different name at or below the author's organizational
 * domain), dmarc_eval, then the policy that applies (p for the domain's
 * own record; else np for a domain that does not exist, sp, p), asking
 * whether the domain exists only for a fail where np differs.  DNS
 * trouble on a name that could change the result is temperror, never a
 * fail and never a pass; DNS trouble on any other name changes nothing.
 */
#include "config.h"

#include <string.h>

#include "dmarc_check.h"
#include "dns_msg.h"
#include "dmarc_eval.h"
#include "domain.h"
#include "orgdomain.h"
#include "vstr.h"
#include "xmalloc.h"

/*
 * ident - an identifier for dmarc_eval; its org domain looked up when
 * relaxed alignment needs it: a pass or temperror under another name
 * that is at or below the author's organizational domain.  Any other
 * name cannot align whatever its DNS says (dmarc_may_align), so its
 * tree is never walked: a forger's failing DNS cannot make the result
 * temperror.  Strings in *HOLD (caller frees).
 */
static void
ident(struct dns *dns, const struct org_opts *o,
    const struct dmarc_eval_in *ein, const char *domain, bool pass,
    bool temp, bool strict, struct dmarc_ident *id, char **hold,
    struct vstr *explain)
{
	memset(id, 0, sizeof(*id));
	hold[0] = domain_canonical(domain);
	hold[1] = NULL;
	id->domain = hold[0];
	id->pass = pass;
	id->temp = temp;
	/* the org domain only matters for one that passed or may have */
	if ((!pass && !temp) || strict || domain_equal(id->domain, ein->from) ||
	    !dmarc_may_align(ein, id->domain, strict))
		return;
	if (org_domain(dns, o, id->domain, &hold[1], explain) == ORG_TEMP)
		id->org_temp = true;
	id->org = hold[1];
	if (explain != NULL && id->org != NULL)
		vstr_catf(explain, "  organizational domain of %s: %s\n",
		    id->domain, id->org);
}

/* milder - RFC 9989 4.7 t=y: the policy one step milder */
static enum dmarc_policy
milder(bool testing, enum dmarc_policy p)
{
	if (!testing || p == DMARC_POLICY_NONE || p == DMARC_POLICY_UNSET)
		return p;
	return p == DMARC_POLICY_REJECT ? DMARC_POLICY_QUARANTINE :
	    DMARC_POLICY_NONE;
}

/*
 * applies - R->policy, the published policy for the author domain (RFC
 * 9989 4.7, 4.10.1; dmarc_record_policy), t=y applied; R->result is
 * already known.  np= needs to know whether the author domain exists;
 * that is asked only when it can change what happens: a record above
 * the author domain (not PSL mode: RFC 7489 has no np=), a message that
 * fails DMARC, and np giving another policy than sp.  "Does not exist"
 * is NXDOMAIN (RFC 9989 takes RFC 8020's meaning; RFC 9091's NODATA
 * for A, AAAA and MX is not used: a name with only TXT exists).  A
 * lookup that does not complete decides neither way: temperror, and no
 * policy (never sp's in np's place).  Otherwise (pass, temperror, np as
 * sp) the policy reported is sp's.
 */
static void
applies(struct dns *dns, bool psl, const struct org_found *f,
    struct dmarc_result *r, struct vstr *explain)
{
	bool own = domain_equal(f->policy_domain, r->domain);
	enum dmarc_policy sp, np;
	int exists = 1;

	sp = milder(f->rec.testing, dmarc_record_policy(&f->rec, own, true));
	np = milder(f->rec.testing, dmarc_record_policy(&f->rec, own, false));
	if (explain != NULL && own)
		vstr_cat(explain, "  the From domain's own record: p applies\n");
	else if (explain != NULL)
		vstr_catf(explain, "  a record above the From domain: %s "
		    "applies%s\n", f->rec.sp != DMARC_POLICY_UNSET ? "sp" :
		    "p (no sp)", f->rec.np == DMARC_POLICY_UNSET || psl ? "" :
		    ", or np if the From domain does not exist");
	if (!psl && sp != np && r->result == DMARC_RES_FAIL) {
		exists = org_exists(dns, r->domain);
		if (explain != NULL)
			vstr_catf(explain, "  asked %s A: %s\n", r->domain,
			    exists == 0 ? "NXDOMAIN, np applies" : exists > 0 ?
			    "it exists, np does not apply" : "DNS trouble, "
			    "whether np applies is unknown");
	}
	if (exists < 0) {
		r->policy = DMARC_POLICY_UNSET;
		r->result = DMARC_RES_TEMPERROR;
		x_free(r->reason);
		r->reason = xstrdup("whether the From domain exists (for np=) "
		    "is unknown: DNS trouble");
		return;
	}
	r->policy = exists == 0 ? np : sp;
	if (explain != NULL && f->rec.testing)
		vstr_catf(explain, "  t=y: one step milder, %s\n",
		    result_policy_str(r->policy));
}

/* evaluate - alignment of the message's identifiers under F's record */
static void
evaluate(struct dns *dns, const struct org_opts *o,
    const struct dmarc_check_in *in, const struct org_found *f,
    struct dmarc_result *r, struct vstr *explain)
{
	struct dmarc_ident spf, *dkim = xcalloc(in->ndkim + 1, sizeof(*dkim));
	char **hold = xcalloc(2 * (in->ndkim + 1), sizeof(*hold));
	struct vstr why = VSTR_INIT;
	struct dmarc_eval_in ein;
	size_t i, n = 0;

	memset(&ein, 0, sizeof(ein));
	ein.from = r->domain;
	ein.from_org = r->org_domain;
	ein.aspf_strict = f->rec.aspf_strict;
	ein.adkim_strict = f->rec.adkim_strict;
	if (in->spf != NULL && in->spf->domain != NULL &&
	    *in->spf->domain != '\0') {
		ident(dns, o, &ein, in->spf->domain,
		    in->spf->result == SPF_RES_PASS,
		    in->spf->result == SPF_RES_TEMPERROR, ein.aspf_strict,
		    &spf, hold, explain);
		ein.spf = &spf;
	}
	for (i = 0; i < in->ndkim; i++) {
		if (in->dkim[i].domain == NULL || *in->dkim[i].domain == '\0')
			continue;
		ident(dns, o, &ein, in->dkim[i].domain,
		    in->dkim[i].result == DKIM_RES_PASS,
		    in->dkim[i].result == DKIM_RES_TEMPERROR, ein.adkim_strict,
		    &dkim[n], hold + 2 * (n + 1), explain);
		n++;
	}
	ein.dkim = dkim;
	ein.ndkim = n;
	(void)dmarc_eval(&ein, r, &why);
	if (explain != NULL) {
		vstr_catf(explain, "  alignment: adkim=%c aspf=%c\n",
		    ein.adkim_strict ? 's' : 'r', ein.aspf_strict ? 's' : 'r');
		vstr_cat(explain, vstr_str(&why));
	}
	if (r->result == DMARC_RES_FAIL)
		r->reason = xstrdup("no SPF or DKIM pass that aligns");
	else if (r->result == DMARC_RES_TEMPERROR)
		r->reason = xstrdup("an identifier that would align failed "
		    "temporarily");
	for (i = 0; i < 2 * (in->ndkim + 1); i++)
		x_free(hold[i]);
	x_free(hold);
	x_free(dkim);
	vstr_free(&why);
}

/* dmarc_check - the DMARC result of one message */
struct dmarc_result *
dmarc_check(struct dns *dns, const struct dmarc_check_in *in,
    struct vstr *explain)
{
	struct dmarc_result *r = xcalloc(1, sizeof(*r));
	struct org_opts o = { in->psl };
	struct org_found f;

	r->pct = 100;
	r->psd = 'u';
	r->discovery = in->psl != NULL ? DMARC_DISC_PSL : DMARC_DISC_TREEWALK;
	dns_msg_begin(dns);		/* discovery's own DNS time */
	if (explain != NULL)
		vstr_catf(explain, "DMARC (%s)\n", in->psl != NULL ?
		    "RFC 7489, Public Suffix List" : "RFC 9989 tree walk");
	if (in->from_domain == NULL) {
		r->result = DMARC_RES_PERMERROR;
		r->bad_from = true;
		r->reason = xstrdup(in->from_error != NULL &&
		    *in->from_error != '\0' ? in->from_error : "no From field");
		if (explain != NULL)
			vstr_catf(explain, "  no author domain: %s\n",
			    r->reason);
		return r;
	}
	r->domain = xstrdup(in->from_domain);
	if (explain != NULL)
		vstr_catf(explain, "  From domain: %s\n", r->domain);
	if (org_discover(dns, &o, r->domain, &f, explain) == ORG_TEMP) {
		r->result = DMARC_RES_TEMPERROR;
		r->reason = xstrdup(f.why);
		org_found_clear(&f);
		return r;
	}
	r->org_domain = xstrdup(f.org_domain);
	if (explain != NULL)
		vstr_catf(explain, "  organizational domain: %s\n",
		    r->org_domain);
	if (f.policy_domain == NULL || f.status == ORG_UNUSABLE) {
		r->result = DMARC_RES_NONE;
		r->reason = xstrdup(f.status == ORG_UNUSABLE ? f.why :
		    "no DMARC record");
		if (explain != NULL)
			vstr_catf(explain, "  no policy: %s\n", r->reason);
		org_found_clear(&f);
		return r;
	}
	r->policy_domain = xstrdup(f.policy_domain);
	r->p = f.rec.p;
	r->sp = f.rec.sp != DMARC_POLICY_UNSET ? f.rec.sp : f.rec.p;
	r->np = f.rec.np != DMARC_POLICY_UNSET ? f.rec.np : r->sp;
	r->adkim_strict = f.rec.adkim_strict;
	r->aspf_strict = f.rec.aspf_strict;
	r->psd = f.rec.psd == DMARC_PSD_Y ? 'y' : f.rec.psd == DMARC_PSD_N ?
	    'n' : 'u';
	r->rua = f.rec.rua != NULL ? xstrdup(f.rec.rua) : NULL;
	r->testing = f.rec.testing;
	/* pct is historic in RFC 9989 */
	r->pct = in->psl != NULL ? f.rec.pct : 100;
	if (explain != NULL)
		vstr_catf(explain, "  policy record at %s: p=%s sp=%s%s%s\n",
		    r->policy_domain, result_policy_str(r->p),
		    result_policy_str(r->sp), r->testing ? " t=y" : "",
		    in->psl != NULL && r->pct < 100 ? " pct<100" : "");
	/* alignment first: whether np= matters depends on the result */
	evaluate(dns, &o, in, &f, r, explain);
	applies(dns, in->psl != NULL, &f, r, explain);
	if (explain != NULL)
		vstr_catf(explain, "  result: dmarc=%s, published policy %s\n",
		    result_dmarc_str(r->result),
		    r->policy != DMARC_POLICY_UNSET ?
		    result_policy_str(r->policy) : "unknown");
	org_found_clear(&f);
	return r;
}
