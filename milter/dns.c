/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns - the resolver every method uses.
 *
 * Network mode: each query goes to the configured servers in order, up
 * to 1 + retries rounds, over UDP with a per-try timeout and over TCP
 * when the reply is truncated.  Every query carries EDNS0 with a
 * 1232-byte UDP buffer (RFC 6891; the DNS flag day 2020 size, which
 * fits any path's MTU without fragments), so DKIM keys and SPF records
 * over 512 bytes come back over UDP; a server that answers FORMERR
 * without an OPT record is asked again without EDNS (RFC 6891 7).  ldns
 * builds and parses the packets and does the TCP exchange; the UDP
 * exchange is ours so that the socket is connected (the kernel drops
 * datagrams from other addresses) and a datagram that is not the answer
 * to our question is ignored while we keep waiting for the real one
 * (RFC 5452 9.1).
 *
 * Per message: dns_msg_new() makes a handle over the shared resolver
 * with a budget, the total time the lookups of one check (dns_msg.h)
 * may wait.  Each try's timeout is cut to what is left; once it is
 * spent, a lookup the cache cannot answer is DNS_TIMEOUT at once, so a
 * check never holds its thread past the budget however many lookups its
 * records ask for.
 *
 * Threads: a resolver is read-only after dns_new() and every try uses
 * its own socket and packets, so any number of threads may call
 * dns_query() at once.  The only shared mutable state is the cache,
 * whose lock is never held across network I/O; identical questions in
 * flight at once are asked once (dns_cache_begin()).  A per-message
 * handle is used by one thread at a time.
 *
 * Zone mode: every answer comes from dns_zone; nothing is sent.
 *
 * Ownership: the answer a caller gets is always its own copy, freed
 * with dns_answer_free(); nothing is borrowed from the resolver.  The
 * records of a reply are converted to mxauth values (dns_answer.c) once,
 * as the reply is read; the cache and the callers see only those.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns_cache.h"
#include "dns_int.h"
#include "dns_msg.h"
#include "dns_zone.h"
#include "domain.h"
#include "metrics.h"
#include "xmalloc.h"

#define MAX_SERVERS	8
#define MAX_CNAME	8
#define NEG_TTL_DEFAULT	300
#define EDNS_UDP_SIZE	1232
#define CACHE_BYTES_DEFAULT	((size_t)64 << 20)

struct server {
	ldns_rdf	*addr;
	uint16_t	 port;
};

struct dns {
	struct dns	*shared;	/* a message's handle: the resolver */
	long long	 budget_ms;	/* handle: per check; -1 = none */
	long long	 left_ms;	/* handle: budget left; -1 = none */
	struct dns_zone	*zone;		/* zone mode when set */
	struct server	 servers[MAX_SERVERS];
	size_t		 nservers;
	int		 timeout;
	int		 retries;
	struct dns_cache *cache;	/* network mode; may keep nothing */
};

/* dns_dname_new - absolute lower-case dname for NAME, or NULL */
ldns_rdf *
dns_dname_new(const char *name)
{
	char buf[LDNS_MAX_DOMAINLEN + 2];
	ldns_rdf *d;
	size_t n = strlen(name);

	/* the root, or a name as domain.c takes a query name */
	if (strcmp(name, ".") != 0 &&
	    !domain_check(name, DOMAIN_ANY_BYTE | DOMAIN_TRAILING_DOT))
		return NULL;
	snprintf(buf, sizeof(buf), "%s%s", name, name[n - 1] == '.' ? "" : ".");
	if ((d = ldns_dname_new_frm_str(buf)) != NULL)
		ldns_dname2canonical(d);
	return d;
}

/* parse_port - "1".."65535", digits only; -1 otherwise */
static long
parse_port(const char *s)
{
	long p = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		p = p * 10 + (*s - '0');
	}
	return p >= 1 && p <= 65535 ? p : -1;
}

/*
 * add_server - parse "IP", "IP:PORT" or "[IPv6]:PORT" (a bare IPv6
 * address has no port).  Only IP literals: naming the DNS server by a
 * host name would need the DNS.
 */
static int
add_server(struct dns *d, const char *spec, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *orig = spec, *port = NULL, *close;
	unsigned char buf[16];
	size_t n;
	long p = 53;

	if (*spec == '[') {
		close = strchr(spec, ']');
		n = close != NULL ? (size_t)(close - spec - 1) : 0;
		spec++;
		if (close != NULL && close[1] == ':')
			port = close + 2;
		else if (close == NULL || close[1] != '\0')
			n = 0;
	} else if (strchr(spec, ':') != strrchr(spec, ':')) {
		n = strlen(spec);
	} else {
		port = strchr(spec, ':');
		n = port != NULL ? (size_t)(port++ - spec) : strlen(spec);
	}
	if (port != NULL)
		p = parse_port(port);
	if (n == 0 || n >= sizeof(host) || p < 0 || d->nservers >= MAX_SERVERS)
		goto bad;
	memcpy(host, spec, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, buf) == 1)
		d->servers[d->nservers].addr = ldns_rdf_new_frm_data(
		    LDNS_RDF_TYPE_A, 4, buf);
	else if (inet_pton(AF_INET6, host, buf) == 1)
		d->servers[d->nservers].addr = ldns_rdf_new_frm_data(
		    LDNS_RDF_TYPE_AAAA, 16, buf);
	else
		goto bad;
	d->servers[d->nservers++].port = (uint16_t)p;
	return 0;
bad:
	snprintf(err, errlen, "bad DNS server \"%s\" (at most %d servers, "
	    "each IP, IP:PORT or [IPv6]:PORT)", orig, MAX_SERVERS);
	return -1;
}

/* servers_from_resolv_conf - nameservers of /etc/resolv.conf */
static int
servers_from_resolv_conf(struct dns *d, char *err, size_t errlen)
{
	ldns_resolver *r;
	ldns_rdf **ns;
	size_t i;

	if (ldns_resolver_new_frm_file(&r, NULL) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "cannot read /etc/resolv.conf; set "
		    "dns_servers");
		return -1;
	}
	ns = ldns_resolver_nameservers(r);
	for (i = 0; i < ldns_resolver_nameserver_count(r) &&
	    d->nservers < MAX_SERVERS; i++) {
		d->servers[d->nservers].addr = ldns_rdf_clone(ns[i]);
		d->servers[d->nservers++].port = 53;
	}
	ldns_resolver_deep_free(r);
	if (d->nservers == 0) {
		snprintf(err, errlen, "no nameserver in /etc/resolv.conf; set "
		    "dns_servers");
		return -1;
	}
	return 0;
}

/* dns_new - a network resolver as OPTS describe */
struct dns *
dns_new(const struct dns_opts *opts, char *err, size_t errlen)
{
	char *list, *item, *save = NULL;
	struct dns *d;
	int rc = 0;

	d = xcalloc(1, sizeof(*d));
	d->timeout = opts->timeout > 0 ? opts->timeout : 5;
	d->retries = opts->retries >= 0 ? opts->retries : 0;
	if (opts->servers != NULL && *opts->servers != '\0') {
		list = xstrdup(opts->servers);
		for (item = strtok_r(list, ", \t", &save); item != NULL &&
		    rc == 0; item = strtok_r(NULL, ", \t", &save))
			rc = add_server(d, item, err, errlen);
		x_free(list);
		if (rc == 0 && d->nservers == 0) {
			snprintf(err, errlen, "no DNS server in \"%s\"",
			    opts->servers);
			rc = -1;
		}
	} else
		rc = servers_from_resolv_conf(d, err, errlen);
	if (rc != 0) {
		dns_free(d);
		return NULL;
	}
	d->cache = dns_cache_new(opts->cache_size, opts->cache_bytes > 0 ?
	    opts->cache_bytes : CACHE_BYTES_DEFAULT);
	d->left_ms = -1;
	return d;
}

/* dns_new_zone - a resolver that answers only from the file at PATH */
struct dns *
dns_new_zone(const char *path, char *err, size_t errlen)
{
	struct dns *d;

	d = xcalloc(1, sizeof(*d));
	if ((d->zone = dns_zone_load(path, err, errlen)) == NULL) {
		x_free(d);
		return NULL;
	}
	d->left_ms = -1;
	return d;
}

/* dns_msg_new - one message's handle over SHARED with BUDGET_MS */
struct dns *
dns_msg_new(struct dns *shared, unsigned budget_ms)
{
	struct dns *h;

	h = xcalloc(1, sizeof(*h));
	h->shared = shared->shared != NULL ? shared->shared : shared;
	h->budget_ms = h->left_ms = budget_ms > 0 ? (long long)budget_ms : -1;
	return h;
}

/* dns_msg_begin - a new check: the whole budget again */
void
dns_msg_begin(struct dns *h)
{
	if (h != NULL && h->shared != NULL)
		h->left_ms = h->budget_ms;
}

/* dns_msg_free - release a handle (the resolver stays); NULL is a no-op */
void
dns_msg_free(struct dns *h)
{
	dns_free(h);
}

/* dns_free - release the resolver or a handle; NULL is a no-op */
void
dns_free(struct dns *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nservers; i++)
		ldns_rdf_deep_free(d->servers[i].addr);
	dns_zone_free(d->zone);
	dns_cache_free(d->cache);
	x_free(d);
}

/* neg_ttl - the negative TTL from the authority section's SOA */
static uint32_t
neg_ttl(const ldns_pkt *pkt)
{
	const ldns_rr_list *auth = ldns_pkt_authority(pkt);
	const ldns_rr *rr;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		rr = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
		    ldns_rr_rd_count(rr) >= 7)
			return dns_soa_neg_ttl(rr);
	}
	return NEG_TTL_DEFAULT;
}

/*
 * from_packet - classify a response and pick the answer RRs: those of
 * TYPE at QNAME, or at the end of the CNAME chain that starts there
 * (RFC 1034 3.6.2; at most MAX_CNAME links, a longer chain or a loop is
 * DNS_ERROR).  The answer's TTL is the lowest along the chain.
 */
static struct dns_answer *
from_packet(const ldns_pkt *pkt, const ldns_rdf *qname, enum dns_type type)
{
	const ldns_rr_list *ans = ldns_pkt_answer(pkt);
	const ldns_rdf *name = qname, *next;
	const ldns_rr **found;
	const ldns_rr *rr;
	struct dns_answer *a;
	uint32_t ttl = UINT32_MAX, cttl;
	size_t i, n = 0;
	int hops;

	switch (ldns_pkt_get_rcode(pkt)) {
	case LDNS_RCODE_NOERROR:
		break;
	case LDNS_RCODE_NXDOMAIN:
		return dns_answer_new(DNS_NXDOMAIN, neg_ttl(pkt));
	case LDNS_RCODE_SERVFAIL:
		return dns_answer_new(DNS_SERVFAIL, 0);
	default:
		return dns_answer_new(DNS_ERROR, 0);	/* REFUSED, FORMERR */
	}
	/* the records stay the packet's until converted, once, below */
	found = xcalloc(ldns_rr_list_rr_count(ans), sizeof(*found));
	for (hops = 0; hops <= MAX_CNAME; hops++) {
		next = NULL;
		cttl = UINT32_MAX;
		for (i = 0; i < ldns_rr_list_rr_count(ans); i++) {
			rr = ldns_rr_list_rr(ans, i);
			if (ldns_dname_compare(ldns_rr_owner(rr), name) != 0 ||
			    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
				continue;
			if (ldns_rr_get_type(rr) == (ldns_rr_type)type) {
				found[n++] = rr;
				if (ldns_rr_ttl(rr) < ttl)
					ttl = ldns_rr_ttl(rr);
			} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    ldns_rr_rd_count(rr) == 1) {
				next = ldns_rr_rdf(rr, 0);
				cttl = ldns_rr_ttl(rr);
			}
		}
		if (n > 0 || next == NULL)
			break;
		if (cttl < ttl)
			ttl = cttl;
		name = next;
	}
	if (n > 0)
		a = dns_answer_from_rrs(type, ttl, found, n);
	else if (hops > MAX_CNAME)
		a = dns_answer_new(DNS_ERROR, 0); /* CNAME loop or too long */
	else {
		/* RFC 2308 2.2: NOERROR without the data is NODATA */
		a = dns_answer_new(DNS_NODATA, neg_ttl(pkt));
		if (ttl < a->ttl)
			a->ttl = ttl;	/* a CNAME on the way expires sooner */
	}
	x_free(found);
	return a;
}

/*
 * reply_matches - whether REPLY answers QUERY: same ID, QR set, opcode
 * QUERY, and the same question, names compared without regard to case
 * (RFC 5452 9.1: ID, question and port must match; the address and port
 * are checked by the kernel on our connected UDP socket).  A FORMERR or
 * REFUSED may come back without a question.
 */
static int
reply_matches(const ldns_pkt *query, const ldns_pkt *reply)
{
	const ldns_rr *q, *r;

	if (ldns_pkt_id(reply) != ldns_pkt_id(query) || !ldns_pkt_qr(reply) ||
	    ldns_pkt_get_opcode(reply) != LDNS_PACKET_QUERY)
		return 0;
	if (ldns_pkt_qdcount(reply) == 0)
		return ldns_pkt_get_rcode(reply) != LDNS_RCODE_NOERROR &&
		    ldns_pkt_get_rcode(reply) != LDNS_RCODE_NXDOMAIN;
	if (ldns_pkt_qdcount(reply) != 1 ||
	    ldns_rr_list_rr_count(ldns_pkt_question(reply)) != 1)
		return 0;
	q = ldns_rr_list_rr(ldns_pkt_question(query), 0);
	r = ldns_rr_list_rr(ldns_pkt_question(reply), 0);
	return ldns_dname_compare(ldns_rr_owner(q), ldns_rr_owner(r)) == 0 &&
	    ldns_rr_get_type(q) == ldns_rr_get_type(r) &&
	    ldns_rr_get_class(q) == ldns_rr_get_class(r);
}

static void (*wait_begin)(void), (*wait_end)(void);

/* dns_set_wait_hooks - see dns.h */
void
dns_set_wait_hooks(void (*begin)(void), void (*end)(void))
{
	wait_begin = begin;
	wait_end = end;
}

void
dns_wait_begin(void)
{
	if (wait_begin != NULL)
		wait_begin();
}

void
dns_wait_end(void)
{
	if (wait_end != NULL)
		wait_end();
}

/* mono_us - microseconds on a clock that setting the date does not move */
static long long
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* mono_ms - milliseconds on the same clock */
static long long
mono_ms(void)
{
	return mono_us() / 1000;
}

/*
 * udp_ask - send QB to SS from a connected UDP socket (the kernel then
 * drops datagrams from any other address or port) and wait up to
 * TIMEOUT_MS for a reply that matches QUERY; a datagram that does
 * not is ignored and we keep listening (RFC 5452 9.1).  Returns 1 with
 * *REPLY set, 0 when nothing matching came (time-out, port unreachable),
 * -1 when a reply with our ID could not be parsed.
 */
static int
udp_ask(const struct sockaddr_storage *ss, size_t sslen,
    const ldns_pkt *query, ldns_buffer *qb, long long timeout_ms,
    ldns_pkt **reply)
{
	struct pollfd pfd;
	long long deadline = mono_ms() + timeout_ms, left;
	uint8_t *buf;
	ssize_t n;
	int rc = 0;

	*reply = NULL;
	if ((pfd.fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	pfd.events = POLLIN;
	buf = xmalloc(LDNS_MAX_PACKETLEN);
	if (connect(pfd.fd, (const struct sockaddr *)ss, (socklen_t)sslen) !=
	    0 || send(pfd.fd, ldns_buffer_begin(qb), ldns_buffer_position(qb),
	    0) < 0)
		goto out;
	while ((left = deadline - mono_ms()) > 0) {
		dns_wait_begin();
		n = poll(&pfd, 1, (int)left);
		dns_wait_end();
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;			/* time-out */
		if ((n = recv(pfd.fd, buf, LDNS_MAX_PACKETLEN, 0)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			break;		/* ECONNREFUSED: nobody there */
		}
		if (n < 2 || ldns_read_uint16(buf) != ldns_pkt_id(query))
			continue;		/* not ours */
		if (ldns_wire2pkt(reply, buf, (size_t)n) != LDNS_STATUS_OK) {
			rc = -1;
			break;
		}
		if (reply_matches(query, *reply)) {
			rc = 1;
			break;
		}
		ldns_pkt_free(*reply);
		*reply = NULL;
	}
out:
	x_free(buf);
	close(pfd.fd);
	return rc;
}

/*
 * tcp_ask - the same question over TCP (ldns connects, frames and reads
 * with TIMEOUT_MS); same return values as udp_ask, and a reply that does
 * not match is -1, as nobody can inject into our connection.
 */
static int
tcp_ask(const struct sockaddr_storage *ss, size_t sslen,
    const ldns_pkt *query, ldns_buffer *qb, long long timeout_ms,
    ldns_pkt **reply)
{
	struct timeval tv;
	uint8_t *wire = NULL;
	size_t n = 0;
	int rc = -1;

	*reply = NULL;
	tv.tv_sec = (time_t)(timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
	if (ldns_tcp_send(&wire, qb, ss, (socklen_t)sslen, tv, &n) !=
	    LDNS_STATUS_OK || wire == NULL)
		rc = 0;
	else if (ldns_wire2pkt(reply, wire, n) == LDNS_STATUS_OK &&
	    reply_matches(query, *reply))
		rc = 1;
	if (rc != 1) {
		ldns_pkt_free(*reply);
		*reply = NULL;
	}
	LDNS_FREE(wire);
	return rc;
}

/* try_ms - the time one try may take: the per-try timeout, cut to what
 * is left before DEADLINE (0 = none); 0 when nothing is left */
static long long
try_ms(const struct dns *d, long long deadline)
{
	long long t = (long long)d->timeout * 1000, left;

	if (deadline == 0)
		return t;
	left = deadline - mono_ms();
	return left <= 0 ? 0 : left < t ? left : t;
}

/* new_query - the query packet for NAME/TYPE, with EDNS0 if EDNS */
static ldns_pkt *
new_query(const ldns_rdf *name, enum dns_type type, int edns)
{
	ldns_pkt *query;

	query = ldns_pkt_query_new(ldns_rdf_clone(name), (ldns_rr_type)type,
	    LDNS_RR_CLASS_IN, LDNS_RD);
	if (query == NULL) {
		x_oom(0);	/* allocation failure aborts (doc/HACKING.md) */
	}
	ldns_pkt_set_random_id(query);
	/* RFC 6891 6.2.5: our UDP payload size; no DO bit, no options */
	if (edns)
		ldns_pkt_set_edns_udp_size(query, EDNS_UDP_SIZE);
	return query;
}

/*
 * exchange - one question to SS over UDP, then over TCP when the reply
 * is truncated (RFC 1035 4.2.1, RFC 7766 5); udp_ask's return values,
 * -1 also when the TCP retry failed
 */
static int
exchange(const struct sockaddr_storage *ss, size_t sslen, ldns_pkt *query,
    const struct dns *d, long long deadline, ldns_pkt **reply)
{
	ldns_buffer *qb;
	long long t;
	int rc = -1;

	*reply = NULL;
	if ((t = try_ms(d, deadline)) == 0)
		return 0;
	if ((qb = ldns_buffer_new(LDNS_MIN_BUFLEN)) == NULL) {
		x_oom(0);
	}
	if (ldns_pkt2buffer_wire(qb, query) == LDNS_STATUS_OK)
		rc = udp_ask(ss, sslen, query, qb, t, reply);
	if (rc == 1 && ldns_pkt_tc(*reply)) {
		ldns_pkt_free(*reply);
		if ((t = try_ms(d, deadline)) == 0) {
			*reply = NULL;
			rc = 0;
		} else if ((rc = tcp_ask(ss, sslen, query, qb, t, reply)) == 0)
			rc = -1;	/* it answered, but not in full */
	}
	ldns_buffer_free(qb);
	return rc;
}

/*
 * ask - one try against one server, with EDNS0, or without it when the
 * server answers FORMERR and no OPT record (RFC 6891 7: a server that
 * does not know EDNS).  NULL when no reply came back in time (or before
 * DEADLINE); DNS_ERROR when a reply could not be parsed or the TCP
 * retry failed.
 */
static struct dns_answer *
ask(const struct dns *d, const struct server *s, const ldns_rdf *name,
    enum dns_type type, long long deadline)
{
	struct dns_answer *a = NULL;
	struct sockaddr_storage *ss;
	ldns_pkt *query, *reply = NULL;
	size_t sslen = 0;
	int rc;

	if ((ss = ldns_rdf2native_sockaddr_storage(s->addr, s->port,
	    &sslen)) == NULL) {
		x_oom(0);
	}
	query = new_query(name, type, 1);
	rc = exchange(ss, sslen, query, d, deadline, &reply);
	if (rc == 1 && ldns_pkt_get_rcode(reply) == LDNS_RCODE_FORMERR &&
	    !ldns_pkt_edns(reply)) {
		ldns_pkt_free(reply);
		ldns_pkt_free(query);
		query = new_query(name, type, 0);
		rc = exchange(ss, sslen, query, d, deadline, &reply);
	}
	if (rc == 1)
		a = from_packet(reply, name, type);
	else if (rc < 0)
		a = dns_answer_new(DNS_ERROR, 0);
	ldns_pkt_free(reply);
	ldns_pkt_free(query);
	LDNS_FREE(ss);
	return a;
}

/*
 * query_wire - up to 1 + retries rounds over the servers in order.  A
 * real answer (data, NXDOMAIN, NODATA) ends the search; a server that
 * fails (SERVFAIL, REFUSED, garbage) passes the question to the next
 * one, and if no server gives a real answer in a round that had any
 * reply, the first failure is the result: retries are for lost
 * packets, not for servers that said no.  Nothing back at all is
 * DNS_TIMEOUT, after at most timeout * (retries + 1) per server, or
 * at DEADLINE (0 = none), whichever comes first.
 */
static struct dns_answer *
query_wire(const struct dns *d, const ldns_rdf *name, enum dns_type type,
    long long deadline)
{
	struct dns_answer *a, *failed = NULL;
	size_t i;
	int try;

	for (try = 0; try <= d->retries && failed == NULL; try++)
		for (i = 0; i < d->nservers; i++) {
			if ((a = ask(d, &d->servers[i], name, type,
			    deadline)) == NULL)
				continue;
			if (a->status == DNS_OK || a->status == DNS_NXDOMAIN ||
			    a->status == DNS_NODATA) {
				dns_answer_free(failed);
				return a;
			}
			if (failed == NULL)
				failed = a;
			else
				dns_answer_free(a);
		}
	return failed != NULL ? failed : dns_answer_new(DNS_TIMEOUT, 0);
}

/* mono_now - seconds on a clock that setting the date does not move */
static time_t
mono_now(void)
{
	return (time_t)(mono_ms() / 1000);
}

/*
 * dns_query - answer NAME/TYPE from zone, cache or wire
 *
 * A name that cannot exist in the DNS is NXDOMAIN without a query.  The
 * cache's lock is never held while we wait on the network; a thread
 * that misses on a question another one is asking waits for that
 * answer (within its own budget) instead of asking again.  With a
 * message's budget spent, only the cache answers.  The cache runs on
 * the monotonic clock, so setting the date neither expires nor
 * prolongs anything.
 */
struct dns_answer *
dns_query(struct dns *h, const char *name, enum dns_type type)
{
	struct dns *d = h->shared != NULL ? h->shared : h;
	struct dns_flight *flight;
	struct dns_answer *a;
	long long t0, t1, deadline = 0;
	ldns_rdf *qname;

	if ((qname = dns_dname_new(name)) == NULL)
		return dns_answer_new(DNS_NXDOMAIN, 0);
	if (d->zone != NULL) {
		a = dns_zone_lookup(d->zone, qname, type);
		ldns_rdf_deep_free(qname);
		return a;
	}
	t0 = mono_ms();
	if (h->left_ms >= 0)
		deadline = t0 + h->left_ms;
	if (h->left_ms == 0) {
		/* RFC 7208 4.6.4: past the limit, the unknown is temperror */
		a = dns_cache_get(d->cache, qname, type, mono_now());
		if (a == NULL)
			a = dns_answer_new(DNS_TIMEOUT, 0);
	} else if ((a = dns_cache_begin(d->cache, qname, type, mono_now(),
	    deadline, &flight)) == NULL) {
		t1 = mono_us();
		a = query_wire(d, qname, type, deadline);
		metrics_dns_query(type, a->status, mono_us() - t1);
		dns_cache_end(d->cache, flight, qname, type, a, mono_now());
	}
	if (h->left_ms > 0) {
		h->left_ms -= mono_ms() - t0;
		if (h->left_ms < 0)
			h->left_ms = 0;
	}
	ldns_rdf_deep_free(qname);
	return a;
}
