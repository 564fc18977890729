/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_probe - ask one question through mxauth's DNS module and print the
 * answer, for the e2e tests that compare the network resolver (against
 * unbound) with the zone layer (against the same master file).
 *
 *   dns_probe (--server IP:PORT | --zone FILE) NAME TYPE [REPEAT]
 *
 * Prints "STATUS" then one line per record, sorted presentation form of
 * the rdata ("nodata", "nxdomain", "servfail", "timeout", "error" have no
 * records).  With REPEAT > 1 the question is asked REPEAT times and the
 * last answer is printed (a cache hit when the resolver caches).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

	printf("%s\n", dns_status_str(a->status));
	n = a->rrs != NULL ? ldns_rr_list_rr_count(a->rrs) : 0;
	lines = xcalloc(n + 1, sizeof(*lines));
	for (i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT)
			lines[i] = dns_txt_join(rr, NULL);
		else {
			char *s = ldns_rdf2str(ldns_rr_rdf(rr,
			    ldns_rr_rd_count(rr) - 1));
			lines[i] = xstrdup(s);
			LDNS_FREE(s);
		}
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
	ldns_rr_type type;
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
	if ((type = ldns_get_rr_type_by_name(argv[4])) == 0) {
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
