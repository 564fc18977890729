/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trust - the trust model (doc/HACKING.md, mxauth.conf(5)) in one place.
 *
 * Inside: clients in trusted_networks, and clients that authenticated
 * with SMTP AUTH.  Relays: clients in trusted_relays, MTAs in front of
 * us that do not run mxauth; the edge judges the client they received
 * from (received.c finds it).  Everything else is external.  Upstream
 * verdicts: A-R fields whose authserv-id is ours or in
 * trusted_authserv_ids, believed only from a trusted network.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "authres.h"
#include "conf.h"
#include "netlist.h"
#include "trust.h"

/* trust_ingress - relay, trusted network, authenticated, or external */
enum ingress
trust_ingress(const struct conf *conf, const char *client_ip,
    const char *auth_user)
{
	/* A relay may sit in a trusted network too: it is still a relay. */
	if (client_ip != NULL && conf->trusted_relays != NULL &&
	    netlist_match(conf->trusted_relays, client_ip))
		return INGRESS_RELAY;
	if (client_ip != NULL && conf->trusted_networks != NULL &&
	    netlist_match(conf->trusted_networks, client_ip))
		return INGRESS_TRUSTED;
	if (auth_user != NULL && *auth_user != '\0')
		return INGRESS_AUTHENTICATED;
	return INGRESS_EXTERNAL;
}

/* id_trusted - ID is ours or one of trusted_authserv_ids */
static int
id_trusted(const struct conf *conf, const char *id)
{
	const char *p = conf->trusted_authserv_ids, *end;
	size_t n = strlen(id);

	if (n == 0)
		return 0;
	if (strcasecmp(id, conf->authserv_id) == 0)
		return 1;
	for (; p != NULL && *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchr(p, ' ');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == n && strncasecmp(p, id, n) == 0)
			return 1;
	}
	return 0;
}

/* claims - authres_lead_match callback: ID is trusted under CONF */
static int
claims(const char *id, const void *conf)
{
	return id_trusted(conf, id);
}

/*
 * trust_ar_forged - A-R claims a trusted authserv-id (RFC 8601 5),
 * read leniently: whether it parses or not does not matter
 */
int
trust_ar_forged(const struct conf *conf, const char *value)
{
	return authres_lead_match(value, claims, conf);
}

/*
 * trust_ar_fate - keep, delete, or take as the upstream verdict
 *
 * From inside, a field that claims a trusted id but does not parse
 * strictly, or whose strictly read id is not trusted, is no verdict: it
 * is deleted (a lenient reader after us could take half of it), and like
 * another site's field it ends the trusted block above it.
 */
enum ar_fate
trust_ar_fate(const struct conf *conf, enum ingress ingress,
    const char *value, struct ar_walk *w)
{
	struct authres_parsed a;

	if (!trust_ar_forged(conf, value)) {
		w->seen_other = 1;
		return AR_KEEP;
	}
	if (ingress != INGRESS_TRUSTED || w->seen_other)
		return AR_DELETE;
	if (authres_parse(value, &a) != 0 || !id_trusted(conf, a.id)) {
		w->seen_other = 1;
		return AR_DELETE;
	}
	if (w->upstream)
		return AR_KEEP;		/* the top block stays as it is */
	w->upstream = 1;
	return AR_UPSTREAM;
}
