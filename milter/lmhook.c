/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lmhook - the two C library calls of libmilter's that mxauth replaces.
 *
 * The executable's own definitions of sigwait() and accept() come before
 * the C library's in the dynamic linker's search order, so libmilter.so
 * (or a static libmilter.a) calls these.  Nothing else in mxauth calls
 * either: main.c waits for signals with sigwaitinfo().
 *
 * sigwait: smfi_main() starts a thread (libmilter/signal.c) that waits
 * for SIGHUP, SIGTERM and SIGINT and stops the milter on any of them.  A
 * signal sent to the process goes to whichever waiting thread the kernel
 * picks, so a SIGHUP that arrived while main.c was busy with the previous
 * one stopped mxauth, with exit status 0 and without draining.  Here that
 * thread parks for good; main.c's thread is the only one that ever takes
 * a signal, and lmhook_parked() tells it so.
 *
 * accept: libmilter's listener (libmilter/listener.c) gives each MTA
 * connection a descriptor and a thread, and on EMFILE retries at once,
 * silently, spinning on the CPU as long as the limit is reached.  Here a
 * connection whose descriptor would eat into a reserve kept for the
 * sessions' DNS sockets is closed at once (the MTA applies its
 * milter_default_action), a failed accept waits a little before libmilter
 * retries, and each episode is logged once when it starts and once when
 * connections are taken again.
 *
 * Only libmilter's listener thread calls accept(), so its state needs no
 * lock; the descriptor limit is read once, by lmhook_init().
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lmhook.h"
#include "log.h"

#define RESERVE_MIN	16	/* descriptors kept for DNS, at least */
#define RETRY_MS	100	/* pause after a failed accept() */

static int parked;		/* libmilter's signal thread is here */
static long conn_cap = -1;	/* highest descriptor for a connection */
static long fd_limit = -1;	/* RLIMIT_NOFILE soft limit */
static int refusing;		/* in an episode: logged, not yet over */
static unsigned long refused;	/* connections refused in the episode */

/* lmhook_init - read the descriptor limit; returns connections allowed */
long
lmhook_init(void)
{
	struct rlimit rl;
	long reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > 1L << 20)
		rl.rlim_cur = 1L << 20;
	fd_limit = (long)rl.rlim_cur;
	/* An eighth of the limit, for the DNS sockets of the sessions. */
	reserve = fd_limit / 8 > RESERVE_MIN ? fd_limit / 8 : RESERVE_MIN;
	conn_cap = fd_limit - reserve;
	return conn_cap;
}

/* lmhook_parked - 1 once libmilter's signal thread is parked */
int
lmhook_parked(void)
{
	return __atomic_load_n(&parked, __ATOMIC_ACQUIRE);
}

/*
 * sigwait - libmilter's signal thread waits here forever
 *
 * Any other caller (there is none in mxauth) gets the C library's
 * behaviour, built on sigwaitinfo().
 */
int
sigwait(const sigset_t *restrict set, int *restrict sig)
{
	int s;

	if (sigismember(set, SIGHUP) == 1 && sigismember(set, SIGTERM) == 1) {
		__atomic_store_n(&parked, 1, __ATOMIC_RELEASE);
		for (;;)
			pause();	/* every signal is blocked here */
	}
	do
		s = sigwaitinfo(set, NULL);
	while (s < 0 && errno == EINTR);
	if (s < 0)
		return errno;
	*sig = s;
	return 0;
}

/* episode - log the start of a refusing episode once; count it */
static void
episode(const char *why)
{
	refused++;
	if (refusing)
		return;
	refusing = 1;
	log_warning("cannot take more MTA connections (%s; descriptor limit "
	    "%ld, at most %ld connections): new ones are refused until some "
	    "close; see LimitNOFILE in mxauth(8)", why, fd_limit, conn_cap);
}

/* accept - libmilter's listener takes a connection */
#ifndef __SOCKADDR_ARG
#define __SOCKADDR_ARG	struct sockaddr *restrict
#endif
int
accept(int fd, __SOCKADDR_ARG addr, socklen_t *restrict len)
{
	struct timespec pause_ts = { 0, RETRY_MS * 1000000L };
	int conn, err;

	conn = accept4(fd, addr, len, SOCK_CLOEXEC);
	if (conn < 0) {
		err = errno;
		if (err == EMFILE || err == ENFILE || err == ENOBUFS ||
		    err == ENOMEM) {
			episode(strerror(err));
			/* libmilter retries at once: do not spin */
			nanosleep(&pause_ts, NULL);
		}
		errno = err;
		return -1;
	}
	if (conn_cap > 0 && conn >= conn_cap) {
		/* Descriptors are handed out lowest first: all below are busy. */
		close(conn);
		episode("too many open connections");
		errno = ECONNABORTED;	/* libmilter tries the next one */
		return -1;
	}
	if (refusing) {
		refusing = 0;
		log_info("taking MTA connections again (%lu refused meanwhile)",
		    refused);
		refused = 0;
	}
	return conn;
}
