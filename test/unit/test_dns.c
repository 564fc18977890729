/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns - the network resolver against a scripted DNS responder that
 * this test runs in a thread of its own on 127.0.0.1 (UDP and TCP on an
 * ephemeral port).  Nothing but loopback is ever contacted.
 *
 * The responder's behaviour is chosen by the first label of the question
 * ("nx.example" gets NXDOMAIN, "tc.example" a truncated UDP reply and the
 * full one over TCP, "spoof.example" a forged datagram before the real
 * one, ...).  Covered: rcode mapping, negative TTL from the SOA (RFC 2308
 * 5), CNAME chains inside the answer, TCP fallback, replies that do not
 * match the question, time-outs and retries, failing over to the next
 * server, what the cache keeps, and many threads querying at once;
 * EDNS0 (a 1 KB TXT record comes over UDP, a 3 KB one over TCP, a
 * server that refuses EDNS with FORMERR is asked without it), the
 * per-message budget, and one query on the wire for many threads
 * asking the same slow question together.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <ldns/ldns.h>		/* the scripted responder's packets */

#include "dns.h"
#include "dns_msg.h"
#include "xmalloc.h"

struct fake {
	int		 udp, tcp, stop[2];
	uint16_t	 port;
	int		 servfail_all;	/* SERVFAIL to everything */
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	int		 queries;	/* under lock */
	int		 tcp_queries;	/* under lock */
	int		 edns_queries;	/* under lock: with an OPT record */
};

/* add_rr - parse TEXT (printf format) and push it to SECTION of P */
static void
add_rr(ldns_pkt *p, ldns_pkt_section section, const char *fmt, ...)
{
	char text[4096];
	ldns_rr *rr;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK)
		abort();
	ldns_pkt_push_rr(p, section, rr);
}

/* reply_to - a reply skeleton for Q with RCODE; question copied if QD */
static ldns_pkt *
reply_to(const ldns_pkt *q, uint8_t rcode, int qd)
{
	ldns_pkt *p = ldns_pkt_new();

	ldns_pkt_set_id(p, ldns_pkt_id(q));
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_rd(p, ldns_pkt_rd(q));
	ldns_pkt_set_ra(p, true);
	ldns_pkt_set_rcode(p, rcode);
	if (qd)
		ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, ldns_rr_clone(
		    ldns_rr_list_rr(ldns_pkt_question(q), 0)));
	return p;
}

/* send_pkt - P to the UDP peer (TO) or the TCP connection FD; frees P */
static void
send_pkt(int fd, const struct sockaddr_storage *to, socklen_t tolen,
    ldns_pkt *p)
{
	uint8_t *wire, len[2];
	size_t n;

	if (ldns_pkt2wire(&wire, p, &n) != LDNS_STATUS_OK)
		abort();
	if (to != NULL)
		(void)sendto(fd, wire, n, 0, (const struct sockaddr *)to,
		    tolen);
	else {
		len[0] = (uint8_t)(n >> 8);
		len[1] = (uint8_t)n;
		(void)write(fd, len, 2);
		(void)write(fd, wire, n);
	}
	LDNS_FREE(wire);
	ldns_pkt_free(p);
}

/* big_txt - one TXT RR at QN of N strings of 250 bytes into P */
static void
big_txt(ldns_pkt *p, const char *qn, int n)
{
	char text[4096];
	size_t len;
	int i;

	len = (size_t)snprintf(text, sizeof(text), "%s 100 IN TXT", qn);
	for (i = 0; i < n && len + 254 < sizeof(text); i++) {
		text[len++] = ' ';
		text[len++] = '"';
		memset(text + len, 'a' + i, 250);
		len += 250;
		text[len++] = '"';
	}
	text[len] = '\0';
	add_rr(p, LDNS_SECTION_ANSWER, "%s", text);
}

/* pkt_size - P's size on the wire */
static size_t
pkt_size(const ldns_pkt *p)
{
	uint8_t *wire;
	size_t n;

	if (ldns_pkt2wire(&wire, p, &n) != LDNS_STATUS_OK)
		abort();
	LDNS_FREE(wire);
	return n;
}

/* answer_for - the scripted reply to Q (NULL = stay silent) */
static ldns_pkt *
answer_for(struct fake *f, const ldns_pkt *q, const char *label,
    const char *qn, int tcp, int fd, const struct sockaddr_storage *to,
    socklen_t tolen)
{
	static const char soa[] = "example. %d IN SOA ns.example. h.example. "
	    "1 3600 600 86400 %d";
	ldns_pkt *p;
	ldns_rr *rr;

	if (f->servfail_all || strcmp(label, "servfail") == 0)
		return reply_to(q, LDNS_RCODE_SERVFAIL, 1);
	if (strcmp(label, "silent") == 0)
		return NULL;
	if (strcmp(label, "refused") == 0)
		return reply_to(q, LDNS_RCODE_REFUSED, 1);
	if (strcmp(label, "formerr") == 0)
		return reply_to(q, LDNS_RCODE_FORMERR, 0);
	/* a server from before EDNS (RFC 6891 7) */
	if (strcmp(label, "noedns") == 0 && ldns_pkt_edns(q))
		return reply_to(q, LDNS_RCODE_FORMERR, 1);
	if (strcmp(label, "slow") == 0)
		usleep(400 * 1000);
	if (strcmp(label, "nx") == 0 || strcmp(label, "nxlow") == 0 ||
	    strcmp(label, "nxnosoa") == 0) {
		p = reply_to(q, LDNS_RCODE_NXDOMAIN, 1);
		if (strcmp(label, "nx") == 0)
			add_rr(p, LDNS_SECTION_AUTHORITY, soa, 3600, 120);
		else if (strcmp(label, "nxlow") == 0)
			add_rr(p, LDNS_SECTION_AUTHORITY, soa, 30, 120);
		return p;
	}
	p = reply_to(q, LDNS_RCODE_NOERROR, 1);
	if (strcmp(label, "big") == 0 || strcmp(label, "huge") == 0) {
		/* 1 KB or 3 KB of TXT; truncated over UDP past the
		 * client's EDNS buffer, or past 512 without EDNS */
		big_txt(p, qn, strcmp(label, "big") == 0 ? 4 : 12);
		if (!tcp && pkt_size(p) > (ldns_pkt_edns(q) ?
		    ldns_pkt_edns_udp_size(q) : 512)) {
			ldns_pkt_free(p);
			p = reply_to(q, LDNS_RCODE_NOERROR, 1);
			ldns_pkt_set_tc(p, true);
		}
	} else if (strcmp(label, "ok") == 0 || strcmp(label, "spoof") == 0 ||
	    strcmp(label, "wrongq") == 0 || strcmp(label, "noedns") == 0 ||
	    strcmp(label, "slow") == 0)
		add_rr(p, LDNS_SECTION_ANSWER, "%s 100 IN A 192.0.2.1", qn);
	else if (strcmp(label, "two") == 0) {
		add_rr(p, LDNS_SECTION_ANSWER, "%s 100 IN A 192.0.2.1", qn);
		add_rr(p, LDNS_SECTION_ANSWER, "%s 50 IN A 192.0.2.2", qn);
		/* an RR of another name must not be taken */
		add_rr(p, LDNS_SECTION_ANSWER, "other.example. 5 IN A 6.6.6.6");
	} else if (strcmp(label, "nodata") == 0)
		add_rr(p, LDNS_SECTION_AUTHORITY, soa, 600, 60);
	else if (strcmp(label, "cname") == 0) {
		add_rr(p, LDNS_SECTION_ANSWER, "%s 40 IN CNAME mid.example.",
		    qn);
		add_rr(p, LDNS_SECTION_ANSWER, "mid.example. 100 IN CNAME "
		    "target.example.");
		add_rr(p, LDNS_SECTION_ANSWER, "TARGET.example. 100 IN A "
		    "192.0.2.7");
	} else if (strcmp(label, "cnamenodata") == 0) {
		add_rr(p, LDNS_SECTION_ANSWER, "%s 40 IN CNAME t.example.", qn);
		add_rr(p, LDNS_SECTION_AUTHORITY, soa, 600, 60);
	} else if (strcmp(label, "cnameloop") == 0) {
		add_rr(p, LDNS_SECTION_ANSWER, "%s 40 IN CNAME l2.example.",
		    qn);
		add_rr(p, LDNS_SECTION_ANSWER, "l2.example. 40 IN CNAME %s",
		    qn);
	} else if (strcmp(label, "case") == 0) {
		/* RFC 4343: the question may come back in another case */
		ldns_pkt_free(p);
		p = reply_to(q, LDNS_RCODE_NOERROR, 0);
		if (ldns_rr_new_question_frm_str(&rr, "CASE.Example. IN A",
		    NULL, NULL) != LDNS_STATUS_OK)
			abort();
		ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, rr);
		add_rr(p, LDNS_SECTION_ANSWER, "Case.EXAMPLE. 100 IN A "
		    "192.0.2.3");
	} else if (strcmp(label, "tc") == 0 && !tcp)
		ldns_pkt_set_tc(p, true);
	else if (strcmp(label, "tc") == 0) {
		add_rr(p, LDNS_SECTION_ANSWER, "%s 100 IN TXT \"one\"", qn);
		add_rr(p, LDNS_SECTION_ANSWER, "%s 100 IN TXT \"two\"", qn);
		add_rr(p, LDNS_SECTION_ANSWER, "%s 100 IN TXT \"three\"", qn);
	}
	if (strcmp(label, "spoof") == 0 && !tcp) {
		/* First a forged answer under another ID ... */
		ldns_pkt *forged = reply_to(q, LDNS_RCODE_NOERROR, 1);

		ldns_pkt_set_id(forged, (uint16_t)(ldns_pkt_id(q) + 1));
		add_rr(forged, LDNS_SECTION_ANSWER, "%s 100 IN A 6.6.6.6", qn);
		send_pkt(fd, to, tolen, forged);
	}
	if (strcmp(label, "wrongq") == 0 && !tcp) {
		/* ... or under our ID but for another question. */
		ldns_pkt *forged = reply_to(q, LDNS_RCODE_NOERROR, 0);

		if (ldns_rr_new_question_frm_str(&rr, "other.example. IN A",
		    NULL, NULL) != LDNS_STATUS_OK)
			abort();
		ldns_pkt_push_rr(forged, LDNS_SECTION_QUESTION, rr);
		add_rr(forged, LDNS_SECTION_ANSWER, "%s 100 IN A 6.6.6.6", qn);
		send_pkt(fd, to, tolen, forged);
	}
	return p;
}

/* serve_one - read one query from FD (UDP unless TCP) and answer it */
static void
serve_one(struct fake *f, int fd, int tcp)
{
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	uint8_t buf[4096];
	char *qn, label[64];
	ldns_pkt *q, *p;
	ssize_t n;
	size_t i;

	if (tcp) {
		if (read(fd, buf, 2) != 2)
			return;
		n = read(fd, buf, (size_t)(buf[0] << 8 | buf[1]));
	} else
		n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fromlen);
	if (n <= 0 || ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
		return;
	pthread_mutex_lock(&f->lock);
	f->queries++;
	f->tcp_queries += tcp;
	f->edns_queries += ldns_pkt_edns(q);
	pthread_mutex_unlock(&f->lock);
	qn = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(q),
	    0)));
	for (i = 0; qn[i] != '\0' && qn[i] != '.' && i < sizeof(label) - 1;
	    i++)
		label[i] = qn[i];
	label[i] = '\0';
	if (strcmp(label, "garbage") == 0 && !tcp) {
		/* our ID, then a header cut short */
		buf[2] = 0x81;
		(void)sendto(fd, buf, 6, 0, (struct sockaddr *)&from, fromlen);
	} else if ((p = answer_for(f, q, label, qn, tcp, fd,
	    tcp ? NULL : &from, fromlen)) != NULL)
		send_pkt(fd, tcp ? NULL : &from, fromlen, p);
	LDNS_FREE(qn);
	ldns_pkt_free(q);
}

/* fake_main - the responder's loop until the stop pipe is written */
static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	struct pollfd pfd[3];
	int c;

	pfd[0].fd = f->udp;
	pfd[1].fd = f->tcp;
	pfd[2].fd = f->stop[0];
	pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
	while (poll(pfd, 3, -1) > 0 && pfd[2].revents == 0) {
		if (pfd[0].revents & POLLIN)
			serve_one(f, f->udp, 0);
		if ((pfd[1].revents & POLLIN) &&
		    (c = accept(f->tcp, NULL, NULL)) >= 0) {
			serve_one(f, c, 1);
			close(c);
		}
	}
	return NULL;
}

/* fake_start - a responder on 127.0.0.1, UDP and TCP on one port */
static struct fake *
fake_start(int servfail_all)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct fake *f;
	int tries, on = 1;

	f = xcalloc(1, sizeof(*f));
	f->servfail_all = servfail_all;
	pthread_mutex_init(&f->lock, NULL);
	for (tries = 0; tries < 20; tries++) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		f->udp = socket(AF_INET, SOCK_DGRAM, 0);
		f->tcp = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(f->tcp, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(f->udp, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
		    getsockname(f->udp, (struct sockaddr *)&sin, &len) == 0 &&
		    bind(f->tcp, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
		    listen(f->tcp, 16) == 0)
			break;
		close(f->udp);
		close(f->tcp);
	}
	assert_true(tries < 20);
	f->port = ntohs(sin.sin_port);
	assert_int_equal(pipe(f->stop), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
	return f;
}

/* fake_stop - stop and release the responder */
static void
fake_stop(struct fake *f)
{
	(void)write(f->stop[1], "x", 1);
	pthread_join(f->thread, NULL);
	close(f->udp);
	close(f->tcp);
	close(f->stop[0]);
	close(f->stop[1]);
	pthread_mutex_destroy(&f->lock);
	x_free(f);
}

/* fake_queries - how many queries the responder has seen */
static int
fake_queries(struct fake *f)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = f->queries;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* resolver - dns_new over SERVERS (printf format); must succeed */
static struct dns *
resolver(int retries, size_t cache, const char *fmt, ...)
{
	char servers[256], err[256];
	struct dns_opts o;
	struct dns *d;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(servers, sizeof(servers), fmt, ap);
	va_end(ap);
	memset(&o, 0, sizeof(o));
	o.servers = servers;
	o.timeout = 1;
	o.retries = retries;
	o.cache_size = cache;
	if ((d = dns_new(&o, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	return d;
}

/* test_answers - each scripted reply maps to the status, RRs and TTL */
static void
test_answers(void **state)
{
	static const struct {
		const char *name;
		enum dns_type type;
		enum dns_status want;
		size_t want_count;
		const char *want_rdata;		/* first RR */
		uint32_t want_ttl;
	} cases[] = {
		{ "ok.example", DNS_T_A, DNS_OK, 1, "192.0.2.1", 100 },
		{ "two.example", DNS_T_A, DNS_OK, 2, "192.0.2.1", 50 },
		/* RFC 2308 5: min(SOA TTL, SOA MINIMUM), else 300 */
		{ "nx.example", DNS_T_A, DNS_NXDOMAIN, 0, NULL, 120 },
		{ "nxlow.example", DNS_T_A, DNS_NXDOMAIN, 0, NULL, 30 },
		{ "nxnosoa.example", DNS_T_A, DNS_NXDOMAIN, 0, NULL,
		    300 },
		{ "nodata.example", DNS_T_TXT, DNS_NODATA, 0, NULL, 60 },
		/* the RRs asked for are not there, only others: NODATA */
		{ "ok.example", DNS_T_AAAA, DNS_NODATA, 0, NULL, 300 },
		{ "cname.example", DNS_T_A, DNS_OK, 1, "192.0.2.7", 40 },
		{ "cnamenodata.example", DNS_T_A, DNS_NODATA, 0, NULL,
		    40 },
		{ "cnameloop.example", DNS_T_A, DNS_ERROR, 0, NULL, 0 },
		{ "case.example", DNS_T_A, DNS_OK, 1, "192.0.2.3", 100 },
		{ "tc.example", DNS_T_TXT, DNS_OK, 3, NULL, 100 },
		{ "spoof.example", DNS_T_A, DNS_OK, 1, "192.0.2.1",
		    100 },
		{ "wrongq.example", DNS_T_A, DNS_OK, 1, "192.0.2.1",
		    100 },
		{ "servfail.example", DNS_T_A, DNS_SERVFAIL, 0, NULL,
		    0 },
		{ "refused.example", DNS_T_A, DNS_ERROR, 0, NULL, 0 },
		{ "formerr.example", DNS_T_A, DNS_ERROR, 0, NULL, 0 },
		{ "garbage.example", DNS_T_A, DNS_ERROR, 0, NULL, 0 },
		{ "bad..example", DNS_T_A, DNS_NXDOMAIN, 0, NULL, 0 },
	};
	char s[INET6_ADDRSTRLEN];
	struct dns_answer *a;
	struct fake *f;
	struct dns *d;
	size_t i;

	(void)state;
	f = fake_start(0);
	d = resolver(0, 0, "127.0.0.1:%u", f->port);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = dns_query(d, cases[i].name, cases[i].type);
		if (a->status != cases[i].want)
			fail_msg("%s: got %s, want %s", cases[i].name,
			    dns_status_str(a->status),
			    dns_status_str(cases[i].want));
		assert_int_equal(a->n, cases[i].want_count);
		if (cases[i].want_rdata != NULL) {
			assert_int_equal(a->rr[0].family, AF_INET);
			assert_non_null(inet_ntop(AF_INET, a->rr[0].addr, s,
			    sizeof(s)));
			assert_string_equal(s, cases[i].want_rdata);
		}
		if (a->ttl != cases[i].want_ttl)
			fail_msg("%s: ttl %u, want %u", cases[i].name, a->ttl,
			    cases[i].want_ttl);
		dns_answer_free(a);
	}
	dns_free(d);
	fake_stop(f);
}

/* test_timeout - silence is TIMEOUT after 1 + retries tries of 1 s */
static void
test_timeout(void **state)
{
	struct timespec t0, t1;
	struct dns_answer *a;
	struct fake *f;
	struct dns *d;
	double secs;

	(void)state;
	f = fake_start(0);
	d = resolver(1, 0, "127.0.0.1:%u", f->port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = dns_query(d, "silent.example", DNS_T_TXT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(a->status, DNS_TIMEOUT);
	dns_answer_free(a);
	assert_int_equal(fake_queries(f), 2);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs > 1.9 && secs < 4.0);
	dns_free(d);
	fake_stop(f);
}

/* test_failover - a failing or absent server hands over to the next */
static void
test_failover(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct fake *good, *bad;
	struct dns_answer *a;
	struct dns *d;
	uint16_t dead;
	int fd;

	(void)state;
	good = fake_start(0);
	bad = fake_start(1);
	/* A loopback port that was just free: nobody listens there. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	dead = ntohs(sin.sin_port);
	close(fd);

	d = resolver(0, 0, "127.0.0.1:%u 127.0.0.1:%u 127.0.0.1:%u", dead,
	    bad->port, good->port);
	a = dns_query(d, "ok.example", DNS_T_A);
	assert_int_equal(a->status, DNS_OK);
	dns_answer_free(a);
	a = dns_query(d, "nx.example", DNS_T_A);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	dns_answer_free(a);
	assert_int_equal(fake_queries(bad), 2);
	assert_int_equal(fake_queries(good), 2);
	dns_free(d);

	/* Every server failing: the first failure, not a time-out. */
	d = resolver(2, 0, "127.0.0.1:%u 127.0.0.1:%u", bad->port, dead);
	a = dns_query(d, "ok.example", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	dns_answer_free(a);
	assert_int_equal(fake_queries(bad), 3);	/* no retry after a no */
	dns_free(d);
	fake_stop(good);
	fake_stop(bad);
}

/* test_cache - answers and negative answers are reused, failures not */
static void
test_cache(void **state)
{
	static const struct {
		const char *first, *again;	/* asked in turn */
		enum dns_status want;
		int want_queries;		/* seen by the server */
	} cases[] = {
		{ "ok.example", "ok.example", DNS_OK, 1 },
		{ "two.example", "TWO.Example.", DNS_OK, 1 },
		{ "nx.example", "nx.example", DNS_NXDOMAIN, 1 },
		{ "nodata.example", "nodata.example", DNS_NODATA, 1 },
		{ "servfail.example", "servfail.example", DNS_SERVFAIL, 2 },
		{ "refused.example", "refused.example", DNS_ERROR, 2 },
	};
	struct dns_answer *a, *b;
	struct fake *f;
	struct dns *d;
	size_t i;
	int before;

	(void)state;
	f = fake_start(0);
	d = resolver(0, 100, "127.0.0.1:%u", f->port);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		before = fake_queries(f);
		a = dns_query(d, cases[i].first, DNS_T_A);
		b = dns_query(d, cases[i].again, DNS_T_A);
		assert_int_equal(a->status, cases[i].want);
		assert_int_equal(b->status, cases[i].want);
		if (a->n > 0)
			assert_ptr_not_equal(a->rr, b->rr);
		if (fake_queries(f) - before != cases[i].want_queries)
			fail_msg("%s: %d queries, want %d", cases[i].first,
			    fake_queries(f) - before, cases[i].want_queries);
		dns_answer_free(a);
		dns_answer_free(b);
	}
	dns_free(d);
	fake_stop(f);
}

/* counter - one of the responder's counters, read under its lock */
static int
counter(struct fake *f, const int *which)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = *which;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* secs_since - seconds on CLOCK_MONOTONIC since T0 */
static double
secs_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * test_edns - every query carries EDNS0 with a 1232-byte buffer, so a
 * 1 KB TXT record (a 2048-bit DKIM key, a long SPF record) comes over
 * UDP; a 3 KB one is truncated there and fetched over TCP; a server
 * that answers FORMERR to EDNS is asked again without it
 */
static void
test_edns(void **state)
{
	static const struct {
		const char *name;
		enum dns_status want;
		size_t want_len;	/* of the joined TXT */
		int want_tcp;		/* TCP queries it costs */
		int want_queries;
	} cases[] = {
		{ "big.example", DNS_OK, 1000, 0, 1 },
		{ "huge.example", DNS_OK, 3000, 1, 2 },
		{ "noedns.example", DNS_NODATA, 0, 0, 2 },
		{ "ok.example", DNS_NODATA, 0, 0, 1 },
	};
	struct dns_answer *a;
	struct fake *f;
	struct dns *d;
	size_t i;
	int q0, t0, e0;

	(void)state;
	f = fake_start(0);
	d = resolver(0, 0, "127.0.0.1:%u", f->port);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		q0 = fake_queries(f);
		t0 = counter(f, &f->tcp_queries);
		e0 = counter(f, &f->edns_queries);
		a = dns_query(d, cases[i].name, DNS_T_TXT);
		if (a->status != cases[i].want)
			fail_msg("%s: %s", cases[i].name,
			    dns_status_str(a->status));
		if (a->status == DNS_OK)
			assert_int_equal(a->rr[0].len, cases[i].want_len);
		dns_answer_free(a);
		if (counter(f, &f->tcp_queries) - t0 != cases[i].want_tcp)
			fail_msg("%s: %d TCP queries, want %d", cases[i].name,
			    counter(f, &f->tcp_queries) - t0,
			    cases[i].want_tcp);
		assert_int_equal(fake_queries(f) - q0, cases[i].want_queries);
		/* the first try always has EDNS */
		assert_true(counter(f, &f->edns_queries) - e0 >= 1);
	}
	dns_free(d);
	fake_stop(f);
}

/*
 * test_budget - a check's lookups together wait at most its budget: a
 * silent server (1 s per try, 3 tries) is given up at the budget, and
 * after that only the cache answers, at once and without a query; the
 * next check (dns_msg_begin) has its whole budget again, so one slow
 * domain never spends the time of another's check
 */
static void
test_budget(void **state)
{
	struct timespec t0;
	struct dns_answer *a;
	struct dns *d, *h;
	struct fake *f;
	double secs;
	int q;

	(void)state;
	f = fake_start(0);
	d = resolver(2, 100, "127.0.0.1:%u", f->port);
	h = dns_msg_new(d, 1500);
	a = dns_query(h, "ok.example", DNS_T_A);
	assert_int_equal(a->status, DNS_OK);
	dns_answer_free(a);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = dns_query(h, "silent.example", DNS_T_A);
	secs = secs_since(&t0);
	assert_int_equal(a->status, DNS_TIMEOUT);
	dns_answer_free(a);
	if (secs < 1.3 || secs > 1.9)
		fail_msg("budget of 1.5 s, waited %.2f s", secs);
	q = fake_queries(f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = dns_query(h, "nx.example", DNS_T_A);
	assert_int_equal(a->status, DNS_TIMEOUT);
	dns_answer_free(a);
	a = dns_query(h, "ok.example", DNS_T_A);	/* cached */
	assert_int_equal(a->status, DNS_OK);
	dns_answer_free(a);
	assert_true(secs_since(&t0) < 0.1);
	assert_int_equal(fake_queries(f), q);
	dns_msg_begin(h);
	a = dns_query(h, "nx.example", DNS_T_A);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	dns_answer_free(a);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = dns_query(h, "silent.example", DNS_T_A);
	assert_int_equal(a->status, DNS_TIMEOUT);
	dns_answer_free(a);
	secs = secs_since(&t0);
	if (secs < 1.3 || secs > 1.9)
		fail_msg("second check: waited %.2f s", secs);
	dns_msg_free(h);
	/* no budget: the resolver's own tries and timeouts */
	h = dns_msg_new(d, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = dns_query(h, "silent.example", DNS_T_A);
	assert_int_equal(a->status, DNS_TIMEOUT);
	dns_answer_free(a);
	assert_true(secs_since(&t0) > 2.9);
	dns_msg_free(h);
	dns_free(d);
	fake_stop(f);
}

#define NSAME	20

struct same_arg {
	struct dns	*dns;
	unsigned	 budget_ms;	/* 0: none */
	enum dns_status	 got;
	double		 secs;
};

/* ask_slow - one message asking slow.example/TXT with its budget */
static void *
ask_slow(void *arg)
{
	struct same_arg *s = arg;
	struct dns_answer *a;
	struct timespec t0;
	struct dns *h;

	h = dns_msg_new(s->dns, s->budget_ms);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = dns_query(h, "slow.example", DNS_T_A);
	s->secs = secs_since(&t0);
	s->got = a->status;
	dns_answer_free(a);
	dns_msg_free(h);
	return NULL;
}

/*
 * test_same_question - NSAME messages asking the same question of a slow
 * server at the same time cost one query, all get its answer; one that
 * joins with a short budget stops waiting when its budget ends
 */
static void
test_same_question(void **state)
{
	struct same_arg args[NSAME + 1];
	pthread_t t[NSAME + 1];
	struct fake *f;
	struct dns *d;
	int i;

	(void)state;
	f = fake_start(0);
	/* no cache at all: the sharing is of the question in flight */
	d = resolver(0, 0, "127.0.0.1:%u", f->port);
	memset(args, 0, sizeof(args));
	for (i = 0; i <= NSAME; i++) {
		args[i].dns = d;
		args[i].budget_ms = i == NSAME ? 100 : 20000;
		if (i == NSAME)
			usleep(100 * 1000);	/* after the others joined */
		assert_int_equal(pthread_create(&t[i], NULL, ask_slow,
		    &args[i]), 0);
	}
	for (i = 0; i <= NSAME; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < NSAME; i++)
		if (args[i].got != DNS_OK)
			fail_msg("thread %d: %s", i,
			    dns_status_str(args[i].got));
	assert_int_equal(args[NSAME].got, DNS_TIMEOUT);
	assert_true(args[NSAME].secs < 0.25);
	assert_int_equal(fake_queries(f), 1);
	dns_free(d);
	fake_stop(f);
}

#define NTHREADS	8
#define NQUERIES	40

/* worker - one thread's queries; aborts on a wrong answer */
static void *
worker(void *arg)
{
	static const char *const names[] = { "ok.example", "nx.example",
	    "cname.example", "tc.example" };
	static const enum dns_status want[] = { DNS_OK, DNS_NXDOMAIN, DNS_OK,
	    DNS_NODATA };
	struct dns_answer *a;
	int i;

	for (i = 0; i < NQUERIES; i++) {
		a = dns_query(arg, names[i % 4], DNS_T_A);
		if (a->status != want[i % 4])
			abort();	/* no cmocka asserts off-thread */
		dns_answer_free(a);
	}
	return NULL;
}

/* test_threads - one struct dns shared by many threads at once */
static void
test_threads(void **state)
{
	pthread_t t[NTHREADS];
	struct fake *f;
	struct dns *d;
	int i;

	(void)state;
	f = fake_start(0);
	d = resolver(2, 0, "127.0.0.1:%u", f->port);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, d), 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	/*
	 * At most one query per lookup (tc.example: UDP, then TCP), fewer
	 * as identical questions at the same time share one.
	 */
	assert_true(fake_queries(f) > 0 &&
	    fake_queries(f) <= NTHREADS * NQUERIES * 5 / 4);
	dns_free(d);
	fake_stop(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_failover),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_edns),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_same_question),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
