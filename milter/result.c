/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * result - names of result values as RFC 8601 and the JSON contract
 * spell them.  Returned strings are static.
 */
#include "config.h"

#include "result.h"
#include "xmalloc.h"

/* NAME_OF - NAMES[V], or "?" for a value past the table */
#define NAME_OF(names, v) ((unsigned)(v) < sizeof(names) / \
	sizeof((names)[0]) ? (names)[v] : "?")

static const char *const ingress_names[] = {
	"external", "trusted", "authenticated", "relay"
};

/* result_ingress_str - "external", "trusted", "authenticated", "relay" */
const char *
result_ingress_str(enum ingress v)
{
	return NAME_OF(ingress_names, v);
}

/* result_outside - whether the methods are evaluated for this client */
int
result_outside(enum ingress v)
{
	return v == INGRESS_EXTERNAL || v == INGRESS_RELAY;
}

static const char *const spf_names[] = {
	"none", "neutral", "pass", "fail", "softfail", "temperror",
	"permerror"
};

/* result_spf_str - RFC 8601 2.7.2 SPF result name */
const char *
result_spf_str(enum spf_res v)
{
	return NAME_OF(spf_names, v);
}

static const char *const dkim_names[] = {
	"none", "pass", "fail", "neutral", "policy", "temperror",
	"permerror"
};

/* result_dkim_str - RFC 8601 2.7.1 DKIM result name */
const char *
result_dkim_str(enum dkim_res v)
{
	return NAME_OF(dkim_names, v);
}

static const char *const dkim_why_names[] = {
	"", "signature syntax error", "signature expired",
	"key not found", "key record unusable", "key lookup failed",
	"key t=s forbids i= subdomain", "l= past end of body",
	"body hash did not verify", "signature did not verify",
	"From not signed", "rsa-sha1 not allowed", "key too short",
	"l= leaves body unsigned"
};

/* result_dkim_why_str - the fixed A-R comment text for a DKIM reason */
const char *
result_dkim_why_str(enum dkim_why v)
{
	return NAME_OF(dkim_why_names, v);
}

static const char *const dmarc_names[] = {
	"none", "pass", "fail", "temperror", "permerror"
};

/* result_dmarc_str - DMARC result name */
const char *
result_dmarc_str(enum dmarc_res v)
{
	return NAME_OF(dmarc_names, v);
}

static const char *const policy_names[] = {
	"", "none", "quarantine", "reject"
};

/* result_policy_str - DMARC policy name; "" when unset */
const char *
result_policy_str(enum dmarc_policy v)
{
	return NAME_OF(policy_names, v);
}

static const char *const action_names[] = {
	"accept", "reject", "quarantine", "tempfail"
};

/* result_action_str - "accept", "reject", "quarantine", "tempfail" */
const char *
result_action_str(enum action v)
{
	return NAME_OF(action_names, v);
}

/* dmarc_result_free - release a DMARC result; NULL is a no-op */
void
dmarc_result_free(struct dmarc_result *d)
{
	if (d == NULL)
		return;
	x_free(d->domain);
	x_free(d->policy_domain);
	x_free(d->org_domain);
	x_free(d->rua);
	x_free(d->override);
	x_free(d->reason);
	x_free(d);
}
