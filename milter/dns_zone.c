/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_zone - a master file held in memory and answered from.
 *
 * The file is parsed record by record with ldns ($ORIGIN, $TTL, relative
 * names and the "previous owner" shorthand all handled by ldns; $INCLUDE
 * is refused rather than skipped); owner names are made canonical (lower
 * case) and every comparison ignores case (RFC 4343).  No SOA is needed:
 * without one the negative TTL is 300 s, with one it is min(SOA TTL, SOA
 * MINIMUM) (RFC 2308 5).  Fault lines (dns_zone.h) are read in a first
 * pass over the file.
 *
 * Lookups scan the record list: test zones are small.  A CNAME chain is
 * followed inside the zone for at most MAX_CNAME links (RFC 1034 4.3.2
 * step 3a); a loop is DNS_ERROR.  A name that does not exist is
 * answered from the wildcard of its closest encloser, "*.<encloser>",
 * when the zone has one (RFC 4592 3.3.1): its records, or NODATA.
 *
 * Ownership and locking: a loaded zone is never modified, so threads
 * share it without a lock; every answer is a fresh copy, its records
 * converted to mxauth values (dns_answer.c) from the zone's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns_int.h"
#include "dns_zone.h"
#include "xmalloc.h"

#define NEG_TTL_DEFAULT	300
#define MAX_CNAME	8

struct fault {
	ldns_rdf	*name;
	int		 type;		/* an RR type number; 0 = every type */
	enum dns_status	 status;
};

struct dns_zone {
	ldns_rr_list	*rrs;
	struct fault	*faults;
	size_t		 nfaults;
	uint32_t	 neg_ttl;
};

/* dns_zone_free - release the zone; NULL is a no-op */
void
dns_zone_free(struct dns_zone *z)
{
	size_t i;

	if (z == NULL)
		return;
	ldns_rr_list_deep_free(z->rrs);
	for (i = 0; i < z->nfaults; i++)
		ldns_rdf_deep_free(z->faults[i].name);
	x_free(z->faults);
	x_free(z);
}

/*
 * parse_fault - one ";! timeout NAME [TYPE]" or ";! servfail NAME
 * [TYPE]" line (after the ";!") into Z; without TYPE the fault applies
 * to every type.  -1 when the line is not one of those.
 */
static int
parse_fault(struct dns_zone *z, const char *line)
{
	char kind[16], name[512], type[16], extra[2];
	ldns_rr_type rrtype = 0;
	enum dns_status st;
	ldns_rdf *d;
	int n;

	n = sscanf(line, " %15s %511s %15s %1s", kind, name, type, extra);
	if (n < 2 || n > 3)
		return -1;
	if (n == 3 && (rrtype = ldns_get_rr_type_by_name(type)) == 0)
		return -1;
	if (strcasecmp(kind, "timeout") == 0)
		st = DNS_TIMEOUT;
	else if (strcasecmp(kind, "servfail") == 0)
		st = DNS_SERVFAIL;
	else
		return -1;
	if ((d = dns_dname_new(name)) == NULL)
		return -1;
	z->faults = xrealloc(z->faults, (z->nfaults + 1) * sizeof(*z->faults));
	z->faults[z->nfaults].name = d;
	z->faults[z->nfaults].type = (int)rrtype;
	z->faults[z->nfaults++].status = st;
	return 0;
}

/*
 * scan_faults - collect the fault lines, which are master-file comments
 * (RFC 1035 5.1) so that any other DNS software reads the same file.
 */
static int
scan_faults(struct dns_zone *z, FILE *fp, const char *path, char *err,
    size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;

	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		if (strncmp(line, ";!", 2) == 0 &&
		    parse_fault(z, line + 2) != 0) {
			snprintf(err, errlen, "%s:%d: bad fault line (want "
			    "\";! timeout NAME [TYPE]\" or \";! servfail NAME "
			    "[TYPE]\")", path, lineno);
			rc = -1;
			break;
		}
	}
	free(line);
	return rc;
}

/* note_soa - negative TTL from an SOA (RFC 2308 5) */
static void
note_soa(struct dns_zone *z, const ldns_rr *rr)
{
	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
	    ldns_rr_rd_count(rr) >= 7)
		z->neg_ttl = dns_soa_neg_ttl(rr);
}

/*
 * line_at - the line number of the first record line at or after byte
 * POS (blank and comment lines skipped), for error messages; ldns's own
 * counter runs ahead by the lines it consumed.
 */
static int
line_at(FILE *fp, long pos)
{
	char *buf = NULL;
	size_t cap = 0, i;
	ssize_t n;
	int line = 1;
	long at = 0;

	rewind(fp);
	while (at < pos && (n = getline(&buf, &cap, fp)) != -1) {
		at += (long)n;
		if (n > 0 && buf[n - 1] == '\n')
			line++;
	}
	while (getline(&buf, &cap, fp) != -1) {
		for (i = 0; buf[i] == ' ' || buf[i] == '\t'; i++)
			;
		if (buf[i] != '\n' && buf[i] != ';' && buf[i] != '\0')
			break;
		line++;
	}
	free(buf);
	return line;
}

/* read_records - every RR of the file into Z->rrs */
static int
read_records(struct dns_zone *z, FILE *fp, const char *path, char *err,
    size_t errlen)
{
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	int line = 0, rc = 0;
	long pos;
	ldns_status st;
	ldns_rr *rr;

	while (!feof(fp)) {
		pos = ftell(fp);
		st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st != LDNS_STATUS_OK) {
			/* A silently skipped $INCLUDE would hide records. */
			snprintf(err, errlen, "%s:%d: %s", path,
			    line_at(fp, pos), st == LDNS_STATUS_SYNTAX_INCLUDE ?
			    "$INCLUDE is not supported" :
			    ldns_get_errorstr_by_id(st));
			rc = -1;
			break;
		}
		ldns_dname2canonical(ldns_rr_owner(rr));
		note_soa(z, rr);
		ldns_rr_list_push_rr(z->rrs, rr);
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc;
}

/* dns_zone_load - parse a master file and its fault lines */
struct dns_zone *
dns_zone_load(const char *path, char *err, size_t errlen)
{
	struct dns_zone *z;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	z = xcalloc(1, sizeof(*z));
	z->rrs = ldns_rr_list_new();
	z->neg_ttl = NEG_TTL_DEFAULT;
	if (scan_faults(z, fp, path, err, errlen) != 0 ||
	    (rewind(fp), read_records(z, fp, path, err, errlen)) != 0) {
		fclose(fp);
		dns_zone_free(z);
		return NULL;
	}
	fclose(fp);
	return z;
}

/* name_exists - whether NAME owns any RR or has a name below it */
static int
name_exists(const struct dns_zone *z, const ldns_rdf *name)
{
	const ldns_rdf *owner;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
		owner = ldns_rr_owner(ldns_rr_list_rr(z->rrs, i));
		if (ldns_dname_compare(owner, name) == 0 ||
		    ldns_dname_is_subdomain(owner, name))
			return 1;
	}
	return 0;
}

/* fault_for - the injected fault for NAME/TYPE, or DNS_OK */
static enum dns_status
fault_for(const struct dns_zone *z, const ldns_rdf *name, enum dns_type type)
{
	size_t i;

	for (i = 0; i < z->nfaults; i++)
		if (ldns_dname_compare(z->faults[i].name, name) == 0 &&
		    (z->faults[i].type == 0 || z->faults[i].type == (int)type))
			return z->faults[i].status;
	return DNS_OK;
}

/* found - the zone's records an answer is made of (borrowed) */
struct found {
	const ldns_rr	**rrs;
	size_t		 n, cap;
};

/*
 * collect - RRs of TYPE owned by NAME into OUT, lowering *TTL to theirs;
 * when there are none and NAME is an alias, returns the CNAME target
 * (borrowed from the zone) and lowers *TTL to the CNAME's.
 */
static const ldns_rdf *
collect(const struct dns_zone *z, const ldns_rdf *name, enum dns_type type,
    struct found *out, uint32_t *ttl)
{
	const ldns_rdf *cname = NULL;
	uint32_t cttl = 0;
	const ldns_rr *rr;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
		rr = ldns_rr_list_rr(z->rrs, i);
		if (ldns_dname_compare(ldns_rr_owner(rr), name) != 0)
			continue;
		if (ldns_rr_get_type(rr) == (ldns_rr_type)type) {
			if (out->n == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 8;
				out->rrs = xrealloc(out->rrs, out->cap *
				    sizeof(*out->rrs));
			}
			out->rrs[out->n++] = rr;
			if (ldns_rr_ttl(rr) < *ttl)
				*ttl = ldns_rr_ttl(rr);
		} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
		    ldns_rr_rd_count(rr) == 1) {
			cname = ldns_rr_rdf(rr, 0);
			cttl = ldns_rr_ttl(rr);
		}
	}
	if (out->n > 0 || cname == NULL)
		return NULL;
	if (cttl < *ttl)
		*ttl = cttl;	/* no answer outlives its chain */
	return cname;
}

/*
 * wildcard_of - "*.<closest encloser>" of NAME, a name the zone lacks
 * (RFC 4592 3.3.1: the nearest ancestor that exists), when the zone owns
 * that wildcard; NULL otherwise (caller frees with ldns_rdf_deep_free)
 */
static ldns_rdf *
wildcard_of(const struct dns_zone *z, const ldns_rdf *name)
{
	ldns_rdf *enc = ldns_dname_left_chop(name), *up, *w = NULL;
	char *s, *ws;

	while (enc != NULL && ldns_dname_label_count(enc) > 0 &&
	    !name_exists(z, enc)) {
		up = ldns_dname_left_chop(enc);
		ldns_rdf_deep_free(enc);
		enc = up;
	}
	if (enc == NULL || (s = ldns_rdf2str(enc)) == NULL) {
		ldns_rdf_deep_free(enc);
		return NULL;
	}
	ws = xmalloc(strlen(s) + 3);
	/* the root's wildcard is "*.", any other "*.<encloser>." */
	snprintf(ws, strlen(s) + 3, "*.%s", strcmp(s, ".") == 0 ? "" : s);
	free(s);
	ldns_rdf_deep_free(enc);
	if (ldns_str2rdf_dname(&w, ws) != LDNS_STATUS_OK)
		w = NULL;
	x_free(ws);
	if (w != NULL && !name_exists(z, w)) {
		ldns_rdf_deep_free(w);
		w = NULL;
	}
	return w;
}

/* dns_zone_lookup - answer NAME/TYPE from the zone */
struct dns_answer *
dns_zone_lookup(const struct dns_zone *z, const ldns_rdf *qname,
    enum dns_type type)
{
	const ldns_rdf *name = qname, *next;
	struct found found = { NULL, 0, 0 };
	struct dns_answer *a;
	enum dns_status st = DNS_OK;
	uint32_t ttl = UINT32_MAX;
	ldns_rdf *wild = NULL;
	int hops;

	for (hops = 0; hops <= MAX_CNAME; hops++) {
		if ((st = fault_for(z, name, type)) != DNS_OK)
			break;
		next = collect(z, name, type, &found, &ttl);
		if (next == NULL && found.n == 0 && !name_exists(z, name)) {
			/* the wildcard answers for a name that does not exist */
			ldns_rdf_deep_free(wild);
			if ((wild = wildcard_of(z, name)) != NULL) {
				name = wild;
				next = collect(z, name, type, &found, &ttl);
			}
		}
		if (next == NULL || type == DNS_T_CNAME)
			break;
		name = next;
	}
	if (st != DNS_OK)
		a = dns_answer_new(st, 0);
	else if (found.n > 0)
		a = dns_answer_from_rrs(type, ttl, found.rrs, found.n);
	else if (hops > MAX_CNAME)
		a = dns_answer_new(DNS_ERROR, 0);	/* CNAME loop */
	else
		a = dns_answer_new(name_exists(z, name) ? DNS_NODATA :
		    DNS_NXDOMAIN, z->neg_ttl);
	x_free(found.rrs);
	ldns_rdf_deep_free(wild);
	return a;
}
