/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eval - one message's evaluation: the core both front ends drive.
 *
 * The milter glue (mlfi.c) and mxauth-check (check.c) feed the same
 * calls in SMTP order: eval_new, the eval_set_* envelope facts, then
 * eval_envelope at MAIL FROM (ingress and SPF; may already refuse the
 * message), one eval_header per header field, eval_body chunks, then
 * eval_end, which decides the rest: the headers to delete and add, the
 * action and its reason.  After eval_end the struct is read-only
 * and describes the verdict (verdict.c logs it; the glue applies it).
 *
 * An eval holds a reference on the config snapshot it was created with
 * for its whole life, so a reload never changes a message half-way.
 * The DNS resolver is borrowed; the message asks through its own handle
 * on it, with the budget dns_check_timeout per check (dns_msg.h).  Caller frees
 * with eval_free().
 */
#ifndef MXAUTH_EVAL_H
#define MXAUTH_EVAL_H

#include <stddef.h>
#include <time.h>

#include "authres.h"
#include "received.h"
#include "result.h"
#include "trust.h"
#include "vstr.h"

struct conf;
struct dkim_verify;
struct dns;

/* A header edit: delete the INDEXth (1-based) field named NAME, or add. */
struct eval_edit {
	char	*name;
	size_t	 index;		/* deletions: 1-based among same-name fields */
	char	*value;
};

struct eval {
	struct conf	*conf;		/* reference held */
	struct dns	*dns;		/* own handle (dns_msg.h) */

	/* envelope; NULL = unknown */
	char		*queue_id;
	char		*client_ip;
	char		*client_host;
	char		*helo;
	char		*mail_from;	/* without <>; "" = null sender */
	char		*auth_user;
	time_t		 now;		/* judge x= at this time; 0 = now */

	/* header facts */
	size_t		 nheaders;
	size_t		 nar;		/* Authentication-Results seen so far */
	size_t		 nfrom;
	char		*from_domain;	/* the author domain (A-labels), or NULL */
	struct vstr	 from_error;	/* why there is none ("" = no From yet) */

	struct dkim_verify *dkim_v;	/* external clients only */
	struct ar_walk	 ar_walk;	/* A-R fields seen, top down */
	struct authres_parsed *upstream; /* a trusted hop's verdict, or NULL */
	char		*received[RECEIVED_MAX]; /* relay clients: top down */
	size_t		 nreceived;
	char		*origin_ip;	/* the client a trusted relay saw */
	char		*origin_helo;
	size_t		 dkim_ignored;	/* signatures past the limit */

	/* results, filled by eval_end */
	enum ingress	 ingress;
	struct spf_result *spf;		/* NULL = not evaluated */
	struct dkim_result *dkim;
	size_t		 ndkim;
	struct dmarc_result *dmarc;	/* NULL = not evaluated */
	int		 envelope_done;
	enum action	 action;
	int		 quarantine_hold; /* QUARANTINE via the MTA's hold */
	struct vstr	*explain;	/* mxauth-check --explain; borrowed */
	const char	*rcode;		/* SMTP reply when refusing, or NULL */
	const char	*xcode;
	struct vstr	 reply;
	struct vstr	 reason;
	struct eval_edit *del;		/* highest index first after eval_end */
	size_t		 ndel;
	struct eval_edit *add;		/* insert at the top, in order */
	size_t		 nadd;
};

struct eval *eval_new(struct conf *, struct dns *);
void	 eval_free(struct eval *);
void	 eval_set_queue_id(struct eval *, const char *);
void	 eval_set_client(struct eval *, const char *ip, const char *host);
void	 eval_set_helo(struct eval *, const char *);
void	 eval_set_auth(struct eval *, const char *);
void	 eval_set_mail_from(struct eval *, const char *);
void	 eval_set_time(struct eval *, time_t);
enum action eval_envelope(struct eval *);
/*
 * eval_header - one field: NAME as written before the colon (blanks
 * before the colon are dropped here), VALUE the exact bytes after it,
 * leading blanks included, folds as "\n" followed by the WSP
 */
void	 eval_header(struct eval *, const char *name, const char *value);
void	 eval_body(struct eval *, const unsigned char *, size_t);
void	 eval_end(struct eval *);
/* eval_upstream_result - the upstream A-R's result for METHOD, or NULL */
const char *eval_upstream_result(const struct eval *, const char *method);

#endif
