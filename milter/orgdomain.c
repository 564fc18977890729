/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * orgdomain - DMARC policy discovery and organizational domains.
 *
 * One walk serves both questions (RFC 9989 4.10): each name asked
 * yields at most one DMARC record (a name with several has none); the
 * walk stops early only at a record with psd=y or psd=n.  Every query
 * goes through milter/dns and its cache, so the walks for the author
 * domain, the SPF domain and each DKIM d= of one message share answers.
 *
 * The Public Suffix List (RFC 7489 mode) is a libpsl context that the
 * caller loads with org_psl_load() and owns: the daemon's config
 * snapshot holds it (conf.c), so a message uses the list its snapshot
 * was loaded with and a reload with another psl_file frees the old list
 * only when the last message holding that snapshot is done.  A loaded
 * context is only read (libpsl lookups are thread-safe on it), so no
 * lock is needed here.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpsl.h>

#include "dns.h"
#include "domain.h"
#include "orgdomain.h"
#include "safefile.h"
#include "vstr.h"
#include "xmalloc.h"

#define PSL_MAX_BYTES	(64L * 1024 * 1024)

/* One name the walk asked about. */
struct level {
	const char	*name;		/* a suffix of the walked domain */
	size_t		 labels;
	int		 has;		/* one DMARC record (usable or not) */
	int		 usable;	/* it parsed into a policy */
	struct dmarc_record rec;
	char		 why[160];
};

/*
 * ask - _dmarc.NAME TXT into L; -1 on DNS trouble (WHY set).  A name
 * with no DMARC record, or several, has none (RFC 9989 4.10 step 2).
 */
static int
ask(struct dns *dns, struct level *l, struct vstr *explain)
{
	struct vstr q = VSTR_INIT;
	struct dns_answer *a;
	const char *one = NULL;
	size_t i, n = 0;
	int rc = 0;

	vstr_catf(&q, "_dmarc.%s", l->name);
	a = dns_query(dns, vstr_str(&q), DNS_T_TXT);
	if (a->status == DNS_OK) {
		for (i = 0; i < a->n; i++)
			if (dmarc_record_is(a->rr[i].text, a->rr[i].len) &&
			    n++ == 0)
				one = a->rr[i].text;
	} else if (a->status != DNS_NXDOMAIN && a->status != DNS_NODATA) {
		snprintf(l->why, sizeof(l->why), "%s TXT: %s", vstr_str(&q),
		    dns_status_str(a->status));
		rc = -1;
	}
	if (n == 1) {
		l->has = 1;
		l->usable = dmarc_record_parse(one, strlen(one), &l->rec,
		    l->why, sizeof(l->why)) == DMARC_REC_OK;
	}
	if (explain != NULL) {
		vstr_catf(explain, "  asked %s TXT: ", vstr_str(&q));
		if (rc != 0)
			vstr_catf(explain, "%s (temporary)\n",
			    dns_status_str(a->status));
		else if (n == 0)
			vstr_catf(explain, "no DMARC record (%s)\n",
			    a->status == DNS_OK ? "other TXT only" :
			    dns_status_str(a->status));
		else if (n > 1)
			vstr_catf(explain, "%zu DMARC records: none used\n", n);
		else
			vstr_catf(explain, "\"%.200s\"%s\n", one,
			    l->usable ? "" : " (no policy in it)");
	}
	dns_answer_free(a);
	vstr_free(&q);
	return rc;
}

/* note_asked - NAME onto OUT's list of names asked (--explain, tests) */
static void
note_asked(struct org_found *out, const char *name)
{
	if (out != NULL && out->nasked < ORG_MAX_QUERIES)
		out->asked[out->nasked++] = xstrdup(name);
}

/*
 * walk - RFC 9989 4.10: DOMAIN, then (8 or more labels) its last 7, then
 * one label less each time, to the top-level domain; at most 8 names.
 * Steps 2 and 6: it stops after a name with a single DMARC record that
 * has psd=y or psd=n (usable or not: psd is a fact about the name); a
 * name with several records has none and the walk goes on.  Returns the
 * number of levels, or -1 on DNS trouble (WHY set, levels released).
 */
static int
walk(struct dns *dns, const char *domain, struct level *lv, char *why,
    size_t whylen, struct org_found *out, struct vstr *explain)
{
	size_t n = 0, have;
	const char *name = domain;

	for (;;) {
		memset(&lv[n], 0, sizeof(lv[n]));
		lv[n].name = name;
		lv[n].labels = domain_labels(name);
		note_asked(out, name);
		if (ask(dns, &lv[n], explain) != 0) {
			snprintf(why, whylen, "%s", lv[n].why);
			n++;
			while (n-- > 0)
				dmarc_record_clear(&lv[n].rec);
			return -1;
		}
		n++;
		if ((lv[n - 1].has && lv[n - 1].rec.psd != DMARC_PSD_U) ||
		    lv[n - 1].labels <= 1 || n == ORG_MAX_QUERIES)
			break;
		/* step 4 (and 4.10.1): x >= 8 labels: keep the last 7 */
		have = lv[n - 1].labels;
		name = domain_suffix(domain,
		    n == 1 && have >= 8 ? 7 : have - 1);
	}
	return (int)n;
}

/*
 * org_level - RFC 9989 4.10.2: which level gives the organizational
 * domain, longest name first: a record with psd=n; the name one label
 * below a psd=y record other than the starting name's; else the record
 * with the fewest labels.  -1: none, the starting domain is its own.
 * BELOW is set when the answer is the name below level I (psd=y).  A
 * "valid DMARC Policy Record" here is any single v=DMARC1 record, with
 * a policy in it or not.
 */
static int
org_level(const struct level *lv, size_t n, bool *below)
{
	int fewest = -1;
	size_t i;

	*below = false;
	for (i = 0; i < n; i++) {
		if (!lv[i].has)
			continue;
		if (lv[i].rec.psd == DMARC_PSD_N)
			return (int)i;
		if (lv[i].rec.psd == DMARC_PSD_Y && i > 0) {
			*below = true;
			return (int)i;
		}
		fewest = (int)i;
	}
	return fewest;
}

/* org_of_walk - the organizational domain the levels give (4.10.2) */
static const char *
org_of_walk(const char *domain, const struct level *lv, size_t n)
{
	bool below;
	int i = org_level(lv, n, &below);

	if (i < 0)
		return domain;
	return below ? domain_suffix(domain, lv[i].labels + 1) : lv[i].name;
}

/*
 * org_psl_load - the Public Suffix List in PATH, exactly that file (not
 * libpsl's idea of a newer one): a regular file, opened without
 * blocking (a FIFO must not hang a reload), at most PSL_MAX_BYTES, with
 * at least one rule.  Caller frees with org_psl_free; NULL and the
 * reason in ERR.
 */
struct psl_ctx_st *
org_psl_load(const char *path, char *err, size_t errlen)
{
	struct psl_ctx_st *ctx;
	char why[160];
	FILE *fp;

	if ((fp = safefile_read(path, PSL_MAX_BYTES, why, sizeof(why))) ==
	    NULL) {
		snprintf(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	ctx = psl_load_fp(fp);
	fclose(fp);
	if (ctx == NULL || psl_suffix_count(ctx) == 0) {
		snprintf(err, errlen, "%s: no Public Suffix List rules in it",
		    path);
		psl_free(ctx);
		return NULL;
	}
	return ctx;
}

/* org_psl_free - release a list from org_psl_load; NULL is a no-op */
void
org_psl_free(struct psl_ctx_st *ctx)
{
	psl_free(ctx);
}

/* psl_org - RFC 7489 3.2: the registrable domain by O's list */
static char *
psl_org(const struct org_opts *o, const char *domain)
{
	const char *r = psl_registrable_domain(o->psl, domain);

	return xstrdup(r != NULL ? r : domain);
}

/* take - a level's (single) record into OUT as the policy */
static void
take(struct org_found *out, struct level *l)
{
	out->policy_domain = xstrdup(l->name);
	if (l->usable) {
		out->rec = l->rec;
		memset(&l->rec, 0, sizeof(l->rec));
	} else {
		out->status = ORG_UNUSABLE;
		snprintf(out->why, sizeof(out->why), "_dmarc.%.60s: %.90s",
		    l->name, l->why);
	}
}

/*
 * discover_psl - RFC 7489 6.6.3: the domain's record, else the org's.
 * A name with several records has none here too, and the org domain's
 * record applies: RFC 7489 6.6.3 step 5 would end discovery with no
 * DMARC at all, which lets a sender escape its organizational domain's
 * policy by publishing a second record; RFC 9989 4.10 closed that, and
 * both modes follow it.
 */
static enum org_status
discover_psl(struct dns *dns, const struct org_opts *o, const char *domain,
    struct org_found *out, struct vstr *explain)
{
	struct level l[2];
	int i, n = 1;

	out->org_domain = psl_org(o, domain);
	if (explain != NULL)
		vstr_catf(explain, "  organizational domain by the Public "
		    "Suffix List: %s\n", out->org_domain);
	memset(l, 0, sizeof(l));
	l[0].name = domain;
	l[1].name = out->org_domain;
	if (strcmp(domain, out->org_domain) != 0)
		n = 2;
	for (i = 0; i < n; i++) {
		note_asked(out, l[i].name);
		if (ask(dns, &l[i], explain) != 0) {
			out->status = ORG_TEMP;
			snprintf(out->why, sizeof(out->why), "%s", l[i].why);
			break;
		}
		if (l[i].has) {
			take(out, &l[i]);
			break;
		}
	}
	for (i = 0; i < 2; i++)
		dmarc_record_clear(&l[i].rec);
	return out->status;
}

/*
 * policy_level - RFC 9989 4.10.1: the record to apply is the author
 * domain's, else its organizational domain's, else its public suffix
 * domain's (the psd=y record that ended the walk); a record published
 * between them is not used (4.7 sp=: "sp will be ignored for DMARC
 * Policy Records published on subdomains of Organizational Domains").
 * -1: none.  A name with several records has no record (RFC 9989 4.10
 * step 2: they are all discarded), at every level: the author domain's
 * two records let its organizational domain's (or the PSD's) apply,
 * never "no policy" -- else a sender escapes its parent's p=reject by
 * publishing a second record.
 */
static int
policy_level(const char *org, const struct level *lv, size_t n)
{
	size_t i;

	if (lv[0].has)
		return 0;
	for (i = 1; i < n; i++)
		if (domain_equal(lv[i].name, org) && lv[i].has)
			return (int)i;
	for (i = 1; i < n; i++)
		if (lv[i].has && lv[i].rec.psd == DMARC_PSD_Y)
			return (int)i;
	return -1;
}

/* org_discover - policy record and organizational domain of DOMAIN */
enum org_status
org_discover(struct dns *dns, const struct org_opts *o, const char *domain,
    struct org_found *out, struct vstr *explain)
{
	struct level lv[ORG_MAX_QUERIES];
	int n, i;

	memset(out, 0, sizeof(*out));
	if (o->psl != NULL)
		return discover_psl(dns, o, domain, out, explain);
	if ((n = walk(dns, domain, lv, out->why, sizeof(out->why), out,
	    explain)) < 0) {
		out->status = ORG_TEMP;
		return ORG_TEMP;
	}
	out->org_domain = xstrdup(org_of_walk(domain, lv, (size_t)n));
	if ((i = policy_level(out->org_domain, lv, (size_t)n)) >= 0)
		take(out, &lv[i]);
	for (i = 0; i < n; i++)
		dmarc_record_clear(&lv[i].rec);
	return out->status;
}

/* org_domain - only the organizational domain of DOMAIN */
enum org_status
org_domain(struct dns *dns, const struct org_opts *o, const char *domain,
    char **org, struct vstr *explain)
{
	struct level lv[ORG_MAX_QUERIES];
	char why[160];
	int n;

	*org = NULL;
	if (o->psl != NULL) {
		*org = psl_org(o, domain);
		return ORG_OK;
	}
	if ((n = walk(dns, domain, lv, why, sizeof(why), NULL,
	    explain)) < 0)
		return ORG_TEMP;
	*org = xstrdup(org_of_walk(domain, lv, (size_t)n));
	while (n-- > 0)
		dmarc_record_clear(&lv[n].rec);
	return ORG_OK;
}

/*
 * org_exists - whether DOMAIN exists for np= (RFC 9989 4.7): NXDOMAIN
 * for its A query means it does not (NXDOMAIN covers every type)
 */
int
org_exists(struct dns *dns, const char *domain)
{
	struct dns_answer *a = dns_query(dns, domain, DNS_T_A);
	int rc;

	switch (a->status) {
	case DNS_NXDOMAIN:
		rc = 0;
		break;
	case DNS_OK:
	case DNS_NODATA:
		rc = 1;
		break;
	default:
		rc = -1;
		break;
	}
	dns_answer_free(a);
	return rc;
}

/* org_found_clear - release what org_discover filled */
void
org_found_clear(struct org_found *f)
{
	dmarc_record_clear(&f->rec);
	while (f->nasked > 0)
		x_free(f->asked[--f->nasked]);
	x_free(f->policy_domain);
	x_free(f->org_domain);
	f->policy_domain = f->org_domain = NULL;
}
