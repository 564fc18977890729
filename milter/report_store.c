/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_store - the store interface (report_store.h): the backend a
 * report_store setting names, and the one encoding of a row into the
 * schema's columns that both backends use, so that a row means the same
 * in SQLite and in PostgreSQL.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_pg.h"
#include "report_sqlite.h"
#include "report_store.h"
#include "result.h"
#include "xmalloc.h"

#define SQLITE_PREFIX	"sqlite:"

/* the names of the DMARC_OVR_* bits, in bit order */
static const char *const ovr_names[] = {
	"local_policy", "policy_overrides", "sampled_out", "dry_run"
};

/* is_pg - whether URI is a libpq connection URI */
static int
is_pg(const char *uri)
{
	return strncmp(uri, "postgresql://", 13) == 0 ||
	    strncmp(uri, "postgres://", 11) == 0;
}

/* report_store_check - whether URI names a store mxauth can open */
int
report_store_check(const char *uri, char *why, size_t whylen)
{
	if (strncmp(uri, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) == 0) {
		if (uri[strlen(SQLITE_PREFIX)] != '/') {
			snprintf(why, whylen, "sqlite: needs an absolute path "
			    "(sqlite:/var/lib/mxauth/reports.db)");
			return -1;
		}
		return 0;
	}
	if (is_pg(uri))
		return 0;
	snprintf(why, whylen, "must be sqlite:/PATH or postgresql://...");
	return -1;
}

/* report_store_open - the store URI names, schema ready */
struct report_store *
report_store_open(const char *uri, char *why, size_t whylen)
{
	if (report_store_check(uri, why, whylen) != 0)
		return NULL;
	if (is_pg(uri))
		return report_pg_open(uri, why, whylen);
	return report_sqlite_open(uri + strlen(SQLITE_PREFIX), why, whylen);
}

/* report_store_put - N rows in one transaction */
int
report_store_put(struct report_store *s, const struct report_row *rows,
    size_t n, char *why, size_t whylen)
{
	if (n == 0)
		return 0;
	return s->ops->put(s, rows, n, why, whylen);
}

/* report_store_read - the rows of [BEGIN, END) to FN */
int
report_store_read(struct report_store *s, int64_t begin, int64_t end,
    int (*fn)(const struct report_row *, void *), void *arg, char *why,
    size_t whylen)
{
	return s->ops->read(s, begin, end, fn, arg, why, whylen);
}

/* report_store_claim - C recorded as made, once */
int
report_store_claim(struct report_store *s, const struct report_claim *c,
    int force, char *why, size_t whylen)
{
	return s->ops->claim(s, c, force, why, whylen);
}

/* report_store_release - REPORT_ID forgotten */
int
report_store_release(struct report_store *s, const char *report_id,
    char *why, size_t whylen)
{
	return s->ops->release(s, report_id, why, whylen);
}

/* report_store_purge - rows and report ids older than BEFORE deleted */
int
report_store_purge(struct report_store *s, int64_t before, uint64_t *rows,
    uint64_t *reports, char *why, size_t whylen)
{
	uint64_t *n[2] = { rows, reports }, k;
	int what;

	*rows = *reports = 0;
	/* a slice at a time, until one deletes less than a slice */
	for (what = REPORT_PURGE_ROWS; what <= REPORT_PURGE_REPORTS; what++)
		do {
			if (s->ops->purge(s, (enum report_purge)what, before,
			    &k, why, whylen) != 0)
				return -1;
			*n[what] += k;
		} while (k >= REPORT_PURGE_SLICE);
	return 0;
}

/* report_store_close - close S; NULL is a no-op */
void
report_store_close(struct report_store *s)
{
	if (s != NULL)
		s->ops->close(s);
}

/* report_store_encode - ROW's columns as text, REPORT_COLUMNS order */
void
report_store_encode(const struct report_row *row,
    struct report_store_text *out)
{
	char *b = out->buf, *ovr;
	size_t i, len, off = 0, room;

	memset(out->v, 0, sizeof(out->v));
	len = (size_t)snprintf(b, 24, "%" PRId64, row->time);
	out->v[0] = b;
	/* the overrides list after the number: buf holds every name */
	ovr = b + len + 1;
	room = sizeof(out->buf) - len - 1;
	*ovr = '\0';
	for (i = 0; i < sizeof(ovr_names) / sizeof(ovr_names[0]); i++) {
		if ((row->overrides & (1u << i)) == 0)
			continue;
		off += (size_t)snprintf(ovr + off, room - off, "%s%s",
		    off > 0 ? "," : "", ovr_names[i]);
	}
	out->v[1] = row->queue_id;
	out->v[2] = row->source_ip;
	out->v[3] = row->header_from;
	out->v[4] = row->envelope_from;
	out->v[5] = row->envelope_to;
	out->v[6] = row->policy_domain;
	out->v[7] = row->discovery == DMARC_DISC_PSL ? "psl" : "treewalk";
	out->v[8] = result_policy_str(row->p);
	out->v[9] = result_policy_str(row->sp);
	out->v[10] = result_policy_str(row->np);
	out->v[11] = row->adkim_strict ? "s" : "r";
	out->v[12] = row->aspf_strict ? "s" : "r";
	out->v[13] = row->testing ? "1" : "0";
	out->v[14] = row->psd == 'y' ? "y" : row->psd == 'n' ? "n" : "u";
	out->v[15] = row->rua;
	out->v[16] = result_dmarc_str(row->dmarc);
	out->v[17] = row->dkim_aligned ? "1" : "0";
	out->v[18] = row->spf_aligned ? "1" : "0";
	if (row->spf_domain != NULL) {
		out->v[19] = result_spf_str(row->spf);
		out->v[20] = row->spf_domain;
		out->v[21] = row->spf_scope == SPF_ID_HELO ? "helo" : "mfrom";
	}
	out->v[22] = result_policy_str(row->policy);
	out->v[23] = result_policy_str(row->disposition);
	out->v[24] = result_action_str(row->action);
	out->v[25] = ovr;
	out->v[26] = row->override;
}

/*
 * NAME_INDEX - the enum value of TYPE whose name by FN is S: the name
 * functions answer "?" past the last value
 */
#define NAME_INDEX(fn, type, s, out) do {				\
	int i_;								\
	for (i_ = 0; strcmp(fn((type)i_), "?") != 0; i_++)		\
		if (strcmp(fn((type)i_), (s)) == 0)			\
			break;						\
	if (strcmp(fn((type)i_), "?") == 0)				\
		goto bad;						\
	(out) = (type)i_;						\
} while (0)

/* sdup - a copy of S, or NULL */
static char *
sdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* overrides - the DMARC_OVR_* bits of a comma list; -1 if unknown */
static int
overrides(const char *s, unsigned *out)
{
	size_t i, len;

	*out = 0;
	while (*s != '\0') {
		len = strcspn(s, ",");
		for (i = 0; i < sizeof(ovr_names) / sizeof(ovr_names[0]); i++)
			if (strlen(ovr_names[i]) == len &&
			    strncmp(s, ovr_names[i], len) == 0)
				break;
		if (i == sizeof(ovr_names) / sizeof(ovr_names[0]))
			return -1;
		*out |= 1u << i;
		s += len + (s[len] == ',');
	}
	return 0;
}

/* report_store_decode - a row from its columns as text */
int
report_store_decode(const char *const *v, struct report_row *row,
    char *why, size_t whylen)
{
	static const int not_null[] = { 0, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13,
	    14, 16, 17, 18, 22, 23, 24, 25 };
	char *end;
	size_t i;

	memset(row, 0, sizeof(*row));
	for (i = 0; i < sizeof(not_null) / sizeof(not_null[0]); i++)
		if (v[not_null[i]] == NULL)
			goto bad;
	row->time = strtoll(v[0], &end, 10);
	if (*end != '\0')
		goto bad;
	row->queue_id = sdup(v[1]);
	row->source_ip = sdup(v[2]);
	row->header_from = sdup(v[3]);
	row->envelope_from = sdup(v[4]);
	row->envelope_to = sdup(v[5]);
	row->policy_domain = sdup(v[6]);
	row->discovery = strcmp(v[7], "psl") == 0 ? DMARC_DISC_PSL :
	    DMARC_DISC_TREEWALK;
	NAME_INDEX(result_policy_str, enum dmarc_policy, v[8], row->p);
	NAME_INDEX(result_policy_str, enum dmarc_policy, v[9], row->sp);
	NAME_INDEX(result_policy_str, enum dmarc_policy, v[10], row->np);
	row->adkim_strict = strcmp(v[11], "s") == 0;
	row->aspf_strict = strcmp(v[12], "s") == 0;
	row->testing = strcmp(v[13], "1") == 0;
	row->psd = v[14][0] == 'y' || v[14][0] == 'n' ? v[14][0] : 'u';
	row->rua = sdup(v[15]);
	NAME_INDEX(result_dmarc_str, enum dmarc_res, v[16], row->dmarc);
	row->dkim_aligned = strcmp(v[17], "1") == 0;
	row->spf_aligned = strcmp(v[18], "1") == 0;
	if (v[20] != NULL) {
		if (v[19] == NULL)
			goto bad;
		NAME_INDEX(result_spf_str, enum spf_res, v[19], row->spf);
		row->spf_domain = xstrdup(v[20]);
		row->spf_scope = v[21] != NULL && strcmp(v[21], "helo") == 0 ?
		    SPF_ID_HELO : SPF_ID_MAILFROM;
	}
	NAME_INDEX(result_policy_str, enum dmarc_policy, v[22], row->policy);
	NAME_INDEX(result_policy_str, enum dmarc_policy, v[23],
	    row->disposition);
	NAME_INDEX(result_action_str, enum action, v[24], row->action);
	if (overrides(v[25], &row->overrides) != 0)
		goto bad;
	row->override = sdup(v[26]);
	return 0;
bad:
	snprintf(why, whylen, "a message row this schema does not write");
	report_row_clear(row);
	return -1;
}

/* report_store_decode_dkim - one DKIM result appended to ROW */
int
report_store_decode_dkim(const char *domain, const char *selector,
    const char *result, struct report_row *row, char *why, size_t whylen)
{
	struct report_dkim *d;
	enum dkim_res res;

	if (domain == NULL || selector == NULL || result == NULL)
		goto bad;
	NAME_INDEX(result_dkim_str, enum dkim_res, result, res);
	row->dkim = xrealloc(row->dkim, (row->ndkim + 1) * sizeof(*row->dkim));
	d = &row->dkim[row->ndkim++];
	d->domain = xstrdup(domain);
	d->selector = xstrdup(selector);
	d->result = res;
	return 0;
bad:
	snprintf(why, whylen, "a message_dkim row this schema does not write");
	return -1;
}
