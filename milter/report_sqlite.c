/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_sqlite - the report store in one SQLite file.
 *
 * WAL mode: readers (mxauth-report, sqlite3) never block the writer nor
 * it them; synchronous=NORMAL, which in WAL mode loses no committed
 * transaction when a process dies, only possibly the last ones when the
 * machine loses power.  A busy timeout of 5 s covers another writer
 * (mxauth-report purging, or a second daemon during a restart).  The
 * statements are prepared once per store.  One thread at a time.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "report_row.h"
#include "report_sqlite.h"
#include "report_store.h"
#include "result.h"
#include "xmalloc.h"

#define BUSY_MS		5000

struct sqlite_store {
	struct report_store base;	/* first: the interface's view */
	sqlite3		*db;
	sqlite3_stmt	*ins_msg, *ins_dkim, *sel_msg, *sel_dkim;
};

/* err - "WHAT: SQLite's message" into WHY; returns -1 */
static int
err(sqlite3 *db, const char *what, char *why, size_t whylen)
{
	snprintf(why, whylen, "%s: %s", what, db != NULL ? sqlite3_errmsg(db) :
	    "out of memory");
	return -1;
}

/* exec - run SQL (no rows wanted); 0 or -1 */
static int
exec(sqlite3 *db, const char *sql, char *why, size_t whylen)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return err(db, "sqlite", why, whylen);
	return 0;
}

/* journal_wal - WAL mode, or -1: a file system without shared memory */
static int
journal_wal(sqlite3 *db, char *why, size_t whylen)
{
	sqlite3_stmt *st;
	int ok;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st,
	    NULL) != SQLITE_OK)
		return err(db, "journal_mode", why, whylen);
	ok = sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (!ok) {
		snprintf(why, whylen, "cannot use WAL mode: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/*
 * migrate - the schema at REPORT_SCHEMA_VERSION, in one write
 * transaction: created when there is none, refused when newer.  Later
 * versions add their steps here, each from the one before.
 */
static int
migrate(sqlite3 *db, int *found, char *why, size_t whylen)
{
	sqlite3_stmt *st;
	int version = 0, rc;

	if (exec(db, "BEGIN IMMEDIATE", why, whylen) != 0)
		return -1;
	if (exec(db, "CREATE TABLE IF NOT EXISTS schema_version "
	    "(version INTEGER NOT NULL)", why, whylen) != 0)
		goto fail;
	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version",
	    -1, &st, NULL) != SQLITE_OK) {
		err(db, "schema_version", why, whylen);
		goto fail;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		err(db, "schema_version", why, whylen);
		goto fail;
	}
	if (version > REPORT_SCHEMA_VERSION) {
		snprintf(why, whylen, "schema version %d is newer than this "
		    "mxauth's (%d)", version, REPORT_SCHEMA_VERSION);
		goto fail;
	}
	*found = version;
	if (version < 1 && (exec(db, REPORT_SCHEMA_V1("INTEGER PRIMARY KEY"),
	    why, whylen) != 0 || exec(db, "INSERT INTO schema_version "
	    "VALUES (1)", why, whylen) != 0))
		goto fail;
	if (version < 2 && (exec(db, REPORT_SCHEMA_V2, why, whylen) != 0 ||
	    exec(db, "UPDATE schema_version SET version = 2", why,
	    whylen) != 0))
		goto fail;
	if (exec(db, "COMMIT", why, whylen) == 0)
		return 0;
fail:
	(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* prepare - the store's statements */
static int
prepare(struct sqlite_store *s, char *why, size_t whylen)
{
	static const char ins_msg[] = "INSERT INTO message (" REPORT_COLUMNS
	    ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	static const char ins_dkim[] = "INSERT INTO message_dkim "
	    "(message_id, idx, domain, selector, result) VALUES (?,?,?,?,?)";
	static const char sel_msg[] = "SELECT id, " REPORT_COLUMNS " FROM "
	    "message WHERE time >= ? AND time < ? ORDER BY time, id";
	static const char sel_dkim[] = "SELECT domain, selector, result FROM "
	    "message_dkim WHERE message_id = ? ORDER BY idx";

	if (sqlite3_prepare_v2(s->db, ins_msg, -1, &s->ins_msg, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(s->db, ins_dkim, -1, &s->ins_dkim,
	    NULL) != SQLITE_OK || sqlite3_prepare_v2(s->db, sel_msg, -1,
	    &s->sel_msg, NULL) != SQLITE_OK || sqlite3_prepare_v2(s->db,
	    sel_dkim, -1, &s->sel_dkim, NULL) != SQLITE_OK)
		return err(s->db, "prepare", why, whylen);
	return 0;
}

/* put_row - one message and its DKIM results, inside the transaction */
static int
put_row(struct sqlite_store *s, const struct report_row *row)
{
	struct report_store_text t;
	sqlite3_int64 id;
	int i;
	size_t k;

	report_store_encode(row, &t);
	sqlite3_reset(s->ins_msg);
	for (i = 0; i < REPORT_NCOLUMNS; i++)
		if ((t.v[i] == NULL ? sqlite3_bind_null(s->ins_msg, i + 1) :
		    sqlite3_bind_text(s->ins_msg, i + 1, t.v[i], -1,
		    SQLITE_STATIC)) != SQLITE_OK)
			return -1;
	if (sqlite3_step(s->ins_msg) != SQLITE_DONE)
		return -1;
	id = sqlite3_last_insert_rowid(s->db);
	for (k = 0; k < row->ndkim; k++) {
		sqlite3_reset(s->ins_dkim);
		if (sqlite3_bind_int64(s->ins_dkim, 1, id) != SQLITE_OK ||
		    sqlite3_bind_int(s->ins_dkim, 2, (int)k) != SQLITE_OK ||
		    sqlite3_bind_text(s->ins_dkim, 3, row->dkim[k].domain, -1,
		    SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_bind_text(s->ins_dkim, 4, row->dkim[k].selector,
		    -1, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_bind_text(s->ins_dkim, 5,
		    result_dkim_str(row->dkim[k].result), -1, SQLITE_STATIC) !=
		    SQLITE_OK || sqlite3_step(s->ins_dkim) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* sq_put - N rows in one transaction */
static int
sq_put(struct report_store *base, const struct report_row *rows, size_t n,
    char *why, size_t whylen)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	size_t i;

	if (exec(s->db, "BEGIN IMMEDIATE", why, whylen) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (put_row(s, &rows[i]) != 0) {
			err(s->db, "insert", why, whylen);
			goto fail;
		}
	sqlite3_reset(s->ins_msg);
	sqlite3_reset(s->ins_dkim);
	if (exec(s->db, "COMMIT", why, whylen) == 0)
		return 0;
fail:
	sqlite3_reset(s->ins_msg);
	sqlite3_reset(s->ins_dkim);
	(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* read_dkim - message ID's DKIM results into ROW */
static int
read_dkim(struct sqlite_store *s, sqlite3_int64 id, struct report_row *row,
    char *why, size_t whylen)
{
	int rc;

	sqlite3_reset(s->sel_dkim);
	if (sqlite3_bind_int64(s->sel_dkim, 1, id) != SQLITE_OK)
		return err(s->db, "select", why, whylen);
	while ((rc = sqlite3_step(s->sel_dkim)) == SQLITE_ROW)
		if (report_store_decode_dkim(
		    (const char *)sqlite3_column_text(s->sel_dkim, 0),
		    (const char *)sqlite3_column_text(s->sel_dkim, 1),
		    (const char *)sqlite3_column_text(s->sel_dkim, 2), row, why,
		    whylen) != 0)
			return -1;
	if (rc != SQLITE_DONE)
		return err(s->db, "select", why, whylen);
	return 0;
}

/* sq_read - the rows of [BEGIN, END) to FN, in one read transaction */
static int
sq_read(struct report_store *base, int64_t begin, int64_t end,
    int (*fn)(const struct report_row *, void *), void *arg, char *why,
    size_t whylen)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	const char *v[REPORT_NCOLUMNS];
	struct report_row row;
	int i, rc, ret = 0;

	if (exec(s->db, "BEGIN", why, whylen) != 0)
		return -1;
	sqlite3_reset(s->sel_msg);
	if (sqlite3_bind_int64(s->sel_msg, 1, begin) != SQLITE_OK ||
	    sqlite3_bind_int64(s->sel_msg, 2, end) != SQLITE_OK) {
		ret = err(s->db, "select", why, whylen);
		goto out;
	}
	while ((rc = sqlite3_step(s->sel_msg)) == SQLITE_ROW) {
		for (i = 0; i < REPORT_NCOLUMNS; i++)
			v[i] = (const char *)sqlite3_column_text(s->sel_msg,
			    i + 1);
		if (report_store_decode(v, &row, why, whylen) != 0) {
			ret = -1;
			goto out;
		}
		if (read_dkim(s, sqlite3_column_int64(s->sel_msg, 0), &row, why,
		    whylen) != 0)
			ret = -1;
		else
			ret = fn(&row, arg);
		report_row_clear(&row);
		if (ret != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		ret = err(s->db, "select", why, whylen);
out:
	sqlite3_reset(s->sel_msg);
	sqlite3_reset(s->sel_dkim);
	(void)sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return ret;
}

/* sq_close - finalize the statements, close the file */
static void
sq_close(struct report_store *base)
{
	struct sqlite_store *s = (struct sqlite_store *)base;

	sqlite3_finalize(s->ins_msg);
	sqlite3_finalize(s->ins_dkim);
	sqlite3_finalize(s->sel_msg);
	sqlite3_finalize(s->sel_dkim);
	sqlite3_close(s->db);
	x_free(s);
}

/* sq_claim - C inserted once (FORCE: its time renewed); 1, 0 or -1 */
static int
sq_claim(struct report_store *base, const struct report_claim *c, int force,
    char *why, size_t whylen)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO report (report_id, "
	    "policy_domain, destination, period_begin, period_end, created) "
	    "VALUES (?,?,?,?,?,?) ON CONFLICT (report_id) DO UPDATE SET "
	    "created = excluded.created WHERE ?", -1, &st, NULL) != SQLITE_OK)
		return err(s->db, "report", why, whylen);
	sqlite3_bind_text(st, 1, c->report_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->policy_domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->destination, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, c->begin);
	sqlite3_bind_int64(st, 5, c->end);
	sqlite3_bind_int64(st, 6, c->created);
	sqlite3_bind_int(st, 7, force != 0);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err(s->db, "report", why, whylen);
	return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

/* sq_release - REPORT_ID's row deleted */
static int
sq_release(struct report_store *base, const char *report_id, char *why,
    size_t whylen)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM report WHERE report_id = ?",
	    -1, &st, NULL) != SQLITE_OK)
		return err(s->db, "report", why, whylen);
	sqlite3_bind_text(st, 1, report_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : err(s->db, "report", why, whylen);
}

/* sq_purge - one slice of WHAT before BEFORE deleted, *N of them */
static int
sq_purge(struct report_store *base, enum report_purge what, int64_t before,
    uint64_t *n, char *why, size_t whylen)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, what == REPORT_PURGE_ROWS ?
	    REPORT_PURGE_ROWS_SQL("?") : REPORT_PURGE_REPORTS_SQL("?"), -1,
	    &st, NULL) != SQLITE_OK)
		return err(s->db, "purge", why, whylen);
	sqlite3_bind_int64(st, 1, before);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err(s->db, "purge", why, whylen);
	*n = (uint64_t)sqlite3_changes(s->db);
	return 0;
}

static const struct report_store_ops sqlite_ops = {
	sq_put, sq_read, sq_close, sq_claim, sq_release, sq_purge
};

/* report_sqlite_open - the store in PATH, WAL mode, schema ready */
struct report_store *
report_sqlite_open(const char *path, char *why, size_t whylen)
{
	struct sqlite_store *s = xcalloc(1, sizeof(*s));

	s->base.ops = &sqlite_ops;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(why, whylen, "%s: %s", path, s->db != NULL ?
		    sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, BUSY_MS);
	if (journal_wal(s->db, why, whylen) != 0 ||
	    exec(s->db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
	    why, whylen) != 0 || migrate(s->db, &s->base.found_version, why,
	    whylen) != 0 ||
	    prepare(s, why, whylen) != 0)
		goto fail;
	return &s->base;
fail:
	sq_close(&s->base);
	return NULL;
}
