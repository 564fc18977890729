/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_row - one message as DMARC aggregate reporting (RFC 9990) needs
 * it: who sent it (the judged client), its identifiers, the policy that
 * was found, every authentication result and what the site did.
 *
 * report_row_build() fills a row from an eval's const result view after
 * eval_end(), refused messages included; it reads nothing else, so the
 * row is the same from the daemon and from mxauth-check.  A row owns
 * copies of all its strings (it outlives the eval: the store's writer
 * thread takes it), released with report_row_clear().  Pure: no DNS, no
 * log, no global state.
 */
#ifndef MXAUTH_REPORT_ROW_H
#define MXAUTH_REPORT_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

struct eval_result;

/* at most this many DKIM results per row (eval bounds them lower) */
#define REPORT_ROW_DKIM_MAX	32

struct report_dkim {
	char		*domain;	/* d= (A-labels as signed) */
	char		*selector;	/* s=, "" when the signature had none */
	enum dkim_res	 result;
};

struct report_row {
	int64_t		 time;		/* end of message, Unix seconds */
	char		*queue_id;	/* NULL = the MTA gave none */
	char		*source_ip;	/* the judged client: a trusted
					 * relay's origin, else the client */
	char		*header_from;	/* RFC5322.From domain */
	char		*envelope_from;	/* MAIL FROM domain; NULL: null path */
	char		*envelope_to;	/* RCPT TO domain; NULL: unknown */

	/* the policy found (policy_published) */
	char		*policy_domain;
	enum dmarc_discovery discovery;
	enum dmarc_policy p, sp, np;	/* sp, np effective (falling back) */
	bool		 adkim_strict, aspf_strict;
	bool		 testing;	/* t=y */
	char		 psd;		/* 'y', 'n', 'u' */
	char		*rua;		/* NULL: none published */

	/* the results */
	enum dmarc_res	 dmarc;
	bool		 dkim_aligned, spf_aligned;
	enum spf_res	 spf;
	char		*spf_domain;	/* NULL: SPF not evaluated */
	enum spf_identity spf_scope;	/* mfrom or helo */
	struct report_dkim *dkim;
	size_t		 ndkim;

	/* what was done */
	enum dmarc_policy policy;	/* what applied: p/sp/np, t=y, pct */
	enum dmarc_policy disposition;	/* what the site did */
	enum action	 action;	/* what the MTA was told */
	unsigned	 overrides;	/* DMARC_OVR_* */
	char		*override;	/* the policy_overrides entry, or NULL */
};

/*
 * report_row_build - ROW from R (after eval_end), stamped AT; false, and
 * ROW left zeroed, when the message has nothing to report: DMARC was not
 * evaluated here (trusted, authenticated, an upstream verdict, refused
 * at MAIL FROM) or found no policy record.  Release with
 * report_row_clear, whatever the answer.
 */
bool	 report_row_build(const struct eval_result *r, int64_t at,
	    struct report_row *row);
/* report_row_copy - DST a deep copy of SRC (release with _clear) */
void	 report_row_copy(struct report_row *dst, const struct report_row *src);
/* report_row_equal - whether A and B hold the same values */
bool	 report_row_equal(const struct report_row *a,
	    const struct report_row *b);
/* report_row_clear - release ROW's strings and leave it zeroed */
void	 report_row_clear(struct report_row *row);

#endif
