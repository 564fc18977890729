/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_walk - mxauth-check --spf-walk: domains' SPF records walked
 * (spf_walk) and printed for an admin -- the aggregated networks, one a
 * line (an allowlist); the tree with lookups and warnings (--explain);
 * one JSON object per domain (--json); with --ip, the term that
 * matches the address along the include path and mxauth's result.
 * Front end only (mxauth-check); writes into the caller's vstrs.
 */
#ifndef MXAUTH_CHECK_WALK_H
#define MXAUTH_CHECK_WALK_H

#include <stddef.h>

struct dns;
struct netset_net;
struct vstr;

/* The networks of every domain walked, for the one list printed last. */
struct check_walk_nets {
	struct netset_net *nets;
	size_t		 n, cap;
};

enum check_walk_mode {
	CHECK_WALK_NETS = 0,	/* networks, one a line */
	CHECK_WALK_EXPLAIN,
	CHECK_WALK_JSON
};

/*
 * check_walk_domain - walk DOMAIN (IP: NULL, or a client address) and
 * write what MODE asks for into OUT; in NETS mode the networks are
 * added to ACC for check_walk_print_nets(), and trouble goes to ERR.
 * CHECK_MS: the daemon's DNS budget for one check (dns_check_timeout);
 * the walk may wait six times that (0: no limit).  Returns 0 when the
 * record was walked whole, 1 on none, permerror or temperror.
 * Everything is borrowed.
 */
int	 check_walk_domain(struct dns *, unsigned check_ms, const char *domain,
	    const char *ip, enum check_walk_mode, struct check_walk_nets *acc,
	    struct vstr *out, struct vstr *err);
/* check_walk_print_nets - ACC aggregated into OUT, one a line; ACC freed */
void	 check_walk_print_nets(struct check_walk_nets *acc, struct vstr *out);

#endif
