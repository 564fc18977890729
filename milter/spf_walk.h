/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_walk - what a domain's SPF record stands for, for an admin: the
 * record walked through every include: and redirect= (RFC 7208 5.2,
 * 6.1), the networks its pass terms allow (ip4/ip6 as written, a and mx
 * resolved with the record's CIDR lengths), the DNS lookups and void
 * lookups spent against RFC 7208 4.6.4, and warnings about what cannot
 * be flattened or will break.  Unlike spf_check, which stops at the
 * first match for one client, the walk visits every term: it is the
 * worst case every client may meet.
 *
 * spf_walk_domain() fills a struct spf_walk: the tree as a pre-order
 * list of nodes (one per record visited, with its depth), the warnings
 * (each pointing at its node), the networks in the order met, and the
 * overall result; with a client address it also says which term of
 * each record matches that address (netset_aggregate() turns the
 * networks into the shortest equal list).  Thread-safe (all state is
 * the caller's); DNS goes through dns.h only.
 *
 * Ownership: a struct spf_walk owns everything it points to; release
 * with spf_walk_clear().
 */
#ifndef MXAUTH_SPF_WALK_H
#define MXAUTH_SPF_WALK_H

#include <stddef.h>

#include "netset.h"
#include "result.h"

struct dns;

/* One record visited. */
struct spf_walk_node {
	char		*domain;	/* as looked up */
	char		*via;		/* "include:x", "redirect=x"; NULL at
					 * the top */
	char		*record;	/* the v=spf1 text; NULL if none */
	int		 depth;		/* 0 for the domain asked */
	enum spf_res	 status;	/* PASS: walked; NONE, TEMPERROR,
					 * PERMERROR: what went wrong here */
	int		 lookups;	/* lookups this record's terms spent */
	int		 voids;		/* void lookups among them */
	/* with a client address (spf_walk_domain IP != NULL): */
	enum spf_res	 ip_result;	/* this record's result for it; NONE
					 * when the walk cannot tell */
	char		*ip_term;	/* the term that decided it, or NULL */
	long		 ip_child;	/* node index of the include that
					 * matched or the redirect; -1 */
};

struct spf_walk_warn {
	size_t		 node;		/* index into nodes */
	/*
	 * PASS: a warning that breaks nothing; else what it makes the walk
	 * (PERMERROR, TEMPERROR; NONE for a name that is no domain)
	 */
	enum spf_res	 res;
	char		*text;
};

struct spf_walk {
	struct spf_walk_node *nodes;
	size_t		 nnodes, capnodes;
	struct spf_walk_warn *warns;
	size_t		 nwarns, capwarns;
	struct netset_net *nets;	/* pass networks, in the order met */
	size_t		 nnets, capnets;
	int		 lookups;	/* all terms, RFC 7208 4.6.4 */
	int		 voids;
	/*
	 * PASS: walked, every record usable; NONE: no record; TEMPERROR:
	 * DNS trouble somewhere; PERMERROR: a record, a limit or an include
	 * broken (evaluations that reach it are permerror)
	 */
	enum spf_res	 result;
};

#define SPF_WALK_MAX_LOOKUPS	10	/* RFC 7208 4.6.4 */
#define SPF_WALK_MAX_VOIDS	2	/* RFC 7208 4.6.4 */
#define SPF_WALK_MAX_NAMES	10	/* MX names, RFC 7208 4.6.4 */
/* The walk itself stops past this many lookups or this depth. */
#define SPF_WALK_HARD_LOOKUPS	60
#define SPF_WALK_HARD_DEPTH	12

/*
 * spf_walk_domain - walk DOMAIN's record into OUT (overwritten; release
 * with spf_walk_clear).  IP: a client address whose matching term each
 * record reports, or NULL.  Returns OUT->result.
 */
enum spf_res spf_walk_domain(struct dns *, const char *domain,
	    const char *ip, struct spf_walk *out);
void	 spf_walk_clear(struct spf_walk *);

#endif
