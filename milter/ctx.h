/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctx - connection and message contexts of the milter glue.
 *
 * A conn_ctx lives from the milter negotiation (or connect) to close
 * (mlfi's per-connection state) and owns at most one message at a time (a
 * struct eval).  A message starts
 * at MAIL FROM and ends at end-of-message, abort (RSET) or close; the
 * process-wide count of messages in flight lets SIGTERM wait for them
 * while new messages are refused (ctx_drain).
 */
#ifndef MXAUTH_CTX_H
#define MXAUTH_CTX_H

struct conf;
struct dns;
struct eval;

struct conn_ctx {
	char		*client_ip;	/* NULL when the MTA gave none */
	char		*client_host;
	char		*helo;
	struct eval	*msg;		/* current message or NULL */
};

struct conn_ctx *ctx_conn_new(const char *ip, const char *host);
void	 ctx_conn_free(struct conn_ctx *);
void	 ctx_set_client(struct conn_ctx *, const char *ip, const char *host);
void	 ctx_set_helo(struct conn_ctx *, const char *);
struct eval *ctx_msg_begin(struct conn_ctx *, struct dns *);
void	 ctx_msg_end(struct conn_ctx *);
/* ctx_drain - start refusing new messages; returns the count in flight */
int	 ctx_drain(void);
/* ctx_wait_idle - wait until no message is in flight or SECONDS pass */
int	 ctx_wait_idle(int seconds);

#endif
