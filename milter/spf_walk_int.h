/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_walk_int - what the two halves of the walk share: spf_walk.c
 * walks the tree of records (fetch, include loops and depth, redirect=,
 * which term decides) and keeps the warnings; spf_walk_term.c walks one
 * term (its lookups against the limits, its networks, the names its
 * macros give).  For those two files only.
 */
#ifndef MXAUTH_SPF_WALK_INT_H
#define MXAUTH_SPF_WALK_INT_H

#include <stddef.h>

#include "spf_record.h"
#include "spf_walk.h"
#include "vstr.h"

struct dns;

/* What a term does for the client address, while walking. */
enum ipm {
	IPM_NO = 0,		/* no match: go on */
	IPM_YES,		/* matches: the term's qualifier decides */
	IPM_UNKNOWN,		/* the walk cannot tell (ptr, exists, macro) */
	IPM_TEMP,
	IPM_PERM
};

struct walker {
	struct dns	*dns;
	struct spf_walk	*w;
	const char	*top;		/* the domain walked: %{o} */
	int		 have_ip, ip_v4;
	unsigned char	 ip[16];
	const char	*path[SPF_WALK_HARD_DEPTH + 1];	/* domains above */
	int		 over_warned;
	int		 voids_warned;
	int		 stopped;
};

/* GROW - make room for one more element in ARR (N used, CAP allocated) */
#define GROW(arr, n, cap) do {						\
	if ((n) == (cap)) {						\
		(cap) = (cap) != 0 ? (cap) * 2 : 8;			\
		(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));	\
	}								\
} while (0)

/* spf_walk.c */
/* spf_walk_warn - a warning about node NODE that breaks nothing */
void	 spf_walk_warn(struct walker *k, size_t node, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * spf_walk_fail - a warning about node NODE that makes the walk RES
 * (TEMPERROR, PERMERROR, or NONE for a top domain that cannot be
 * walked): the reason spf_walk_domain() returns it
 */
void	 spf_walk_fail(struct walker *k, size_t node, enum spf_res res,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* spf_walk_worse - the walk's overall result, errors winning */
void	 spf_walk_worse(struct spf_walk *w, enum spf_res r);
/*
 * spf_walk_record - DOMAIN's record walked as a node below VIA at DEPTH
 * (PASS: its networks are allowed); its result
 */
enum spf_res spf_walk_record(struct walker *k, const char *domain,
	    const char *via, int depth, int pass);

/* spf_walk_term.c */
/* spf_walk_term_str - a term as written (modulo case and a default "+") */
void	 spf_walk_term_str(const struct spf_term *t, struct vstr *out);
/* spf_walk_count_lookup - one more DNS-querying term; nonzero: over */
int	 spf_walk_count_lookup(struct walker *k, size_t node,
	    const char *term);
/*
 * spf_walk_target - the name TERM (SPEC, or DOMAIN without one) points
 * at, its %{d} and %{o} expanded: 0 with NAME set, 1 when it depends on
 * the message (WHAT is left out), -1 when the expansion is a permerror
 */
int	 spf_walk_target(struct walker *k, size_t node, const char *term,
	    const char *spec, const char *domain, const char *what,
	    struct vstr *name);
/*
 * spf_walk_term - one term of node NODE (DOMAIN's record): networks,
 * lookups and warnings; what it does for the client (*CHILD: the node
 * of the include that matched)
 */
enum ipm spf_walk_term(struct walker *k, size_t node,
	    const struct spf_term *t, const char *domain, int depth,
	    int pass, long *child);

#endif
