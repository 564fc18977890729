/*
 * dns - the resolver every method uses.
 *
 * Network mode: each query goes to the configured servers in order,
 * over UDP with a per-try timeout, up to 1 + retries rounds, falling
 * back to EDNS0 and then TCP when an answer is truncated (ldns does
 * that).  A fresh ldns_resolver is made per try because ldns resolvers
 * are not safe to share between threads; that cost is small next to a
 * network round trip and cached answers never pay it.  So a struct dns
 * is read-only after dns_new() and any number of threads may call
 * dns_query() at once; the only shared mutable state is the cache,
 * whose lock is never held across network I/O.
 *
 * A reply must match our query (ID, QR, question: RFC 5452 9.1) or it
 * counts as DNS_ERROR.  A server that does not answer at all (time-out,
 * connection refused) gives DNS_TIMEOUT.
 *
 * Zone mode: every answer comes from dns_zone; nothing is sent.
 *
 * Ownership: the answer a caller gets is always its own deep copy, freed
 * with dns_answer_free(); nothing is borrowed from the resolver.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns.h"
#include "dns_cache.h"
#include "dns_zone.h"
#include "xmalloc.h"

#define MAX_SERVERS	8
#define MAX_CNAME	8
#define NEG_TTL_DEFAULT	300

struct server {
	ldns_rdf	*addr;
	uint16_t	 port;
};

struct dns {
	struct dns_zone	*zone;		/* zone mode when set */
	struct server	 servers[MAX_SERVERS];
	size_t		 nservers;
	int		 timeout;
	int		 retries;
	struct dns_cache *cache;	/* NULL = no cache */
};

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

/* dns_dname_new - absolute lower-case dname for NAME, or NULL */
ldns_rdf *
dns_dname_new(const char *name)
{
	char buf[LDNS_MAX_DOMAINLEN + 2];
	ldns_rdf *d;
	size_t n = strlen(name);

	if (n == 0 || n > LDNS_MAX_DOMAINLEN - 1 || strstr(name, "..") != NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%s%s", name, name[n - 1] == '.' ? "" : ".");
	if (strcmp(buf, ".") != 0 && buf[0] == '.')
		return NULL;
	if ((d = ldns_dname_new_frm_str(buf)) != NULL)
		ldns_dname2canonical(d);
	return d;
}

/* dns_answer_free - release an answer; NULL is a no-op */
void
dns_answer_free(struct dns_answer *a)
{
	if (a == NULL)
		return;
	ldns_rr_list_deep_free(a->rrs);
	x_free(a);
}

/* dns_answer_dup - deep copy */
struct dns_answer *
dns_answer_dup(const struct dns_answer *a)
{
	struct dns_answer *c;

	c = xcalloc(1, sizeof(*c));
	c->status = a->status;
	c->ttl = a->ttl;
	c->rrs = a->rrs != NULL ? ldns_rr_list_clone(a->rrs) : NULL;
	return c;
}

/*
 * dns_txt_join - a TXT RR's character-strings concatenated (RFC 7208
 * 3.3); *LENP (if not NULL) gets the length, which exceeds strlen() when
 * the data holds a NUL byte.
 */
char *
dns_txt_join(const ldns_rr *rr, size_t *lenp)
{
	const ldns_rdf *rd;
	const uint8_t *p;
	char *out;
	size_t i, n = 0, len;

	for (i = 0; i < ldns_rr_rd_count(rr); i++)
		n += ldns_rdf_size(ldns_rr_rdf(rr, i));
	out = xmalloc(n + 1);
	n = 0;
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		rd = ldns_rr_rdf(rr, i);
		if (ldns_rdf_size(rd) == 0)
			continue;
		p = ldns_rdf_data(rd);
		len = p[0] < ldns_rdf_size(rd) ? p[0] : ldns_rdf_size(rd) - 1;
		memcpy(out + n, p + 1, len);
		n += len;
	}
	out[n] = '\0';
	if (lenp != NULL)
		*lenp = n;
	return out;
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
	} else
		rc = servers_from_resolv_conf(d, err, errlen);
	if (rc != 0) {
		dns_free(d);
		return NULL;
	}
	if (opts->cache_size > 0)
		d->cache = dns_cache_new(opts->cache_size);
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
	return d;
}

/* dns_free - release the resolver; NULL is a no-op */
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

/* neg_ttl - RFC 2308 5: min(SOA TTL, SOA MINIMUM) from the authority */
static uint32_t
neg_ttl(const ldns_pkt *pkt)
{
	const ldns_rr_list *auth = ldns_pkt_authority(pkt);
	const ldns_rr *rr;
	uint32_t min;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		rr = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA ||
		    ldns_rr_rd_count(rr) < 7)
			continue;
		min = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
		return ldns_rr_ttl(rr) < min ? ldns_rr_ttl(rr) : min;
	}
	return NEG_TTL_DEFAULT;
}

/* new_answer - an answer with STATUS and TTL, no records */
static struct dns_answer *
new_answer(enum dns_status status, uint32_t ttl)
{
	struct dns_answer *a;

	a = xcalloc(1, sizeof(*a));
	a->status = status;
	a->ttl = ttl;
	return a;
}

/*
 * from_packet - classify a response and pick the answer RRs: those of
 * TYPE at QNAME, or at the end of the CNAME chain that starts there
 * (RFC 1034 3.6.2; at most MAX_CNAME links, a longer chain or a loop is
 * DNS_ERROR).  The answer's TTL is the lowest along the chain.
 */
static struct dns_answer *
from_packet(const ldns_pkt *pkt, const ldns_rdf *qname, ldns_rr_type type)
{
	const ldns_rr_list *ans = ldns_pkt_answer(pkt);
	const ldns_rdf *name = qname, *next;
	struct dns_answer *a;
	const ldns_rr *rr;
	uint32_t ttl = UINT32_MAX, cttl;
	size_t i;
	int hops;

	switch (ldns_pkt_get_rcode(pkt)) {
	case LDNS_RCODE_NOERROR:
		break;
	case LDNS_RCODE_NXDOMAIN:
		return new_answer(DNS_NXDOMAIN, neg_ttl(pkt));
	case LDNS_RCODE_SERVFAIL:
		return new_answer(DNS_SERVFAIL, 0);
	default:
		return new_answer(DNS_ERROR, 0);	/* REFUSED, FORMERR ... */
	}
	a = new_answer(DNS_OK, 0);
	a->rrs = ldns_rr_list_new();
	for (hops = 0; hops <= MAX_CNAME; hops++) {
		next = NULL;
		cttl = UINT32_MAX;
		for (i = 0; i < ldns_rr_list_rr_count(ans); i++) {
			rr = ldns_rr_list_rr(ans, i);
			if (ldns_dname_compare(ldns_rr_owner(rr), name) != 0 ||
			    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
				continue;
			if (ldns_rr_get_type(rr) == type) {
				ldns_rr_list_push_rr(a->rrs, ldns_rr_clone(rr));
				if (ldns_rr_ttl(rr) < ttl)
					ttl = ldns_rr_ttl(rr);
			} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    ldns_rr_rd_count(rr) == 1) {
				next = ldns_rr_rdf(rr, 0);
				cttl = ldns_rr_ttl(rr);
			}
		}
		if (ldns_rr_list_rr_count(a->rrs) > 0 || next == NULL)
			break;
		if (cttl < ttl)
			ttl = cttl;
		name = next;
	}
	if (ldns_rr_list_rr_count(a->rrs) > 0) {
		a->ttl = ttl;
		return a;
	}
	ldns_rr_list_deep_free(a->rrs);
	a->rrs = NULL;
	if (hops > MAX_CNAME) {
		a->status = DNS_ERROR;		/* CNAME loop or chain too long */
		return a;
	}
	/* RFC 2308 2.2: NOERROR without the data is NODATA */
	a->status = DNS_NODATA;
	a->ttl = neg_ttl(pkt);
	if (ttl < a->ttl)
		a->ttl = ttl;		/* a CNAME on the way expires sooner */
	return a;
}

/*
 * reply_matches - whether REPLY answers QUERY: same ID, QR set, opcode
 * QUERY, and the same question (RFC 5452 9.1: "ID, question and port
 * must match"; the port is checked by the kernel, ldns connects its UDP
 * socket).  A FORMERR or REFUSED may come back without a question.
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

/*
 * no_reply - whether an ldns status means nothing usable came back
 * (time-out, refused connection, socket trouble) as opposed to a reply
 * that could not be parsed.
 */
static int
no_reply(ldns_status st)
{
	return st == LDNS_STATUS_NETWORK_ERR || st == LDNS_STATUS_SOCKET_ERROR ||
	    st == LDNS_STATUS_RES_NO_NS || st == LDNS_STATUS_ERR ||
	    st == LDNS_STATUS_MEM_ERR;
}

/*
 * ask - one try against one server, with a resolver of its own (ldns
 * resolvers are not safe to share between threads).  NULL when no
 * reply came back in time; DNS_ERROR for a reply that cannot be parsed
 * or does not answer our question.  On truncation ldns asks again with
 * EDNS0 and then over TCP (RFC 7766 5, RFC 1035 4.2.1).
 */
static struct dns_answer *
ask(const struct dns *d, const struct server *s, const ldns_rdf *name,
    ldns_rr_type type)
{
	struct dns_answer *a = NULL;
	struct timeval tv = { d->timeout, 0 };
	ldns_pkt *query = NULL, *reply = NULL;
	ldns_resolver *r;
	ldns_status st;

	r = ldns_resolver_new();
	if (r == NULL)
		return NULL;
	ldns_resolver_push_nameserver(r, s->addr);
	ldns_resolver_set_port(r, s->port);
	ldns_resolver_set_timeout(r, tv);
	ldns_resolver_set_retry(r, 1);	/* our loop does the retries */
	ldns_resolver_set_retrans(r, 0);	/* ldns sleeps this after a miss */
	ldns_resolver_set_fallback(r, true);
	ldns_resolver_set_recursive(r, true);
	ldns_resolver_set_random(r, false);
	st = ldns_resolver_prepare_query_pkt(&query, r, name, type,
	    LDNS_RR_CLASS_IN, LDNS_RD);
	if (st == LDNS_STATUS_OK)
		st = ldns_resolver_send_pkt(&reply, r, query);
	if (st == LDNS_STATUS_OK && reply != NULL) {
		if (reply_matches(query, reply))
			a = from_packet(reply, name, type);
		else
			a = new_answer(DNS_ERROR, 0);
	} else if (!no_reply(st))
		a = new_answer(DNS_ERROR, 0);		/* malformed reply */
	ldns_pkt_free(reply);
	ldns_pkt_free(query);
	ldns_resolver_deep_free(r);
	return a;
}

/*
 * query_wire - up to 1 + retries rounds over the servers in order.  A
 * real answer (data, NXDOMAIN, NODATA) ends the search; a server that
 * fails (SERVFAIL, REFUSED, garbage) passes the question to the next
 * one, and if no server gives a real answer in a round that had any
 * reply, the first failure is the result: retries are for lost
 * packets, not for servers that said no.  Nothing back at all is
 * DNS_TIMEOUT, after at most timeout * (retries + 1) per server.
 */
static struct dns_answer *
query_wire(const struct dns *d, const ldns_rdf *name, ldns_rr_type type)
{
	struct dns_answer *a, *failed = NULL;
	size_t i;
	int try;

	for (try = 0; try <= d->retries && failed == NULL; try++)
		for (i = 0; i < d->nservers; i++) {
			if ((a = ask(d, &d->servers[i], name, type)) == NULL)
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
	return failed != NULL ? failed : new_answer(DNS_TIMEOUT, 0);
}

/* mono_now - seconds on a clock that setting the date does not move */
static time_t
mono_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return time(NULL);
	return ts.tv_sec;
}

/*
 * dns_query - answer NAME/TYPE from zone, cache or wire
 *
 * A name that cannot exist in the DNS is NXDOMAIN without a query.  The
 * cache is consulted and filled outside any lock of ours: two threads
 * that miss on the same name both ask, which is cheaper than making one
 * wait for the other's network round trip.
 */
struct dns_answer *
dns_query(struct dns *d, const char *name, ldns_rr_type type)
{
	struct dns_answer *a;
	ldns_rdf *qname;
	time_t now;

	if ((qname = dns_dname_new(name)) == NULL)
		return new_answer(DNS_NXDOMAIN, 0);
	if (d->zone != NULL) {
		a = dns_zone_lookup(d->zone, qname, type);
		ldns_rdf_deep_free(qname);
		return a;
	}
	now = mono_now();
	if (d->cache != NULL &&
	    (a = dns_cache_get(d->cache, qname, type, now)) != NULL) {
		ldns_rdf_deep_free(qname);
		return a;
	}
	a = query_wire(d, qname, type);
	if (d->cache != NULL)
		dns_cache_put(d->cache, qname, type, a, mono_now());
	ldns_rdf_deep_free(qname);
	return a;
}
