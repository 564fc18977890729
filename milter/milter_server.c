/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_server - MTA connections over epoll and a pool of workers.
 *
 * Two epoll sets.  The loop thread watches the listener: it accepts, and
 * once a second shuts idle connections down.  The workers wait in
 * epoll_wait() on the set of connections themselves (the kernel wakes
 * one per event: no queue, no hand-over between threads).  Connections
 * are watched with EPOLLONESHOT, so a readable connection goes to one
 * worker at a time: the worker reads everything the MTA has sent (the
 * MTA streams the steps it needs no reply for), hands each complete
 * packet to the handler in order, writes all the replies of the batch
 * in one send(), and re-arms the connection.  On TCP it sets
 * TCP_QUICKACK after reading, so that the MTA's Nagle never waits for
 * our delayed ACK.  The workers block in DNS at MAIL FROM (SPF) and end
 * of message (DKIM, DMARC): their number (milter_threads) bounds the
 * evaluations running at once; connections beyond it wait their turn.
 * (A first version had the loop thread queue readable connections for
 * the workers under a mutex and a condition variable: that hand-over
 * was ~38% of mxauth's CPU per message under bench/milter_load.)
 *
 * Pacing.  The workers that take events are kept to as many as there
 * are CPUs (at least 2): the others wait, each on its own condition
 * variable, and the last to wait is the first woken.  A
 * worker about to wait for DNS (dns_set_wait_hooks) wakes a waiting one
 * to take its place, and once its answer came it goes back to waiting
 * when it has served its connection, if enough others are taking
 * events.  So a warm cache keeps a few threads hot, with their stacks in
 * the CPU's cache, and a slow resolver still has milter_threads
 * evaluations under way.  (Thirty-two workers all in epoll_wait are
 * woken in turn, longest-waiting first: behind Postfix that cost 8.3
 * context switches and 0.6 ms of CPU a message, against 5.4 and 0.47
 * with two.)
 *
 * Limits.  A connection idle for IDLE_SECONDS is shut down (a dead MTA
 * host on TCP).  Connections are taken while their descriptor leaves a
 * reserve for the DNS sockets (an eighth of RLIMIT_NOFILE, at least 16);
 * one beyond is accepted and closed at once (the MTA applies its
 * milter_default_action), and each such episode is logged once when it
 * starts and once when connections are taken again.  accept() failing
 * for want of descriptors pauses the listener for RETRY_MS.
 *
 * Locking: `lock` guards the connection list only (accept, close, the
 * idle sweep).  A connection's buffers and handler state belong to the
 * worker that got its event; its idle clock is atomic.  The sweep never
 * frees a connection: it shuts the socket down, and the worker that gets
 * the end of file closes it, so nothing is freed under a worker's feet.
 * The accept bookkeeping belongs to the loop thread.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "milter_listen.h"
#include "milter_proto.h"
#include "milter_server.h"
#include "vstr.h"
#include "xmalloc.h"

/*
 * An MTA keeps its milter connection for a whole SMTP session, idle
 * while its client sends recipients or the message (Postfix sends the
 * content only once it has all of it): an hour is far beyond any
 * session the MTA's own timeouts allow, and still frees what a vanished
 * MTA host left.
 */
#define IDLE_SECONDS	3600
#define READ_CHUNK	(64 * 1024 + 64)	/* a body chunk and its header */
#define WRITE_SECONDS	60	/* a reply the MTA does not take */
#define RESERVE_MIN	16	/* descriptors kept for DNS, at least */
#define RETRY_MS	100	/* pause after accept() ran out */
#define MAX_EVENTS	64
#define WBUF_KEEP	(4 * READ_CHUNK)	/* a worker's buffer kept */

/* Bytes read and not yet a whole packet */
struct rbuf {
	unsigned char	*p;
	size_t		 len, cap;
};

struct conn {
	int		 fd;
	int		 swept;		/* shut down by the sweep; under lock */
	time_t		 last;		/* last activity, monotonic s; atomic */
	struct rbuf	 in;		/* a packet begun in an earlier turn */
	struct vstr	 out;
	void		*priv;		/* the handler's */
	struct conn	*prev, *next;	/* every connection; under lock */
};

struct milter_server {
	int		 lfd, tcp;
	int		 epfd;		/* the connections: the workers' */
	int		 lepfd;		/* the listener: the loop's */
	int		 evfd;		/* written once to stop everyone */
	const struct milter_handler *h;
	void		(*ended)(void);
	pthread_t	 loop;
	pthread_t	*workers;
	int		 nworkers, loop_started;
	pthread_mutex_t	 lock;
	struct conn	*conns;
	long		 fd_limit, conn_cap;
	int		 refusing, listener_paused;
	unsigned long	 refused;
	long long	 resume_at;	/* ms when a paused listener resumes */
	/* pacing; under pace_lock */
	pthread_mutex_t	 pace_lock;
	int		 runnable;	/* workers neither waiting here nor in DNS */
	int		 target;	/* runnable workers wanted: the CPUs */
	struct parked	*parked;	/* waiting here, the latest first */
	int		 stopping;
};

/* A worker waiting in pace(), on its own stack; under pace_lock */
struct parked {
	pthread_cond_t	 cv;
	int		 woken;		/* by a worker that waits for DNS */
	struct parked	*next;
};

/* the server whose worker this thread is; NULL in any other thread */
static __thread struct milter_server *this_server;

/* now - monotonic seconds */
static time_t
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* now_ms - monotonic milliseconds */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* fd_budget - the descriptor limit and the highest one for an MTA */
static void
fd_budget(struct milter_server *s)
{
	struct rlimit rl;
	long reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 ||
	    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1L << 20)
		rl.rlim_cur = 1L << 20;
	s->fd_limit = (long)rl.rlim_cur;
	/* An eighth of the limit, for the DNS sockets of the messages. */
	reserve = s->fd_limit / 8 > RESERVE_MIN ? s->fd_limit / 8 :
	    RESERVE_MIN;
	s->conn_cap = s->fd_limit - reserve;
}

/* milter_server_open - bind and listen on SOCK */
struct milter_server *
milter_server_open(const char *sock, char *err, size_t errlen)
{
	struct milter_server *s;
	int fd, tcp;

	if ((fd = milter_listen_open(sock, &tcp, err, errlen)) < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->lfd = fd;
	s->tcp = tcp;
	s->epfd = s->lepfd = s->evfd = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->pace_lock, NULL);
	fd_budget(s);
	return s;
}

/* milter_server_max_conns - MTA connections taken at once */
long
milter_server_max_conns(const struct milter_server *s)
{
	return s->conn_cap;
}

/* arm - watch FD for input once more (EPOLLONESHOT); ADD or MOD */
static int
arm(struct milter_server *s, struct conn *c, int op)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.ptr = c;
	return epoll_ctl(s->epfd, op, c->fd, &ev);
}

/* conn_free - close C and let the handler free its state */
static void
conn_free(struct milter_server *s, struct conn *c)
{
	close(c->fd);
	metrics_session(-1);
	s->h->closed(c->priv);
	vstr_free(&c->out);
	free(c->in.p);
	x_free(c);
}

/* unlink_conn - take C off the list; under lock */
static void
unlink_conn(struct milter_server *s, struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
}

/* --- the workers ---------------------------------------------------- */

/*
 * fill - read what the MTA has sent into B, up to a packet's worth at a
 * time; 0, or -1 at end of file or on error
 */
static int
fill(int fd, struct rbuf *b)
{
	ssize_t r;
	size_t room;

	for (;;) {
		if (b->cap - b->len < READ_CHUNK) {
			b->cap = b->len + READ_CHUNK;
			b->p = xrealloc(b->p, b->cap);
		}
		room = b->cap - b->len;
		r = read(fd, b->p + b->len, room);
		if (r > 0)
			b->len += (size_t)r;
		if (r > 0 && (size_t)r == room && b->len < MILTER_PKT_MAX)
			continue;	/* perhaps more waiting */
		if (r > 0 || (r < 0 && (errno == EAGAIN ||
		    errno == EWOULDBLOCK)))
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		return -1;
	}
}

/* flush - send the batch of replies; 0 or -1 */
static int
flush(struct conn *c)
{
	struct pollfd p = { c->fd, POLLOUT, 0 };
	size_t off = 0;
	ssize_t w;

	while (off < c->out.len) {
		w = send(c->fd, c->out.buf + off, c->out.len - off,
		    MSG_NOSIGNAL);
		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno == EINTR)
			continue;
		else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    poll(&p, 1, WRITE_SECONDS * 1000) > 0)
			continue;
		else
			return -1;
	}
	vstr_reset(&c->out);
	return 0;
}

/*
 * packets - every complete packet of B to the handler, dropped from B;
 * 0, or -1 to close
 */
static int
packets(struct milter_server *s, struct conn *c, struct rbuf *b)
{
	struct milter_pkt pkt;
	size_t off = 0, used;
	int rc = 0, f;

	while ((f = milter_proto_frame(b->p + off, b->len - off, &pkt,
	    &used)) == 1) {
		off += used;
		if ((rc = s->h->packet(&c->priv, &pkt, &c->out)) != 0)
			break;
	}
	if (f < 0) {
		log_warning("closing an MTA connection: a milter packet "
		    "length of 0 or over %d bytes", MILTER_PKT_MAX);
		rc = -1;
	}
	if (off > 0 && off < b->len)
		memmove(b->p, b->p + off, b->len - off);
	b->len -= off;
	return rc;
}

/*
 * keep_rest - the part of a packet left in the worker's buffer W moves
 * to the connection; a connection's own buffer goes once empty, so an
 * idle connection holds none, and W is trimmed after a large packet
 */
static void
keep_rest(struct conn *c, struct rbuf *b, struct rbuf *w)
{
	if (b == w && w->len > 0) {
		c->in.cap = w->len + READ_CHUNK;
		c->in.p = xmalloc(c->in.cap);
		memcpy(c->in.p, w->p, w->len);
		c->in.len = w->len;
		w->len = 0;
	} else if (b == &c->in && c->in.len == 0) {
		free(c->in.p);
		memset(&c->in, 0, sizeof(c->in));
	}
	if (w->cap > WBUF_KEEP) {
		free(w->p);
		memset(w, 0, sizeof(*w));
	}
}

/*
 * serve - one turn of a readable connection, read into the worker's
 * buffer W unless a packet is under way; 0, or -1 to close it
 */
static int
serve(struct milter_server *s, struct conn *c, struct rbuf *w)
{
	struct rbuf *b = c->in.len > 0 ? &c->in : w;
	int on = 1, rc;

	rc = fill(c->fd, b);
	/* TCP: acknowledge at once; Linux clears this after a while. */
	if (s->tcp)
		(void)setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &on,
		    sizeof(on));
	if (packets(s, c, b) != 0)
		rc = -1;
	keep_rest(c, b, w);
	/* Replies before closing too: a QUIT may follow an answer. */
	if (c->out.len > 0 && flush(c) != 0)
		rc = -1;
	__atomic_store_n(&c->last, now(), __ATOMIC_RELAXED);
	return rc;
}

/*
 * pace - wait here while more workers than wanted take events.  The
 * waiting workers are a stack: the one woken is the one that waited
 * least, whose stack and allocator caches are the warmest (a queue
 * cycled every thread through the work).
 */
static void
pace(struct milter_server *s)
{
	struct parked me, **pp;

	pthread_mutex_lock(&s->pace_lock);
	if (s->runnable > s->target && !s->stopping) {
		pthread_cond_init(&me.cv, NULL);
		me.woken = 0;
		me.next = s->parked;
		s->parked = &me;
		s->runnable--;
		while (!me.woken && !s->stopping)
			pthread_cond_wait(&me.cv, &s->pace_lock);
		if (!me.woken) {	/* stopping: off the stack */
			for (pp = &s->parked; *pp != &me; pp = &(*pp)->next)
				;
			*pp = me.next;
			s->runnable++;
		}			/* else the waker counted us */
		pthread_cond_destroy(&me.cv);
	}
	pthread_mutex_unlock(&s->pace_lock);
}

/* milter_server_wait_begin - see milter_server.h */
void
milter_server_wait_begin(void)
{
	struct milter_server *s = this_server;
	struct parked *p;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->pace_lock);
	s->runnable--;
	if (s->runnable < s->target && (p = s->parked) != NULL) {
		s->parked = p->next;
		p->woken = 1;
		s->runnable++;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&s->pace_lock);
}

/* milter_server_wait_end - see milter_server.h */
void
milter_server_wait_end(void)
{
	struct milter_server *s = this_server;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->pace_lock);
	s->runnable++;
	pthread_mutex_unlock(&s->pace_lock);
}

/* worker - serve readable connections until the server stops */
static void *
worker(void *arg)
{
	struct milter_server *s = arg;
	struct rbuf w = { NULL, 0, 0 };
	struct epoll_event ev;
	struct conn *c;
	int n;

	this_server = s;
	for (;;) {
		pace(s);
		n = epoll_wait(s->epfd, &ev, 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || ev.data.ptr == &s->evfd)
			break;		/* milter_server_stop() */
		c = ev.data.ptr;
		if (serve(s, c, &w) == 0 && arm(s, c, EPOLL_CTL_MOD) == 0)
			continue;
		pthread_mutex_lock(&s->lock);
		unlink_conn(s, c);
		pthread_mutex_unlock(&s->lock);
		conn_free(s, c);
	}
	free(w.p);
	return NULL;
}

/* --- the loop ------------------------------------------------------- */

/* episode - log the start of a refusing episode once; count it */
static void
episode(struct milter_server *s, const char *why)
{
	s->refused++;
	if (s->refusing)
		return;
	s->refusing = 1;
	log_warning("cannot take more MTA connections (%s; descriptor limit "
	    "%ld, at most %ld connections): new ones are refused until some "
	    "close; see LimitNOFILE in mxauth(8)", why, s->fd_limit,
	    s->conn_cap);
}

/* take - a new connection FD: watched, listed */
static void
take(struct milter_server *s, int fd)
{
	struct conn *c;

	if (s->refusing) {
		s->refusing = 0;
		log_info("taking MTA connections again (%lu refused "
		    "meanwhile)", s->refused);
		s->refused = 0;
	}
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->last = now();
	metrics_session(1);	/* until conn_free() */
	pthread_mutex_lock(&s->lock);
	if (arm(s, c, EPOLL_CTL_ADD) != 0) {
		pthread_mutex_unlock(&s->lock);
		log_warning("cannot watch an MTA connection: %s",
		    strerror(errno));
		conn_free(s, c);
		return;
	}
	if ((c->next = s->conns) != NULL)
		c->next->prev = c;
	s->conns = c;
	pthread_mutex_unlock(&s->lock);
}

/* pause_listener - stop accepting for RETRY_MS: out of descriptors */
static void
pause_listener(struct milter_server *s)
{
	(void)epoll_ctl(s->lepfd, EPOLL_CTL_DEL, s->lfd, NULL);
	s->listener_paused = 1;
	s->resume_at = now_ms() + RETRY_MS;
}

/* accept_all - take every pending connection */
static void
accept_all(struct milter_server *s)
{
	int fd, err;

	for (;;) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			err = errno;
			if (err == EMFILE || err == ENFILE || err == ENOBUFS ||
			    err == ENOMEM) {
				episode(s, strerror(err));
				pause_listener(s);
			}
			return;		/* EAGAIN, or the MTA gave up */
		}
		if (fd >= s->conn_cap) {
			/* Lowest descriptors first: all below are busy. */
			close(fd);
			episode(s, "too many open connections");
			continue;
		}
		take(s, fd);
	}
}

/*
 * sweep - shut down connections idle too long; the worker that gets
 * their end of file closes them
 */
static void
sweep(struct milter_server *s)
{
	struct conn *c;
	time_t t = now();
	int n = 0;

	pthread_mutex_lock(&s->lock);
	for (c = s->conns; c != NULL; c = c->next) {
		if (c->swept || t - __atomic_load_n(&c->last,
		    __ATOMIC_RELAXED) < IDLE_SECONDS)
			continue;
		(void)shutdown(c->fd, SHUT_RDWR);
		c->swept = 1;
		n++;
	}
	pthread_mutex_unlock(&s->lock);
	if (n > 0)
		log_info("closing %d MTA connection(s) idle for %d s", n,
		    IDLE_SECONDS);
}

/* watch_listener - the listener in the epoll set, level-triggered */
static int
watch_listener(struct milter_server *s)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &s->lfd;
	return epoll_ctl(s->lepfd, EPOLL_CTL_ADD, s->lfd, &ev);
}

/* tick - resume a paused listener; once a second, the idle sweep */
static void
tick(struct milter_server *s, time_t *last_sweep)
{
	if (s->listener_paused && now_ms() >= s->resume_at &&
	    watch_listener(s) == 0)
		s->listener_paused = 0;
	if (now() != *last_sweep) {
		*last_sweep = now();
		sweep(s);
	}
}

/* loop - accept until stopped; calls ended() on failure */
static void *
loop(void *arg)
{
	struct milter_server *s = arg;
	struct epoll_event ev[MAX_EVENTS];
	time_t last_sweep = now();
	int n, i;

	for (;;) {
		n = epoll_wait(s->lepfd, ev, MAX_EVENTS,
		    s->listener_paused ? RETRY_MS : 1000);
		if (n < 0 && errno != EINTR) {
			log_error("milter server: epoll_wait: %s",
			    strerror(errno));
			s->ended();
			return NULL;
		}
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr == &s->evfd)
				return NULL;	/* milter_server_stop() */
			accept_all(s);
		}
		tick(s, &last_sweep);
	}
}

/* milter_server_start - the epoll set, the workers, then the loop */
int
milter_server_start(struct milter_server *s, int threads,
    const struct milter_handler *h, void (*ended)(void), char *err,
    size_t errlen)
{
	struct epoll_event ev;

	s->h = h;
	s->ended = ended;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &s->evfd;
	/* The stop signal is level-triggered: every waiter sees it. */
	if ((s->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (s->lepfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (s->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->evfd, &ev) != 0 ||
	    epoll_ctl(s->lepfd, EPOLL_CTL_ADD, s->evfd, &ev) != 0 ||
	    watch_listener(s) != 0) {
		snprintf(err, errlen, "milter server: %s", strerror(errno));
		return -1;
	}
	s->target = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (s->target < 2)
		s->target = 2;
	s->runnable = threads;
	s->workers = xcalloc((size_t)threads, sizeof(*s->workers));
	for (; s->nworkers < threads; s->nworkers++)
		if (pthread_create(&s->workers[s->nworkers], NULL, worker,
		    s) != 0)
			break;
	if (s->nworkers < threads) {
		/* those that did not start will never take their place */
		pthread_mutex_lock(&s->pace_lock);
		s->runnable -= threads - s->nworkers;
		pthread_mutex_unlock(&s->pace_lock);
	}
	if (s->nworkers < threads ||
	    pthread_create(&s->loop, NULL, loop, s) != 0) {
		snprintf(err, errlen, "milter server: cannot start threads");
		return -1;
	}
	s->loop_started = 1;
	return 0;
}

/*
 * milter_server_stop - wake and join the loop and the workers (a worker
 * finishes the batch it holds), then close every connection
 */
void
milter_server_stop(struct milter_server *s)
{
	uint64_t one = 1;
	struct parked *p;
	struct conn *c;
	int i;

	if (s == NULL)
		return;
	if (s->evfd >= 0 && write(s->evfd, &one, sizeof(one)) < 0)
		log_warning("milter server: cannot wake its threads");
	pthread_mutex_lock(&s->pace_lock);
	s->stopping = 1;
	for (p = s->parked; p != NULL; p = p->next)
		pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&s->pace_lock);
	if (s->loop_started)
		pthread_join(s->loop, NULL);
	for (i = 0; i < s->nworkers; i++)
		pthread_join(s->workers[i], NULL);
	while ((c = s->conns) != NULL) {
		unlink_conn(s, c);
		conn_free(s, c);
	}
	close(s->lfd);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->lepfd >= 0)
		close(s->lepfd);
	if (s->evfd >= 0)
		close(s->evfd);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->pace_lock);
	x_free(s->workers);
	x_free(s);
}
