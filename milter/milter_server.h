/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_server - the milter socket and the MTA connections on it: one
 * epoll thread accepts and watches, a fixed pool of worker threads reads,
 * hands each complete packet to the handler and writes its replies.
 *
 * milter_server_open() binds and listens (as root, before detaching);
 * milter_server_start() starts the threads (after detaching: threads do
 * not survive fork()); milter_server_stop() stops them, closes every
 * connection (the handler's closed() frees each one's state) and frees
 * the server.  The server owns the connections; the handler owns what it
 * hangs on *priv.  A connection is served by one worker at a time.
 */
#ifndef MXAUTH_MILTER_SERVER_H
#define MXAUTH_MILTER_SERVER_H

#include <stddef.h>

struct milter_pkt;
struct vstr;

struct milter_handler {
	/*
	 * packet - one packet of the connection whose state is *PRIV (NULL
	 * at first); replies go to OUT; 0, or -1 to close the connection
	 */
	int	(*packet)(void **priv, const struct milter_pkt *pkt,
		    struct vstr *out);
	/* closed - the connection is gone; free PRIV (may be NULL) */
	void	(*closed)(void *priv);
};

struct milter_server;

/*
 * milter_server_open - listen on SOCKET (unix:/PATH, local:/PATH,
 * inet:PORT[@ADDR], inet6:PORT[@ADDR]); NULL with ERR on failure.  A
 * unix socket left by an earlier run is removed; anything else at its
 * path is refused.  The caller's umask sets the socket's mode.  Caller
 * frees with milter_server_stop().
 */
struct milter_server *milter_server_open(const char *socket, char *err,
	    size_t errlen);
/* milter_server_max_conns - the MTA connections taken at once */
long	 milter_server_max_conns(const struct milter_server *);
/*
 * milter_server_start - serve with THREADS workers; ENDED is called (from
 * the server's thread) if serving stops by itself.  0, or -1 with ERR.
 * HANDLER is borrowed until milter_server_stop().
 */
int	 milter_server_start(struct milter_server *, int threads,
	    const struct milter_handler *handler, void (*ended)(void),
	    char *err, size_t errlen);
/*
 * milter_server_wait_begin, milter_server_wait_end - the calling worker
 * is about to wait (for DNS) / stops waiting: another worker takes
 * events meanwhile.  No-ops in a thread that is not a worker.  For
 * dns_set_wait_hooks().
 */
void	 milter_server_wait_begin(void);
void	 milter_server_wait_end(void);
/* milter_server_stop - stop serving, close everything, free (NULL ok) */
void	 milter_server_stop(struct milter_server *);

#endif
