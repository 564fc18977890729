/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_answer - answers as mxauth values: built once from ldns records,
 * then copied and freed without ldns.
 *
 * Layout: one allocation holds a struct block (the public struct
 * dns_answer first, so its address is the block's, then the block's
 * size), the N struct dns_rr, then the text they point to (joined TXT
 * strings, names), each NUL-terminated.  A copy is one malloc and one
 * memcpy with the text pointers moved to the new block; the cache
 * counts an answer at the one chunk malloc hands out for it.
 *
 * Conversion (dns_answer_from_rrs):
 *   TXT    the character-strings concatenated without separator (RFC
 *          7208 3.3, RFC 6376 3.6.2.2); a NUL byte in the data stays,
 *          so LEN exceeds strlen(TEXT) and callers can refuse it; SPLIT
 *          marks the first boundary that cuts a word
 *   A/AAAA the rdata's 4/16 bytes with the family; a field of another
 *          size leaves FAMILY 0 (no address)
 *   MX     preference and exchange; PTR, CNAME the target -- names as
 *          ldns_rdf2str() writes them (trailing dot, \DDD escapes)
 * Every record is kept, even one whose rdata lacks a field (TEXT NULL),
 * so N is the number of records the server sent: RFC 7208 4.6.4 counts
 * MX names by it.
 */
#include "config.h"

#include <sys/socket.h>

#include <string.h>

#include "dns_int.h"
#include "xmalloc.h"

struct block {
	struct dns_answer	 a;	/* first: the block's address */
	size_t			 size;	/* bytes asked of malloc */
};

/* RR_AT - where the records start: after the block, suitably aligned */
#define RR_AT	((sizeof(struct block) + _Alignof(struct dns_rr) - 1) & \
		    ~(_Alignof(struct dns_rr) - 1))

/* dns_status_str - the status as a word for logs and tests */
const char *
dns_status_str(enum dns_status st)
{
	static const char *const names[] = {
		"ok", "nxdomain", "nodata", "servfail", "timeout", "error"
	};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] :
	    "?";
}

/* block_new - a zeroed block for N records and TEXTLEN bytes of text */
static struct block *
block_new(enum dns_status status, uint32_t ttl, size_t n, size_t textlen)
{
	struct block *b;
	size_t size = n > 0 ? RR_AT + n * sizeof(struct dns_rr) + textlen :
	    sizeof(*b);

	b = xcalloc(1, size);
	b->a.status = status;
	b->a.ttl = ttl;
	b->a.n = n;
	b->a.rr = n > 0 ? (const struct dns_rr *)((char *)b + RR_AT) : NULL;
	b->size = size;
	return b;
}

/* dns_answer_new - an answer with STATUS and TTL, no records */
struct dns_answer *
dns_answer_new(enum dns_status status, uint32_t ttl)
{
	return &block_new(status, ttl, 0, 0)->a;
}

/* dns_answer_free - release an answer; NULL is a no-op */
void
dns_answer_free(struct dns_answer *a)
{
	x_free(a);
}

/* dns_answer_bytes - the size of A's one allocation */
size_t
dns_answer_bytes(const struct dns_answer *a)
{
	return ((const struct block *)a)->size;
}

/* dns_answer_dup - one malloc, one memcpy, text pointers moved */
struct dns_answer *
dns_answer_dup(const struct dns_answer *a)
{
	const struct block *from = (const struct block *)a;
	struct block *b;
	struct dns_rr *rr;
	size_t i;

	b = xmalloc(from->size);
	memcpy(b, from, from->size);
	if (a->n == 0)
		return &b->a;
	rr = (struct dns_rr *)((char *)b + RR_AT);
	b->a.rr = rr;
	for (i = 0; i < a->n; i++)
		if (rr[i].text != NULL)
			rr[i].text = (const char *)b +
			    (rr[i].text - (const char *)from);
	return &b->a;
}

/*
 * txt_join - a TXT RR's strings concatenated (RFC 7208 3.3, RFC 6376
 * 3.6.2.2) into OUT, or only counted when OUT is NULL; the byte count.
 * With SPLIT, the offset of the first boundary with a non-space byte on
 * both sides goes there (0: none): a word cut in two, which readers that
 * join with a space would read differently.
 */
static size_t
txt_join(const ldns_rr *rr, char *out, size_t *split)
{
	const ldns_rdf *rd;
	const uint8_t *p;
	size_t i, n = 0, len;

	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		rd = ldns_rr_rdf(rr, i);
		if (ldns_rdf_size(rd) == 0)
			continue;
		p = ldns_rdf_data(rd);
		len = p[0] < ldns_rdf_size(rd) ? p[0] : ldns_rdf_size(rd) - 1;
		if (out != NULL)
			memcpy(out + n, p + 1, len);
		if (split != NULL && *split == 0 && n > 0 && len > 0 &&
		    out[n - 1] != ' ' && out[n] != ' ')
			*split = n;
		n += len;
	}
	return n;
}

/* name_field - the index of TYPE's name field in the rdata, or -1 */
static int
name_field(enum dns_type type)
{
	switch (type) {
	case DNS_T_MX:
		return 1;
	case DNS_T_PTR:
	case DNS_T_CNAME:
		return 0;
	default:
		return -1;
	}
}

/* dns_answer_from_rrs - N ldns records of TYPE as one DNS_OK answer */
struct dns_answer *
dns_answer_from_rrs(enum dns_type type, uint32_t ttl,
    const ldns_rr *const *rrs, size_t n)
{
	const ldns_rdf *rd;
	struct dns_rr *rr;
	struct block *b;
	char **names = NULL, *text;
	size_t i, textlen = 0;
	int f = name_field(type);

	/* first pass: how much text */
	if (f >= 0 && n > 0)
		names = xcalloc(n, sizeof(*names));
	for (i = 0; i < n; i++) {
		if (type == DNS_T_TXT)
			textlen += txt_join(rrs[i], NULL, NULL) + 1;
		else if (f >= 0 && (rd = ldns_rr_rdf(rrs[i], (size_t)f)) !=
		    NULL && ldns_rdf_get_type(rd) == LDNS_RDF_TYPE_DNAME &&
		    (names[i] = ldns_rdf2str(rd)) != NULL)
			textlen += strlen(names[i]) + 1;
	}
	b = block_new(DNS_OK, ttl, n, textlen);
	rr = (struct dns_rr *)((char *)b + RR_AT);
	text = (char *)(rr + n);
	for (i = 0; i < n; i++) {
		rr[i].type = type;
		rd = ldns_rr_rdf(rrs[i], 0);	/* NULL past the last */
		switch (type) {
		case DNS_T_TXT:
			rr[i].len = txt_join(rrs[i], text, &rr[i].split);
			text[rr[i].len] = '\0';
			rr[i].text = text;
			text += rr[i].len + 1;
			break;
		case DNS_T_A:
		case DNS_T_AAAA:
			if (rd != NULL && ldns_rdf_get_type(rd) ==
			    LDNS_RDF_TYPE_A && ldns_rdf_size(rd) == 4)
				rr[i].family = AF_INET;
			else if (rd != NULL && ldns_rdf_get_type(rd) ==
			    LDNS_RDF_TYPE_AAAA && ldns_rdf_size(rd) == 16)
				rr[i].family = AF_INET6;
			if (rr[i].family != 0)
				memcpy(rr[i].addr, ldns_rdf_data(rd),
				    ldns_rdf_size(rd));
			break;
		default:
			if (type == DNS_T_MX && rd != NULL &&
			    ldns_rdf_get_type(rd) == LDNS_RDF_TYPE_INT16)
				rr[i].pref = ldns_rdf2native_int16(rd);
			if (names == NULL || names[i] == NULL)
				break;
			rr[i].len = strlen(names[i]);
			memcpy(text, names[i], rr[i].len + 1);
			rr[i].text = text;
			text += rr[i].len + 1;
			LDNS_FREE(names[i]);
			break;
		}
	}
	x_free(names);
	return &b->a;
}

/* dns_soa_neg_ttl - RFC 2308 5: min(SOA TTL, SOA MINIMUM), 0 if no SOA */
uint32_t
dns_soa_neg_ttl(const ldns_rr *rr)
{
	uint32_t min;

	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(rr) < 7)
		return 0;
	min = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
	return ldns_rr_ttl(rr) < min ? ldns_rr_ttl(rr) : min;
}
