/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_listen - the milter socket of the `socket` setting (unix:/PATH,
 * local:/PATH, inet:PORT[@ADDR], inet6:PORT[@ADDR]) bound, listening and
 * non-blocking.  A unix socket left at PATH by an earlier run is
 * removed; anything else there is refused.  The caller's umask gives a
 * unix socket its mode.
 */
#ifndef MXAUTH_MILTER_LISTEN_H
#define MXAUTH_MILTER_LISTEN_H

#include <stddef.h>

/* milter_listen_open - the descriptor (*TCP set for inet), or -1, ERR */
int	 milter_listen_open(const char *socket, int *tcp, char *err,
	    size_t errlen);
/* milter_listen_path - the path of a unix:/local: socket (borrowed from
 * SOCKET), else NULL */
const char *milter_listen_path(const char *socket);

#endif
