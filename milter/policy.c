/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy - site rules, table-testable.
 *
 * SPF at MAIL FROM (spf_*_action): fail and softfail may be rejected
 * with 550 5.7.23 (RFC 7372: SPF validation failed) and the domain's
 * explanation; permerror with 550 5.7.24 (SPF validation error);
 * temperror may be tempfailed with 451 4.4.3 (RFC 3463: directory
 * server failure).  Every other case accepts, and the reason says which
 * rule let it through.
 *
 * DMARC at end of message (policy_dmarc): the policy that applies is the
 * domain's (p/sp/np, already one step milder for t=y, RFC 9989 4.7; one
 * step milder when pct does not sample it in RFC 7489 mode, 6.6.4)
 * unless the site's override names one; the
 * site's dmarc_*_action then maps reject and quarantine to what is done;
 * dry_run logs that and accepts.  policy_site picks the rules (the From
 * domain's override or the global ones) and how a quarantine is done;
 * policy_upstream does the same for a trusted hop's verdict when
 * inner_enforce says so.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "conf.h"
#include "overrides.h"
#include "policy.h"

/* policy_decision_init - an empty accept */
void
policy_decision_init(struct policy_decision *d)
{
	memset(d, 0, sizeof(*d));
	vstr_init(&d->reply);
	vstr_init(&d->reason);
	vstr_init(&d->quarantine_note);
}

/* policy_decision_free - release the texts */
void
policy_decision_free(struct policy_decision *d)
{
	vstr_free(&d->reply);
	vstr_free(&d->reason);
	vstr_free(&d->quarantine_note);
}

/* reset - D back to an empty accept, keeping its buffers */
static void
reset(struct policy_decision *d)
{
	vstr_reset(&d->reply);
	vstr_reset(&d->reason);
	vstr_reset(&d->quarantine_note);
	d->action = ACTION_ACCEPT;
	d->rcode = d->xcode = NULL;
	d->disposition = DMARC_POLICY_NONE;
	d->quarantine_hold = 0;
}

/* refuse - set a refusal with its reply */
static void
refuse(struct policy_decision *d, enum action a, const char *rcode,
    const char *xcode)
{
	d->action = a;
	d->rcode = rcode;
	d->xcode = xcode;
}

/*
 * The spf_*_action rules: for each SPF result a rule may refuse, the
 * setting, the value of it that refuses, and the enhanced status code
 * of the refusal (temperror tempfails with 451, the rest reject with
 * 550).
 */
static const struct spf_rule {
	enum spf_res	 result;
	const char	*what;
	const char	*rule;
	size_t		 setting;	/* offset of the int in struct conf */
	int		 refuse;	/* the setting's value that refuses */
	const char	*xcode;
} spf_rules[] = {
#define SPF_RULE(res, what, refuse, xcode) { SPF_RES_##res, #what, \
	"spf_" #what "_action", offsetof(struct conf, spf_##what##_action), \
	CONF_SPF_##refuse, xcode }
	SPF_RULE(FAIL, fail, REJECT, "5.7.23"),
	SPF_RULE(SOFTFAIL, softfail, REJECT, "5.7.23"),
	SPF_RULE(PERMERROR, permerror, REJECT, "5.7.24"),
	SPF_RULE(TEMPERROR, temperror, TEMPFAIL, "4.4.3"),
#undef SPF_RULE
};

/* policy_mail_from - spf_*_action for one SPF result */
void
policy_mail_from(const struct conf *c, const struct spf_result *spf,
    struct policy_decision *d)
{
	const struct spf_rule *r = NULL;
	size_t i;
	int act, temp;

	reset(d);
	if (spf == NULL)
		return;
	for (i = 0; i < sizeof(spf_rules) / sizeof(spf_rules[0]); i++)
		if (spf_rules[i].result == spf->result)
			r = &spf_rules[i];
	if (r == NULL)
		return;
	act = *(const int *)(const void *)((const char *)c + r->setting) ==
	    r->refuse;
	temp = spf->result == SPF_RES_TEMPERROR;
	vstr_catf(&d->reason, "SPF %s for %s (%s=%s)", r->what,
	    spf->domain != NULL && *spf->domain != '\0' ? spf->domain : "-",
	    r->rule, act ? (temp ? "tempfail" : "reject") :
	    (temp ? "accept" : "none"));
	if (!act)
		return;
	refuse(d, temp ? ACTION_TEMPFAIL : ACTION_REJECT, temp ? "451" : "550",
	    r->xcode);
	switch (spf->result) {
	case SPF_RES_TEMPERROR:
		vstr_catf(&d->reply, "temporary DNS error checking SPF for %s, "
		    "try again later", spf->domain);
		break;
	case SPF_RES_PERMERROR:
		vstr_catf(&d->reply, "SPF record of %s is invalid",
		    spf->domain);
		break;
	default:
		if (spf->explanation != NULL && *spf->explanation != '\0')
			vstr_cat(&d->reply, spf->explanation);
		else
			vstr_catf(&d->reply, "SPF %s: %s does not designate %s "
			    "as permitted sender", r->what, spf->domain,
			    spf->client_ip);
		break;
	}
}

/* milder - one step less strict: reject -> quarantine -> none */
static enum dmarc_policy
milder(enum dmarc_policy p)
{
	return p == DMARC_POLICY_REJECT ? DMARC_POLICY_QUARANTINE :
	    DMARC_POLICY_NONE;
}

/* site_action - what the site does for policy P */
static int
site_action(const struct conf_site *site, enum dmarc_policy p,
    const char **rule)
{
	if (p == DMARC_POLICY_REJECT) {
		*rule = "dmarc_reject_action";
		return site->reject_action;
	}
	if (p == DMARC_POLICY_QUARANTINE) {
		*rule = "dmarc_quarantine_action";
		return site->quarantine_action;
	}
	*rule = NULL;
	return CONF_DMARC_NONE;
}

/* act - carry out ACT (enum conf_dmarc_action) for DOMAIN */
static void
act(const struct conf *c, int act, const char *domain,
    struct policy_decision *d)
{
	const char *p;

	if (act == CONF_DMARC_REJECT) {
		refuse(d, ACTION_REJECT, "550", "5.7.1");
		/* dmarc_reject_text: "$domain" is the From domain */
		for (p = c->dmarc_reject_text; *p != '\0'; p++) {
			if (strncmp(p, "$domain", 7) == 0) {
				vstr_cat(&d->reply, domain);
				p += 6;
			} else
				vstr_catc(&d->reply, *p);
		}
		d->disposition = DMARC_POLICY_REJECT;
	} else if (act == CONF_DMARC_QUARANTINE) {
		d->action = ACTION_QUARANTINE;
		d->disposition = DMARC_POLICY_QUARANTINE;
	} else
		d->disposition = DMARC_POLICY_NONE;
}

/* action_word - a conf_dmarc_action as written in the file */
static const char *
action_word(int a)
{
	return a == CONF_DMARC_REJECT ? "reject" : a == CONF_DMARC_QUARANTINE ?
	    "quarantine" : "none";
}

/* dmarc_fail - a failing message under its domain's and the site's rules */
static void
dmarc_fail(const struct conf *c, const struct conf_site *site, int rfc7489,
    const struct dmarc_result *dm, unsigned roll, struct policy_decision *d)
{
	enum dmarc_policy want = dm->policy;
	const char *rule, *why = "";
	int a;

	if (site->policy != CONF_POLICY_PUBLISHED) {
		want = (enum dmarc_policy)site->policy;	/* same order */
		why = ", site policy";
		if (want != dm->policy)
			d->overrides |= DMARC_OVR_LOCAL_POLICY;
	} else if (dm->testing) {
		why = ", t=y";		/* already milder (dmarc_check) */
	} else if (rfc7489 && dm->pct < 100 && roll >= (unsigned)dm->pct &&
	    want != DMARC_POLICY_NONE) {
		want = milder(want);			/* RFC 7489 6.6.4 */
		why = ", not sampled by pct";
		d->overrides |= DMARC_OVR_SAMPLED_OUT;
	}
	a = site_action(site, want, &rule);
	vstr_catf(&d->reason, "DMARC fail for %s, policy %s%s", dm->domain,
	    result_policy_str(want), why);
	if (rule != NULL)
		vstr_catf(&d->reason, " (%s=%s)", rule, action_word(a));
	/* the site's action weaker than the policy (reject -> quarantine) */
	if ((want == DMARC_POLICY_REJECT && a != CONF_DMARC_REJECT) ||
	    (want == DMARC_POLICY_QUARANTINE && a == CONF_DMARC_NONE))
		d->overrides |= DMARC_OVR_LOCAL_POLICY;
	if (site->dry_run && a != CONF_DMARC_NONE) {
		vstr_catf(&d->reason, ", dry run: would %s", action_word(a));
		d->disposition = DMARC_POLICY_NONE;
		d->overrides |= DMARC_OVR_DRY_RUN;
		return;
	}
	act(c, a, dm->domain, d);
}

/*
 * policy_dmarc - the site's decision on a DMARC result.  SITE is the
 * domain's override or &c->site; ROLL is 0..99, drawn by the caller, for
 * pct in RFC 7489 mode.  D is reset first.
 */
void
policy_dmarc(const struct conf *c, const struct conf_site *site,
    const struct dmarc_result *dm, unsigned roll, struct policy_decision *d)
{
	reset(d);
	if (dm == NULL)
		return;
	switch (dm->result) {
	case DMARC_RES_PASS:
		vstr_catf(&d->reason, "DMARC pass for %s", dm->domain);
		break;
	case DMARC_RES_FAIL:
		dmarc_fail(c, site, c->dmarc_org_domain == CONF_ORG_PSL, dm,
		    roll, d);
		break;
	case DMARC_RES_TEMPERROR:
		vstr_catf(&d->reason, "DMARC temperror for %s "
		    "(dmarc_temperror_action=%s)", dm->domain,
		    site->temperror_action == CONF_SPF_TEMPFAIL ? "tempfail" :
		    "accept");
		if (site->temperror_action != CONF_SPF_TEMPFAIL)
			break;
		if (site->dry_run) {
			vstr_cat(&d->reason, ", dry run: would tempfail");
			break;
		}
		refuse(d, ACTION_TEMPFAIL, "451", "4.4.3");
		vstr_catf(&d->reply, "temporary DNS error checking DMARC for "
		    "%s, try again later", dm->domain);
		break;
	case DMARC_RES_PERMERROR:
		if (!dm->bad_from) {
			vstr_catf(&d->reason, "DMARC permerror for %s",
			    dm->domain != NULL ? dm->domain : "-");
			break;
		}
		vstr_catf(&d->reason, "%s (dmarc_bad_from_action=%s)",
		    dm->reason != NULL ? dm->reason : "no single author domain",
		    action_word(c->dmarc_bad_from_action));
		if (c->site.dry_run && c->dmarc_bad_from_action !=
		    CONF_DMARC_NONE) {
			vstr_catf(&d->reason, ", dry run: would %s",
			    action_word(c->dmarc_bad_from_action));
			break;
		}
		act(c, c->dmarc_bad_from_action, "-", d);
		if (d->action == ACTION_REJECT) {
			vstr_reset(&d->reply);
			vstr_cat(&d->reply, "message must have one From field "
			    "with one author domain (RFC 5322, RFC 9989)");
		}
		break;
	default:
		vstr_catf(&d->reason, "no DMARC policy for %s",
		    dm->domain != NULL ? dm->domain : "-");
		break;
	}
}

/*
 * policy_site - the site's whole answer for DM: the rules of the From
 * domain's override, else the global ones, through policy_dmarc (the
 * override named in the reason); a quarantine is carried out the
 * quarantine_method way, by the MTA's hold or by a header field whose
 * value names the domain through the A-R value filter (the domain may
 * come from an upstream A-R)
 */
void
policy_site(const struct conf *c, const struct dmarc_result *dm,
    unsigned roll, struct policy_decision *d)
{
	const struct conf_site *site = NULL;
	const char *matched = NULL;

	if (dm != NULL && dm->domain != NULL)
		site = overrides_find(c->overrides, dm->domain, &matched);
	policy_dmarc(c, site != NULL ? site : &c->site, dm, roll, d);
	if (matched != NULL) {
		vstr_catf(&d->reason, " [override %s]", matched);
		d->overrides |= DMARC_OVR_OVERRIDE;
		d->override = matched;
	}
	if (d->action != ACTION_QUARANTINE)
		return;
	if (c->quarantine_method == CONF_QUARANTINE_HOLD) {
		d->quarantine_hold = 1;
		return;
	}
	vstr_cat(&d->quarantine_note, "DMARC policy of ");
	if (dm->domain != NULL)
		authres_pvalue(&d->quarantine_note, dm->domain);
	else
		vstr_cat(&d->quarantine_note, "the sender");
}

/*
 * policy_upstream - a trusted hop's verdict (authserv-id ID, its dmarc
 * resinfo R or NULL): believed, not re-checked.  Without inner_enforce
 * it is only named in the reason; with it, the site's rules act on it
 * as policy_site does on our own result.  policy.dmarc is the domain's
 * evaluated policy (p, sp or np, t=y applied), not what the edge did:
 * this site's rules act on it, so a monitoring edge (dis=none) leaves
 * enforcement to us.
 */
void
policy_upstream(const struct conf *c, const char *id,
    const struct authres_result *r, struct policy_decision *d)
{
	struct dmarc_result dm;

	reset(d);
	vstr_catf(&d->reason, "upstream verdict of %s", id);
	if (!c->inner_enforce || r == NULL)
		return;
	memset(&dm, 0, sizeof(dm));
	/* "-": a verdict without header.from still names no domain */
	dm.domain = r->header_from[0] != '\0' ? (char *)r->header_from :
	    (char *)"-";
	dm.result = strcasecmp(r->result, "pass") == 0 ? DMARC_RES_PASS :
	    strcasecmp(r->result, "fail") == 0 ? DMARC_RES_FAIL :
	    strcasecmp(r->result, "temperror") == 0 ? DMARC_RES_TEMPERROR :
	    DMARC_RES_NONE;
	dm.policy = strcasecmp(r->policy_dmarc, "reject") == 0 ?
	    DMARC_POLICY_REJECT : strcasecmp(r->policy_dmarc, "quarantine") ==
	    0 ? DMARC_POLICY_QUARANTINE : DMARC_POLICY_NONE;
	dm.pct = 100;
	policy_site(c, &dm, 0, d);
	vstr_catf(&d->reason, " (upstream %s, inner_enforce=yes)", id);
}
