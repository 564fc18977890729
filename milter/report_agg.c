/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_agg - rows folded into per-(policy domain, destination) reports
 * of counted records (report_agg.h).
 *
 * Records are found through an open-addressing table of indices per
 * report (FNV-1a over the key's fields, doubled at half full), so a
 * period of a million rows is folded in one pass; reports, and the
 * strings records hold (interned: one copy each), through tables of
 * the same kind.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "report_agg.h"
#include "xmalloc.h"

#define RUA_MAX	16	/* destinations read from one rua= */

/* report_agg_init - AGG empty */
void
report_agg_init(struct report_agg *agg)
{
	memset(agg, 0, sizeof(*agg));
}

/* report_agg_rua - the mailto: addresses of RUA, duplicates once */
size_t
report_agg_rua(const char *rua, char **out, size_t max)
{
	const char *p = rua, *end, *a, *e;
	size_t n = 0, i;
	char *addr;

	while (p != NULL && *p != '\0' && n < max) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		e = end;
		while (e > p && isspace((unsigned char)e[-1]))
			e--;
		if (e - p > 7 && strncasecmp(p, "mailto:", 7) == 0) {
			a = p + 7;
			/* the size limit (RFC 9989 "!10m") and any ?hfields */
			for (e = a; e < end && *e != '!' && *e != '?' &&
			    !isspace((unsigned char)*e); e++)
				;
			if (e > a && memchr(a, '@', (size_t)(e - a)) != NULL) {
				addr = xstrndup(a, (size_t)(e - a));
				for (i = 0; i < n; i++)
					if (strcasecmp(out[i], addr) == 0)
						break;
				if (i < n)
					x_free(addr);
				else
					out[n++] = addr;
			}
		}
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

static uint64_t
h_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0) {
		h ^= *s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t
h_str(uint64_t h, const char *s)
{
	/* NULL and "" differ: NULL hashes as one 0xff byte */
	return s == NULL ? h_bytes(h, "\xff", 1) : h_bytes(h, s, strlen(s) + 1);
}

static uint64_t
h_int(uint64_t h, long v)
{
	return h_bytes(h, &v, sizeof(v));
}

/* intern - AGG's one copy of S (NULL for NULL) */
static char *
intern(struct report_agg *agg, const char *s)
{
	size_t j, i, n;
	char **old;

	if (s == NULL)
		return NULL;
	if ((agg->nstr + 1) * 2 > agg->nstrslot) {
		old = agg->str;
		n = agg->nstrslot ? agg->nstrslot * 2 : 256;
		agg->str = xcalloc(n, sizeof(*agg->str));
		for (i = 0; i < agg->nstrslot; i++) {
			if (old[i] == NULL)
				continue;
			j = h_str(14695981039346656037ULL, old[i]) & (n - 1);
			while (agg->str[j] != NULL)
				j = (j + 1) & (n - 1);
			agg->str[j] = old[i];
		}
		x_free(old);
		agg->nstrslot = n;
	}
	j = h_str(14695981039346656037ULL, s) & (agg->nstrslot - 1);
	for (; agg->str[j] != NULL; j = (j + 1) & (agg->nstrslot - 1))
		if (strcmp(agg->str[j], s) == 0)
			return agg->str[j];
	agg->nstr++;
	return agg->str[j] = xstrdup(s);
}

/* key_hash - the hash of a record key */
static uint64_t
key_hash(const struct report_row *r)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	h = h_str(h, r->source_ip);
	h = h_str(h, r->header_from);
	h = h_str(h, r->envelope_from);
	h = h_str(h, r->envelope_to);
	h = h_int(h, r->testing);
	h = h_int(h, r->dmarc);
	h = h_int(h, r->dkim_aligned);
	h = h_int(h, r->spf_aligned);
	h = h_int(h, r->spf);
	h = h_str(h, r->spf_domain);
	h = h_int(h, r->spf_scope);
	h = h_int(h, r->policy);
	h = h_int(h, r->disposition);
	h = h_int(h, r->action);
	h = h_int(h, r->overrides);
	h = h_str(h, r->override);
	for (i = 0; i < r->ndkim; i++) {
		h = h_str(h, r->dkim[i].domain);
		h = h_str(h, r->dkim[i].selector);
		h = h_int(h, r->dkim[i].result);
	}
	return h;
}

/* key_of - KEY, a borrowing shallow copy of ROW reduced to a record key */
static void
key_of(const struct report_row *row, struct report_row *key)
{
	*key = *row;
	key->time = 0;
	key->queue_id = NULL;
	key->policy_domain = NULL;
	key->rua = NULL;
	key->discovery = 0;
	key->p = key->sp = key->np = DMARC_POLICY_UNSET;
	key->adkim_strict = key->aspf_strict = false;
	key->psd = 0;
}

/*
 * reindex - *SLOT, a table of *NSLOT indices (1-based; 0 empty), made
 * twice as large (64 the first time) and refilled with the COUNT items
 * whose hashes HASH(ARG, i) gives
 */
static void
reindex(size_t **slot, size_t *nslot, size_t count,
    uint64_t (*hash)(const void *, size_t), const void *arg)
{
	size_t n = *nslot ? *nslot * 2 : 64, i, j;

	x_free(*slot);
	*slot = xcalloc(n, sizeof(**slot));
	*nslot = n;
	for (i = 0; i < count; i++) {
		j = hash(arg, i) & (n - 1);
		while ((*slot)[j] != 0)
			j = (j + 1) & (n - 1);
		(*slot)[j] = i + 1;
	}
}

/* rec_hash - the hash of REP's record I (reindex) */
static uint64_t
rec_hash(const void *rep, size_t i)
{
	return key_hash(&((const struct report_agg_report *)rep)->rec[i].row);
}

/* rec_copy - DST the record key KEY with AGG's copies of its strings */
static void
rec_copy(struct report_agg *agg, struct report_row *dst,
    const struct report_row *key)
{
	size_t i;

	*dst = *key;
	dst->source_ip = intern(agg, key->source_ip);
	dst->header_from = intern(agg, key->header_from);
	dst->envelope_from = intern(agg, key->envelope_from);
	dst->envelope_to = intern(agg, key->envelope_to);
	dst->spf_domain = intern(agg, key->spf_domain);
	dst->override = intern(agg, key->override);
	dst->dkim = key->ndkim > 0 ? xcalloc(key->ndkim, sizeof(*dst->dkim)) :
	    NULL;
	for (i = 0; i < key->ndkim; i++) {
		dst->dkim[i].domain = intern(agg, key->dkim[i].domain);
		dst->dkim[i].selector = intern(agg, key->dkim[i].selector);
		dst->dkim[i].result = key->dkim[i].result;
	}
}

/* count - ROW counted in REP */
static void
count(struct report_agg *agg, struct report_agg_report *rep,
    const struct report_row *row)
{
	struct report_row key;
	size_t j;

	key_of(row, &key);
	if ((rep->nrec + 1) * 2 > rep->nslot)
		reindex(&rep->slot, &rep->nslot, rep->nrec, rec_hash, rep);
	j = key_hash(&key) & (rep->nslot - 1);
	while (rep->slot[j] != 0) {
		if (report_row_equal(&rep->rec[rep->slot[j] - 1].row, &key)) {
			rep->rec[rep->slot[j] - 1].count++;
			rep->messages++;
			return;
		}
		j = (j + 1) & (rep->nslot - 1);
	}
	if ((rep->nrec & (rep->nrec - 1)) == 0 || rep->nrec == 0)
		rep->rec = xrealloc(rep->rec, (rep->nrec ? rep->nrec * 2 : 1) *
		    sizeof(*rep->rec));
	rec_copy(agg, &rep->rec[rep->nrec].row, &key);
	rep->rec[rep->nrec].count = 1;
	rep->slot[j] = ++rep->nrec;
	rep->messages++;
}

/* published - the policy ROW found, into P (no strings: none are kept) */
static void
published(struct report_row *p, const struct report_row *row)
{
	p->discovery = row->discovery;
	p->p = row->p;
	p->sp = row->sp;
	p->np = row->np;
	p->adkim_strict = row->adkim_strict;
	p->aspf_strict = row->aspf_strict;
	p->testing = row->testing;
	p->psd = row->psd;
}

/* rep_hash - the hash of (DOMAIN, DEST), DEST without case */
static uint64_t
rep_hash(const char *domain, const char *dest)
{
	uint64_t h = h_str(14695981039346656037ULL, domain);
	unsigned char c;

	for (; *dest != '\0'; dest++) {
		c = (unsigned char)tolower((unsigned char)*dest);
		h = h_bytes(h, &c, 1);
	}
	return h;
}

/* rep_hash_i - the hash of AGG's report I (reindex) */
static uint64_t
rep_hash_i(const void *agg, size_t i)
{
	const struct report_agg_report *rep =
	    &((const struct report_agg *)agg)->rep[i];

	return rep_hash(rep->policy_domain, rep->dest);
}

/* report_for - AGG's report for (DOMAIN, DEST), made if new */
static struct report_agg_report *
report_for(struct report_agg *agg, const char *domain, const char *dest)
{
	struct report_agg_report *rep;
	size_t j;

	if ((agg->nrep + 1) * 2 > agg->nrslot)
		reindex(&agg->rslot, &agg->nrslot, agg->nrep, rep_hash_i, agg);
	j = rep_hash(domain, dest) & (agg->nrslot - 1);
	for (; agg->rslot[j] != 0; j = (j + 1) & (agg->nrslot - 1)) {
		rep = &agg->rep[agg->rslot[j] - 1];
		if (strcmp(rep->policy_domain, domain) == 0 &&
		    strcasecmp(rep->dest, dest) == 0)
			return rep;
	}
	agg->rep = xrealloc(agg->rep, (agg->nrep + 1) * sizeof(*agg->rep));
	rep = &agg->rep[agg->nrep++];
	agg->rslot[j] = agg->nrep;
	memset(rep, 0, sizeof(*rep));
	rep->policy_domain = xstrdup(domain);
	rep->dest = xstrdup(dest);
	return rep;
}

/* report_agg_add - ROW counted in each of its reports */
void
report_agg_add(struct report_agg *agg, const struct report_row *row)
{
	struct report_agg_report *rep;
	char *dest[RUA_MAX];
	size_t n, i;

	agg->rows++;
	n = report_agg_rua(row->rua, dest, RUA_MAX);
	if (n == 0 || row->policy_domain == NULL) {
		agg->unreported++;
		for (i = 0; i < n; i++)
			x_free(dest[i]);
		return;
	}
	for (i = 0; i < n; i++) {
		rep = report_for(agg, row->policy_domain, dest[i]);
		/* the latest row's published policy (rows come in time order) */
		published(&rep->policy, row);
		count(agg, rep, row);
		x_free(dest[i]);
	}
}

/* report_agg_clear - release everything AGG holds */
void
report_agg_clear(struct report_agg *agg)
{
	struct report_agg_report *rep;
	size_t i, j;

	for (i = 0; i < agg->nrep; i++) {
		rep = &agg->rep[i];
		/* the records' strings are the aggregate's (intern) */
		for (j = 0; j < rep->nrec; j++)
			x_free(rep->rec[j].row.dkim);
		x_free(rep->rec);
		x_free(rep->slot);
		x_free(rep->policy_domain);
		x_free(rep->dest);
		report_row_clear(&rep->policy);
	}
	x_free(agg->rep);
	for (i = 0; i < agg->nstrslot; i++)
		x_free(agg->str[i]);
	x_free(agg->str);
	x_free(agg->rslot);
	memset(agg, 0, sizeof(*agg));
}
