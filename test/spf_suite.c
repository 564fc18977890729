/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_suite - run an openspf test suite (converted by
 * test/spf/gen_suite.py) through mxauth's SPF module.
 *
 *   spf_suite LABEL CASES.tsv
 *
 * Each case gets a fresh zone resolver over its scenario's zone file and
 * is judged by spf_check_host() on the MAIL FROM identity, or on
 * postmaster@HELO when MAIL FROM is empty, exactly as the suite's
 * reference driver does.  A result passes if it is one the test allows;
 * for a fail with an expected explanation, ours must equal it
 * ("DEFAULT" = the record gave none).  The expected answers come from
 * the YAML through the case list, never from this file.
 *
 * Prints each failing test, then "LABEL: N passed, M failed".  Cases the
 * generator classed "superseded" (an RFC 4408 expectation that RFC 7208
 * contradicts) are reported as such when they fail and counted in M,
 * but do not fail the run; any other failure exits 1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "result.h"
#include "spf_check.h"
#include "vstr.h"
#include "xmalloc.h"

#define MAX_FIELDS	8

/* split - tab-separated fields of LINE in place */
static int
split(char *line, char **f)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\n")] = '\0';
	while (n < MAX_FIELDS) {
		f[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

/* allowed - whether RESULT is in the comma-separated list WANT */
static int
allowed(const char *result, const char *want)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", want);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, result) == 0)
			return 1;
	return 0;
}

/* run_case - one test; 1 if it passed */
static int
run_case(char **f)
{
	struct spf_check_req req;
	struct vstr exp = VSTR_INIT, sender = VSTR_INIT;
	const char *domain, *res;
	struct dns *dns;
	char err[512];
	int ok;

	if ((dns = dns_new_zone(f[1], err, sizeof(err))) == NULL) {
		printf("  %s: zone: %s\n", f[0], err);
		return 0;
	}
	memset(&req, 0, sizeof(req));
	req.client_ip = f[2];
	req.helo = f[4];
	req.receiver = "mx.example";
	if (*f[3] != '\0') {
		vstr_cat(&sender, f[3]);
		domain = strrchr(f[3], '@') != NULL ? strrchr(f[3], '@') + 1 :
		    f[3];
	} else {
		vstr_catf(&sender, "postmaster@%s", f[4]);
		domain = f[4];
	}
	req.sender = vstr_str(&sender);
	res = result_spf_str(spf_check_host(dns, &req, domain, &exp));
	ok = allowed(res, f[5]);
	if (ok && strcmp(res, "fail") == 0 && strcmp(f[6], "-") != 0)
		ok = strcmp(f[6], "DEFAULT") == 0 ? exp.len == 0 :
		    strcmp(vstr_str(&exp), f[6]) == 0;
	if (!ok)
		printf("  %s %s: got %s (exp \"%s\"), want %s (exp \"%s\")\n",
		    strcmp(f[7], "superseded") == 0 ? "DIFFERS (RFC 7208 "
		    "supersedes)" : "FAIL", f[0], res, vstr_str(&exp), f[5],
		    f[6]);
	vstr_free(&exp);
	vstr_free(&sender);
	dns_free(dns);
	return ok;
}

/* main - run every case of the list; see the file comment */
int
main(int argc, char **argv)
{
	char *line = NULL, *f[MAX_FIELDS];
	size_t cap = 0;
	int pass = 0, fail = 0, superseded = 0, bad = 0;
	FILE *fp;

	if (argc != 3) {
		fprintf(stderr, "usage: spf_suite LABEL CASES.tsv\n");
		return 2;
	}
	if ((fp = fopen(argv[2], "r")) == NULL) {
		perror(argv[2]);
		return 2;
	}
	while (getline(&line, &cap, fp) != -1) {
		if (split(line, f) != MAX_FIELDS) {
			bad++;
			continue;
		}
		if (run_case(f)) {
			pass++;
			continue;
		}
		fail++;
		if (strcmp(f[7], "superseded") == 0)
			superseded++;
	}
	free(line);
	fclose(fp);
	printf("%s: %d passed, %d failed\n", argv[1], pass, fail);
	if (superseded > 0)
		printf("%s: %d of the failures are RFC 4408 expectations that "
		    "RFC 7208 contradicts (not fatal)\n", argv[1], superseded);
	if (bad > 0)
		printf("%s: %d malformed case lines\n", argv[1], bad);
	return fail - superseded == 0 && bad == 0 && pass > 0 ? 0 : 1;
}
