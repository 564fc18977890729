/*
 * dmarc_eval - alignment and result, no DNS.
 *
 * RFC 9989 4.4.1/4.4.2 (RFC 7489 3.1.1/3.1.2): in strict mode the
 * identifier's domain equals the author domain; in relaxed mode their
 * organizational domains are equal.  A DKIM or SPF temperror only
 * matters when its identifier would have aligned: a temporary failure
 * of some other domain's signature cannot turn into a pass.
 */
#include "config.h"

#include <string.h>

#include "dmarc_eval.h"
#include "vstr.h"

/* dmarc_aligned - strict: the same name; relaxed: the same org domain */
bool
dmarc_aligned(const struct dmarc_eval_in *in, const char *domain,
    const char *dorg, bool strict)
{
	if (domain == NULL || in->from == NULL)
		return false;
	if (strcmp(domain, in->from) == 0)
		return true;
	return !strict && dorg != NULL && in->from_org != NULL &&
	    strcmp(dorg, in->from_org) == 0;
}

/* judge - one identifier: 1 aligned pass, 2 maybe (temporary), 0 not */
static int
judge(const struct dmarc_eval_in *in, const struct dmarc_ident *id,
    bool strict, const char *what, struct vstr *why)
{
	bool aligned = dmarc_aligned(in, id->domain, id->org, strict);
	/* relaxed, different names, org unknown for a temporary reason */
	bool undecided = !aligned && !strict && id->org_temp;

	if (id->pass && aligned) {
		vstr_catf(why, "  %s %s passes and aligns (%s)\n", what,
		    id->domain, strict ? "strict" : "relaxed");
		return 1;
	}
	if ((id->pass || id->temp) && undecided) {
		vstr_catf(why, "  %s %s: alignment undecided, organizational "
		    "domain lookup failed temporarily\n", what, id->domain);
		return 2;
	}
	if (id->temp && aligned) {
		vstr_catf(why, "  %s %s would align but failed temporarily\n",
		    what, id->domain);
		return 2;
	}
	if (id->pass)
		vstr_catf(why, "  %s %s passes but does not align with %s "
		    "(%s%s%s)\n", what, id->domain, in->from,
		    strict ? "strict" : "relaxed", strict ? "" : ", org ",
		    strict ? "" : (id->org != NULL ? id->org : "?"));
	else
		vstr_catf(why, "  %s %s did not pass\n", what, id->domain);
	return 0;
}

/* dmarc_eval - the DMARC result from the identifiers */
enum dmarc_res
dmarc_eval(const struct dmarc_eval_in *in, struct dmarc_result *out,
    struct vstr *why)
{
	int temp = 0, r;
	size_t i;

	out->spf_aligned = out->dkim_aligned = false;
	for (i = 0; i < in->ndkim; i++) {
		r = judge(in, &in->dkim[i], in->adkim_strict, "DKIM d=", why);
		if (r == 1)
			out->dkim_aligned = true;
		temp |= r == 2;
	}
	if (in->spf != NULL) {
		r = judge(in, in->spf, in->aspf_strict, "SPF", why);
		if (r == 1)
			out->spf_aligned = true;
		temp |= r == 2;
	} else
		vstr_cat(why, "  SPF: no identifier\n");
	if (in->ndkim == 0)
		vstr_cat(why, "  DKIM: no signature\n");
	if (out->spf_aligned || out->dkim_aligned)
		out->result = DMARC_RES_PASS;
	else
		out->result = temp ? DMARC_RES_TEMPERROR : DMARC_RES_FAIL;
	return out->result;
}
