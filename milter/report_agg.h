/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_agg - the rows of a reporting period folded into DMARC
 * aggregate reports (RFC 9990): one report per (policy domain, rua
 * destination), each holding one record per (source IP, identifiers,
 * results, disposition) with its count of messages.
 *
 * A report's destination is one mailto: URI of the row's rua= (the
 * address, without the "!size" limit); other schemes are ignored, and a
 * row without a mailto: destination gives nothing.  The policy a report
 * publishes is that of its latest row.  A record's key is its row less
 * the time, the queue id and the published policy, so the records of a
 * report are exactly the distinct tuples and their counts add up to its
 * rows.  The records' strings are the aggregate's, each kept once (a
 * domain in a million records is one copy): read them, never free them.
 * Pure: no I/O, no log.
 */
#ifndef MXAUTH_REPORT_AGG_H
#define MXAUTH_REPORT_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "report_row.h"

struct report_agg_record {
	struct report_row row;	/* the key: time 0, no queue id */
	uint64_t	 count;
};

struct report_agg_report {
	char		*policy_domain;
	char		*dest;		/* the mailto: address */
	struct report_row policy;	/* its published policy (the latest
					 * row's discovery, p, sp, np, adkim,
					 * aspf, testing, psd; no strings) */
	struct report_agg_record *rec;	/* in order of first appearance */
	size_t		 nrec;
	uint64_t	 messages;	/* sum of the records' counts */
	/* private: the records' hash table */
	size_t		*slot;
	size_t		 nslot;
};

struct report_agg {
	struct report_agg_report *rep;	/* in order of first appearance */
	size_t		 nrep;
	uint64_t	 rows;		/* rows added */
	uint64_t	 unreported;	/* rows without a mailto: destination */
	/* private: the records' strings, each kept once; the reports' table */
	char		**str;
	size_t		 nstr, nstrslot;
	size_t		*rslot;
	size_t		 nrslot;
};

/* report_agg_init - AGG empty; release with report_agg_clear */
void	 report_agg_init(struct report_agg *agg);
/* report_agg_add - ROW (borrowed) counted in each report it belongs to */
void	 report_agg_add(struct report_agg *agg, const struct report_row *row);
/* report_agg_clear - release AGG's reports; AGG left empty */
void	 report_agg_clear(struct report_agg *agg);
/*
 * report_agg_rua - the mailto: addresses of a rua= value, in order,
 * duplicates once: up to MAX of them into OUT (caller frees each with
 * x_free); returns how many.
 */
size_t	 report_agg_rua(const char *rua, char **out, size_t max);

#endif
