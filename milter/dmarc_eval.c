/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_eval - alignment and result, no DNS.
 *
 * RFC 9989 4.4.1/4.4.2 (RFC 7489 3.1.1/3.1.2): in strict mode the
 * identifier's domain equals the author domain; in relaxed mode their
 * organizational domains are equal.  A DKIM or SPF temperror only
 * matters when its identifier could have aligned (RFC 9989 5.3.6): a
 * temporary failure of some other domain's signature, SPF record or
 * DMARC tree cannot turn a fail into a temperror.
 *
 * An identifier's organizational domain is always the identifier itself
 * or one of its ancestors (the tree walk and the Public Suffix List both
 * only cut labels off the left), so in relaxed mode an identifier can
 * only align when the author's organizational domain is its name or an
 * ancestor of it.  That is decided before, and without, the identifier's
 * own DNS: a forger's domain whose DNS fails is "not aligned", never
 * "undecided".  Names compare label by label, case-insensitively (RFC
 * 4343), a trailing dot ignored.
 */
#include "config.h"

#include "dmarc_eval.h"
#include "domain.h"
#include "vstr.h"

/*
 * dmarc_may_align - whether DOMAIN can align with the author at all:
 * strict, the author's own name; relaxed, a name at or below the
 * author's organizational domain (the only names whose own
 * organizational domain can equal it)
 */
bool
dmarc_may_align(const struct dmarc_eval_in *in, const char *domain,
    bool strict)
{
	if (domain == NULL || in->from == NULL)
		return false;
	if (domain_equal(domain, in->from))
		return true;
	return !strict && domain_is_under(domain, in->from_org);
}

/* dmarc_aligned - strict: the same name; relaxed: the same org domain */
bool
dmarc_aligned(const struct dmarc_eval_in *in, const char *domain,
    const char *dorg, bool strict)
{
	if (!dmarc_may_align(in, domain, strict))
		return false;
	if (domain_equal(domain, in->from))
		return true;
	return dorg != NULL && domain_equal(dorg, in->from_org);
}

/* judge - one identifier: 1 aligned pass, 2 maybe (temporary), 0 not */
static int
judge(const struct dmarc_eval_in *in, const struct dmarc_ident *id,
    bool strict, const char *what, struct vstr *why)
{
	const char *mode = strict ? "strict" : "relaxed";
	const char *from = in->from != NULL ? in->from : "?";
	const char *from_org = in->from_org != NULL ? in->from_org : "?";
	bool may = dmarc_may_align(in, id->domain, strict);
	bool aligned = dmarc_aligned(in, id->domain, id->org, strict);
	/* relaxed, could align, org unknown for a temporary reason */
	bool undecided = may && !aligned && id->org_temp;

	if (id->pass && aligned) {
		vstr_catf(why, "  %s %s passes and aligns (%s)\n", what,
		    id->domain, mode);
		return 1;
	}
	if ((id->pass || id->temp) && !may) {
		vstr_catf(why, "  %s %s %s but cannot align: not %s%s (%s)\n",
		    what, id->domain, id->pass ? "passes" :
		    "failed temporarily", strict ? from : "under ",
		    strict ? "" : from_org, mode);
		return 0;
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
	if (id->pass || id->temp)
		vstr_catf(why, "  %s %s %s but does not align with %s (%s, "
		    "org %s)\n", what, id->domain, id->pass ? "passes" :
		    "failed temporarily", from, mode,
		    id->org != NULL ? id->org : "?");
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
