/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_suite - one DMARC conformance case through mxauth's DMARC code
 * (dmarc_check: discovery, organizational domains, alignment), for
 * test/dmarc/run_suite.py.
 *
 *   dmarc_suite --zone FILE [--psl FILE] --from FROM-VALUE ...
 *               [--spf DOMAIN:RESULT] [--dkim DOMAIN:RESULT ...]
 *
 * The identifiers arrive already evaluated, as the suites give them
 * (RESULT is pass, fail, temperror ...); the From value goes through the
 * same RFC 5322 parser as a message's; --from twice means two From
 * fields.  Prints one JSON object: result,
 * policy (what applies: p, sp or np, t=y applied), p, sp, policy_domain,
 * org_domain, trace (mxauth-check --explain's DMARC lines: the names
 * asked, in order), spf_aligned, dkim_aligned.  No expected answer is
 * here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_check.h"
#include "dns.h"
#include "hdr_parse.h"
#include "orgdomain.h"
#include "result.h"
#include "vstr.h"
#include "xmalloc.h"

#define MAX_DKIM	16

/* res_dkim - a DKIM result word */
static enum dkim_res
res_dkim(const char *w)
{
	return strcmp(w, "pass") == 0 ? DKIM_RES_PASS :
	    strcmp(w, "temperror") == 0 ? DKIM_RES_TEMPERROR :
	    strcmp(w, "permerror") == 0 ? DKIM_RES_PERMERROR : DKIM_RES_FAIL;
}

/* res_spf - an SPF result word */
static enum spf_res
res_spf(const char *w)
{
	return strcmp(w, "pass") == 0 ? SPF_RES_PASS :
	    strcmp(w, "temperror") == 0 ? SPF_RES_TEMPERROR :
	    strcmp(w, "none") == 0 ? SPF_RES_NONE : SPF_RES_FAIL;
}

/* json_str - "S" or null */
static void
json_str(struct vstr *out, const char *s)
{
	if (s == NULL)
		vstr_cat(out, "null");
	else
		vstr_json(out, s);
}

int
main(int argc, char **argv)
{
	struct dkim_result dkim[MAX_DKIM];
	struct spf_result spf;
	struct dmarc_check_in in;
	struct dmarc_result *r;
	struct psl_ctx_st *list = NULL;
	struct vstr out = VSTR_INIT, trace = VSTR_INIT;
	const char *zone = NULL, *from = NULL, *psl = NULL;
	int nfrom = 0;
	char err[256], why[256], *domain = NULL, *colon;
	struct dns *dns;
	int i;

	memset(&in, 0, sizeof(in));
	memset(&spf, 0, sizeof(spf));
	memset(dkim, 0, sizeof(dkim));
	for (i = 1; i + 1 < argc; i += 2) {
		if ((colon = strrchr(argv[i + 1], ':')) != NULL &&
		    (strcmp(argv[i], "--spf") == 0 ||
		    strcmp(argv[i], "--dkim") == 0))
			*colon++ = '\0';
		if (strcmp(argv[i], "--zone") == 0)
			zone = argv[i + 1];
		else if (strcmp(argv[i], "--psl") == 0)
			psl = argv[i + 1];
		else if (strcmp(argv[i], "--from") == 0) {
			from = argv[i + 1];
			nfrom++;
		} else if (strcmp(argv[i], "--spf") == 0 && colon != NULL) {
			spf.domain = argv[i + 1];
			spf.result = res_spf(colon);
			in.spf = &spf;
		} else if (strcmp(argv[i], "--dkim") == 0 && colon != NULL &&
		    in.ndkim < MAX_DKIM) {
			dkim[in.ndkim].domain = argv[i + 1];
			dkim[in.ndkim++].result = res_dkim(colon);
		} else
			break;
	}
	if (i != argc || zone == NULL || from == NULL) {
		fprintf(stderr, "usage: dmarc_suite --zone FILE [--psl FILE] "
		    "--from VALUE [--spf D:R] [--dkim D:R ...]\n");
		return 2;
	}
	if (psl != NULL && (list = org_psl_load(psl, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "dmarc_suite: %s\n", err);
		return 1;
	}
	in.psl = list;
	if ((dns = dns_new_zone(zone, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dmarc_suite: %s\n", err);
		return 1;
	}
	if (nfrom > 1) {
		snprintf(why, sizeof(why), "%d From fields", nfrom);
		in.from_error = why;
	} else if (hdr_author_domain(from, &domain, why, sizeof(why)) != 0)
		in.from_error = why;
	in.from_domain = domain;
	in.dkim = dkim;
	r = dmarc_check(dns, &in, &trace);
	vstr_cat(&out, "{\"result\": ");
	vstr_json(&out, result_dmarc_str(r->result));
	vstr_cat(&out, ", \"policy\": ");
	json_str(&out, r->policy != DMARC_POLICY_UNSET ?
	    result_policy_str(r->policy) : NULL);
	vstr_cat(&out, ", \"p\": ");
	json_str(&out, r->p != DMARC_POLICY_UNSET ? result_policy_str(r->p) :
	    NULL);
	vstr_cat(&out, ", \"sp\": ");
	json_str(&out, r->sp != DMARC_POLICY_UNSET ? result_policy_str(r->sp) :
	    NULL);
	vstr_cat(&out, ", \"policy_domain\": ");
	json_str(&out, r->policy_domain);
	vstr_cat(&out, ", \"org_domain\": ");
	json_str(&out, r->org_domain);
	vstr_cat(&out, ", \"trace\": ");
	vstr_json(&out, vstr_str(&trace));
	vstr_catf(&out, ", \"spf_aligned\": %s, \"dkim_aligned\": %s}\n",
	    r->spf_aligned ? "true" : "false",
	    r->dkim_aligned ? "true" : "false");
	fputs(vstr_str(&out), stdout);
	vstr_free(&out);
	vstr_free(&trace);
	dmarc_result_free(r);
	x_free(domain);
	dns_free(dns);
	org_psl_free(list);
	return 0;
}
