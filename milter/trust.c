/*
 * trust - the trust model of DESIGN.md in one place.
 *
 * Inside: clients in trusted_networks, and clients that authenticated
 * with SMTP AUTH.  Everything else is external.  (Trusted relays and
 * trusted upstream authserv-ids come in a later issue.)
 */
#include "config.h"

#include <strings.h>

#include "authres.h"
#include "conf.h"
#include "netlist.h"
#include "trust.h"

/* trust_ingress - trusted network, authenticated, or external */
enum ingress
trust_ingress(const struct conf *conf, const char *client_ip,
    const char *auth_user)
{
	if (client_ip != NULL && conf->trusted_networks != NULL &&
	    netlist_match(conf->trusted_networks, client_ip))
		return INGRESS_TRUSTED;
	if (auth_user != NULL && *auth_user != '\0')
		return INGRESS_AUTHENTICATED;
	return INGRESS_EXTERNAL;
}

/* trust_ar_forged - A-R claims our authserv-id (RFC 8601 5) */
int
trust_ar_forged(const struct conf *conf, const char *value)
{
	char id[256];

	if (authres_parse_id(value, id, sizeof(id)) != 0)
		return 0;
	return strcasecmp(id, conf->authserv_id) == 0;
}
