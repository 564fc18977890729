/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns - the one resolver for everything mxauth looks up, and the DNS
 * facade: what it returns are mxauth's own values, never a DNS
 * library's types (ldns stays inside milter/dns*).
 *
 * A struct dns is either a network resolver (configured servers,
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
 *
 * Records come as plain data (struct dns_rr), read directly:
 *   TXT    TEXT: the record's character-strings joined (RFC 7208 3.3,
 *          RFC 6376 3.6.2.2), NUL-terminated; LEN is their length, more
 *          than strlen(TEXT) when the data holds a NUL byte; SPLIT
 *          says where a string boundary cut a word (RFC 7208 3.3 joins
 *          without a space, so a term may span two strings)
 *   A      FAMILY AF_INET and 4 bytes of ADDR; AAAA: AF_INET6, 16 bytes;
 *          FAMILY 0 when the rdata is not an address of that size
 *   MX     PREF and TEXT, the exchange's name
 *   PTR    TEXT, the target name; CNAME likewise
 * Names are in presentation form: absolute with the trailing dot ("."
 * for the root, e.g. a null MX, RFC 7505), case as the server sent it,
 * a byte that is not a plain label character as \DDD or \X.  TEXT is
 * NULL for a record whose rdata lacks the field.
 */
#ifndef MXAUTH_DNS_H
#define MXAUTH_DNS_H

#include <sys/socket.h>	/* AF_INET, AF_INET6 */

#include <stddef.h>
#include <stdint.h>

enum dns_status {
	DNS_OK = 0,
	DNS_NXDOMAIN,
	DNS_NODATA,
	DNS_SERVFAIL,
	DNS_TIMEOUT,
	DNS_ERROR
};

/* The record types mxauth asks for; the values are the IANA numbers. */
enum dns_type {
	DNS_T_A = 1,
	DNS_T_CNAME = 5,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28
};

struct dns_rr {
	enum dns_type	 type;
	uint16_t	 pref;		/* MX */
	int		 family;	/* A, AAAA: AF_INET, AF_INET6 or 0 */
	uint8_t		 addr[16];	/* A: 4 bytes, AAAA: 16 */
	const char	*text;		/* TXT: joined strings; MX, PTR, CNAME:
					 * the target name; NULL if absent */
	size_t		 len;		/* bytes in TEXT before its NUL */
	size_t		 split;		/* TXT: where the first boundary
					 * between two strings falls with no
					 * space on either side (a word cut
					 * in two), else 0 */
};

/*
 * An answer: N records of the asked type at the asked name, CNAME chains
 * already followed (N is 0 and RR NULL unless DNS_OK).  TTL is the
 * lowest TTL of the records, or the negative-caching TTL (RFC 2308 5:
 * min of SOA TTL and SOA MINIMUM) for NXDOMAIN/NODATA.  The answer and
 * everything it points to are one allocation, the caller's own: free it
 * with dns_answer_free().
 */
struct dns_answer {
	enum dns_status	 status;
	uint32_t	 ttl;
	size_t		 n;
	const struct dns_rr *rr;
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
/*
 * dns_set_wait_hooks - BEGIN and END are called by the thread that is
 * about to wait for the network or for another thread's answer, and
 * once it stops waiting (so that a server can let another thread take
 * its place meanwhile).  Set once, before any query; NULL for none.
 */
void	 dns_set_wait_hooks(void (*begin)(void), void (*end)(void));

/* dns_query - answer NAME/TYPE from cache, zone or wire; never NULL */
struct dns_answer *dns_query(struct dns *, const char *name, enum dns_type);
/* dns_answer_free - release an answer; NULL is a no-op */
void	 dns_answer_free(struct dns_answer *);
/* dns_status_str - the status as a word for logs and tests */
const char *dns_status_str(enum dns_status);

#endif
