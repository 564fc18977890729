/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_walk - mxauth-check --spf-walk: what a domain's SPF record
 * allows, printed for an admin (see check_walk.h).
 *
 * The walk is spf_walk's; the result for --ip is the evaluator's own
 * (spf_check_host, sender postmaster@DOMAIN), so what is printed as the
 * result is what mxauth decides for mail, and the walk only adds the
 * path.  Both wait for DNS through their own handle (dns_msg.h): the
 * evaluation as long as the daemon's check, the walk as long as the
 * SPF_WALK_HARD_LOOKUPS it may spend would be given at the daemon's
 * rate (SPF_WALK_MAX_LOOKUPS a check), so a hostile domain's silent
 * name servers cost bounded time.  Output goes into the caller's vstrs
 * (check.c writes them with control characters escaped: records are
 * the sender's bytes).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "check_walk.h"
#include "dns.h"
#include "dns_msg.h"
#include "netset.h"
#include "result.h"
#include "spf_check.h"
#include "spf_walk.h"
#include "vstr.h"
#include "xmalloc.h"

/* status_str - a record's or a walk's status as a word */
static const char *
status_str(enum spf_res r)
{
	return r == SPF_RES_PASS ? "walked" : r == SPF_RES_NONE ?
	    "no SPF record" : result_spf_str(r);
}

/* evaluate - mxauth's result for IP at DOMAIN (RFC 7208 4) */
static enum spf_res
evaluate(struct dns *dns, const char *domain, const char *ip)
{
	struct spf_check_req req;
	struct vstr sender = VSTR_INIT;
	enum spf_res r;

	vstr_catf(&sender, "postmaster@%s", domain);
	memset(&req, 0, sizeof(req));
	req.client_ip = ip;
	req.sender = vstr_str(&sender);
	req.receiver = "mxauth-check";
	r = spf_check_host(dns, &req, domain, NULL);
	vstr_free(&sender);
	return r;
}

/* lookups_str - " (N lookups, M void)" for a node that spent any */
static void
lookups_str(struct vstr *out, const struct spf_walk_node *n)
{
	if (n->lookups == 0 && n->voids == 0)
		return;
	vstr_catf(out, " (%d lookup%s", n->lookups, n->lookups == 1 ? "" :
	    "s");
	if (n->voids > 0)
		vstr_catf(out, ", %d void", n->voids);
	vstr_catc(out, ')');
}

/* aggregated - W's networks aggregated, a copy (caller frees, x_free) */
static struct netset_net *
aggregated(const struct spf_walk *w, size_t *n)
{
	struct netset_net *nets;

	nets = xmalloc((w->nnets + 1) * sizeof(*nets));
	if (w->nnets > 0)
		memcpy(nets, w->nets, w->nnets * sizeof(*nets));
	*n = netset_aggregate(nets, w->nnets);
	return nets;
}

/* explain_tree - the summary, the tree, the warnings, the networks */
static void
explain_tree(const struct spf_walk *w, const char *domain, struct vstr *out)
{
	struct netset_net *nets;
	char buf[64];
	size_t i, n;

	vstr_catf(out, "%s: %s, %d of %d DNS lookups, %d of %d void lookups "
	    "(RFC 7208 4.6.4)\n", domain, status_str(w->result), w->lookups,
	    SPF_WALK_MAX_LOOKUPS, w->voids, SPF_WALK_MAX_VOIDS);
	for (i = 0; i < w->nnodes; i++) {
		const struct spf_walk_node *nd = &w->nodes[i];

		vstr_catf(out, "%*s%s", 2 * nd->depth + 2, "",
		    nd->via != NULL ? nd->via : nd->domain);
		if (nd->via != NULL && strchr(nd->via, '%') != NULL)
			vstr_catf(out, " (%s)", nd->domain);	/* expanded */
		vstr_cat(out, ": ");
		if (nd->record != NULL)
			vstr_catf(out, "\"%s\"", nd->record);
		if (nd->status != SPF_RES_PASS)
			vstr_catf(out, "%s%s", nd->record != NULL ? " " : "",
			    status_str(nd->status));
		lookups_str(out, nd);
		vstr_catc(out, '\n');
	}
	for (i = 0; i < w->nwarns; i++)
		vstr_catf(out, "  warning: %s: %s\n",
		    w->nodes[w->warns[i].node].domain, w->warns[i].text);
	nets = aggregated(w, &n);
	vstr_catf(out, "  networks: %zu\n", n);
	for (i = 0; i < n; i++) {
		netset_net_str(&nets[i], buf, sizeof(buf));
		vstr_catf(out, "    %s\n", buf);
	}
	x_free(nets);
}

/* explain_ip - the deciding term of each record down the path */
static void
explain_ip(struct dns *dns, const struct spf_walk *w, const char *domain,
    const char *ip, struct vstr *out)
{
	enum spf_res eval = evaluate(dns, domain, ip);
	enum spf_res walk = w->nodes[0].ip_result;
	long n = 0;

	vstr_catf(out, "%s at %s: %s\n", ip, domain, result_spf_str(eval));
	while (n >= 0 && (size_t)n < w->nnodes &&
	    w->nodes[n].ip_term != NULL) {
		vstr_catf(out, "  %s: %s\n", w->nodes[n].domain,
		    w->nodes[n].ip_term);
		n = w->nodes[n].ip_child;
	}
	if (n == 0 && walk == SPF_RES_NEUTRAL)
		vstr_catf(out, "  %s: no term matches (RFC 7208 4.7)\n",
		    domain);
	if (walk == SPF_RES_NONE && w->nodes[0].status == SPF_RES_PASS)
		vstr_catf(out, "  the walk cannot tell which term: a ptr, "
		    "exists or macro term comes first\n");
	else if (walk != eval && w->nodes[0].status == SPF_RES_PASS)
		vstr_catf(out, "  (the walk's reading: %s)\n",
		    result_spf_str(walk));
}

/* json_walk - one object for DOMAIN, on one line */
static void
json_walk(struct dns *dns, const struct spf_walk *w, const char *domain,
    const char *ip, struct vstr *out)
{
	struct netset_net *nets;
	char buf[64];
	size_t i, n;
	long k;

	vstr_cat(out, "{\"domain\": ");
	vstr_json(out, domain);
	vstr_cat(out, ", \"status\": ");
	vstr_json(out, w->result == SPF_RES_PASS ? "ok" :
	    result_spf_str(w->result));
	vstr_catf(out, ", \"lookups\": %d, \"void_lookups\": %d, "
	    "\"networks\": [", w->lookups, w->voids);
	nets = aggregated(w, &n);
	for (i = 0; i < n; i++) {
		netset_net_str(&nets[i], buf, sizeof(buf));
		vstr_cat(out, i > 0 ? ", " : "");
		vstr_json(out, buf);
	}
	x_free(nets);
	vstr_cat(out, "], \"records\": [");
	for (i = 0; i < w->nnodes; i++) {
		const struct spf_walk_node *nd = &w->nodes[i];

		vstr_cat(out, i > 0 ? ", {\"domain\": " : "{\"domain\": ");
		vstr_json(out, nd->domain);
		vstr_catf(out, ", \"depth\": %d, \"via\": ", nd->depth);
		if (nd->via != NULL)
			vstr_json(out, nd->via);
		else
			vstr_cat(out, "null");
		vstr_cat(out, ", \"record\": ");
		if (nd->record != NULL)
			vstr_json(out, nd->record);
		else
			vstr_cat(out, "null");
		vstr_cat(out, ", \"status\": ");
		vstr_json(out, nd->status == SPF_RES_PASS ? "ok" :
		    result_spf_str(nd->status));
		vstr_catf(out, ", \"lookups\": %d, \"void_lookups\": %d}",
		    nd->lookups, nd->voids);
	}
	vstr_cat(out, "], \"warnings\": [");
	for (i = 0; i < w->nwarns; i++) {
		vstr_cat(out, i > 0 ? ", {\"domain\": " : "{\"domain\": ");
		vstr_json(out, w->nodes[w->warns[i].node].domain);
		vstr_cat(out, ", \"text\": ");
		vstr_json(out, w->warns[i].text);
		/* what it does to the walk: "ok" (nothing), or the result */
		vstr_cat(out, ", \"effect\": ");
		vstr_json(out, w->warns[i].res == SPF_RES_PASS ? "ok" :
		    result_spf_str(w->warns[i].res));
		vstr_catc(out, '}');
	}
	vstr_catc(out, ']');
	if (ip != NULL) {
		vstr_cat(out, ", \"ip\": {\"address\": ");
		vstr_json(out, ip);
		vstr_cat(out, ", \"result\": ");
		vstr_json(out, result_spf_str(evaluate(dns, domain, ip)));
		vstr_cat(out, ", \"path\": [");
		for (k = 0; k >= 0 && (size_t)k < w->nnodes &&
		    w->nodes[k].ip_term != NULL; k = w->nodes[k].ip_child) {
			vstr_cat(out, k > 0 ? ", {\"domain\": " :
			    "{\"domain\": ");
			vstr_json(out, w->nodes[k].domain);
			vstr_cat(out, ", \"term\": ");
			vstr_json(out, w->nodes[k].ip_term);
			vstr_catc(out, '}');
		}
		vstr_cat(out, "]}");
	}
	vstr_cat(out, "}\n");
}

/* reason - the first warning that made the walk W->result, or NULL */
static const char *
reason(const struct spf_walk *w)
{
	size_t i;

	for (i = 0; i < w->nwarns; i++)
		if (w->warns[i].res == w->result)
			return w->warns[i].text;
	return NULL;
}

/* warnings - W's warnings that break nothing, one line each, into ERR */
static void
warnings(const struct spf_walk *w, const char *domain, struct vstr *err)
{
	size_t i;

	for (i = 0; i < w->nwarns; i++)
		if (w->warns[i].res == SPF_RES_PASS)
			vstr_catf(err, "mxauth-check: %s: warning: %s\n",
			    domain, w->warns[i].text);
}

/* check_walk_domain - one domain, as MODE asks (see check_walk.h) */
int
check_walk_domain(struct dns *shared, unsigned check_ms, const char *domain,
    const char *ip, enum check_walk_mode mode, struct check_walk_nets *acc,
    struct vstr *out, struct vstr *err)
{
	struct dns *walk, *dns;
	struct spf_walk w;
	enum spf_res r;

	walk = dns_msg_new(shared, check_ms * (SPF_WALK_HARD_LOOKUPS /
	    SPF_WALK_MAX_LOOKUPS));
	dns = dns_msg_new(shared, check_ms);	/* --ip's evaluation */
	dns_msg_begin(walk);
	dns_msg_begin(dns);
	r = spf_walk_domain(walk, domain, ip, &w);
	if (mode == CHECK_WALK_JSON)
		json_walk(dns, &w, domain, ip, out);
	else if (mode == CHECK_WALK_EXPLAIN) {
		explain_tree(&w, domain, out);
		if (ip != NULL)
			explain_ip(dns, &w, domain, ip, out);
	} else {
		if (r != SPF_RES_PASS && reason(&w) != NULL)
			vstr_catf(err, "mxauth-check: %s: %s: %s\n", domain,
			    status_str(r), reason(&w));
		else if (r != SPF_RES_PASS)
			vstr_catf(err, "mxauth-check: %s: %s\n", domain,
			    status_str(r));
		/*
		 * the warnings that break nothing but leave the list partial
		 * or meaningless (ptr, exists:, a macro left out, +all):
		 * whoever feeds stdout to an allowlist sees them here
		 */
		warnings(&w, domain, err);
		if (ip != NULL)
			explain_ip(dns, &w, domain, ip, out);
		else if (w.nnets > 0) {
			if (acc->n + w.nnets > acc->cap) {
				acc->cap = acc->n + w.nnets + 64;
				acc->nets = xrealloc(acc->nets, acc->cap *
				    sizeof(*acc->nets));
			}
			memcpy(acc->nets + acc->n, w.nets, w.nnets *
			    sizeof(*w.nets));
			acc->n += w.nnets;
		}
	}
	spf_walk_clear(&w);
	dns_msg_free(walk);
	dns_msg_free(dns);
	return r == SPF_RES_PASS ? 0 : 1;
}

/* check_walk_print_nets - every domain's networks as one list */
void
check_walk_print_nets(struct check_walk_nets *acc, struct vstr *out)
{
	char buf[64];
	size_t i, n = netset_aggregate(acc->nets, acc->n);

	for (i = 0; i < n; i++) {
		netset_net_str(&acc->nets[i], buf, sizeof(buf));
		vstr_catf(out, "%s\n", buf);
	}
	x_free(acc->nets);
	memset(acc, 0, sizeof(*acc));
}
