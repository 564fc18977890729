/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_check_mech - the state one SPF evaluation shares, and the
 * mechanisms that need the DNS (RFC 7208 5.3-5.7: a, mx, ptr, exists)
 * plus the validated %{p} name (7.3).  Internal to the SPF module: only
 * spf_check.c and spf_check_mech.c include this header.
 *
 * A struct spf_check_walk lives on spf_check_host()'s stack for one
 * evaluation and is never shared between threads.  It owns LOCAL and
 * PTR (freed by spf_check_walk_clear); REQ and DNS are borrowed.
 */
#ifndef MXAUTH_SPF_CHECK_MECH_H
#define MXAUTH_SPF_CHECK_MECH_H

#include <netinet/in.h>
#include <arpa/inet.h>

#include "dns.h"
#include "spf_check.h"
#include "spf_record.h"

#define SPF_CHECK_MAX_LOOKUPS	10	/* RFC 7208 4.6.4 */
#define SPF_CHECK_MAX_VOIDS	2	/* RFC 7208 4.6.4 */
#define SPF_CHECK_MAX_NAMES	10	/* MX and PTR names, RFC 7208 4.6.4 */

/* What a mechanism did. */
enum spf_check_match {
	SPF_CHECK_NO = 0,
	SPF_CHECK_YES,
	SPF_CHECK_TEMP,		/* temperror */
	SPF_CHECK_PERM		/* permerror */
};

struct spf_check_walk {
	struct dns		*dns;
	const struct spf_check_req *req;
	unsigned char		 addr[16];	/* IPv4 in the first 4 bytes */
	int			 v4;
	char			 ip_dotted[80];	/* %{i} */
	char			 ip_text[INET6_ADDRSTRLEN]; /* %{c} */
	char			*local;		/* %{l} */
	const char		*sender_domain;	/* %{o} */
	int			 lookups;	/* DNS-querying terms so far */
	int			 voids;		/* void lookups so far */
	int			 ptr_done;	/* %{p} resolved (maybe NULL) */
	char			*ptr;		/* validated %{p} name */
};

/* spf_check_walk_init - client address forms; -1 if IP is no address */
int	 spf_check_walk_init(struct spf_check_walk *, const char *ip);
void	 spf_check_walk_clear(struct spf_check_walk *);
/* spf_check_ip - ip4/ip6 terms (RFC 7208 5.6) */
int	 spf_check_ip(const struct spf_check_walk *, const struct spf_term *);
enum spf_check_match spf_check_mech_a(struct spf_check_walk *,
	    const char *name, const struct spf_term *);
enum spf_check_match spf_check_mech_mx(struct spf_check_walk *,
	    const char *name, const struct spf_term *);
enum spf_check_match spf_check_mech_ptr(struct spf_check_walk *,
	    const char *name);
enum spf_check_match spf_check_mech_exists(struct spf_check_walk *,
	    const char *name);
/* spf_check_ptr_macro - resolve %{p} once, preferring names in DOMAIN */
void	 spf_check_ptr_macro(struct spf_check_walk *, const char *domain);

#endif
