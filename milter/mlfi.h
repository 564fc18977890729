/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mlfi - the libmilter callbacks: the only code that handles milter
 * events (main.c only sets libmilter up, starts and stops it).
 *
 * mlfi_register() registers the filter with libmilter; the callbacks
 * translate milter events into eval calls and the decided eval back into
 * header edits and a reply.  RESOLVER is borrowed for the process's life.
 */
#ifndef MXAUTH_MLFI_H
#define MXAUTH_MLFI_H

struct dns;

int	 mlfi_register(struct dns *resolver);

#endif
