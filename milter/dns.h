/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns - the one resolver for everything mxauth looks up.
 *
 * A struct dns is either a network resolver (ldns; configured servers,
 * per-try timeout, retries, EDNS0, TCP on truncation, a TTL cache with
 * negative caching bounded in entries and bytes, identical questions in
 * flight asked once) or a zone resolver that answers only from an RFC
 * 1035 master file (dns_zone.c) and never sends a packet.  Both are safe
 * to share between threads.  A message asks through its own handle
 * (dns_msg.h), which bounds the time all its lookups may take.
 *
 * The status of every query stays distinct all the way to the caller:
 * NXDOMAIN (name does not exist), NODATA (name exists, no RR of that
 * type), SERVFAIL and TIMEOUT (temporary trouble), ERROR (anything else,
 * e.g. REFUSED or a malformed answer; also temporary).
 */
#ifndef MXAUTH_DNS_H
#define MXAUTH_DNS_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

enum dns_status {
	DNS_OK = 0,
	DNS_NXDOMAIN,
	DNS_NODATA,
	DNS_SERVFAIL,
	DNS_TIMEOUT,
	DNS_ERROR
};

/*
 * An answer.  RRS holds the answer-section records of the asked type at
 * the asked name, CNAME chains already followed (NULL unless DNS_OK).
 * TTL is the lowest TTL of RRS, or the negative-caching TTL (RFC 2308
 * 5: min of SOA TTL and SOA MINIMUM) for NXDOMAIN/NODATA.
 * Caller frees with dns_answer_free().
 */
struct dns_answer {
	enum dns_status	 status;
	ldns_rr_list	*rrs;
	uint32_t	 ttl;
};

struct dns_opts {
	const char	*servers;	/* "host[:port] ..."; NULL/"" = resolv.conf */
	int		 timeout;	/* seconds per try, >= 1 */
	int		 retries;	/* extra tries after the first */
	size_t		 cache_size;	/* max cached answers; 0 = no cache */
	size_t		 cache_bytes;	/* max bytes they take; 0 = 64 MiB */
};

struct dns;

struct dns *dns_new(const struct dns_opts *, char *err, size_t errlen);
struct dns *dns_new_zone(const char *path, char *err, size_t errlen);
/* dns_free - release a resolver (or a dns_msg_new() handle) */
void	 dns_free(struct dns *);

/* dns_query - answer NAME/TYPE from cache, zone or wire; never NULL */
struct dns_answer *dns_query(struct dns *, const char *name, ldns_rr_type);
void	 dns_answer_free(struct dns_answer *);

/*
 * dns_dname_new - NAME as an absolute, lower-case dname; NULL when it
 * cannot be a DNS name (empty label, label over 63, name over 253).
 * Caller frees with ldns_rdf_deep_free().
 */
ldns_rdf *dns_dname_new(const char *name);
/* dns_answer_new - an answer with STATUS and TTL and no records */
struct dns_answer *dns_answer_new(enum dns_status, uint32_t ttl);
/*
 * dns_soa_neg_ttl - RFC 2308 5 negative-caching TTL from an SOA record:
 * min(SOA TTL, SOA MINIMUM); 0 if RR is not a well-formed SOA
 */
uint32_t dns_soa_neg_ttl(const ldns_rr *);
/* dns_answer_dup - a deep copy; caller frees with dns_answer_free() */
struct dns_answer *dns_answer_dup(const struct dns_answer *);

/* dns_txt_join - a TXT RR's strings joined (RFC 7208 3.3), length in
 * *LENP if not NULL; caller frees with x_free() */
char	*dns_txt_join(const ldns_rr *, size_t *lenp);
const char *dns_status_str(enum dns_status);

#endif
