/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctx - connection/message context lifecycle.
 *
 * Ownership: conn_ctx owns its strings and its current eval.  The
 * in-flight counter is the only shared state here, under ctx_lock.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "conf.h"
#include "ctx.h"
#include "eval.h"
#include "xmalloc.h"

static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ctx_idle = PTHREAD_COND_INITIALIZER;
static int ctx_inflight;
static int ctx_draining;

/* ctx_conn_new - a new connection from IP (may be NULL) */
struct conn_ctx *
ctx_conn_new(const char *ip, const char *host)
{
	struct conn_ctx *c;

	c = xcalloc(1, sizeof(*c));
	ctx_set_client(c, ip, host);
	return c;
}

/* ctx_conn_free - end a connection, dropping any unfinished message */
void
ctx_conn_free(struct conn_ctx *c)
{
	if (c == NULL)
		return;
	ctx_msg_end(c);
	x_free(c->client_ip);
	x_free(c->client_host);
	x_free(c->helo);
	x_free(c);
}

/* ctx_set_client - the connecting address and name (NULL allowed) */
void
ctx_set_client(struct conn_ctx *c, const char *ip, const char *host)
{
	x_free(c->client_ip);
	x_free(c->client_host);
	c->client_ip = ip != NULL ? xstrdup(ip) : NULL;
	c->client_host = host != NULL ? xstrdup(host) : NULL;
}

/* ctx_set_helo - remember the latest HELO/EHLO argument */
void
ctx_set_helo(struct conn_ctx *c, const char *helo)
{
	x_free(c->helo);
	c->helo = helo != NULL ? xstrdup(helo) : NULL;
}

/*
 * ctx_msg_begin - start a message under the current config snapshot
 *
 * A message still open (MAIL FROM without RSET, as some MTAs do) is
 * dropped first.  The eval is borrowed until ctx_msg_end().  Returns
 * NULL once the daemon is draining for shutdown: no new message starts.
 */
struct eval *
ctx_msg_begin(struct conn_ctx *c, struct dns *dns)
{
	struct conf *conf;

	ctx_msg_end(c);
	pthread_mutex_lock(&ctx_lock);
	if (ctx_draining) {
		pthread_mutex_unlock(&ctx_lock);
		return NULL;
	}
	ctx_inflight++;
	pthread_mutex_unlock(&ctx_lock);
	conf = conf_get();
	c->msg = eval_new(conf, dns);
	conf_release(conf);		/* the eval holds its own reference */
	eval_set_client(c->msg, c->client_ip, c->client_host);
	eval_set_helo(c->msg, c->helo);
	return c->msg;
}

/* ctx_msg_end - finish or abandon the current message, if any */
void
ctx_msg_end(struct conn_ctx *c)
{
	if (c->msg == NULL)
		return;
	eval_free(c->msg);
	c->msg = NULL;
	pthread_mutex_lock(&ctx_lock);
	if (--ctx_inflight == 0)
		pthread_cond_broadcast(&ctx_idle);
	pthread_mutex_unlock(&ctx_lock);
}

/* ctx_drain - refuse new messages from now on; returns those in flight */
int
ctx_drain(void)
{
	int n;

	pthread_mutex_lock(&ctx_lock);
	ctx_draining = 1;
	n = ctx_inflight;
	pthread_mutex_unlock(&ctx_lock);
	return n;
}

/* ctx_wait_idle - 0 once nothing is in flight, -1 after SECONDS */
int
ctx_wait_idle(int seconds)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&ctx_lock);
	while (ctx_inflight > 0 && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&ctx_idle, &ctx_lock, &until);
	rc = ctx_inflight > 0 ? -1 : 0;
	pthread_mutex_unlock(&ctx_lock);
	return rc;
}
