/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mlfi - the milter events of one MTA connection: the only code that
 * turns milter commands into eval calls and the decided eval into header
 * edits and replies (milter_server.c only moves the packets).
 *
 * mlfi_init() sets the resolver, borrowed for the process's life;
 * mlfi_set_eom_hook() a function given every message's decided
 * eval_result() at end of message, after its verdict line (reporting).
 * mlfi_packet() takes one packet of a connection whose state is *PRIV
 * (NULL before the first packet; mlfi allocates it) and appends its
 * replies to OUT; it returns 0, or -1 when the connection must close
 * (QUIT, a malformed packet).  mlfi_closed() frees PRIV when the
 * connection is gone, dropping any message still open.  A connection's
 * packets come one at a time, in order, from one thread at a time.
 */
#ifndef MXAUTH_MLFI_H
#define MXAUTH_MLFI_H

#include "milter_proto.h"

/*
 * The protocol steps mxauth negotiates (mlfi.c says why each):
 * MLFI_SKIP_STEPS the MTA does not send, MLFI_WANT_STEPS change what it
 * sends, MLFI_NR_STEPS it sends without waiting for a reply.  Public so
 * that bench/null_milter negotiates exactly the same.
 */
#define MLFI_SKIP_STEPS	(MILTER_P_NORCPT | MILTER_P_NOUNKNOWN)
#define MLFI_WANT_STEPS	MILTER_P_HDR_LEADSPC
#define MLFI_NR_STEPS	(MILTER_P_NR_CONN | MILTER_P_NR_HELO | \
			 MILTER_P_NR_DATA | MILTER_P_NR_HDR | \
			 MILTER_P_NR_EOH | MILTER_P_NR_BODY)

struct dns;
struct eval_result;
struct milter_pkt;
struct vstr;

void	 mlfi_init(struct dns *resolver);
/* mlfi_set_eom_hook - HOOK(result) at every end of message; NULL = none */
void	 mlfi_set_eom_hook(void (*hook)(const struct eval_result *));
int	 mlfi_packet(void **priv, const struct milter_pkt *pkt,
	    struct vstr *out);
void	 mlfi_closed(void *priv);

#endif
