/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf - /etc/mxauth.conf: parse, validate, print, and the refcounted
 * snapshot the daemon runs with.
 *
 * conf_load() parses a whole file into a new struct conf or fails with
 * "FILE:LINE: message" in ERR.  The table of directives lives in
 * conf_table.c; it is the source of truth for defaults, limits and
 * `mxauth -n`.
 *
 * Snapshots: conf_install() publishes a loaded conf as the current one;
 * conf_get() returns the current snapshot with a reference held, and
 * conf_release() drops it.  A message takes one reference when it starts
 * and keeps that snapshot to the end, whatever reloads happen meanwhile.
 * A struct conf is read-only once loaded.
 */
#ifndef MXAUTH_CONF_H
#define MXAUTH_CONF_H

#include <stdio.h>

struct netlist;
struct overrides;
struct psl_ctx_st;

/*
 * What the site does with a DMARC verdict; the global one is in struct
 * conf, a domain's own from policy_overrides (overrides.c).
 */
struct conf_site {
	int		 policy;		/* enum conf_dmarc_policy */
	int		 reject_action;		/* enum conf_dmarc_action */
	int		 quarantine_action;	/* enum conf_dmarc_action */
	int		 temperror_action;	/* enum conf_spf_temp */
	int		 dry_run;		/* bool: log, accept */
};

struct conf {
	int		 refcnt;	/* owned by conf.c */
	char		*path;		/* file it was read from, or NULL */

	/* daemon */
	char		*socket;	/* unix:PATH | inet:PORT@ADDR */
	char		*user;		/* drop privileges to this user, "" = stay */
	char		*pid_file;	/* "" = none */
	int		 milter_threads; /* workers serving MTA connections */
	char		*log_target;	/* syslog | stderr | file:PATH */
	int		 log_level;	/* enum log_level */
	char		*metrics_listen; /* ADDR:PORT for /metrics; "" = off */

	/* results */
	char		*authserv_id;	/* default: the host name */

	/* DNS */
	char		*dns_servers;	/* "host[:port] ..."; "" = /etc/resolv.conf */
	int		 dns_timeout;	/* seconds per try */
	int		 dns_retries;	/* tries after the first */
	int		 dns_cache_size; /* entries; 0 = no cache */
	int		 dns_cache_memory; /* MiB the answers may take */
	int		 dns_check_timeout; /* seconds of DNS per check */

	/* ingress */
	struct netlist	*trusted_networks;
	struct netlist	*trusted_relays;	/* MTAs in front without mxauth */
	char		*trusted_authserv_ids;	/* upstream A-R ids, space-separated */
	int		 inner_enforce;		/* bool: act on upstream verdicts */

	/* SPF */
	int		 spf_helo;		/* bool: check the HELO identity */
	int		 received_spf;		/* bool: add Received-SPF */
	int		 spf_fail_action;	/* enum conf_spf_action */
	int		 spf_softfail_action;
	int		 spf_permerror_action;
	int		 spf_temperror_action;	/* enum conf_spf_temp */

	/* DKIM */
	int		 dkim_min_key_bits;	/* RSA keys below never pass */
	int		 dkim_allow_partial_body; /* bool: l= may pass */
	int		 dkim_max_signatures;	/* evaluated per message */

	/* DMARC */
	int		 dmarc_org_domain;	/* enum conf_org_domain */
	char		*psl_file;		/* Public Suffix List (psl mode) */
	struct psl_ctx_st *psl;			/* loaded from it in psl mode,
						 * else NULL; freed with the
						 * snapshot */
	struct conf_site site;
	int		 dmarc_bad_from_action;	/* enum conf_dmarc_action */
	int		 quarantine_method;	/* enum conf_quarantine */
	char		*dmarc_reject_text;	/* $domain expanded */
	char		*policy_overrides;	/* file:PATH, or "" */
	struct overrides *overrides;		/* loaded from it, or NULL */

	/* DMARC aggregate reports (read at start only) */
	int		 reporting;		/* bool: record rows */
	char		*report_store;		/* sqlite:/PATH | postgresql:// */
	int		 report_queue;		/* rows waiting for the store */
	int		 report_retention;	/* days mxauth-report keeps
						 * rows; 0 = for ever */
	/* the reporter's identity (mxauth-report); "" = unset */
	char		*report_org_name;	/* org_name */
	char		*report_email;		/* From, email; its domain
						 * the submitter */
	char		*report_extra_contact;	/* extra_contact_info */
	char		*report_transport;	/* sendmail:/PATH | smtp:HOST[:PORT] */
};

/* dmarc_*_action values (table order) */
enum conf_dmarc_action {
	CONF_DMARC_REJECT = 0,
	CONF_DMARC_QUARANTINE,
	CONF_DMARC_NONE
};

/* a domain's policy as the site sees it (policy_overrides only) */
enum conf_dmarc_policy {
	CONF_POLICY_PUBLISHED = 0,	/* what the domain publishes */
	CONF_POLICY_NONE,
	CONF_POLICY_QUARANTINE,
	CONF_POLICY_REJECT
};

/* dmarc_org_domain values (table order) */
enum conf_org_domain {
	CONF_ORG_TREEWALK = 0,		/* RFC 9989 */
	CONF_ORG_PSL			/* RFC 7489, Public Suffix List */
};

/* quarantine_method values (table order) */
enum conf_quarantine {
	CONF_QUARANTINE_HOLD = 0,	/* milter quarantine: Postfix hold queue */
	CONF_QUARANTINE_HEADER		/* X-Mxauth-Quarantine field */
};

/* spf_{fail,softfail,permerror}_action values (table order) */
enum conf_spf_action {
	CONF_SPF_NONE = 0,
	CONF_SPF_REJECT
};

/* spf_temperror_action values (table order) */
enum conf_spf_temp {
	CONF_SPF_ACCEPT = 0,
	CONF_SPF_TEMPFAIL
};

struct dns;

#define CONF_MAX_FILE	(1024 * 1024)	/* bytes in any file conf reads */

struct conf *conf_load(const char *path, char *err, size_t errlen);
/* conf_fopen - a regular file of at most CONF_MAX_FILE bytes, opened
 * without blocking; NULL and the reason ("cannot read PATH: ...") */
FILE	*conf_fopen(const char *path, char *why, size_t whylen);
struct conf *conf_defaults(void);
void	 conf_free(struct conf *);
/* conf_print - "key = value" lines; ALL=0 prints only non-default keys */
void	 conf_print(const struct conf *, FILE *, int all);

void	 conf_install(struct conf *);
struct conf *conf_get(void);
void	 conf_hold(struct conf *);
void	 conf_release(struct conf *);
/*
 * conf_dns_new - the resolver the dns_* settings describe (the daemon's
 * and mxauth-check's); NULL and the reason in ERR
 */
struct dns *conf_dns_new(const struct conf *, char *err, size_t errlen);

#endif
