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

struct conf {
	int		 refcnt;	/* owned by conf.c */
	char		*path;		/* file it was read from, or NULL */

	/* daemon */
	char		*socket;	/* unix:PATH | inet:PORT@ADDR */
	char		*user;		/* drop privileges to this user, "" = stay */
	char		*pid_file;	/* "" = none */
	char		*log_target;	/* syslog | stderr | file:PATH */
	int		 log_level;	/* enum log_level */

	/* results */
	char		*authserv_id;	/* default: the host name */

	/* DNS */
	char		*dns_servers;	/* "host[:port] ..."; "" = /etc/resolv.conf */
	int		 dns_timeout;	/* seconds per try */
	int		 dns_retries;	/* tries after the first */
	int		 dns_cache_size; /* entries; 0 = no cache */

	/* ingress */
	struct netlist	*trusted_networks;

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

struct conf *conf_load(const char *path, char *err, size_t errlen);
struct conf *conf_defaults(void);
void	 conf_free(struct conf *);
/* conf_print - "key = value" lines; ALL=0 prints only non-default keys */
void	 conf_print(const struct conf *, FILE *, int all);

void	 conf_install(struct conf *);
struct conf *conf_get(void);
void	 conf_hold(struct conf *);
void	 conf_release(struct conf *);

#endif
