/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * null_milter - the floor under any milter behind Postfix: mxauth's own
 * milter server and protocol code with a handler that does nothing.  It
 * negotiates what mxauth negotiates (the same no-reply steps, headers
 * and body sent), answers "continue" at MAIL FROM and "accept" at end of
 * message, and adds no header.  bench/peers.sh measures Postfix with it
 * beside Postfix with mxauth: what is left between them is mxauth's
 * work; what is left between it and Postfix alone is the milter
 * protocol's cost in Postfix itself.
 *
 *   null_milter SOCKET      (unix:/PATH or inet:PORT@ADDR; until SIGTERM)
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "milter_proto.h"
#include "milter_server.h"
#include "mlfi.h"
#include "vstr.h"

/* the steps mxauth negotiates (mlfi.h), so the floor is like for like */
#define OUR_STEPS	(MLFI_NR_STEPS | MLFI_SKIP_STEPS | MLFI_WANT_STEPS)

/* packet - the null handler; *PRIV holds the negotiated steps */
static int
packet(void **priv, const struct milter_pkt *pkt, struct vstr *out)
{
	uintptr_t steps = (uintptr_t)*priv;
	struct milter_cmd c;
	uint32_t nr = 0;
	char why[128];

	if (milter_proto_decode(pkt, &c, why, sizeof(why)) != 0)
		return -1;
	switch (c.cmd) {
	case MILTER_C_OPTNEG:
		steps = c.steps & OUR_STEPS;
		*priv = (void *)steps;
		milter_proto_put_optneg(out, c.version < MILTER_VERSION ?
		    c.version : MILTER_VERSION, 0, (uint32_t)steps, NULL);
		return 0;
	case MILTER_C_MACRO:
	case MILTER_C_ABORT:
		return 0;
	case MILTER_C_QUIT:
	case MILTER_C_QUIT_NC:
		return c.cmd == MILTER_C_QUIT ? -1 : 0;
	case MILTER_C_BODYEOB:
		milter_proto_put(out, MILTER_R_ACCEPT, NULL, 0);
		return 0;
	case MILTER_C_CONNECT: nr = MILTER_P_NR_CONN; break;
	case MILTER_C_HELO: nr = MILTER_P_NR_HELO; break;
	case MILTER_C_DATA: nr = MILTER_P_NR_DATA; break;
	case MILTER_C_HEADER: nr = MILTER_P_NR_HDR; break;
	case MILTER_C_EOH: nr = MILTER_P_NR_EOH; break;
	case MILTER_C_BODY: nr = MILTER_P_NR_BODY; break;
	default: break;
	}
	if ((steps & nr) == 0 || nr == 0)
		milter_proto_put(out, MILTER_R_CONTINUE, NULL, 0);
	return 0;
}

static void
closed(void *priv)
{
	(void)priv;
}

static void
ended(void)
{
	exit(1);
}

int
main(int argc, char **argv)
{
	static const struct milter_handler h = { packet, closed };
	struct milter_server *s;
	char err[256];
	sigset_t set;
	int sig;

	if (argc != 2) {
		fprintf(stderr, "usage: null_milter SOCKET\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if ((s = milter_server_open(argv[1], err, sizeof(err))) == NULL ||
	    milter_server_start(s, 32, &h, ended, err, sizeof(err)) != 0) {
		fprintf(stderr, "null_milter: %s\n", err);
		return 1;
	}
	sigwait(&set, &sig);
	milter_server_stop(s);
	return 0;
}
