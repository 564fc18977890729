/*
 * trust - where the edge is: which clients are inside, and which
 * incoming Authentication-Results headers are forged.
 *
 * This is the one module that decides trust (DESIGN.md, trust model);
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
 * trust_ar_forged - whether an incoming A-R value must be deleted: its
 * authserv-id is ours (case-insensitive, RFC 8601 5).  A header whose
 * authserv-id cannot be parsed is not ours and stays.
 */
int	 trust_ar_forged(const struct conf *, const char *value);

#endif
