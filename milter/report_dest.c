/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_dest - external report destinations verified (RFC 9990); see
 * report_dest.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dmarc_record.h"
#include "dns.h"
#include "domain.h"
#include "orgdomain.h"
#include "report_agg.h"
#include "report_dest.h"
#include "taglist.h"
#include "xmalloc.h"

#define DNS_NAME_MAX	253	/* presentation form, no trailing dot */

/* set - OUT's status and reason; returns the status */
static enum report_dest_status
set(struct report_dest *out, enum report_dest_status st, const char *fmt,
    const char *a, const char *b)
{
	out->status = st;
	snprintf(out->why, sizeof(out->why), fmt, a, b);
	return st;
}

/*
 * authorizes - TXT (LEN bytes) is a DMARC record (dmarc_record_is: its
 * first tag v=DMARC1); its first rua= value (borrowed) into *RUA, or NULL
 */
static int
authorizes(const char *txt, size_t len, const char **rua, size_t *rualen)
{
	struct taglist_lexer lx;
	struct taglist_tag t;

	*rua = NULL;
	*rualen = 0;
	if (!dmarc_record_is(txt, len))
		return 0;
	taglist_start(&lx, txt, len, TAGLIST_LENIENT);
	while (taglist_next(&lx, &t, NULL, 0) == 1)
		if (t.nlen == 3 && strncasecmp(t.name, "rua", 3) == 0 &&
		    t.val != NULL && *rua == NULL) {
			*rua = t.val;
			*rualen = t.vlen;
		}
	return 1;
}

/*
 * override - the mailto: addresses of RUA (RUALEN bytes) into OUT->to;
 * every one must be at HOST (step 9): 0, or -1 and OUT unverified
 */
static int
override(const char *rua, size_t rualen, const char *host,
    struct report_dest *out)
{
	char *v = xstrndup(rua, rualen), *at;
	size_t i;

	out->nto = report_agg_rua(v, out->to, REPORT_DEST_MAX);
	x_free(v);
	for (i = 0; i < out->nto; i++) {
		at = strrchr(out->to[i], '@');
		if (!domain_equal(at + 1, host)) {
			set(out, REPORT_DEST_UNVERIFIED, "the record's rua= "
			    "sends reports elsewhere (%s, not %s)", at + 1,
			    host);
			report_dest_clear(out);
			return -1;
		}
	}
	return 0;
}

enum report_dest_status
report_dest_verify(struct dns *dns, const struct org_opts *opts,
    const char *policy_domain, const char *addr, struct report_dest *out)
{
	const char *at = strrchr(addr, '@'), *rua;
	char *host, *porg = NULL, *horg = NULL, *name = NULL;
	struct dns_answer *a;
	size_t i, rualen;
	int found = 0;

	memset(out, 0, sizeof(*out));
	if (at == NULL || !domain_check(at + 1, DOMAIN_MULTI_LABEL |
	    DOMAIN_TRAILING_DOT))
		return set(out, REPORT_DEST_UNVERIFIED, "%s%s: not a domain "
		    "name after '@'", addr, "");
	host = domain_canonical(at + 1);
	if (domain_equal(host, policy_domain))
		goto same;
	if (org_domain(dns, opts, policy_domain, &porg, NULL) == ORG_TEMP ||
	    org_domain(dns, opts, host, &horg, NULL) == ORG_TEMP) {
		set(out, REPORT_DEST_TEMPERROR, "DNS trouble finding the "
		    "organizational domain of %s or %s", policy_domain, host);
		goto done;
	}
	if (domain_equal(porg, horg))
		goto same;
	if (strlen(policy_domain) + strlen("._report._dmarc.") +
	    strlen(host) > DNS_NAME_MAX) {
		set(out, REPORT_DEST_UNVERIFIED, "too long for the DNS: "
		    "%s._report._dmarc.%s", policy_domain, host);
		goto done;
	}
	name = xmalloc(DNS_NAME_MAX + 2);
	snprintf(name, DNS_NAME_MAX + 2, "%s._report._dmarc.%s",
	    policy_domain, host);
	a = dns_query(dns, name, DNS_T_TXT);
	switch (a->status) {
	case DNS_OK:
		for (i = 0; i < a->n; i++) {
			if (a->rr[i].text == NULL || !authorizes(a->rr[i].text,
			    a->rr[i].len, &rua, &rualen))
				continue;
			found = 1;
			if (rua != NULL) {
				if (override(rua, rualen, host, out) != 0) {
					dns_answer_free(a);
					goto done;
				}
				break;
			}
		}
		if (!found)
			set(out, REPORT_DEST_UNVERIFIED, "%s: no TXT record "
			    "with v=DMARC1%s", name, "");
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		set(out, REPORT_DEST_UNVERIFIED, "%s: %s", name,
		    a->status == DNS_NXDOMAIN ? "no such name" : "no TXT record");
		break;
	default:
		set(out, REPORT_DEST_TEMPERROR, "%s: %s", name,
		    dns_status_str(a->status));
		break;
	}
	dns_answer_free(a);
	if (!found)
		goto done;
	out->status = REPORT_DEST_VERIFIED;
	if (out->nto == 0)
		out->to[out->nto++] = xstrdup(addr);
	goto done;
same:
	out->status = REPORT_DEST_SAME_ORG;
	out->to[out->nto++] = xstrdup(addr);
done:
	x_free(host);
	x_free(porg);
	x_free(horg);
	x_free(name);
	return out->status;
}

void
report_dest_clear(struct report_dest *out)
{
	size_t i;

	for (i = 0; i < out->nto; i++)
		x_free(out->to[i]);
	out->nto = 0;
}

const char *
report_dest_status_str(enum report_dest_status st)
{
	switch (st) {
	case REPORT_DEST_SAME_ORG: return "same_org";
	case REPORT_DEST_VERIFIED: return "verified";
	case REPORT_DEST_UNVERIFIED: return "unverified";
	case REPORT_DEST_TEMPERROR: return "dest_temperror";
	}
	return "?";
}
