/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict - format and log the per-message verdict line.
 *
 * Pure formatting over a decided message (eval_result() and
 * eval_upstream_result()); the only side effect is the log_info() call
 * in verdict_log().
 */
#include "config.h"

#include <string.h>

#include "eval.h"
#include "log.h"
#include "verdict.h"
#include "vstr.h"

/* is_plain - whether V can be written without quotes */
static int
is_plain(const char *v)
{
	const unsigned char *p;

	if (*v == '\0')
		return 0;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= 0x20 || *p == '"' || *p == '\\' || *p >= 0x7f)
			return 0;
	return 1;
}

/* put - append " KEY=VALUE", quoting VALUE when needed; NULL = "-" */
static void
put(struct vstr *out, const char *key, const char *value)
{
	const unsigned char *p;

	vstr_catf(out, " %s=", key);
	if (value == NULL) {
		vstr_catc(out, '-');
		return;
	}
	if (is_plain(value)) {
		vstr_cat(out, value);
		return;
	}
	vstr_catc(out, '"');
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			vstr_catf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			vstr_catf(out, "\\x%02x", *p);
		else
			vstr_catc(out, *p);
	}
	vstr_catc(out, '"');
}

/*
 * put_dkim_reasons - " dkim_reason=..." when a signature did not pass:
 * each signature's reason in order ("-" for none), "; " between.  The
 * reasons quote the signatures' own bytes; put() escapes them.
 */
static void
put_dkim_reasons(struct vstr *out, const struct eval_result *r)
{
	struct vstr v = VSTR_INIT;
	size_t i, n = 0;

	for (i = 0; i < r->ndkim; i++) {
		if (i > 0)
			vstr_cat(&v, "; ");
		if (r->dkim[i].reason != NULL && *r->dkim[i].reason != '\0') {
			vstr_cat(&v, r->dkim[i].reason);
			n++;
		} else
			vstr_catc(&v, '-');
	}
	if (n > 0)
		put(out, "dkim_reason", vstr_str(&v));
	vstr_free(&v);
}

/* unevaluated - what a method not evaluated shows */
static const char *
unevaluated(const struct eval_result *r)
{
	return result_outside(r->ingress) ? "none" : "skip";
}

/* put_checked - the spf, dkim, dmarc and policy fields mxauth found */
static void
put_checked(struct vstr *out, const struct eval_result *r)
{
	struct vstr dkim = VSTR_INIT;
	size_t i;

	put(out, "spf", r->spf != NULL ? result_spf_str(r->spf->result) :
	    unevaluated(r));
	for (i = 0; i < r->ndkim; i++) {
		if (i > 0)
			vstr_catc(&dkim, ',');
		vstr_cat(&dkim, result_dkim_str(r->dkim[i].result));
	}
	if (r->ndkim == 0)
		vstr_cat(&dkim, unevaluated(r));
	put(out, "dkim", vstr_str(&dkim));
	vstr_free(&dkim);
	if (r->dkim_ignored > 0)
		vstr_catf(out, " dkim_ignored=%zu", r->dkim_ignored);
	put(out, "dmarc", r->dmarc != NULL ?
	    result_dmarc_str(r->dmarc->result) : unevaluated(r));
	if (r->dmarc != NULL && r->dmarc->policy != DMARC_POLICY_UNSET)
		put(out, "policy", result_policy_str(r->dmarc->policy));
}

/* verdict_format - the verdict line of a decided message */
void
verdict_format(struct vstr *out, const struct eval *e)
{
	const struct eval_result *r = eval_result(e);

	vstr_cat(out, r->queue_id != NULL && *r->queue_id != '\0' ?
	    r->queue_id : "NOQUEUE");
	vstr_catc(out, ':');
	put(out, "ingress", result_ingress_str(r->ingress));
	if (r->upstream != NULL)
		put(out, "upstream", r->upstream);
	put(out, "ip", r->client_ip);
	if (r->ingress == INGRESS_RELAY)
		put(out, "origin", r->origin_ip);
	put(out, "helo", r->helo);
	if (r->mail_from != NULL && *r->mail_from == '\0')
		put(out, "mailfrom", "<>");
	else
		put(out, "mailfrom", r->mail_from);
	put(out, "from", r->from_domain);
	if (r->upstream != NULL) {
		/* believed, not checked: what the trusted hop said */
		put(out, "spf", eval_upstream_result(e, "spf"));
		put(out, "dkim", eval_upstream_result(e, "dkim"));
		put(out, "dmarc", eval_upstream_result(e, "dmarc"));
	} else
		put_checked(out, r);
	if (r->ndel > 0)
		vstr_catf(out, " forged_ar=%zu", r->ndel);
	put(out, "action", result_action_str(r->action));
	put(out, "reason", r->reason);
	if (r->upstream == NULL)
		put_dkim_reasons(out, r);
}

/* verdict_log - one info line per message */
void
verdict_log(const struct eval *e)
{
	struct vstr line = VSTR_INIT;

	verdict_format(&line, e);
	log_info("%s", vstr_str(&line));
	vstr_free(&line);
}
