/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trust - where the edge is: which clients are inside, and which
 * incoming Authentication-Results headers are forged.
 *
 * This is the one module that decides trust (doc/HACKING.md, the trust
 * model; received.c reads a relay's Received fields for it);
 * everything else asks it.  Pure: reads the config snapshot it is given.
 */
#ifndef MXAUTH_TRUST_H
#define MXAUTH_TRUST_H

#include <stddef.h>

#include "result.h"

struct conf;

/* trust_ingress - classify the client of one message */
enum ingress trust_ingress(const struct conf *, const char *client_ip,
	    const char *auth_user);

/*
 * trust_ar_forged - whether an incoming A-R value claims an id we trust:
 * ours or one of trusted_authserv_ids (case-insensitive, RFC 8601 5),
 * its leading token read leniently (authres_lead_match) whether or not
 * the rest parses.
 */
int	 trust_ar_forged(const struct conf *, const char *value);

/* What becomes of one incoming A-R field. */
enum ar_fate {
	AR_KEEP = 0,		/* someone else's: left alone */
	AR_DELETE,		/* claims a trusted id it cannot have */
	AR_UPSTREAM		/* the trusted verdict of the hop before us */
};

/* The A-R fields seen so far in one message, top down. */
struct ar_walk {
	int	 seen_other;	/* an A-R of an id we do not trust */
	int	 upstream;	/* the upstream verdict was found */
};

/*
 * trust_ar_fate - RFC 8601 5 and the trust model: from a client that is
 * not in trusted_networks every A-R claiming a trusted id is deleted;
 * from a trusted one, the trusted A-R fields at the top (above any other
 * A-R) stay, the first of them being the upstream verdict, and trusted
 * ones below another site's A-R are deleted.  A claiming field that does
 * not parse strictly is never a verdict: deleted, and nothing trusted
 * below it is believed.  Call for each A-R field in order; W starts
 * zeroed.
 */
enum ar_fate trust_ar_fate(const struct conf *, enum ingress,
	    const char *value, struct ar_walk *w);

#endif
