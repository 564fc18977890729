/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy - the site's rules turned into an action (pure: a struct in,
 * an action out; no DNS, no logging).
 *
 * What the site does with a result is decided here and nowhere else:
 * policy_mail_from() applies the SPF-only rules that act at MAIL FROM
 * (spf_*_action), policy_site() the DMARC rules at end of message (the
 * From domain's override or the global rules, dmarc_*_action, dry_run,
 * quarantine_method), policy_upstream() a trusted hop's verdict
 * (inner_enforce).  Each fills a decision with the action, the SMTP
 * reply to give when refusing, a reason an admin can act on, and how a
 * quarantine is carried out.
 */
#ifndef MXAUTH_POLICY_H
#define MXAUTH_POLICY_H

#include "result.h"
#include "vstr.h"

struct authres_result;
struct conf;

struct policy_decision {
	enum action	 action;
	const char	*rcode;		/* "550", "451"; NULL = MTA default */
	const char	*xcode;		/* "5.7.23" ...; static */
	struct vstr	 reply;		/* SMTP reply text when refusing */
	struct vstr	 reason;	/* for the verdict line */
	enum dmarc_policy disposition;	/* DMARC: what was done (A-R dis=) */
	unsigned	 overrides;	/* DMARC_OVR_*: why not the policy */
	const char	*override;	/* the policy_overrides entry matched;
					 * borrowed from the conf, or NULL */
	int		 quarantine_hold; /* QUARANTINE: by the MTA's hold */
	struct vstr	 quarantine_note; /* QUARANTINE by header: its value */
};

/* the field a quarantine by header adds (quarantine_method = header) */
#define POLICY_QUARANTINE_FIELD	"X-Mxauth-Quarantine"

/* policy_mail_from - SPF rules for a judged MAIL FROM; D is reset first */
void	 policy_mail_from(const struct conf *, const struct spf_result *,
	    struct policy_decision *d);
/*
 * policy_dmarc - the site's rules for a DMARC result; SITE is the From
 * domain's override or &conf->site, ROLL 0..99 (pct, RFC 7489 mode)
 */
void	 policy_dmarc(const struct conf *, const struct conf_site *site,
	    const struct dmarc_result *, unsigned roll,
	    struct policy_decision *d);
/*
 * policy_site - the site's answer for a DMARC result DM (NULL = not
 * evaluated): the From domain's override or conf->site through
 * policy_dmarc, and how a quarantine is done.  D is reset first.
 */
void	 policy_site(const struct conf *, const struct dmarc_result *,
	    unsigned roll, struct policy_decision *d);
/*
 * policy_upstream - a trusted hop's verdict: ID its authserv-id, R its
 * dmarc resinfo (NULL = none); acted on only with inner_enforce.  D is
 * reset first.
 */
void	 policy_upstream(const struct conf *, const char *id,
	    const struct authres_result *r, struct policy_decision *d);
void	 policy_decision_init(struct policy_decision *);
void	 policy_decision_free(struct policy_decision *);

#endif
