/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mlfi - the milter events of one MTA connection into eval calls, and
 * the decided eval back into header edits and the reply.
 *
 * milter_server hands each packet of a connection to mlfi_packet(), one
 * at a time and in order; its replies go into the batch the server
 * writes.  Each event is a few lines: take what the MTA says, hand it to
 * the core, answer.  Per-connection state is a conn_ctx (ctx.c) and the
 * macros the MTA defined, in a struct mlfi_conn that the server keeps
 * for mlfi and gives back to mlfi_closed(); nothing is kept in globals
 * but the borrowed resolver.
 *
 * Protocol: mxauth asks for connect, HELO, MAIL FROM, headers (with
 * their leading space, for DKIM), the body (DKIM, fed chunk by chunk and
 * never copied) and end of message, and declines RCPT and unknown
 * commands.  It answers only MAIL FROM and end of message; every other
 * step is negotiated to have no reply (NR_STEPS), and answered
 * "continue" where the MTA does not offer that.  It needs the
 * add-header, change-header and quarantine actions, and asks the MTA for
 * the macros it reads.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "eval.h"
#include "log.h"
#include "metrics.h"
#include "milter_proto.h"
#include "mlfi.h"
#include "verdict.h"
#include "vstr.h"
#include "xmalloc.h"

static struct dns *mlfi_dns;
/* set once before the server starts, then only read */
static void (*mlfi_eom_hook)(const struct eval_result *);

#define WANT_ACTIONS	(MILTER_A_ADDHDRS | MILTER_A_CHGHDRS | \
			 MILTER_A_QUARANTINE)
/* Steps mxauth has no use for: the MTA does not send them. */
#define SKIP_STEPS	MLFI_SKIP_STEPS
/*
 * Header values exactly as received, the blanks after the colon
 * included (DKIM simple canonicalization; see on_header).
 */
#define WANT_STEPS	MLFI_WANT_STEPS
/*
 * Steps whose only answer would ever be "continue": the MTA sends them
 * and does not wait, so a message streams to mxauth and the MTA waits
 * only at MAIL FROM (SPF may refuse there) and at end of message.  An
 * MTA that does not offer a flag (Sendmail before 8.14, old Postfix)
 * gets its "continue" (go_on).
 *
 * The body is streamed too, and never skipped with SMFIR_SKIP: in the
 * protocol a step without a reply cannot answer "skip", and a reply to
 * each body chunk would cost every signed message a round trip to save
 * the unsigned ones a copy over a local socket.
 */
#define NR_STEPS	MLFI_NR_STEPS

/* One MTA connection, as mlfi sees it */
struct mlfi_conn {
	struct conn_ctx	*ctx;
	uint32_t	 actions;	/* the actions negotiated */
	uint32_t	 steps;		/* the protocol steps negotiated:
					   which have no reply, leading
					   space of header values */
	/* the MTA's macros, per stage: name\0value\0 pairs */
	struct vstr	 macros[MILTER_M_NSTAGES];
};

/*
 * The stages in the order of an SMTP session: a macro is looked for in
 * its stage's list, then in those before it (as smfi_getsymval()).
 */
static const int stage_order[] = { MILTER_M_CONNECT, MILTER_M_HELO,
	MILTER_M_ENVFROM, MILTER_M_ENVRCPT, MILTER_M_DATA, MILTER_M_EOH,
	MILTER_M_EOM };

/* mlfi_init - the resolver every message uses, borrowed for life */
void
mlfi_init(struct dns *resolver)
{
	mlfi_dns = resolver;
}

/* mlfi_set_eom_hook - what sees each message's result at its end */
void
mlfi_set_eom_hook(void (*hook)(const struct eval_result *))
{
	mlfi_eom_hook = hook;
}

/* macro - NAME's value as seen at STAGE, or NULL */
static const char *
macro(const struct mlfi_conn *m, int stage, const char *name)
{
	const char *v;
	size_t i = sizeof(stage_order) / sizeof(stage_order[0]);

	while (i > 0 && stage_order[i - 1] != stage)
		i--;
	for (; i > 0; i--) {
		v = milter_proto_macro(m->macros[stage_order[i - 1]].buf,
		    m->macros[stage_order[i - 1]].len, name);
		if (v != NULL)
			return v;
	}
	return NULL;
}

/* clear_macros - forget the macros of stages FROM and later */
static void
clear_macros(struct mlfi_conn *m, int from)
{
	int i;

	for (i = from; i < MILTER_M_NSTAGES; i++)
		vstr_reset(&m->macros[i]);
}

/* go_on - "continue" for STEP (MILTER_P_NR_*) unless it has no reply */
static void
go_on(const struct mlfi_conn *m, struct vstr *out, uint32_t step)
{
	if ((m->steps & step) == 0)
		milter_proto_put(out, MILTER_R_CONTINUE, NULL, 0);
}

/*
 * on_optneg - take only the actions and steps mxauth uses; -1 for an MTA
 * too old to talk to
 */
static int
on_optneg(struct mlfi_conn *m, const struct milter_cmd *c, struct vstr *out)
{
	static const char *lists[MILTER_M_NSTAGES] = {
		[MILTER_M_ENVFROM] = "{i} {auth_authen}",
		[MILTER_M_EOM] = "{i}",
	};
	uint32_t steps, version;
	int symlists;

	if (c->version < MILTER_VERSION_MIN) {
		log_warning("MTA speaks milter protocol version %u, mxauth "
		    "needs %d or later", c->version, MILTER_VERSION_MIN);
		return -1;
	}
	if ((c->actions & WANT_ACTIONS) != WANT_ACTIONS)
		log_warning("MTA does not offer all milter actions mxauth "
		    "uses (offered 0x%x, wanted 0x%x)", c->actions,
		    WANT_ACTIONS);
	version = c->version < MILTER_VERSION ? c->version : MILTER_VERSION;
	/* Ask for the macros we read; Postfix honours this (protocol 6). */
	symlists = version >= 6 && (c->actions & MILTER_A_SETSYMLIST) != 0;
	m->actions = c->actions & WANT_ACTIONS;
	steps = c->steps & (SKIP_STEPS | WANT_STEPS | NR_STEPS);
	/* The connection starts here; connect fills in the client. */
	ctx_conn_free(m->ctx);
	m->ctx = ctx_conn_new(NULL, NULL);
	m->steps = steps;
	milter_proto_put_optneg(out, version, m->actions |
	    (symlists ? MILTER_A_SETSYMLIST : 0), steps,
	    symlists ? lists : NULL);
	return 0;
}

/* on_connect - a new SMTP client; remember its address */
static void
on_connect(struct mlfi_conn *m, const struct milter_cmd *c,
    struct vstr *out)
{
	unsigned char a[sizeof(struct in6_addr)];
	char ip[INET6_ADDRSTRLEN];
	const char *ipp = NULL;
	int af = c->family == '4' ? AF_INET : c->family == '6' ? AF_INET6 : 0;

	/* The canonical text of the address, as libmilter gave it. */
	if (af != 0 && inet_pton(af, c->addr, a) == 1 &&
	    inet_ntop(af, a, ip, sizeof(ip)) != NULL)
		ipp = ip;
	ctx_set_client(m->ctx, ipp, c->host);
	go_on(m, out, MILTER_P_NR_CONN);
}

/*
 * safe_text - S fit for an SMTP reply: printable ASCII only, '%'
 * doubled (the MTA treats it as a format character), at most 200 bytes.
 * The text may come from DNS (an SPF explanation).
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

/*
 * refuse - REJECT or TEMPFAIL with the SMTP reply RCODE XCODE TEXT; a
 * reply code of the wrong class (or none) sends the bare verdict, as
 * libmilter did
 */
static void
refuse(struct vstr *out, int cmd, const char *rcode, const char *xcode,
    const char *text, const char *qid)
{
	struct vstr t = VSTR_INIT;
	char class = cmd == MILTER_R_REJECT ? '5' : '4';

	if (rcode == NULL || rcode[0] != class || strlen(rcode) != 3) {
		log_warning("%s: cannot set the SMTP reply", qid);
		milter_proto_put(out, cmd, NULL, 0);
		return;
	}
	safe_text(&t, text != NULL ? text : "");
	milter_proto_put_replycode(out, rcode, xcode, t.buf);
	vstr_free(&t);
}

/* reply - turn the decided action into the milter answer; count it */
static void
reply(const struct mlfi_conn *m, struct vstr *out,
    const struct eval_result *r)
{
	const char *qid = r->queue_id ? r->queue_id : "NOQUEUE";

	metrics_message(r->action);
	switch (r->action) {
	case ACTION_REJECT:
		refuse(out, MILTER_R_REJECT, r->rcode, r->xcode, r->reply, qid);
		return;
	case ACTION_TEMPFAIL:
		refuse(out, MILTER_R_TEMPFAIL, r->rcode, r->xcode, r->reply,
		    qid);
		return;
	case ACTION_QUARANTINE:
		/* quarantine_method = header: the core added the field */
		if (r->quarantine_hold) {
			if ((m->actions & MILTER_A_QUARANTINE) == 0 ||
			    r->reason == NULL || *r->reason == '\0')
				log_warning("%s: quarantine request failed",
				    qid);
			else
				milter_proto_put_str(out, MILTER_R_QUARANTINE,
				    r->reason);
		}
		break;
	case ACTION_ACCEPT:
		break;
	}
	milter_proto_put(out, MILTER_R_CONTINUE, NULL, 0);
}

/* on_mail - MAIL FROM starts a message */
static void
on_mail(struct mlfi_conn *m, const struct milter_cmd *c, struct vstr *out)
{
	struct eval *e;

	if ((e = ctx_msg_begin(m->ctx, mlfi_dns)) == NULL) {
		/* Shutting down: the client retries after our restart. */
		milter_proto_put_replycode(out, "451", "4.3.2",
		    "mxauth is restarting, try again later");
		return;
	}
	eval_set_queue_id(e, macro(m, MILTER_M_ENVFROM, "{i}"));
	eval_set_auth(e, macro(m, MILTER_M_ENVFROM, "{auth_authen}"));
	eval_set_mail_from(e, c->argv[0]);
	if (eval_envelope(e) == ACTION_ACCEPT) {
		milter_proto_put(out, MILTER_R_CONTINUE, NULL, 0);
		return;
	}
	/* Refused at MAIL FROM (spf_*_action): log it and answer now. */
	verdict_log(e);
	if (mlfi_eom_hook != NULL)
		mlfi_eom_hook(eval_result(e));
	reply(m, out, eval_result(e));
	ctx_msg_end(m->ctx);
}

/*
 * on_header - one header field; the core wants the exact bytes after
 * the colon.  With HDR_LEADSPC that is VALUE as it comes.  Without it,
 * Postfix and Sendmail ate one space (not a tab) after the colon, if
 * there was one: a space is put back, which is exact for every field
 * written with a space after the colon and wrong for one without
 * ("Name:x", "Name:<TAB>x", "Name:" + fold; a c=simple header hash over
 * it fails, see mxauth(8)); which it was, the MTA did not say.
 */
static void
on_header(struct mlfi_conn *m, const struct milter_cmd *c, struct vstr *out)
{
	struct conn_ctx *x = m->ctx;
	struct vstr v = VSTR_INIT;

	if (x->msg != NULL && (m->steps & MILTER_P_HDR_LEADSPC) != 0)
		eval_header(x->msg, c->name, c->value);
	else if (x->msg != NULL) {
		vstr_catc(&v, ' ');
		vstr_cat(&v, c->value);
		eval_header(x->msg, c->name, vstr_str(&v));
		vstr_free(&v);
	}
	go_on(m, out, MILTER_P_NR_HDR);
}

/* on_body - a body chunk, straight to the verifier */
static void
on_body(struct mlfi_conn *m, const struct milter_cmd *c)
{
	if (m->ctx->msg != NULL && c->body_len > 0)
		eval_body(m->ctx->msg, c->body, c->body_len);
}

/*
 * apply_edits - delete forged fields (last first), insert ours on top;
 * with HDR_LEADSPC the MTA writes values verbatim, so ours get the
 * customary space after the colon
 */
static void
apply_edits(const struct mlfi_conn *m, struct vstr *out,
    const struct eval_result *r)
{
	const char *qid = r->queue_id ? r->queue_id : "NOQUEUE";
	struct vstr v = VSTR_INIT;
	size_t i;

	for (i = 0; i < r->ndel; i++) {
		if ((m->actions & MILTER_A_CHGHDRS) == 0 ||
		    r->del[i].index > UINT32_MAX) {
			log_warning("%s: cannot delete %s #%zu", qid,
			    r->del[i].name, r->del[i].index);
			continue;
		}
		milter_proto_put_header(out, MILTER_R_CHGHEADER,
		    (uint32_t)r->del[i].index, r->del[i].name, "");
		metrics_forged_ar_removed();
	}
	for (i = r->nadd; i > 0; i--) {
		if ((m->actions & MILTER_A_ADDHDRS) == 0) {
			log_warning("%s: cannot add %s", qid,
			    r->add[i - 1].name);
			continue;
		}
		vstr_reset(&v);
		vstr_catf(&v, "%s%s", (m->steps & MILTER_P_HDR_LEADSPC) != 0 ?
		    " " : "",
		    r->add[i - 1].value);
		milter_proto_put_header(out, MILTER_R_INSHEADER, 0,
		    r->add[i - 1].name, v.buf);
	}
	vstr_free(&v);
}

/*
 * on_eom - end of message: decide, edit, log, answer (a refused message
 * has no edits: eval_end dropped them)
 */
static void
on_eom(struct mlfi_conn *m, struct vstr *out)
{
	struct eval *e;
	const char *qid;

	if ((e = m->ctx->msg) == NULL) {
		milter_proto_put(out, MILTER_R_CONTINUE, NULL, 0);
		return;
	}
	if ((qid = macro(m, MILTER_M_EOM, "{i}")) != NULL)
		eval_set_queue_id(e, qid);
	eval_end(e);
	apply_edits(m, out, eval_result(e));
	verdict_log(e);
	if (mlfi_eom_hook != NULL)
		mlfi_eom_hook(eval_result(e));
	reply(m, out, eval_result(e));
	ctx_msg_end(m->ctx);
	clear_macros(m, MILTER_M_ENVFROM);
}

/* on_macro - keep the macros the MTA defines for a stage */
static void
on_macro(struct mlfi_conn *m, const struct milter_cmd *c)
{
	int stage = milter_proto_stage(c->macro_for);

	if (stage < 0)
		return;
	vstr_reset(&m->macros[stage]);
	vstr_ncat(&m->macros[stage], c->macros, c->macros_len);
}

/* on_quit_nc - the MTA reuses the connection for another SMTP client */
static void
on_quit_nc(struct mlfi_conn *m)
{
	ctx_conn_free(m->ctx);
	m->ctx = ctx_conn_new(NULL, NULL);
	clear_macros(m, MILTER_M_CONNECT);
}

/* dispatch - one decoded command; 0, or -1 to close the connection */
static int
dispatch(struct mlfi_conn *m, const struct milter_cmd *c, struct vstr *out)
{
	switch (c->cmd) {
	case MILTER_C_OPTNEG:
		return on_optneg(m, c, out);
	case MILTER_C_MACRO:
		on_macro(m, c);
		break;
	case MILTER_C_CONNECT:
		on_connect(m, c, out);
		break;
	case MILTER_C_HELO:
		ctx_set_helo(m->ctx, c->text);
		go_on(m, out, MILTER_P_NR_HELO);
		break;
	case MILTER_C_MAIL:
		on_mail(m, c, out);
		break;
	case MILTER_C_DATA:
		go_on(m, out, MILTER_P_NR_DATA);
		break;
	case MILTER_C_HEADER:
		on_header(m, c, out);
		break;
	case MILTER_C_EOH:
		go_on(m, out, MILTER_P_NR_EOH);
		break;
	case MILTER_C_BODY:
		on_body(m, c);
		go_on(m, out, MILTER_P_NR_BODY);
		break;
	case MILTER_C_BODYEOB:
		on_body(m, c);
		on_eom(m, out);
		break;
	case MILTER_C_ABORT:
		/* RSET, or the MTA gave up on the message: no reply */
		ctx_msg_end(m->ctx);
		clear_macros(m, MILTER_M_ENVFROM);
		break;
	case MILTER_C_QUIT_NC:
		on_quit_nc(m);
		break;
	case MILTER_C_QUIT:
		return -1;
	default:
		/* RCPT, UNKNOWN: declined, but an old MTA sends them anyway */
		milter_proto_put(out, MILTER_R_CONTINUE, NULL, 0);
		break;
	}
	return 0;
}

/* mlfi_packet - one packet of a connection (see mlfi.h) */
int
mlfi_packet(void **priv, const struct milter_pkt *pkt, struct vstr *out)
{
	struct mlfi_conn *m = *priv;
	struct milter_cmd c;
	char why[128];

	if (milter_proto_decode(pkt, &c, why, sizeof(why)) != 0) {
		log_warning("closing an MTA connection: %s", why);
		return -1;
	}
	if (m == NULL) {
		/* Negotiation (or connect, should it come first) starts it. */
		m = *priv = xcalloc(1, sizeof(*m));
		m->ctx = ctx_conn_new(NULL, NULL);
		m->actions = WANT_ACTIONS;
	}
	return dispatch(m, &c, out);
}

/* mlfi_closed - the connection is gone: drop its message and state */
void
mlfi_closed(void *priv)
{
	struct mlfi_conn *m = priv;
	int i;

	if (m == NULL)
		return;
	ctx_conn_free(m->ctx);
	for (i = 0; i < MILTER_M_NSTAGES; i++)
		vstr_free(&m->macros[i]);
	x_free(m);
}
