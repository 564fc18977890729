/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * result - the result types that flow from the evaluators into policy,
 * authres and verdict (doc/HACKING.md, module map).  No module reaches
 * back upstream: the evaluators fill these, everyone after them only
 * reads.
 *
 * Strings in these structs are owned by the struct that holds them and
 * are freed with it (spf_check_result_clear, dkim_verify_results_free,
 * dmarc_result_free; eval_free calls them).
 */
#ifndef MXAUTH_RESULT_H
#define MXAUTH_RESULT_H

#include <stdbool.h>
#include <stddef.h>

/* Where the client stands relative to the edge (trust.c decides). */
enum ingress {
	INGRESS_EXTERNAL = 0,
	INGRESS_TRUSTED,
	INGRESS_AUTHENTICATED,
	INGRESS_RELAY
};

/* RFC 7208 2.6 results; RFC 8601 2.7.2 names. */
enum spf_res {
	SPF_RES_NONE = 0,
	SPF_RES_NEUTRAL,
	SPF_RES_PASS,
	SPF_RES_FAIL,
	SPF_RES_SOFTFAIL,
	SPF_RES_TEMPERROR,
	SPF_RES_PERMERROR
};

enum spf_identity {
	SPF_ID_MAILFROM = 0,
	SPF_ID_HELO
};

struct spf_result {
	enum spf_res	 result;
	enum spf_identity identity;
	char		*domain;	/* the identity's domain */
	enum spf_res	 helo_result;
	char		*client_ip;	/* the IP that was judged */
	char		*explanation;	/* for fail, or NULL */
};

/* RFC 8601 2.7.1 results. */
enum dkim_res {
	DKIM_RES_NONE = 0,
	DKIM_RES_PASS,
	DKIM_RES_FAIL,
	DKIM_RES_NEUTRAL,
	DKIM_RES_POLICY,
	DKIM_RES_TEMPERROR,
	DKIM_RES_PERMERROR
};

/*
 * Why a signature did not pass, as a fixed text (result_dkim_why_str)
 * for the A-R comment; the details, with the signature's own bytes,
 * are in dkim_result.reason, which is never written into a header.
 */
enum dkim_why {
	DKIM_WHY_NONE = 0,
	DKIM_WHY_SYNTAX,	/* the signature does not parse */
	DKIM_WHY_EXPIRED,
	DKIM_WHY_KEY_NONE,	/* no key record */
	DKIM_WHY_KEY_BAD,	/* a key record, none usable */
	DKIM_WHY_KEY_TEMP,
	DKIM_WHY_KEY_STRICT,	/* key t=s and an i= subdomain */
	DKIM_WHY_BODY_SHORT,	/* l= past the body's end */
	DKIM_WHY_BODY_HASH,
	DKIM_WHY_SIGNATURE,
	DKIM_WHY_FROM,		/* a From field h= does not cover */
	DKIM_WHY_SHA1,
	DKIM_WHY_KEY_SIZE,
	DKIM_WHY_PARTIAL	/* l= leaves part of the body unsigned */
};

struct dkim_result {
	enum dkim_res	 result;
	enum dkim_why	 why;
	char		*domain;	/* d= */
	char		*identity;	/* i= */
	char		*selector;	/* s= */
	char		*algorithm;	/* a= */
	char		*b;		/* first characters of b= (RFC 6008) */
	char		*reason;	/* for people; never in a header */
};

/* RFC 7489 11.2 / RFC 9989 results. */
enum dmarc_res {
	DMARC_RES_NONE = 0,
	DMARC_RES_PASS,
	DMARC_RES_FAIL,
	DMARC_RES_TEMPERROR,
	DMARC_RES_PERMERROR
};

enum dmarc_policy {
	DMARC_POLICY_UNSET = 0,
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT
};

/* How the policy record was found (dmarc_org_domain). */
enum dmarc_discovery {
	DMARC_DISC_TREEWALK = 0,	/* RFC 9989 4.10 DNS tree walk */
	DMARC_DISC_PSL			/* RFC 7489: Public Suffix List */
};

/*
 * Why the site's disposition is not simply the published policy (bits of
 * dmarc_result.overrides; policy.c sets them, reports name them).
 */
/* the site's dmarc_policy, or dmarc_*_action doing less than asked */
#define DMARC_OVR_LOCAL_POLICY	0x01u
#define DMARC_OVR_OVERRIDE	0x02u	/* a policy_overrides entry matched */
#define DMARC_OVR_SAMPLED_OUT	0x04u	/* pct did not sample it (RFC 7489) */
#define DMARC_OVR_DRY_RUN	0x08u	/* dry_run: logged, not done */

struct dmarc_result {
	enum dmarc_res	 result;
	char		*domain;	/* RFC5322.From domain (A-labels) */
	char		*policy_domain;	/* where the record was found */
	char		*org_domain;	/* the author's organizational domain */
	enum dmarc_discovery discovery;
	enum dmarc_policy p, sp;	/* as published (sp: effective) */
	enum dmarc_policy np;		/* as published, effective (sp if none) */
	bool		 adkim_strict, aspf_strict;
	char		 psd;		/* the record's psd=: 'y', 'n' or 'u' */
	char		*rua;		/* the record's rua=, or NULL */
	enum dmarc_policy policy;	/* what applied: p, sp or np, t=y, pct */
	enum dmarc_policy disposition;	/* what the site did */
	unsigned	 overrides;	/* DMARC_OVR_* bits: why it differs */
	char		*override;	/* the policy_overrides entry, or NULL */
	bool		 testing;	/* t=y */
	int		 pct;		/* 0..100 (RFC 7489 mode only) */
	bool		 spf_aligned;
	bool		 dkim_aligned;
	bool		 bad_from;	/* permerror: no single author domain */
	char		*reason;	/* why not pass, for people */
};

/* What the MTA is told to do with the message. */
enum action {
	ACTION_ACCEPT = 0,
	ACTION_REJECT,
	ACTION_QUARANTINE,
	ACTION_TEMPFAIL
};

const char *result_ingress_str(enum ingress);
/* result_outside - a client the edge judges (external, or behind a relay) */
int	 result_outside(enum ingress);
const char *result_spf_str(enum spf_res);
const char *result_dkim_str(enum dkim_res);
const char *result_dkim_why_str(enum dkim_why);
const char *result_dmarc_str(enum dmarc_res);
const char *result_policy_str(enum dmarc_policy);
const char *result_action_str(enum action);
void	 dmarc_result_free(struct dmarc_result *);

#endif
