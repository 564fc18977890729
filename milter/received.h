/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * received - the client a trusted relay received a message from, read
 * from the Received fields (RFC 5321 4.4) it added.  Pure.
 *
 * received_parse() reads the "from" clause of one Received value: the
 * client's address and its HELO name, in the formats Postfix, Sendmail,
 * Exim and Microsoft Exchange write (see mxauth.conf(5)).  The address
 * is taken only from the part the relay wrote, never from the HELO the
 * client chose; a field whose HELO mimics that part is ambiguous.
 * received_origin() walks the fields top down past the hops between
 * trusted relays and returns the first client that is not one.
 */
#ifndef MXAUTH_RECEIVED_H
#define MXAUTH_RECEIVED_H

#include <stddef.h>

struct netlist;

#define RECEIVED_MAX	30	/* fields looked at, top down */

struct received_client {
	char	 ip[64];	/* as inet_ntop writes it */
	char	 helo[256];	/* "" when the field has none */
};

#define RECEIVED_NONE		(-1)	/* the field names no client */
#define RECEIVED_AMBIGUOUS	(-2)	/* it reads as more than one */

/* received_parse - one Received value; 0, RECEIVED_NONE or _AMBIGUOUS */
int	 received_parse(const char *value, struct received_client *);
/*
 * received_origin - among VALUES (N Received values, topmost first), the
 * client of the first field whose client is not in RELAYS; 0, or -1
 * with the reason in WHY
 */
int	 received_origin(const struct netlist *relays, char *const *values,
	    size_t n, struct received_client *, char *why, size_t whylen);

#endif
