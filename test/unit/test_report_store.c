/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report_store - the report store's backends: rows written are read
 * back equal (every field, NULLs, several DKIM results, in time order,
 * only the period asked), a batch is all or nothing, opening twice
 * creates nothing twice and a newer schema is refused, SQLite runs in
 * WAL mode, rows and report ids past report_retention are purged.  SQLite always; PostgreSQL too when MXAUTH_TEST_PG names a
 * server (test/report_pg.sh starts a private one and sets it).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "report_row.h"
#include "report_store.h"
#include "xmalloc.h"

struct backend {
	char	 uri[512];
	char	 path[256];	/* sqlite: the file */
	int	 pg;
};

static struct backend sqlite_be, pg_be;

/* sql - run SQL on B's database directly, as an admin would */
static void
sql(const struct backend *b, const char *text)
{
	if (b->pg) {
		PGconn *c = PQconnectdb(b->uri);
		PGresult *r;

		assert_int_equal(PQstatus(c), CONNECTION_OK);
		r = PQexec(c, text);
		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", text, PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db;
		char *e = NULL;

		assert_int_equal(sqlite3_open(b->path, &db), SQLITE_OK);
		if (sqlite3_exec(db, text, NULL, NULL, &e) != SQLITE_OK)
			fail_msg("%s: %s", text, e);
		sqlite3_close(db);
	}
}

/* count - the integer SQL's one row answers */
static int
count(const struct backend *b, const char *text)
{
	int n = -1;

	if (b->pg) {
		PGconn *c = PQconnectdb(b->uri);
		PGresult *r = PQexec(c, text);

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			n = atoi(PQgetvalue(r, 0, 0));
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3_stmt *st;
		sqlite3 *db;

		assert_int_equal(sqlite3_open(b->path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, text, -1, &st, NULL),
		    SQLITE_OK);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	return n;
}

/* reset - B's database empty: no schema at all */
static int
reset(void **state)
{
	struct backend *b = *state;
	char p[300];

	if (b->pg) {
		sql(b, "DROP TABLE IF EXISTS message_dkim, message, "
		    "schema_version, report");
		return 0;
	}
	unlink(b->path);
	snprintf(p, sizeof(p), "%s-wal", b->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", b->path);
	unlink(p);
	return 0;
}

/* row - a row with every field set from N, DKIM results NDKIM */
static void
row(struct report_row *r, int n, int64_t t, size_t ndkim)
{
	char buf[64];
	size_t i;

	memset(r, 0, sizeof(*r));
	r->time = t;
	snprintf(buf, sizeof(buf), "Q%d", n);
	r->queue_id = n % 3 == 0 ? NULL : xstrdup(buf);
	snprintf(buf, sizeof(buf), n % 2 ? "203.0.113.%d" : "2001:db8::%d", n);
	r->source_ip = xstrdup(buf);
	r->header_from = xstrdup("bank.example");
	r->envelope_from = n % 2 ? xstrdup("bounce.bank.example") : NULL;
	r->envelope_to = n % 4 == 1 ? xstrdup("rcpt.example") : NULL;
	r->policy_domain = xstrdup("bank.example");
	r->discovery = n % 2 ? DMARC_DISC_PSL : DMARC_DISC_TREEWALK;
	r->p = DMARC_POLICY_REJECT;
	r->sp = DMARC_POLICY_QUARANTINE;
	r->np = n % 2 ? DMARC_POLICY_NONE : DMARC_POLICY_REJECT;
	r->adkim_strict = n % 2;
	r->aspf_strict = !(n % 2);
	r->testing = n % 5 == 0;
	r->psd = "ynu"[n % 3];
	/* a hostile rua: quotes, a comma, UTF-8; stored as it came */
	r->rua = n % 2 ? xstrdup("mailto:a'b\"c@x.example,mailto:\xc3\xa9@y")
	    : NULL;
	r->dmarc = (enum dmarc_res)(n % 5);
	r->dkim_aligned = n % 3 == 1;
	r->spf_aligned = n % 3 == 2;
	if (n % 4 != 3) {
		r->spf = (enum spf_res)(n % 7);
		r->spf_domain = xstrdup("bounce.bank.example");
		r->spf_scope = n % 2 ? SPF_ID_HELO : SPF_ID_MAILFROM;
	}
	r->policy = (enum dmarc_policy)(n % 4);
	r->disposition = (enum dmarc_policy)((n + 1) % 4);
	r->action = (enum action)(n % 4);
	r->overrides = (unsigned)n & 0x0f;
	r->override = n & DMARC_OVR_OVERRIDE ? xstrdup("bank.example") : NULL;
	r->dkim = ndkim > 0 ? xcalloc(ndkim, sizeof(*r->dkim)) : NULL;
	for (i = 0; i < ndkim; i++) {
		snprintf(buf, sizeof(buf), "d%zu.example", i);
		r->dkim[i].domain = xstrdup(buf);
		snprintf(buf, sizeof(buf), "s%zu", i);
		r->dkim[i].selector = xstrdup(i == 1 ? "" : buf);
		r->dkim[i].result = (enum dkim_res)((i + (size_t)n) % 7);
	}
	r->ndkim = ndkim;
}

struct got {
	struct report_row rows[16];
	size_t n;
};

/* collect - a row read back, copied */
static int
collect(const struct report_row *r, void *arg)
{
	struct got *g = arg;

	assert_true(g->n < 16);
	report_row_copy(&g->rows[g->n++], r);
	return 0;
}

/* got_clear - release what collect kept */
static void
got_clear(struct got *g)
{
	while (g->n > 0)
		report_row_clear(&g->rows[--g->n]);
}

/* test_round_trip - rows written are read back equal, in time order */
static void
test_round_trip(void **state)
{
	struct backend *b = *state;
	struct report_row in[8];
	struct report_store *s;
	struct got g = { .n = 0 };
	char why[512];
	int i;

	s = report_store_open(b->uri, why, sizeof(why));
	if (s == NULL)
		fail_msg("%s", why);
	/* written out of time order, in two batches */
	for (i = 0; i < 8; i++)
		row(&in[i], i, 1764460800 + (7 - i) * 60, (size_t)i % 4);
	assert_int_equal(report_store_put(s, in, 5, why, sizeof(why)), 0);
	assert_int_equal(report_store_put(s, in + 5, 3, why, sizeof(why)), 0);
	assert_int_equal(report_store_read(s, 0, INT64_MAX, collect, &g, why,
	    sizeof(why)), 0);
	assert_int_equal(g.n, 8);
	for (i = 0; i < 8; i++) {
		if (!report_row_equal(&g.rows[i], &in[7 - i]))
			fail_msg("row %d read back differs", 7 - i);
	}
	got_clear(&g);
	/* the period [begin, end): row 7 (t0) and 6 (t0 + 60) only */
	assert_int_equal(report_store_read(s, 1764460800, 1764460800 + 120,
	    collect, &g, why, sizeof(why)), 0);
	assert_int_equal(g.n, 2);
	assert_true(report_row_equal(&g.rows[0], &in[7]));
	assert_true(report_row_equal(&g.rows[1], &in[6]));
	got_clear(&g);
	for (i = 0; i < 8; i++)
		report_row_clear(&in[i]);
	report_store_close(s);
}

/* test_atomic - a batch with one bad row writes nothing */
static void
test_atomic(void **state)
{
	struct backend *b = *state;
	struct report_row in[3];
	struct report_store *s;
	struct got g = { .n = 0 };
	char why[512];
	int i;

	s = report_store_open(b->uri, why, sizeof(why));
	assert_non_null(s);
	for (i = 0; i < 3; i++)
		row(&in[i], i + 1, 1000 + i, 2);
	x_free(in[2].source_ip);	/* NOT NULL in the schema */
	in[2].source_ip = NULL;
	why[0] = '\0';
	assert_int_equal(report_store_put(s, in, 3, why, sizeof(why)), -1);
	assert_true(why[0] != '\0');
	/* the store still works after the failure */
	assert_int_equal(report_store_put(s, in, 1, why, sizeof(why)), 0);
	assert_int_equal(report_store_read(s, 0, INT64_MAX, collect, &g, why,
	    sizeof(why)), 0);
	assert_int_equal(g.n, 1);
	assert_true(report_row_equal(&g.rows[0], &in[0]));
	got_clear(&g);
	for (i = 0; i < 3; i++)
		report_row_clear(&in[i]);
	report_store_close(s);
}

/* test_schema - opening again keeps the rows; newer schemas refused */
static void
test_schema(void **state)
{
	struct backend *b = *state;
	struct report_row in;
	struct report_store *s;
	struct got g = { .n = 0 };
	char why[512];

	s = report_store_open(b->uri, why, sizeof(why));
	assert_non_null(s);
	row(&in, 1, 5000, 1);
	assert_int_equal(report_store_put(s, &in, 1, why, sizeof(why)), 0);
	report_store_close(s);
	s = report_store_open(b->uri, why, sizeof(why));
	if (s == NULL)
		fail_msg("second open: %s", why);
	assert_int_equal(report_store_read(s, 0, INT64_MAX, collect, &g, why,
	    sizeof(why)), 0);
	assert_int_equal(g.n, 1);
	got_clear(&g);
	report_store_close(s);
	/* one version row, whatever the number of opens */
	assert_int_equal(count(b, "SELECT count(*) FROM schema_version "
	    "WHERE version = 2"), 1);
	assert_int_equal(count(b, "SELECT count(*) FROM schema_version"), 1);
	/* a schema from a newer mxauth is not written into */
	sql(b, "INSERT INTO schema_version VALUES (3)");
	assert_null(report_store_open(b->uri, why, sizeof(why)));
	assert_non_null(strstr(why, "schema version 3 is newer"));
	report_row_clear(&in);
}

/*
 * test_migrate - a version 1 store (the first mxauth with reporting)
 * opened by this one: its rows kept, the report table added, version 2
 */
static void
test_migrate(void **state)
{
	struct backend *b = *state;
	struct report_claim c = { "r1", "example.com", "d@rua.example", 0,
	    86400, 90000 };
	struct report_store *s;
	struct got g = { .n = 0 };
	char why[512];

	if (b->pg)
		sql(b, REPORT_SCHEMA_V1("BIGSERIAL PRIMARY KEY"));
	else
		sql(b, REPORT_SCHEMA_V1("INTEGER PRIMARY KEY"));
	sql(b, "CREATE TABLE schema_version (version INTEGER NOT NULL);"
	    "INSERT INTO schema_version VALUES (1);"
	    "INSERT INTO message (" REPORT_COLUMNS ") VALUES (5000, 'Q1', "
	    "'192.0.2.1', 'example.com', 'example.com', NULL, 'example.com', "
	    "'treewalk', 'reject', 'reject', 'reject', 'r', 'r', 0, 'u', "
	    "'mailto:d@rua.example', 'pass', 1, 1, 'pass', 'example.com', "
	    "'mfrom', 'reject', 'none', 'accept', '', NULL)");
	s = report_store_open(b->uri, why, sizeof(why));
	if (s == NULL)
		fail_msg("open: %s", why);
	assert_int_equal(s->found_version, 1);	/* mxauth-report --init-db */
	assert_int_equal(count(b, "SELECT max(version) FROM schema_version"),
	    2);
	assert_int_equal(count(b, "SELECT count(*) FROM schema_version"), 1);
	assert_int_equal(report_store_read(s, 0, INT64_MAX, collect, &g, why,
	    sizeof(why)), 0);
	assert_int_equal(g.n, 1);
	got_clear(&g);
	assert_int_equal(report_store_claim(s, &c, 0, why, sizeof(why)), 1);
	report_store_close(s);
}

/*
 * test_claim - a report id is made once: a second claim gets 0, --force
 * gets 1 again, a released id can be claimed again; two stores open on
 * one database see each other's claims
 */
static void
test_claim(void **state)
{
	struct backend *b = *state;
	struct report_claim c = { "1764460800.abc@mx.example", "example.com",
	    "d@rua.example", 1764460800, 1764547200, 1764550000 };
	struct report_store *s, *s2;
	char why[512];

	s = report_store_open(b->uri, why, sizeof(why));
	assert_non_null(s);
	s2 = report_store_open(b->uri, why, sizeof(why));
	assert_non_null(s2);
	assert_int_equal(report_store_claim(s, &c, 0, why, sizeof(why)), 1);
	assert_int_equal(report_store_claim(s, &c, 0, why, sizeof(why)), 0);
	assert_int_equal(report_store_claim(s2, &c, 0, why, sizeof(why)), 0);
	c.created = 1764560000;
	assert_int_equal(report_store_claim(s2, &c, 1, why, sizeof(why)), 1);
	assert_int_equal(count(b, "SELECT count(*) FROM report"), 1);
	assert_int_equal(count(b, "SELECT created - 1764000000 FROM report"),
	    560000);
	assert_int_equal(report_store_release(s, c.report_id, why,
	    sizeof(why)), 0);
	assert_int_equal(count(b, "SELECT count(*) FROM report"), 0);
	assert_int_equal(report_store_claim(s2, &c, 0, why, sizeof(why)), 1);
	c.report_id = "other";
	assert_int_equal(report_store_claim(s, &c, 0, why, sizeof(why)), 1);
	assert_int_equal(count(b, "SELECT count(*) FROM report WHERE "
	    "period_begin = 1764460800 AND destination = 'd@rua.example'"), 2);
	report_store_close(s2);
	report_store_close(s);
}

/*
 * test_purge - report_retention: the rows before the cut deleted with
 * their DKIM results, slice after slice, the later ones kept; the
 * report ids of periods ended by the cut deleted, the others kept;
 * once more deletes nothing.  --init-db's answer: created, then current.
 */
static void
test_purge(void **state)
{
	struct backend *b = *state;
	const int64_t t0 = 1764460800, cut = t0 + 3 * 3600;
	struct report_claim c = { "old", "example.com", "d@rua.example",
	    t0 - 86400, t0, t0 };
	struct report_row in[6];
	struct report_store *s;
	struct got g = { .n = 0 };
	uint64_t rows = 9, reports = 9;
	char why[512], q[1024];
	int i;

	s = report_store_open(b->uri, why, sizeof(why));
	if (s == NULL)
		fail_msg("open: %s", why);
	assert_int_equal(s->found_version, 0);
	for (i = 0; i < 6; i++)
		row(&in[i], i, t0 + i * 3600, 2);
	assert_int_equal(report_store_put(s, in, 6, why, sizeof(why)), 0);
	/* more old rows than two slices, straight into the table */
	snprintf(q, sizeof(q), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < %d) INSERT INTO message ("
	    REPORT_COLUMNS ") SELECT 5000 + i, NULL, '192.0.2.1', 'x.example', "
	    "NULL, NULL, 'x.example', 'treewalk', 'none', 'none', 'none', 'r', "
	    "'r', 0, 'u', NULL, 'pass', 1, 1, NULL, NULL, NULL, 'none', "
	    "'none', 'accept', '', NULL FROM n", 2 * REPORT_PURGE_SLICE + 5);
	sql(b, q);
	/* ended before, at, and after the cut */
	assert_int_equal(report_store_claim(s, &c, 0, why, sizeof(why)), 1);
	c.report_id = "at";
	c.begin = cut - 86400;
	c.end = cut;
	assert_int_equal(report_store_claim(s, &c, 0, why, sizeof(why)), 1);
	c.report_id = "after";
	c.begin++;
	c.end++;
	assert_int_equal(report_store_claim(s, &c, 0, why, sizeof(why)), 1);

	if (report_store_purge(s, cut, &rows, &reports, why, sizeof(why)) != 0)
		fail_msg("purge: %s", why);
	assert_int_equal(rows, 3 + 2 * REPORT_PURGE_SLICE + 5);
	assert_int_equal(reports, 2);
	assert_int_equal(count(b, "SELECT count(*) FROM message"), 3);
	assert_int_equal(count(b, "SELECT count(*) FROM message_dkim"), 6);
	assert_int_equal(count(b, "SELECT count(*) FROM report WHERE "
	    "report_id = 'after'"), 1);
	assert_int_equal(count(b, "SELECT count(*) FROM report"), 1);
	assert_int_equal(report_store_read(s, 0, INT64_MAX, collect, &g, why,
	    sizeof(why)), 0);
	assert_int_equal(g.n, 3);
	for (i = 0; i < 3; i++)
		assert_true(report_row_equal(&g.rows[i], &in[3 + i]));
	got_clear(&g);
	assert_int_equal(report_store_purge(s, cut, &rows, &reports, why,
	    sizeof(why)), 0);
	assert_int_equal(rows, 0);
	assert_int_equal(reports, 0);
	report_store_close(s);
	s = report_store_open(b->uri, why, sizeof(why));
	assert_non_null(s);
	assert_int_equal(s->found_version, REPORT_SCHEMA_VERSION);
	report_store_close(s);
	for (i = 0; i < 6; i++)
		report_row_clear(&in[i]);
}

/* test_wal - the SQLite file is in WAL mode for every later reader */
static void
test_wal(void **state)
{
	struct backend *b = *state;
	struct report_store *s;
	sqlite3_stmt *st;
	sqlite3 *db;
	char why[512];

	s = report_store_open(b->uri, why, sizeof(why));
	assert_non_null(s);
	report_store_close(s);
	assert_int_equal(sqlite3_open(b->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1,
	    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* test_uri - report_store settings: accepted, refused, unreachable */
static void
test_uri(void **state)
{
	static const struct {
		const char *uri;
		int want;
	} cases[] = {
		{ "sqlite:/var/lib/mxauth/reports.db", 0 },
		{ "postgresql://mx@db.example/reports", 0 },
		{ "postgres:///reports?host=/run/postgresql", 0 },
		{ "sqlite:reports.db", -1 },
		{ "sqlite:", -1 },
		{ "/var/lib/mxauth/reports.db", -1 },
		{ "mysql://db/reports", -1 },
		{ "", -1 },
	};
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		assert_int_equal(report_store_check(cases[i].uri, why,
		    sizeof(why)), cases[i].want);
		assert_true(cases[i].want == 0 || why[0] != '\0');
	}
	/* a directory that does not exist: an error, not a crash */
	assert_null(report_store_open("sqlite:/nonexistent/dir/r.db", why,
	    sizeof(why)));
	assert_non_null(strstr(why, "/nonexistent/dir/r.db"));
}

int
main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_round_trip,
		    reset, reset, &sqlite_be),
		cmocka_unit_test_prestate_setup_teardown(test_atomic,
		    reset, reset, &sqlite_be),
		cmocka_unit_test_prestate_setup_teardown(test_schema,
		    reset, reset, &sqlite_be),
		cmocka_unit_test_prestate_setup_teardown(test_migrate,
		    reset, reset, &sqlite_be),
		cmocka_unit_test_prestate_setup_teardown(test_claim,
		    reset, reset, &sqlite_be),
		cmocka_unit_test_prestate_setup_teardown(test_purge,
		    reset, reset, &sqlite_be),
		cmocka_unit_test_prestate_setup_teardown(test_wal,
		    reset, reset, &sqlite_be),
		cmocka_unit_test(test_uri),
	};
	const struct CMUnitTest pg_tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_round_trip,
		    reset, reset, &pg_be),
		cmocka_unit_test_prestate_setup_teardown(test_atomic,
		    reset, reset, &pg_be),
		cmocka_unit_test_prestate_setup_teardown(test_schema,
		    reset, reset, &pg_be),
		cmocka_unit_test_prestate_setup_teardown(test_migrate,
		    reset, reset, &pg_be),
		cmocka_unit_test_prestate_setup_teardown(test_claim,
		    reset, reset, &pg_be),
		cmocka_unit_test_prestate_setup_teardown(test_purge,
		    reset, reset, &pg_be),
	};
	const char *pg = getenv("MXAUTH_TEST_PG");
	char dir[] = "/tmp/mxauth-store.XXXXXX";
	int rc;

	assert_non_null(mkdtemp(dir));
	snprintf(sqlite_be.path, sizeof(sqlite_be.path), "%s/reports.db", dir);
	snprintf(sqlite_be.uri, sizeof(sqlite_be.uri), "sqlite:%s",
	    sqlite_be.path);
	if (pg != NULL && *pg != '\0') {
		/* the PostgreSQL server test/report_pg.sh started */
		pg_be.pg = 1;
		snprintf(pg_be.uri, sizeof(pg_be.uri), "%s", pg);
		rc = cmocka_run_group_tests_name("postgresql", pg_tests, NULL,
		    NULL);
	} else
		rc = cmocka_run_group_tests_name("sqlite", sqlite_tests, NULL,
		    NULL);
	rmdir(dir);
	return rc;
}
