/*
 * dmarc_check - one message's DMARC result.
 *
 * Order (RFC 9989 4.4 and 4.10): the author domain (found by the caller;
 * none is a permerror), policy discovery and its organizational domain,
 * the policy that applies (p for the domain's own record; else np for a
 * domain that does not exist, sp, p), the organizational domains of the
 * identifiers that need one (relaxed alignment, a different name), then
 * dmarc_eval.  DNS trouble anywhere on the way is temperror, never a
 * fail and never a pass.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "dmarc_check.h"
#include "dns_msg.h"
#include "dmarc_eval.h"
#include "orgdomain.h"
#include "vstr.h"
#include "xmalloc.h"

/* lower_dup - S lower-cased, without a trailing dot; x_free */
static char *
lower_dup(const char *s)
{
	char *d = xstrdup(s), *p;
	size_t n;

	for (p = d; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((n = strlen(d)) > 0 && d[n - 1] == '.')
		d[n - 1] = '\0';
	return d;
}

/*
 * ident - an identifier for dmarc_eval; its org domain looked up when
 * relaxed alignment needs it (a pass or temperror under another
 * name).  Strings in *HOLD (caller frees).
 */
static void
ident(struct dns *dns, const struct org_opts *o, const char *author,
    const char *domain, bool pass, bool temp, bool strict,
    struct dmarc_ident *id, char **hold, struct vstr *explain)
{
	memset(id, 0, sizeof(*id));
	hold[0] = lower_dup(domain);
	hold[1] = NULL;
	id->domain = hold[0];
	id->pass = pass;
	id->temp = temp;
	/* the org domain only matters for one that passed or may have */
	if ((!pass && !temp) || strict || strcmp(id->domain, author) == 0)
		return;
	if (org_domain(dns, o, id->domain, &hold[1], explain) == ORG_TEMP)
		id->org_temp = true;
	id->org = hold[1];
	if (explain != NULL && id->org != NULL)
		vstr_catf(explain, "  organizational domain of %s: %s\n",
		    id->domain, id->org);
}

/*
 * applies - the published policy for the author domain (RFC 9989 4.7,
 * dmarc_record_policy); the existence test only when np= could matter
 */
static enum dmarc_policy
applies(struct dns *dns, bool psl, const struct org_found *f,
    const char *author, struct vstr *explain)
{
	bool own = strcmp(f->policy_domain, author) == 0;
	int exists = 1;

	if (!own && !psl && f->rec.np != DMARC_POLICY_UNSET) {
		exists = org_exists(dns, author);
		if (explain != NULL && exists == 0)
			vstr_catf(explain, "  %s does not exist (NXDOMAIN): np "
			    "applies\n", author);
		else if (explain != NULL && exists < 0)
			vstr_catf(explain, "  whether %s exists is unknown (DNS "
			    "trouble): sp applies\n", author);
	}
	if (explain != NULL && own)
		vstr_cat(explain, "  the From domain's own record: p applies\n");
	else if (explain != NULL && exists != 0)
		vstr_catf(explain, "  a record above the From domain: %s "
		    "applies\n", f->rec.sp != DMARC_POLICY_UNSET ? "sp" :
		    "p (no sp)");
	return dmarc_record_policy(&f->rec, own, psl ? 1 : exists);
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
		ident(dns, o, r->domain, in->spf->domain,
		    in->spf->result == SPF_RES_PASS,
		    in->spf->result == SPF_RES_TEMPERROR, ein.aspf_strict,
		    &spf, hold, explain);
		ein.spf = &spf;
	}
	for (i = 0; i < in->ndkim; i++) {
		if (in->dkim[i].domain == NULL || *in->dkim[i].domain == '\0')
			continue;
		ident(dns, o, r->domain, in->dkim[i].domain,
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
	struct org_opts o = { in->psl, in->psl_file };
	struct org_found f;

	r->pct = 100;
	dns_msg_begin(dns);		/* discovery's own DNS time */
	if (explain != NULL)
		vstr_catf(explain, "DMARC (%s)\n", in->psl ?
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
	r->testing = f.rec.testing;
	r->pct = in->psl ? f.rec.pct : 100;	/* pct is historic in 9989 */
	if (explain != NULL)
		vstr_catf(explain, "  policy record at %s: p=%s sp=%s%s%s\n",
		    r->policy_domain, result_policy_str(r->p),
		    result_policy_str(r->sp), r->testing ? " t=y" : "",
		    in->psl && r->pct < 100 ? " pct<100" : "");
	r->policy = applies(dns, in->psl, &f, r->domain, explain);
	/* RFC 9989 4.7 t=y: the policy one step milder */
	if (r->testing && r->policy != DMARC_POLICY_NONE) {
		r->policy = r->policy == DMARC_POLICY_REJECT ?
		    DMARC_POLICY_QUARANTINE : DMARC_POLICY_NONE;
		if (explain != NULL)
			vstr_catf(explain, "  t=y: one step milder, %s\n",
			    result_policy_str(r->policy));
	}
	evaluate(dns, &o, in, &f, r, explain);
	if (explain != NULL)
		vstr_catf(explain, "  result: dmarc=%s, published policy %s\n",
		    result_dmarc_str(r->result), result_policy_str(r->policy));
	org_found_clear(&f);
	return r;
}
