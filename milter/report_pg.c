/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_pg - the report store in PostgreSQL, through libpq.
 *
 * Every value goes as a text parameter of a prepared statement (never
 * into SQL text), in report_store_encode()'s order, so a row means in
 * PostgreSQL what it means in SQLite.  A batch is one transaction.  A
 * period is read in one REPEATABLE READ snapshot: the messages and
 * their DKIM results in the same order, merged here.  One thread at a
 * time; after an error the caller closes the store and opens a new one.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "report_pg.h"
#include "report_row.h"
#include "report_store.h"
#include "result.h"
#include "xmalloc.h"

struct pg_store {
	struct report_store base;	/* first: the interface's view */
	PGconn		*conn;
};

/* pg_err - "WHAT: libpq's message" (one line) into WHY; returns -1 */
static int
pg_err(PGconn *conn, const char *what, char *why, size_t whylen)
{
	const char *m = conn != NULL ? PQerrorMessage(conn) : "out of memory";

	snprintf(why, whylen, "%s: %.*s", what, (int)strcspn(m, "\n"), m);
	return -1;
}

/* ok - whether R is a success; R is cleared */
static int
ok(PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);

	PQclear(r);
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* exec - run SQL (no rows wanted); 0 or -1 */
static int
exec(PGconn *conn, const char *sql, char *why, size_t whylen)
{
	if (!ok(PQexec(conn, sql)))
		return pg_err(conn, "postgresql", why, whylen);
	return 0;
}

/* migrate - the schema at REPORT_SCHEMA_VERSION (report_sqlite.c's twin) */
static int
migrate(PGconn *conn, int *found, char *why, size_t whylen)
{
	PGresult *r;
	int version = 0;

	if (exec(conn, "BEGIN; SELECT pg_advisory_xact_lock(" REPORT_PG_LOCK
	    "); CREATE TABLE IF NOT EXISTS schema_version "
	    "(version INTEGER NOT NULL)", why, whylen) != 0)
		goto fail;
	r = PQexec(conn, "SELECT max(version) FROM schema_version");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		PQclear(r);
		pg_err(conn, "schema_version", why, whylen);
		goto fail;
	}
	if (!PQgetisnull(r, 0, 0))
		version = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (version > REPORT_SCHEMA_VERSION) {
		snprintf(why, whylen, "schema version %d is newer than this "
		    "mxauth's (%d)", version, REPORT_SCHEMA_VERSION);
		goto fail;
	}
	*found = version;
	if (version < 1 && exec(conn, REPORT_SCHEMA_V1("BIGSERIAL PRIMARY KEY")
	    "INSERT INTO schema_version VALUES (1)", why, whylen) != 0)
		goto fail;
	if (version < 2 && exec(conn, REPORT_SCHEMA_V2
	    "UPDATE schema_version SET version = 2", why, whylen) != 0)
		goto fail;
	if (exec(conn, "COMMIT", why, whylen) == 0)
		return 0;
fail:
	PQclear(PQexec(conn, "ROLLBACK"));
	return -1;
}

/* prepare - the store's statements */
static int
prepare(PGconn *conn, char *why, size_t whylen)
{
	if (!ok(PQprepare(conn, "ins_msg", "INSERT INTO message ("
	    REPORT_COLUMNS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,"
	    "$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27) "
	    "RETURNING id", 0, NULL)) ||
	    !ok(PQprepare(conn, "ins_dkim", "INSERT INTO message_dkim "
	    "(message_id, idx, domain, selector, result) VALUES "
	    "($1,$2,$3,$4,$5)", 0, NULL)) ||
	    !ok(PQprepare(conn, "sel_msg", "SELECT id, " REPORT_COLUMNS
	    " FROM message WHERE time >= $1 AND time < $2 ORDER BY time, id",
	    0, NULL)) ||
	    !ok(PQprepare(conn, "sel_dkim", "SELECT d.message_id, d.domain, "
	    "d.selector, d.result FROM message_dkim d JOIN message m ON "
	    "m.id = d.message_id WHERE m.time >= $1 AND m.time < $2 "
	    "ORDER BY m.time, m.id, d.idx", 0, NULL)))
		return pg_err(conn, "prepare", why, whylen);
	return 0;
}

/* put_row - one message and its DKIM results, inside the transaction */
static int
put_row(PGconn *conn, const struct report_row *row)
{
	struct report_store_text t;
	const char *v[5];
	char idx[24], *id;
	PGresult *r;
	size_t k;

	report_store_encode(row, &t);
	r = PQexecPrepared(conn, "ins_msg", REPORT_NCOLUMNS, t.v, NULL, NULL,
	    0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		PQclear(r);
		return -1;
	}
	id = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	for (k = 0; k < row->ndkim; k++) {
		snprintf(idx, sizeof(idx), "%zu", k);
		v[0] = id;
		v[1] = idx;
		v[2] = row->dkim[k].domain;
		v[3] = row->dkim[k].selector;
		v[4] = result_dkim_str(row->dkim[k].result);
		if (!ok(PQexecPrepared(conn, "ins_dkim", 5, v, NULL, NULL,
		    0))) {
			x_free(id);
			return -1;
		}
	}
	x_free(id);
	return 0;
}

/* pg_put - N rows in one transaction */
static int
pg_put(struct report_store *base, const struct report_row *rows, size_t n,
    char *why, size_t whylen)
{
	struct pg_store *s = (struct pg_store *)base;
	size_t i;

	if (exec(s->conn, "BEGIN", why, whylen) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (put_row(s->conn, &rows[i]) != 0) {
			pg_err(s->conn, "insert", why, whylen);
			goto fail;
		}
	if (exec(s->conn, "COMMIT", why, whylen) == 0)
		return 0;
fail:
	PQclear(PQexec(s->conn, "ROLLBACK"));
	return -1;
}

/* walk - the messages of M with their DKIM results from D, to FN */
static int
walk(PGresult *m, PGresult *d, int (*fn)(const struct report_row *, void *),
    void *arg, char *why, size_t whylen)
{
	const char *v[REPORT_NCOLUMNS];
	struct report_row row;
	int i, j = 0, n = PQntuples(m), nd = PQntuples(d), c, ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		for (c = 0; c < REPORT_NCOLUMNS; c++)
			v[c] = PQgetisnull(m, i, c + 1) ? NULL :
			    PQgetvalue(m, i, c + 1);
		if (report_store_decode(v, &row, why, whylen) != 0)
			return -1;
		/* both in (time, id) order: this message's are next */
		for (; j < nd && strcmp(PQgetvalue(d, j, 0),
		    PQgetvalue(m, i, 0)) == 0 && ret == 0; j++)
			ret = report_store_decode_dkim(PQgetvalue(d, j, 1),
			    PQgetvalue(d, j, 2), PQgetvalue(d, j, 3), &row, why,
			    whylen);
		if (ret == 0)
			ret = fn(&row, arg);
		report_row_clear(&row);
	}
	return ret;
}

/* pg_read - the rows of [BEGIN, END) to FN, from one snapshot */
static int
pg_read(struct report_store *base, int64_t begin, int64_t end,
    int (*fn)(const struct report_row *, void *), void *arg, char *why,
    size_t whylen)
{
	struct pg_store *s = (struct pg_store *)base;
	PGresult *m = NULL, *d = NULL;
	char b[24], e[24];
	const char *v[2] = { b, e };
	int ret = -1;

	snprintf(b, sizeof(b), "%" PRId64, begin);
	snprintf(e, sizeof(e), "%" PRId64, end);
	if (exec(s->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	    why, whylen) != 0)
		return -1;
	m = PQexecPrepared(s->conn, "sel_msg", 2, v, NULL, NULL, 0);
	d = PQexecPrepared(s->conn, "sel_dkim", 2, v, NULL, NULL, 0);
	if (PQresultStatus(m) != PGRES_TUPLES_OK ||
	    PQresultStatus(d) != PGRES_TUPLES_OK)
		pg_err(s->conn, "select", why, whylen);
	else
		ret = walk(m, d, fn, arg, why, whylen);
	PQclear(m);
	PQclear(d);
	PQclear(PQexec(s->conn, "COMMIT"));
	return ret;
}

/* pg_close - close the connection */
static void
pg_close(struct report_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	PQfinish(s->conn);
	x_free(s);
}

/*
 * pg_claim - C inserted once (FORCE: its time renewed); 1, 0 or -1.
 * Exactly once across hosts: report_id is the primary key, and an
 * INSERT ... ON CONFLICT that meets a row another session is inserting
 * waits for that session's commit, then takes the conflict path; the
 * DO UPDATE is skipped (no row counted) unless FORCE.  So of two runs
 * claiming one id at once, one counts 1 and the other 0, whatever the
 * timing (test/report_pg.sh starts two runs together on 600 reports).
 */
static int
pg_claim(struct report_store *base, const struct report_claim *c, int force,
    char *why, size_t whylen)
{
	struct pg_store *s = (struct pg_store *)base;
	char b[3][24];
	const char *v[7];
	PGresult *r;
	int n;

	snprintf(b[0], sizeof(b[0]), "%" PRId64, c->begin);
	snprintf(b[1], sizeof(b[1]), "%" PRId64, c->end);
	snprintf(b[2], sizeof(b[2]), "%" PRId64, c->created);
	v[0] = c->report_id;
	v[1] = c->policy_domain;
	v[2] = c->destination;
	v[3] = b[0];
	v[4] = b[1];
	v[5] = b[2];
	v[6] = force ? "true" : "false";
	r = PQexecParams(s->conn, "INSERT INTO report (report_id, "
	    "policy_domain, destination, period_begin, period_end, created) "
	    "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (report_id) DO UPDATE SET "
	    "created = excluded.created WHERE $7::boolean", 7, NULL, v, NULL,
	    NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		PQclear(r);
		return pg_err(s->conn, "report", why, whylen);
	}
	n = atoi(PQcmdTuples(r));
	PQclear(r);
	return n > 0 ? 1 : 0;
}

/* pg_release - REPORT_ID's row deleted */
static int
pg_release(struct report_store *base, const char *report_id, char *why,
    size_t whylen)
{
	struct pg_store *s = (struct pg_store *)base;
	const char *v[1] = { report_id };

	if (!ok(PQexecParams(s->conn, "DELETE FROM report WHERE report_id = $1",
	    1, NULL, v, NULL, NULL, 0)))
		return pg_err(s->conn, "report", why, whylen);
	return 0;
}

/* pg_purge - one slice of WHAT before BEFORE deleted, *N of them */
static int
pg_purge(struct report_store *base, enum report_purge what, int64_t before,
    uint64_t *n, char *why, size_t whylen)
{
	struct pg_store *s = (struct pg_store *)base;
	char b[24];
	const char *v[1] = { b };
	PGresult *r;

	snprintf(b, sizeof(b), "%" PRId64, before);
	r = PQexecParams(s->conn, what == REPORT_PURGE_ROWS ?
	    REPORT_PURGE_ROWS_SQL("$1") : REPORT_PURGE_REPORTS_SQL("$1"), 1,
	    NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		PQclear(r);
		return pg_err(s->conn, "purge", why, whylen);
	}
	*n = strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return 0;
}

static const struct report_store_ops pg_ops = {
	pg_put, pg_read, pg_close, pg_claim, pg_release, pg_purge
};

/* quiet - libpq's notices dropped (libpq prints them on stderr) */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* report_pg_open - the store at URI, schema ready */
struct report_store *
report_pg_open(const char *uri, char *why, size_t whylen)
{
	struct pg_store *s = xcalloc(1, sizeof(*s));

	s->base.ops = &pg_ops;
	s->conn = PQconnectdb(uri);
	if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK) {
		pg_err(s->conn, "postgresql", why, whylen);
		goto fail;
	}
	/* a notice (CREATE ... IF NOT EXISTS) is not for the log */
	PQsetNoticeProcessor(s->conn, quiet, NULL);
	if (exec(s->conn, "SET client_min_messages = warning", why,
	    whylen) != 0 || migrate(s->conn, &s->base.found_version, why,
	    whylen) != 0 ||
	    prepare(s->conn, why, whylen) != 0)
		goto fail;
	return &s->base;
fail:
	pg_close(&s->base);
	return NULL;
}
