/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres - format and parse Authentication-Results (RFC 8601).
 *
 * authres_parse_id() and authres_parse() read an incoming header's value
 * strictly, authres_lead_match() reads its authserv-id leniently;
 * authres_format() writes the value of our own header from the results.
 * Both are pure: no DNS, no logging, no global state.
 */
#ifndef MXAUTH_AUTHRES_H
#define MXAUTH_AUTHRES_H

#include <stddef.h>

#include "result.h"

struct vstr;

/* What one message's header is made of; all pointers borrowed. */
struct authres_in {
	const char		*authserv_id;
	enum ingress		 ingress;
	const char		*auth_user;	/* SMTP AUTH identity or NULL */
	const char		*mail_from;	/* envelope sender, "" = <> */
	const char		*helo;
	const char		*from_domain;	/* RFC5322.From domain or NULL */
	const struct spf_result	*spf;		/* NULL = not evaluated */
	const struct dkim_result *dkim;
	size_t			 ndkim;
	const struct dmarc_result *dmarc;	/* NULL = not evaluated */
};

/* authres_parse_id - authserv-id of an A-R value into BUF; 0 or -1 */
int	 authres_parse_id(const char *value, char *buf, size_t len);
/*
 * authres_lead_match - whether MATCH(id, ARG) is true for any id a
 * lenient reader could take for VALUE's authserv-id, parse or no parse:
 * comments skipped even unterminated, trailing dot, /version suffix and
 * case ignored, encoded words decoded (RFC 8601 5: what claims to be
 * ours must go).  1 or 0.
 */
int	 authres_lead_match(const char *value,
	    int (*match)(const char *id, const void *arg), const void *arg);

#define AUTHRES_MAX_RESULTS	16

/* One resinfo of an incoming header: method=result and two properties. */
struct authres_result {
	char	 method[32];		/* "spf", "dkim", "dmarc", ... */
	char	 result[32];		/* "pass", "fail", ... */
	char	 header_from[256];	/* header.from, or "" */
	char	 policy_dmarc[16];	/* policy.dmarc, or "" */
};

struct authres_parsed {
	char	 id[256];
	struct authres_result res[AUTHRES_MAX_RESULTS];
	size_t	 n;
};

/*
 * authres_parse - an incoming A-R value (RFC 8601 2.2): its authserv-id
 * and each resinfo's method, result, header.from and policy.dmarc
 * (comments skipped, quoted values unquoted).  0, or -1 with no results
 * at all when it does not parse (an unclosed comment or quoted-string
 * included); results past AUTHRES_MAX_RESULTS are dropped.
 */
int	 authres_parse(const char *value, struct authres_parsed *);
/* authres_format - append our header's value (no field name) to OUT */
void	 authres_format(struct vstr *out, const struct authres_in *);
/*
 * authres_received_spf - append the value of a Received-SPF field
 * (RFC 7208 9.1) for SPF result SPF judged by RECEIVER
 */
void	 authres_received_spf(struct vstr *out, const struct spf_result *spf,
	    const char *receiver, const char *mail_from, const char *helo);
/*
 * authres_pvalue - append a property value: bare when it is a token or
 * [local-part] "@" domain-name, else a quoted-string with control and
 * 8-bit bytes as '?', cut past 255 bytes (everything authres writes
 * from input passes this filter or its comment twin)
 */
void	 authres_pvalue(struct vstr *out, const char *value);

#endif
