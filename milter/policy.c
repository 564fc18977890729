/*
 * policy - site rules, table-testable.
 *
 * SPF at MAIL FROM (spf_*_action): fail and softfail may be rejected
 * with 550 5.7.23 (RFC 7372: SPF validation failed) and the domain's
 * explanation; permerror with 550 5.7.24 (SPF validation error);
 * temperror may be tempfailed with 451 4.4.3 (RFC 3463: directory
 * server failure).  Every other case accepts, and the reason says which
 * rule let it through.
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "policy.h"

/* policy_decision_init - an empty accept */
void
policy_decision_init(struct policy_decision *d)
{
	memset(d, 0, sizeof(*d));
	vstr_init(&d->reply);
	vstr_init(&d->reason);
}

/* policy_decision_free - release the texts */
void
policy_decision_free(struct policy_decision *d)
{
	vstr_free(&d->reply);
	vstr_free(&d->reason);
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

/* policy_mail_from - spf_*_action for one SPF result */
void
policy_mail_from(const struct conf *c, const struct spf_result *spf,
    struct policy_decision *d)
{
	const char *what = NULL, *rule = NULL;
	int act = 0;

	vstr_reset(&d->reply);
	vstr_reset(&d->reason);
	d->action = ACTION_ACCEPT;
	d->rcode = d->xcode = NULL;
	if (spf == NULL)
		return;
	switch (spf->result) {
	case SPF_RES_FAIL:
		what = "fail", rule = "spf_fail_action";
		act = c->spf_fail_action == CONF_SPF_REJECT;
		break;
	case SPF_RES_SOFTFAIL:
		what = "softfail", rule = "spf_softfail_action";
		act = c->spf_softfail_action == CONF_SPF_REJECT;
		break;
	case SPF_RES_PERMERROR:
		what = "permerror", rule = "spf_permerror_action";
		act = c->spf_permerror_action == CONF_SPF_REJECT;
		break;
	case SPF_RES_TEMPERROR:
		what = "temperror", rule = "spf_temperror_action";
		act = c->spf_temperror_action == CONF_SPF_TEMPFAIL;
		break;
	default:
		return;
	}
	vstr_catf(&d->reason, "SPF %s for %s (%s=%s)", what,
	    spf->domain != NULL && *spf->domain != '\0' ? spf->domain : "-",
	    rule, act ? (spf->result == SPF_RES_TEMPERROR ? "tempfail" :
	    "reject") : (spf->result == SPF_RES_TEMPERROR ? "accept" : "none"));
	if (!act)
		return;
	switch (spf->result) {
	case SPF_RES_TEMPERROR:
		refuse(d, ACTION_TEMPFAIL, "451", "4.4.3");
		vstr_catf(&d->reply, "temporary DNS error checking SPF for %s, "
		    "try again later", spf->domain);
		break;
	case SPF_RES_PERMERROR:
		refuse(d, ACTION_REJECT, "550", "5.7.24");
		vstr_catf(&d->reply, "SPF record of %s is invalid",
		    spf->domain);
		break;
	default:
		refuse(d, ACTION_REJECT, "550", "5.7.23");
		if (spf->explanation != NULL && *spf->explanation != '\0')
			vstr_cat(&d->reply, spf->explanation);
		else
			vstr_catf(&d->reply, "SPF %s: %s does not designate %s "
			    "as permitted sender", what, spf->domain,
			    spf->client_ip);
		break;
	}
}
