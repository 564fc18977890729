/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_xml - one DMARC aggregate report as RFC 9990 XML (namespace
 * urn:ietf:params:xml:ns:dmarc-2.0, version 1.0), written with
 * libxml2's xmlTextWriter so that every string is escaped by the
 * library.  The only module that includes libxml2.
 *
 * What mxauth records becomes the schema's values:
 * - policy_evaluated/disposition: what the site did; "pass" for a DMARC
 *   pass under a quarantine or reject policy, which was left alone;
 * - dkim and spf there: whether each passed aligned;
 * - reason: local_policy (the site's own rules, dry_run, a
 *   policy_overrides entry, its name as comment), policy_test_mode (t=y
 *   kept a failure from the policy), other (pct sampled it out);
 * - auth_results/spf/scope is "mfrom" for MAIL FROM; the HELO identity,
 *   which the schema has no scope for, gives the result without scope.
 */
#ifndef MXAUTH_REPORT_XML_H
#define MXAUTH_REPORT_XML_H

#include <stddef.h>
#include <stdint.h>

#include "report_agg.h"

/* the report_metadata of one report */
struct report_meta {
	const char	*org_name;
	const char	*email;
	const char	*extra_contact_info;	/* NULL: none */
	const char	*report_id;
	const char	*generator;		/* NULL: none */
	int64_t		 begin, end;		/* date_range, inclusive */
};

/*
 * report_xml_sink - where report_xml_write puts the document, a piece at
 * a time: LEN bytes at DATA; 0, or -1 to stop
 */
typedef int (*report_xml_sink)(void *arg, const char *data, size_t len);

/*
 * report_xml_write - REP with META as a complete XML document, handed to
 * SINK (with ARG) as it is written: the document never sits in memory
 * whole.  0, or -1 and WHY when libxml2 or the sink failed.
 */
int	 report_xml_write(const struct report_agg_report *rep,
	    const struct report_meta *meta, report_xml_sink sink, void *arg,
	    char *why, size_t whylen);

/*
 * report_xml - the same document in *OUT (caller frees with x_free), its
 * length in *LEN; -1 and WHY when libxml2 fails.
 */
int	 report_xml(const struct report_agg_report *rep,
	    const struct report_meta *meta, char **out, size_t *len,
	    char *why, size_t whylen);

#endif
