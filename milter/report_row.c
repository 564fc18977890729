/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_row - one message's DMARC facts for aggregate reports, taken
 * from eval_result() alone (report_row.h).
 *
 * The source IP is the client the edge judged (doc/HACKING.md, the
 * trust model): a trusted relay's origin when one was read from its
 * Received field, else the connecting client (a relay whose origin is
 * unknown is judged itself).  The envelope sender's domain is the part
 * after the last '@', lower-cased; the null path has none.
 */
#include "config.h"

#include <string.h>

#include "domain.h"
#include "eval.h"
#include "report_row.h"
#include "xmalloc.h"

/* dup - a copy of S, or NULL */
static char *
sdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* mail_domain - the domain of MAIL FROM's address, lower-cased, or NULL */
static char *
mail_domain(const char *mail_from)
{
	const char *at;

	if (mail_from == NULL || (at = strrchr(mail_from, '@')) == NULL ||
	    at[1] == '\0')
		return NULL;
	return domain_lower(xstrdup(at + 1));
}

/* report_row_build - the row for the message R describes, if any */
bool
report_row_build(const struct eval_result *r, int64_t at,
    struct report_row *row)
{
	const struct dmarc_result *dm = r->dmarc;
	size_t i, n;

	memset(row, 0, sizeof(*row));
	/* RFC 9990 reports per policy domain: no record, nothing to say */
	if (dm == NULL || dm->policy_domain == NULL || dm->domain == NULL)
		return false;
	row->time = at;
	row->queue_id = sdup(r->queue_id);
	row->source_ip = sdup(r->origin_ip != NULL ? r->origin_ip :
	    r->client_ip != NULL ? r->client_ip : "");
	row->header_from = xstrdup(dm->domain);
	row->envelope_from = mail_domain(r->mail_from);
	row->envelope_to = NULL;	/* mlfi declines RCPT (NORCPT) */
	row->policy_domain = xstrdup(dm->policy_domain);
	row->discovery = dm->discovery;
	row->p = dm->p;
	row->sp = dm->sp;
	row->np = dm->np;
	row->adkim_strict = dm->adkim_strict;
	row->aspf_strict = dm->aspf_strict;
	row->testing = dm->testing;
	row->psd = dm->psd != '\0' ? dm->psd : 'u';
	row->rua = sdup(dm->rua);
	row->dmarc = dm->result;
	row->dkim_aligned = dm->dkim_aligned;
	row->spf_aligned = dm->spf_aligned;
	if (r->spf != NULL) {
		row->spf = r->spf->result;
		/* domains are compared without case in reports */
		row->spf_domain = domain_lower(xstrdup(r->spf->domain !=
		    NULL ? r->spf->domain : ""));
		row->spf_scope = r->spf->identity;
	}
	n = r->ndkim < REPORT_ROW_DKIM_MAX ? r->ndkim : REPORT_ROW_DKIM_MAX;
	row->dkim = n > 0 ? xcalloc(n, sizeof(*row->dkim)) : NULL;
	for (i = 0; i < n; i++) {
		/* a signature too broken to name its d= is no DKIM result */
		if (r->dkim[i].domain == NULL || *r->dkim[i].domain == '\0')
			continue;
		row->dkim[row->ndkim].domain = domain_lower(
		    xstrdup(r->dkim[i].domain));
		row->dkim[row->ndkim].selector = xstrdup(
		    r->dkim[i].selector != NULL ? r->dkim[i].selector : "");
		row->dkim[row->ndkim].result = r->dkim[i].result;
		row->ndkim++;
	}
	row->policy = dm->policy;
	row->disposition = dm->disposition;
	row->action = r->action;
	row->overrides = dm->overrides;
	row->override = sdup(dm->override);
	return true;
}

/* report_row_copy - a deep copy */
void
report_row_copy(struct report_row *dst, const struct report_row *src)
{
	size_t i;

	*dst = *src;
	dst->queue_id = sdup(src->queue_id);
	dst->source_ip = sdup(src->source_ip);
	dst->header_from = sdup(src->header_from);
	dst->envelope_from = sdup(src->envelope_from);
	dst->envelope_to = sdup(src->envelope_to);
	dst->policy_domain = sdup(src->policy_domain);
	dst->rua = sdup(src->rua);
	dst->spf_domain = sdup(src->spf_domain);
	dst->override = sdup(src->override);
	dst->dkim = src->ndkim > 0 ? xcalloc(src->ndkim, sizeof(*dst->dkim)) :
	    NULL;
	for (i = 0; i < src->ndkim; i++) {
		dst->dkim[i].domain = sdup(src->dkim[i].domain);
		dst->dkim[i].selector = sdup(src->dkim[i].selector);
		dst->dkim[i].result = src->dkim[i].result;
	}
}

/* str_eq - two strings equal, NULL equal only to NULL */
static bool
str_eq(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* report_row_equal - field by field */
bool
report_row_equal(const struct report_row *a, const struct report_row *b)
{
	size_t i;

	if (a->time != b->time || !str_eq(a->queue_id, b->queue_id) ||
	    !str_eq(a->source_ip, b->source_ip) ||
	    !str_eq(a->header_from, b->header_from) ||
	    !str_eq(a->envelope_from, b->envelope_from) ||
	    !str_eq(a->envelope_to, b->envelope_to) ||
	    !str_eq(a->policy_domain, b->policy_domain) ||
	    a->discovery != b->discovery || a->p != b->p || a->sp != b->sp ||
	    a->np != b->np || a->adkim_strict != b->adkim_strict ||
	    a->aspf_strict != b->aspf_strict || a->testing != b->testing ||
	    a->psd != b->psd || !str_eq(a->rua, b->rua) ||
	    a->dmarc != b->dmarc || a->dkim_aligned != b->dkim_aligned ||
	    a->spf_aligned != b->spf_aligned || a->spf != b->spf ||
	    !str_eq(a->spf_domain, b->spf_domain) ||
	    a->spf_scope != b->spf_scope || a->ndkim != b->ndkim ||
	    a->policy != b->policy || a->disposition != b->disposition ||
	    a->action != b->action || a->overrides != b->overrides ||
	    !str_eq(a->override, b->override))
		return false;
	for (i = 0; i < a->ndkim; i++)
		if (!str_eq(a->dkim[i].domain, b->dkim[i].domain) ||
		    !str_eq(a->dkim[i].selector, b->dkim[i].selector) ||
		    a->dkim[i].result != b->dkim[i].result)
			return false;
	return true;
}

/* report_row_clear - release ROW's strings; ROW left zeroed */
void
report_row_clear(struct report_row *row)
{
	size_t i;

	x_free(row->queue_id);
	x_free(row->source_ip);
	x_free(row->header_from);
	x_free(row->envelope_from);
	x_free(row->envelope_to);
	x_free(row->policy_domain);
	x_free(row->rua);
	x_free(row->spf_domain);
	x_free(row->override);
	for (i = 0; i < row->ndkim; i++) {
		x_free(row->dkim[i].domain);
		x_free(row->dkim[i].selector);
	}
	x_free(row->dkim);
	memset(row, 0, sizeof(*row));
}
