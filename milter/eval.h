/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eval - one message's evaluation: the core both front ends drive.
 *
 * The milter glue (mlfi.c) and mxauth-check (check.c) make the same
 * calls in SMTP order: eval_new, the eval_set_* envelope facts, then
 * eval_envelope at MAIL FROM (ingress and SPF; may already refuse the
 * message: then nothing more is fed and eval_end is not needed), one
 * eval_header per header field, eval_body chunks, then eval_end, which
 * decides the rest: the headers to delete and add, the action, its SMTP
 * reply and its reason.  What a field name (blanks before the colon), a
 * Received field or the HELO means is decided here, once, for both.
 *
 * struct eval is opaque.  What it found and decided is read through
 * eval_result(): one const view per eval, renewed by every call above;
 * the strings and arrays it points to last until the next call or
 * eval_free (verdict.c logs it; the glue applies it; mxauth-check prints
 * it).  A string is NULL only where its comment says so.
 *
 * What the site does with a result (SPF and DMARC rules, overrides,
 * upstream verdicts, the quarantine method) is asked of policy.c.
 *
 * An eval holds a reference on the config snapshot it was created with
 * for its whole life, so a reload never changes a message half-way.
 * The DNS resolver is borrowed; the message asks through its own handle
 * on it, with the budget dns_check_timeout per check (dns_msg.h).  Caller
 * frees with eval_free().
 */
#ifndef MXAUTH_EVAL_H
#define MXAUTH_EVAL_H

#include <stddef.h>
#include <time.h>

#include "result.h"

struct conf;
struct dns;
struct vstr;

/* A header edit: delete the INDEXth (1-based) field named NAME, or add. */
struct eval_edit {
	char	*name;
	size_t	 index;		/* deletions: 1-based among same-name fields */
	char	*value;
};

/* What a message was found to be and what was decided (see above). */
struct eval_result {
	/* the envelope */
	const char	*queue_id;	/* NULL = unknown */
	const char	*client_ip;	/* the connecting client; NULL = unknown */
	const char	*origin_ip;	/* the client a trusted relay saw, or NULL */
	const char	*helo;		/* NULL = none given */
	const char	*mail_from;	/* without <>; "" = null sender */
	enum ingress	 ingress;

	/* header facts */
	size_t		 nfrom;		/* From fields */
	const char	*from_domain;	/* the author domain (A-labels), or NULL */
	const char	*from_error;	/* why there is none ("" = no From) */
	size_t		 nar;		/* Authentication-Results fields */
	const char *const *received;	/* a relay's Received values, top down */
	size_t		 nreceived;
	const char	*upstream;	/* a trusted hop's authserv-id, or NULL */

	/* results; NULL = not evaluated */
	const struct spf_result *spf;
	const struct dkim_result *dkim;
	size_t		 ndkim;
	size_t		 dkim_ignored;	/* signatures past the limit */
	const struct dmarc_result *dmarc;

	/* the decision */
	enum action	 action;
	int		 quarantine_hold; /* QUARANTINE via the MTA's hold */
	const char	*rcode;		/* refusing: "550" ..., else NULL */
	const char	*xcode;		/* refusing: "5.7.1" ..., else NULL */
	const char	*reply;		/* refusing: the SMTP reply text */
	const char	*reason;	/* for the verdict line */
	const struct eval_edit *del;	/* highest index first after eval_end */
	size_t		 ndel;
	const struct eval_edit *add;	/* insert at the top, in order */
	size_t		 nadd;
};

struct eval;

struct eval *eval_new(struct conf *, struct dns *);
void	 eval_free(struct eval *);
void	 eval_set_queue_id(struct eval *, const char *);
void	 eval_set_client(struct eval *, const char *ip, const char *host);
void	 eval_set_helo(struct eval *, const char *);
void	 eval_set_auth(struct eval *, const char *);
void	 eval_set_mail_from(struct eval *, const char *);
void	 eval_set_time(struct eval *, time_t);
/* eval_set_explain - mxauth-check --explain: the reasoning goes to OUT */
void	 eval_set_explain(struct eval *, struct vstr *out);
enum action eval_envelope(struct eval *);
/*
 * eval_header - one field: NAME as written before the colon (blanks
 * before the colon are dropped here), VALUE the exact bytes after it,
 * leading blanks included, folds as "\n" followed by the WSP
 */
void	 eval_header(struct eval *, const char *name, const char *value);
void	 eval_body(struct eval *, const unsigned char *, size_t);
void	 eval_end(struct eval *);
/* eval_result - what E found and decided so far (see above) */
const struct eval_result *eval_result(const struct eval *);
/* eval_upstream_result - the upstream A-R's result for METHOD, or NULL */
const char *eval_upstream_result(const struct eval *, const char *method);

#endif
