/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mlfi - libmilter glue.
 *
 * Each callback is a few lines: fetch what the MTA says, hand it to the
 * core, return.  Per-connection state lives in the conn_ctx attached with
 * smfi_setpriv(); nothing is kept in globals but the borrowed resolver.
 *
 * Protocol: mxauth asks for connect, HELO, MAIL FROM, headers (with
 * their leading space, for DKIM), the body (DKIM, fed chunk by chunk and
 * never copied) and end of message, and declines RCPT and unknown
 * commands.  It answers only MAIL FROM and end of message; every other
 * step is negotiated to have no reply (NR_STEPS).  It needs the
 * add-header, change-header and quarantine actions, and asks the MTA for
 * the macros it reads.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmilter/mfapi.h>

#include "ctx.h"
#include "eval.h"
#include "log.h"
#include "mlfi.h"
#include "verdict.h"
#include "vstr.h"

static struct dns *mlfi_dns;

#define WANT_ACTIONS	(SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE)
/* Steps mxauth has no use for: the MTA does not send them. */
#define SKIP_STEPS	(SMFIP_NORCPT | SMFIP_NOUNKNOWN)
/*
 * Header values exactly as received, the blanks after the colon
 * included (DKIM simple canonicalization; see mlfi_header).
 */
#define WANT_STEPS	SMFIP_HDR_LEADSPC
/*
 * Steps whose only answer would ever be "continue": the MTA sends them
 * and does not wait, so a message streams to mxauth and the MTA waits
 * only at MAIL FROM (SPF may refuse there) and at end of message.  Each
 * callback of these steps returns SMFIS_NOREPLY.  An MTA that does not
 * offer a flag (Sendmail before 8.14, old Postfix) still gets its
 * "continue": libmilter answers for us (it offers these flags to
 * mlfi_negotiate whatever the MTA said, and keeps them from the MTA).
 *
 * The body is streamed too, and never skipped with SMFIS_SKIP: in the
 * protocol a step without a reply cannot answer "skip", and a reply to
 * each body chunk would cost every signed message a round trip to save
 * the unsigned ones a copy over a local socket.
 */
#define NR_STEPS	(SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_DATA | \
			 SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

/* conn_of - the connection context, or NULL */
static struct conn_ctx *
conn_of(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/*
 * go_on - "continue" for a STEP (SMFIP_NR_*): no reply where that was
 * negotiated, SMFIS_CONTINUE where it was not (a reply is then owed)
 */
static sfsistat
go_on(SMFICTX *ctx, unsigned long step)
{
	const struct conn_ctx *c = conn_of(ctx);

	return c != NULL && (c->noreply & step) != 0 ? SMFIS_NOREPLY :
	    SMFIS_CONTINUE;
}

/* mlfi_negotiate - take only the actions and steps mxauth uses */
static sfsistat
mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)f2;
	(void)f3;
	if ((f0 & WANT_ACTIONS) != WANT_ACTIONS)
		log_warning("MTA does not offer all milter actions mxauth "
		    "uses (offered 0x%lx, wanted 0x%lx)", f0,
		    (unsigned long)WANT_ACTIONS);
	struct conn_ctx *c;

	*pf0 = f0 & WANT_ACTIONS;
	*pf1 = f1 & (SKIP_STEPS | WANT_STEPS | NR_STEPS);
	*pf2 = 0;
	*pf3 = 0;
	/* The connection starts here; connect fills in the client. */
	ctx_conn_free(conn_of(ctx));
	c = ctx_conn_new(NULL, NULL);
	ctx_set_leadspc(c, (*pf1 & SMFIP_HDR_LEADSPC) != 0);
	ctx_set_noreply(c, *pf1 & NR_STEPS);
	smfi_setpriv(ctx, c);
	/* Ask for the macros we read; Postfix honours this (protocol 6). */
	smfi_setsymlist(ctx, SMFIM_ENVFROM, "{i} {auth_authen}");
	smfi_setsymlist(ctx, SMFIM_EOM, "{i}");
	return SMFIS_CONTINUE;
}

/* mlfi_connect - a new SMTP client; remember its address */
static sfsistat
mlfi_connect(SMFICTX *ctx, char *host, struct sockaddr *sa)
{
	char ip[INET6_ADDRSTRLEN];
	const char *ipp = NULL;

	if (sa != NULL && sa->sa_family == AF_INET &&
	    inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr,
	    ip, sizeof(ip)) != NULL)
		ipp = ip;
	else if (sa != NULL && sa->sa_family == AF_INET6 &&
	    inet_ntop(AF_INET6,
	    &((struct sockaddr_in6 *)(void *)sa)->sin6_addr, ip,
	    sizeof(ip)) != NULL)
		ipp = ip;
	if (conn_of(ctx) == NULL)
		smfi_setpriv(ctx, ctx_conn_new(ipp, host));
	else
		ctx_set_client(conn_of(ctx), ipp, host);
	return go_on(ctx, SMFIP_NR_CONN);
}

/* mlfi_helo - HELO/EHLO argument */
static sfsistat
mlfi_helo(SMFICTX *ctx, char *helo)
{
	struct conn_ctx *c = conn_of(ctx);

	if (c != NULL)
		ctx_set_helo(c, helo);
	return go_on(ctx, SMFIP_NR_HELO);
}

/*
 * safe_text - S fit for an SMTP reply: printable ASCII only, '%'
 * doubled (smfi_setreply treats it as a format character), at most 200
 * bytes.  The text may come from DNS (an SPF explanation).
 */
static void
safe_text(struct vstr *out, const char *s)
{
	for (; *s != '\0' && out->len < 200; s++) {
		if (*s == '%')
			vstr_cat(out, "%%");
		else
			vstr_catc(out, (unsigned char)*s >= 0x20 &&
			    (unsigned char)*s < 0x7f ? *s : '?');
	}
	if (out->len == 0)
		vstr_cat(out, "rejected");
}

/* reply - turn the decided action into the milter answer */
static sfsistat
reply(SMFICTX *ctx, const struct eval_result *r)
{
	struct vstr text = VSTR_INIT;

	switch (r->action) {
	case ACTION_REJECT:
	case ACTION_TEMPFAIL:
		safe_text(&text, r->reply);
		if (smfi_setreply(ctx, (char *)r->rcode, (char *)r->xcode,
		    text.buf) != MI_SUCCESS)
			log_warning("%s: cannot set the SMTP reply",
			    r->queue_id ? r->queue_id : "NOQUEUE");
		vstr_free(&text);
		return r->action == ACTION_REJECT ? SMFIS_REJECT :
		    SMFIS_TEMPFAIL;
	case ACTION_QUARANTINE:
		/* quarantine_method = header: the core added the field */
		if (r->quarantine_hold &&
		    smfi_quarantine(ctx, (char *)r->reason) != MI_SUCCESS)
			log_warning("%s: quarantine request failed",
			    r->queue_id ? r->queue_id : "NOQUEUE");
		return SMFIS_CONTINUE;
	case ACTION_ACCEPT:
		break;
	}
	return SMFIS_CONTINUE;
}

/* mlfi_envfrom - MAIL FROM starts a message */
static sfsistat
mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn_ctx *c = conn_of(ctx);
	struct eval *e;
	sfsistat rc;

	if (c == NULL) {
		/* No connect callback seen (should not happen). */
		c = ctx_conn_new(NULL, NULL);
		smfi_setpriv(ctx, c);
	}
	if ((e = ctx_msg_begin(c, mlfi_dns)) == NULL) {
		/* Shutting down: the client retries after our restart. */
		smfi_setreply(ctx, "451", "4.3.2", "mxauth is restarting, "
		    "try again later");
		return SMFIS_TEMPFAIL;
	}
	eval_set_queue_id(e, smfi_getsymval(ctx, "{i}"));
	eval_set_auth(e, smfi_getsymval(ctx, "{auth_authen}"));
	eval_set_mail_from(e, argv[0] != NULL ? argv[0] : "");
	if (eval_envelope(e) == ACTION_ACCEPT)
		return SMFIS_CONTINUE;
	/* Refused at MAIL FROM (spf_*_action): log it and answer now. */
	verdict_log(e);
	rc = reply(ctx, eval_result(e));
	ctx_msg_end(c);
	return rc;
}

/*
 * mlfi_header - one header field; the core wants the exact bytes after
 * the colon.  With SMFIP_HDR_LEADSPC that is VALUE as it comes.  Without
 * it, Postfix and Sendmail ate one space (not a tab) after the colon,
 * if there was one: a space is put back, which is exact for every field
 * written with a space after the colon and wrong for one without
 * ("Name:x", "Name:<TAB>x", "Name:" + fold; a c=simple header hash over
 * it fails, see mxauth(8)); which it was, the MTA did not say.
 */
static sfsistat
mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn_ctx *c = conn_of(ctx);
	struct vstr v = VSTR_INIT;

	if (c == NULL || c->msg == NULL)
		return go_on(ctx, SMFIP_NR_HDR);
	if (c->leadspc)
		eval_header(c->msg, name, value);
	else {
		vstr_catc(&v, ' ');
		vstr_cat(&v, value);
		eval_header(c->msg, name, vstr_str(&v));
		vstr_free(&v);
	}
	return go_on(ctx, SMFIP_NR_HDR);
}

/* mlfi_data - DATA: nothing to do (see NR_STEPS) */
static sfsistat
mlfi_data(SMFICTX *ctx)
{
	return go_on(ctx, SMFIP_NR_DATA);
}

/* mlfi_eoh - end of headers: nothing to do until the body is in */
static sfsistat
mlfi_eoh(SMFICTX *ctx)
{
	return go_on(ctx, SMFIP_NR_EOH);
}

/* mlfi_body - a body chunk, straight to the verifier */
static sfsistat
mlfi_body(SMFICTX *ctx, unsigned char *buf, size_t len)
{
	struct conn_ctx *c = conn_of(ctx);

	if (c != NULL && c->msg != NULL)
		eval_body(c->msg, buf, len);
	return go_on(ctx, SMFIP_NR_BODY);
}

/*
 * apply_edits - delete forged fields (last first), insert ours on top;
 * with SMFIP_HDR_LEADSPC the MTA writes values verbatim, so ours get
 * the customary space after the colon
 */
static void
apply_edits(SMFICTX *ctx, const struct conn_ctx *c, const struct eval_result *r)
{
	struct vstr v = VSTR_INIT;
	size_t i;

	for (i = 0; i < r->ndel; i++)
		if (smfi_chgheader(ctx, r->del[i].name, (int)r->del[i].index,
		    NULL) != MI_SUCCESS)
			log_warning("%s: cannot delete %s #%zu",
			    r->queue_id ? r->queue_id : "NOQUEUE",
			    r->del[i].name, r->del[i].index);
	for (i = r->nadd; i > 0; i--) {
		vstr_reset(&v);
		vstr_catf(&v, "%s%s", c->leadspc ? " " : "",
		    r->add[i - 1].value);
		if (smfi_insheader(ctx, 0, r->add[i - 1].name, v.buf) !=
		    MI_SUCCESS)
			log_warning("%s: cannot add %s",
			    r->queue_id ? r->queue_id : "NOQUEUE",
			    r->add[i - 1].name);
	}
	vstr_free(&v);
}

/*
 * mlfi_eom - end of message: decide, edit, log, answer (a refused
 * message has no edits: eval_end dropped them)
 */
static sfsistat
mlfi_eom(SMFICTX *ctx)
{
	struct conn_ctx *c = conn_of(ctx);
	struct eval *e;
	const char *qid;
	sfsistat rc;

	if (c == NULL || (e = c->msg) == NULL)
		return SMFIS_CONTINUE;
	if ((qid = smfi_getsymval(ctx, "{i}")) != NULL)
		eval_set_queue_id(e, qid);
	eval_end(e);
	apply_edits(ctx, c, eval_result(e));
	verdict_log(e);
	rc = reply(ctx, eval_result(e));
	ctx_msg_end(c);
	return rc;
}

/* mlfi_abort - RSET or the MTA gave up on the message */
static sfsistat
mlfi_abort(SMFICTX *ctx)
{
	struct conn_ctx *c = conn_of(ctx);

	if (c != NULL)
		ctx_msg_end(c);
	return SMFIS_CONTINUE;
}

/* mlfi_close - the connection is gone (also after an early close) */
static sfsistat
mlfi_close(SMFICTX *ctx)
{
	ctx_conn_free(conn_of(ctx));
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc mlfi_desc = {
	.xxfi_name = "mxauth",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = WANT_ACTIONS,
	.xxfi_connect = mlfi_connect,
	.xxfi_helo = mlfi_helo,
	.xxfi_envfrom = mlfi_envfrom,
	.xxfi_data = mlfi_data,
	.xxfi_header = mlfi_header,
	.xxfi_eoh = mlfi_eoh,
	.xxfi_body = mlfi_body,
	.xxfi_eom = mlfi_eom,
	.xxfi_abort = mlfi_abort,
	.xxfi_close = mlfi_close,
	.xxfi_negotiate = mlfi_negotiate,
};

/* mlfi_register - register the callbacks; 0 or -1 */
int
mlfi_register(struct dns *resolver)
{
	mlfi_dns = resolver;
	return smfi_register(mlfi_desc) == MI_SUCCESS ? 0 : -1;
}
