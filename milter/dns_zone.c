/*
 * dns_zone - a master file held in memory and answered from.
 *
 * The file is parsed record by record with ldns ($ORIGIN, $TTL, relative
 * names and the "previous owner" shorthand all handled by ldns); owner
 * names are made canonical (lower case) so lookups are case-insensitive
 * (RFC 4343).  Lookups scan the record list: test zones are small.  A
 * zone without SOA gets a negative-caching TTL of 300 s.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "dns_zone.h"
#include "xmalloc.h"

#define NEG_TTL_DEFAULT	300
#define MAX_CNAME	8

struct fault {
	ldns_rdf	*name;
	ldns_rr_type	 type;		/* 0 = every type */
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
 * scan_faults - collect ";! timeout NAME [TYPE]" and ";! servfail NAME
 * [TYPE]" lines; without TYPE the fault applies to every type.
 */
static int
scan_faults(struct dns_zone *z, FILE *fp, const char *path, char *err,
    size_t errlen)
{
	char line[1024], kind[16], name[512], type[16];
	ldns_rr_type rrtype = 0;
	enum dns_status st;
	int lineno = 0, n;
	ldns_rdf *d;

	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strncmp(line, ";!", 2) != 0)
			continue;
		n = sscanf(line + 2, " %15s %511s %15s", kind, name, type);
		if (n < 2)
			goto bad;
		if (n == 3 && (rrtype = ldns_get_rr_type_by_name(type)) == 0)
			goto bad;
		if (n == 2)
			rrtype = 0;
		if (strcasecmp(kind, "timeout") == 0)
			st = DNS_TIMEOUT;
		else if (strcasecmp(kind, "servfail") == 0)
			st = DNS_SERVFAIL;
		else
			goto bad;
		if ((d = dns_dname_new(name)) == NULL)
			goto bad;
		z->faults = xrealloc(z->faults,
		    (z->nfaults + 1) * sizeof(*z->faults));
		z->faults[z->nfaults].name = d;
		z->faults[z->nfaults].type = rrtype;
		z->faults[z->nfaults++].status = st;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s:%d: bad fault line (want \";! timeout NAME "
	    "[TYPE]\" or \";! servfail NAME [TYPE]\")", path, lineno);
	return -1;
}

/* note_soa - negative TTL from an SOA (RFC 2308 5) */
static void
note_soa(struct dns_zone *z, const ldns_rr *rr)
{
	uint32_t min;

	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(rr) < 7)
		return;
	min = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
	z->neg_ttl = ldns_rr_ttl(rr) < min ? ldns_rr_ttl(rr) : min;
}

/*
 * line_at - the line number of the first record line at or after byte
 * POS (blank and comment lines skipped), for error messages; ldns's own
 * counter runs ahead by the lines it consumed.
 */
static int
line_at(FILE *fp, long pos)
{
	char buf[1024];
	size_t i, n;
	int line = 1;
	long at = 0;

	rewind(fp);
	while (at < pos && fgets(buf, sizeof(buf), fp) != NULL) {
		n = strlen(buf);
		at += (long)n;
		if (n > 0 && buf[n - 1] == '\n')
			line++;
	}
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		for (i = 0; buf[i] == ' ' || buf[i] == '\t'; i++)
			;
		if (buf[i] != '\n' && buf[i] != ';' && buf[i] != '\0')
			break;
		line++;
	}
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
		    st == LDNS_STATUS_SYNTAX_ORIGIN ||
		    st == LDNS_STATUS_SYNTAX_INCLUDE)
			continue;
		if (st != LDNS_STATUS_OK) {
			if (feof(fp) && st == LDNS_STATUS_SYNTAX_ERR)
				break;		/* trailing blank/comment */
			snprintf(err, errlen, "%s:%d: %s", path,
			    line_at(fp, pos), ldns_get_errorstr_by_id(st));
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

/* new_answer - an empty answer with STATUS */
static struct dns_answer *
new_answer(enum dns_status status, uint32_t ttl)
{
	struct dns_answer *a;

	a = xcalloc(1, sizeof(*a));
	a->status = status;
	a->ttl = ttl;
	return a;
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
fault_for(const struct dns_zone *z, const ldns_rdf *name, ldns_rr_type type)
{
	size_t i;

	for (i = 0; i < z->nfaults; i++)
		if (ldns_dname_compare(z->faults[i].name, name) == 0 &&
		    (z->faults[i].type == 0 || z->faults[i].type == type))
			return z->faults[i].status;
	return DNS_OK;
}

/*
 * collect - RRs of TYPE owned by NAME into OUT; returns the CNAME target
 * at NAME (borrowed) when there are none and one exists.
 */
static const ldns_rdf *
collect(const struct dns_zone *z, const ldns_rdf *name, ldns_rr_type type,
    ldns_rr_list *out, uint32_t *ttl)
{
	const ldns_rdf *cname = NULL;
	ldns_rr *rr;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
		rr = ldns_rr_list_rr(z->rrs, i);
		if (ldns_dname_compare(ldns_rr_owner(rr), name) != 0)
			continue;
		if (ldns_rr_get_type(rr) == type) {
			ldns_rr_list_push_rr(out, ldns_rr_clone(rr));
			if (ldns_rr_ttl(rr) < *ttl)
				*ttl = ldns_rr_ttl(rr);
		} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
		    ldns_rr_rd_count(rr) == 1)
			cname = ldns_rr_rdf(rr, 0);
	}
	return ldns_rr_list_rr_count(out) > 0 ? NULL : cname;
}

/* dns_zone_lookup - answer NAME/TYPE from the zone */
struct dns_answer *
dns_zone_lookup(const struct dns_zone *z, const ldns_rdf *qname,
    ldns_rr_type type)
{
	const ldns_rdf *name = qname, *next;
	struct dns_answer *a;
	enum dns_status st;
	uint32_t ttl = UINT32_MAX;
	ldns_rr_list *rrs;
	int hops;

	rrs = ldns_rr_list_new();
	for (hops = 0; hops <= MAX_CNAME; hops++) {
		if ((st = fault_for(z, name, type)) != DNS_OK) {
			ldns_rr_list_deep_free(rrs);
			return new_answer(st, 0);
		}
		next = collect(z, name, type, rrs, &ttl);
		if (next == NULL || type == LDNS_RR_TYPE_CNAME)
			break;
		name = next;
	}
	if (ldns_rr_list_rr_count(rrs) > 0) {
		a = new_answer(DNS_OK, ttl);
		a->rrs = rrs;
		return a;
	}
	ldns_rr_list_deep_free(rrs);
	if (hops > MAX_CNAME)
		return new_answer(DNS_ERROR, 0);	/* CNAME loop */
	return new_answer(name_exists(z, name) ? DNS_NODATA : DNS_NXDOMAIN,
	    z->neg_ttl);
}
