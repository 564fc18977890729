/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_probe - ask one question through mxauth's DNS module and print the
 * answer, for the e2e tests that compare the network resolver (against
 * unbound) with the zone layer (against the same master file).
 *
 *   dns_probe (--server IP:PORT | --zone FILE) NAME TYPE [REPEAT]
 *
 * TYPE is one the DNS module asks: A, AAAA, TXT, MX, PTR or CNAME.
 * Prints "STATUS" then one line per record, sorted: the address, the
 * joined TXT strings or the target name (MX: the exchange) as dns.h
 * gives them ("nodata", "nxdomain", "servfail", "timeout", "error" have
 * no records).  With REPEAT > 1 the question is asked REPEAT times and the
 * last answer is printed (a cache hit when the resolver caches).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "xmalloc.h"

/* cmp - qsort order for strings */
static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* print_answer - status and sorted rdata lines */
static void
print_answer(const struct dns_answer *a)
{
	char **lines;
	size_t i, n;

	char buf[INET6_ADDRSTRLEN];
	const struct dns_rr *rr;

	printf("%s\n", dns_status_str(a->status));
	n = a->n;
	lines = xcalloc(n + 1, sizeof(*lines));
	for (i = 0; i < n; i++) {
		rr = &a->rr[i];
		if (rr->family != 0)
			lines[i] = xstrdup(inet_ntop(rr->family, rr->addr, buf,
			    sizeof(buf)));
		else
			lines[i] = xstrdup(rr->text != NULL ? rr->text : "");
	}
	qsort(lines, n, sizeof(*lines), cmp);
	for (i = 0; i < n; i++) {
		printf("%s\n", lines[i]);
		x_free(lines[i]);
	}
	x_free(lines);
}

int
main(int argc, char **argv)
{
	struct dns_answer *a = NULL;
	struct dns_opts o;
	struct dns *d;
	char err[512];
	static const struct {
		const char *name;
		enum dns_type type;
	} types[] = {
		{ "A", DNS_T_A }, { "AAAA", DNS_T_AAAA }, { "TXT", DNS_T_TXT },
		{ "MX", DNS_T_MX }, { "PTR", DNS_T_PTR },
		{ "CNAME", DNS_T_CNAME },
	};
	enum dns_type type = 0;
	size_t t;
	int i, repeat;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: dns_probe (--server IP:PORT | --zone "
		    "FILE) NAME TYPE [REPEAT]\n");
		return 2;
	}
	if (strcmp(argv[1], "--zone") == 0)
		d = dns_new_zone(argv[2], err, sizeof(err));
	else {
		memset(&o, 0, sizeof(o));
		o.servers = argv[2];
		o.timeout = 1;
		o.retries = 0;
		o.cache_size = 100;
		d = dns_new(&o, err, sizeof(err));
	}
	if (d == NULL) {
		fprintf(stderr, "dns_probe: %s\n", err);
		return 1;
	}
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		if (strcasecmp(argv[4], types[t].name) == 0)
			type = types[t].type;
	if (type == 0) {
		fprintf(stderr, "dns_probe: unknown type %s\n", argv[4]);
		return 2;
	}
	repeat = argc == 6 ? atoi(argv[5]) : 1;
	for (i = 0; i < (repeat > 0 ? repeat : 1); i++) {
		dns_answer_free(a);
		a = dns_query(d, argv[3], type);
	}
	print_answer(a);
	dns_answer_free(a);
	dns_free(d);
	return 0;
}
