/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_store - where the rows of DMARC aggregate reports are kept
 * (report_row.h): one interface, two backends, one schema.
 *
 * report_store_open() takes the report_store setting: "sqlite:/PATH"
 * (report_sqlite: an embedded file, WAL mode) or a libpq URI
 * "postgresql://..." / "postgres://..." (report_pg: one database several
 * MX hosts write to).  Opening creates the schema, or migrates an older
 * one, under a lock, so every program that opens a store may be the
 * first; the version is the schema_version table's one row.  A schema
 * newer than this program is refused, never written into.
 *
 * report_store_put() writes N rows in one transaction: all of them or,
 * on any error, none (the caller counts them as dropped and may reopen).
 * report_store_read() gives back the rows of a period in time order.
 *
 * A store is used by one thread at a time (the daemon's writer thread,
 * or mxauth-report); two programs may use one database at once.  The
 * schema is documented in doc/report-schema.md; both backends create it
 * from REPORT_SCHEMA_V1 and _V2 below, so it means the same in both.
 */
#ifndef MXAUTH_REPORT_STORE_H
#define MXAUTH_REPORT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "report_row.h"

#define REPORT_SCHEMA_VERSION	2

/*
 * The schema, version 1.  ID is the backend's self-numbering key type.
 * Enumerations are stored by their names (result.h: result_*_str;
 * "" for a policy that is unset); booleans as 0/1; times as Unix
 * seconds (UTC).  overrides: why the disposition is not the published
 * policy, a comma list of local_policy, policy_overrides, sampled_out,
 * dry_run ("" none).
 */
#define REPORT_SCHEMA_V1(ID)						\
	"CREATE TABLE message ("					\
	" id " ID ","							\
	" time BIGINT NOT NULL,"					\
	" queue_id TEXT,"						\
	" source_ip TEXT NOT NULL,"					\
	" header_from TEXT NOT NULL,"					\
	" envelope_from TEXT,"						\
	" envelope_to TEXT,"						\
	" policy_domain TEXT NOT NULL,"					\
	" discovery TEXT NOT NULL,"					\
	" p TEXT NOT NULL, sp TEXT NOT NULL, np TEXT NOT NULL,"		\
	" adkim TEXT NOT NULL, aspf TEXT NOT NULL,"			\
	" testing SMALLINT NOT NULL,"					\
	" psd TEXT NOT NULL,"						\
	" rua TEXT,"							\
	" dmarc TEXT NOT NULL,"						\
	" dkim_aligned SMALLINT NOT NULL,"				\
	" spf_aligned SMALLINT NOT NULL,"				\
	" spf TEXT, spf_domain TEXT, spf_scope TEXT,"			\
	" policy TEXT NOT NULL,"					\
	" disposition TEXT NOT NULL,"					\
	" action TEXT NOT NULL,"					\
	" overrides TEXT NOT NULL,"					\
	" override TEXT);"						\
	"CREATE INDEX message_time ON message (time);"			\
	"CREATE INDEX message_policy ON message (policy_domain, time);" \
	"CREATE TABLE message_dkim ("					\
	" message_id BIGINT NOT NULL"					\
	"  REFERENCES message (id) ON DELETE CASCADE,"			\
	" idx SMALLINT NOT NULL,"					\
	" domain TEXT NOT NULL,"					\
	" selector TEXT NOT NULL,"					\
	" result TEXT NOT NULL,"					\
	" PRIMARY KEY (message_id, idx));"

/*
 * Version 2 adds the reports made (mxauth-report): one row per report
 * id, so that a period already reported is not reported again.
 */
#define REPORT_SCHEMA_V2						\
	"CREATE TABLE report ("						\
	" report_id TEXT PRIMARY KEY,"					\
	" policy_domain TEXT NOT NULL,"					\
	" destination TEXT NOT NULL,"					\
	" period_begin BIGINT NOT NULL,"				\
	" period_end BIGINT NOT NULL,"					\
	" created BIGINT NOT NULL);"

/* The message columns in the order report_store_encode() gives them. */
#define REPORT_COLUMNS							\
	"time, queue_id, source_ip, header_from, envelope_from, "	\
	"envelope_to, policy_domain, discovery, p, sp, np, adkim, aspf, " \
	"testing, psd, rua, dmarc, dkim_aligned, spf_aligned, spf, "	\
	"spf_domain, spf_scope, policy, disposition, action, overrides, " \
	"override"
#define REPORT_NCOLUMNS	27

/* rows deleted per statement by report_store_purge */
#define REPORT_PURGE_SLICE	10000
#define REPORT_PURGE_SLICE_S	"10000"

/*
 * The purge's two statements, one slice each; P is the backend's
 * placeholder for the cut ("?", "$1").  message_dkim goes with its
 * message (ON DELETE CASCADE).
 */
enum report_purge { REPORT_PURGE_ROWS, REPORT_PURGE_REPORTS };
#define REPORT_PURGE_ROWS_SQL(P)					\
	"DELETE FROM message WHERE id IN (SELECT id FROM message "	\
	"WHERE time < " P " LIMIT " REPORT_PURGE_SLICE_S ")"
#define REPORT_PURGE_REPORTS_SQL(P)					\
	"DELETE FROM report WHERE report_id IN (SELECT report_id FROM "	\
	"report WHERE period_end <= " P " LIMIT " REPORT_PURGE_SLICE_S ")"

struct report_store;

/* one report made by mxauth-report (the report table's row) */
struct report_claim {
	const char	*report_id;
	const char	*policy_domain;
	const char	*destination;	/* the mailto: address */
	int64_t		 begin, end;	/* the period, [begin, end) */
	int64_t		 created;	/* when it was made */
};

/* The backends' side: each one's functions, first in its store. */
struct report_store_ops {
	int	(*put)(struct report_store *, const struct report_row *,
		    size_t, char *, size_t);
	int	(*read)(struct report_store *, int64_t, int64_t,
		    int (*)(const struct report_row *, void *), void *,
		    char *, size_t);
	void	(*close)(struct report_store *);
	int	(*claim)(struct report_store *, const struct report_claim *,
		    int, char *, size_t);
	int	(*release)(struct report_store *, const char *, char *,
		    size_t);
	/* one slice of a purge: its statement run once, *N deleted */
	int	(*purge)(struct report_store *, enum report_purge, int64_t,
		    uint64_t *, char *, size_t);
};

struct report_store {
	const struct report_store_ops *ops;
	/*
	 * the schema version the open found: 0 none (it created the
	 * schema), below REPORT_SCHEMA_VERSION (it migrated), or equal
	 */
	int	 found_version;
};

/* report_store_check - whether URI names a store mxauth can open */
int	 report_store_check(const char *uri, char *why, size_t whylen);
/*
 * report_store_open - the store URI names, its schema created or
 * migrated; caller frees with report_store_close.  NULL and the reason
 * in WHY when it cannot be opened.
 */
struct report_store *report_store_open(const char *uri, char *why,
	    size_t whylen);
/* report_store_put - N rows in one transaction, all or none; 0 or -1 */
int	 report_store_put(struct report_store *, const struct report_row *rows,
	    size_t n, char *why, size_t whylen);
/*
 * report_store_read - every row with BEGIN <= time < END, in time order
 * then as written, to FN (the row is borrowed for the call); FN's
 * non-zero answer stops the walk and is returned.  -1 on a store error.
 */
int	 report_store_read(struct report_store *, int64_t begin, int64_t end,
	    int (*fn)(const struct report_row *, void *), void *arg,
	    char *why, size_t whylen);
void	 report_store_close(struct report_store *);
/*
 * report_store_claim - C's report id recorded as made: 1 when it is new
 * (or FORCE: recorded again), 0 when it was already there (the period
 * was reported: make nothing), -1 and WHY on a store error.  The insert
 * is one statement, so two runs cannot both get 1.
 */
int	 report_store_claim(struct report_store *, const struct report_claim *c,
	    int force, char *why, size_t whylen);
/* report_store_release - a claimed report id forgotten (not made after all) */
int	 report_store_release(struct report_store *, const char *report_id,
	    char *why, size_t whylen);

/*
 * report_store_purge - the rows older than BEFORE (time < BEFORE)
 * deleted, their DKIM results with them, and the report ids of periods
 * that ended by then (period_end <= BEFORE: their rows are gone, so
 * they could not be made again anyway); how many of each in *ROWS and
 * *REPORTS.  Deleted a slice at a time, each its own transaction, so a
 * writer (the daemon) never waits long.  0, or -1 and WHY.
 */
int	 report_store_purge(struct report_store *, int64_t before,
	    uint64_t *rows, uint64_t *reports, char *why, size_t whylen);

/*
 * For the backends: ROW's columns as text, in REPORT_COLUMNS order, NULL
 * for SQL NULL; BUF holds the numbers.  The strings are borrowed from
 * ROW and BUF.
 */
struct report_store_text {
	const char	*v[REPORT_NCOLUMNS];
	char		 buf[128];
};
void	 report_store_encode(const struct report_row *row,
	    struct report_store_text *out);
/*
 * report_store_decode - a row from columns read back (V[i] NULL for SQL
 * NULL); release with report_row_clear.  -1 and WHY when a value is not
 * one this schema writes.
 */
int	 report_store_decode(const char *const *v, struct report_row *row,
	    char *why, size_t whylen);
/* report_store_decode_dkim - one message_dkim row appended to ROW */
int	 report_store_decode_dkim(const char *domain, const char *selector,
	    const char *result, struct report_row *row, char *why,
	    size_t whylen);

#endif
