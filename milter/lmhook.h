/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lmhook - mxauth's own sigwait() and accept(), which libmilter calls
 * instead of the C library's: libmilter's signal thread is parked so that
 * only main.c's thread takes signals, and its accept loop neither spins
 * nor hands out the last descriptors when the limit is near.  See lmhook.c.
 */
#ifndef MXAUTH_LMHOOK_H
#define MXAUTH_LMHOOK_H

/* lmhook_init - read RLIMIT_NOFILE once, before smfi_main(); returns the
 * number of descriptors connections may use */
long	 lmhook_init(void);
/* lmhook_parked - 1 once libmilter's signal thread waits in our sigwait() */
int	 lmhook_parked(void);

#endif
