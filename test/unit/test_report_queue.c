/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report_queue - mail never waits for the report store: a full
 * queue drops and counts rows without blocking while the store hangs,
 * a hung store cannot hold up the stop, a store that is down loses rows
 * counted and logged, a store that comes back is reopened, and rows
 * reach a real SQLite store in batches (with the rate printed).  With
 * MXAUTH_TEST_PG (test/report_pg.sh), a real PostgreSQL server stopped
 * and started again under the writer instead.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "metrics.h"
#include "report_queue.h"
#include "report_row.h"
#include "report_store.h"
#include "vstr.h"
#include "xmalloc.h"

/* --- a store that hangs in put until released ------------------------ */

static pthread_mutex_t hang_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hang_cv = PTHREAD_COND_INITIALIZER;
static int hang_inside, hang_release, hang_closed, fail_opens;
static size_t hang_rows;

/* hang_put - count the rows after waiting for the release */
static int
hang_put(struct report_store *s, const struct report_row *rows, size_t n,
    char *why, size_t whylen)
{
	(void)s;
	(void)rows;
	(void)why;
	(void)whylen;
	pthread_mutex_lock(&hang_mu);
	hang_inside++;
	pthread_cond_broadcast(&hang_cv);
	while (!hang_release)
		pthread_cond_wait(&hang_cv, &hang_mu);
	hang_rows += n;
	pthread_mutex_unlock(&hang_mu);
	return 0;
}

/* hang_read - not used */
static int
hang_read(struct report_store *s, int64_t b, int64_t e,
    int (*fn)(const struct report_row *, void *), void *arg, char *why,
    size_t whylen)
{
	(void)s, (void)b, (void)e, (void)fn, (void)arg, (void)why;
	(void)whylen;
	return -1;
}

/* hang_close - note it */
static void
hang_close(struct report_store *s)
{
	pthread_mutex_lock(&hang_mu);
	hang_closed++;
	pthread_cond_broadcast(&hang_cv);
	pthread_mutex_unlock(&hang_mu);
	x_free(s);
}

static const struct report_store_ops hang_ops = {
	hang_put, hang_read, hang_close, NULL, NULL, NULL
};

/* hang_open - a hanging store */
static struct report_store *
hang_open(const char *uri, char *why, size_t whylen)
{
	struct report_store *s = xcalloc(1, sizeof(*s));

	(void)uri, (void)why, (void)whylen;
	s->ops = &hang_ops;
	return s;
}

/* hang_reset - a new hanging store's state */
static void
hang_reset(void)
{
	hang_inside = hang_release = hang_closed = 0;
	hang_rows = 0;
}

/* release - let put return, now and from now on */
static void
release(void)
{
	pthread_mutex_lock(&hang_mu);
	hang_release = 1;
	pthread_cond_broadcast(&hang_cv);
	pthread_mutex_unlock(&hang_mu);
}

/* wait_for - until *FLAG >= N (under hang_mu), or 10 s fail */
static void
wait_for(int *flag, int n)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&hang_mu);
	while (*flag < n)
		if (pthread_cond_timedwait(&hang_cv, &hang_mu, &ts) != 0)
			break;
	pthread_mutex_unlock(&hang_mu);
	assert_true(*flag >= n);
}

/* ms_since - milliseconds since T0 */
static double
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* row - a small row stamped T */
static void
row(struct report_row *r, int64_t t)
{
	memset(r, 0, sizeof(*r));
	r->time = t;
	r->source_ip = xstrdup("203.0.113.66");
	r->header_from = xstrdup("bank.example");
	r->policy_domain = xstrdup("bank.example");
	r->envelope_from = xstrdup("bank.example");
	r->p = r->sp = r->np = DMARC_POLICY_REJECT;
	r->psd = 'u';
	r->dmarc = DMARC_RES_FAIL;
	r->policy = r->disposition = DMARC_POLICY_REJECT;
	r->action = ACTION_REJECT;
	r->spf = SPF_RES_FAIL;
	r->spf_domain = xstrdup("bank.example");
	r->ndkim = 1;
	r->dkim = xcalloc(1, sizeof(*r->dkim));
	r->dkim[0].domain = xstrdup("bank.example");
	r->dkim[0].selector = xstrdup("s1");
	r->dkim[0].result = DKIM_RES_FAIL;
}

/* metric - the value of the counter NAME in the exposition now */
static uint64_t
metric(const char *name)
{
	struct vstr v = VSTR_INIT;
	char *t, *p;
	uint64_t n;

	metrics_format(&v);
	t = vstr_steal(&v);
	for (p = t; p != NULL; p = strchr(p, '\n'), p = p != NULL ? p + 1 : p)
		if (strncmp(p, name, strlen(name)) == 0 &&
		    p[strlen(name)] == ' ')
			break;
	if (p == NULL)
		fail_msg("%s: not in the exposition", name);
	n = strtoull(p + strlen(name) + 1, NULL, 10);
	free(t);
	return n;
}

/*
 * test_full - the store hangs in its first put: pushes keep returning
 * at once, fill the queue, then drop and count, in the metrics too;
 * released, the queued rows are written and counted
 */
static void
test_full(void **state)
{
	struct report_queue *q;
	struct report_row r;
	struct timespec t0;
	char why[256];
	int i, queued = 0;
	uint64_t written0 = metric("mxauth_report_rows_written_total");
	uint64_t dropped0 = metric("mxauth_report_rows_dropped_total");

	(void)state;
	hang_reset();
	q = report_queue_new("test:", 10, hang_open, why, sizeof(why));
	assert_non_null(q);
	row(&r, 1);
	assert_int_equal(report_queue_push(q, &r), 0);
	assert_null(r.source_ip);		/* moved */
	wait_for(&hang_inside, 1);		/* the writer is stuck */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 25; i++) {
		row(&r, 2 + i);
		if (report_queue_push(q, &r) == 0)
			queued++;
		assert_null(r.source_ip);	/* dropped rows freed */
	}
	/* 25 pushes against a hung store: no waiting at all */
	assert_true(ms_since(&t0) < 500);
	assert_int_equal(queued, 10);
	assert_int_equal(report_queue_dropped(q), 15);
	assert_int_equal(metric("mxauth_report_rows_dropped_total") - dropped0,
	    15);
	release();
	report_queue_free(q, 5000);
	assert_int_equal(hang_rows, 11);
	assert_int_equal(metric("mxauth_report_rows_written_total") - written0,
	    11);
	assert_int_equal(metric("mxauth_report_rows_dropped_total") - dropped0,
	    15);
	assert_int_equal(hang_closed, 1);
}

/*
 * test_hung_stop - a store that never answers cannot hold up the stop:
 * report_queue_free returns after its wait, the writer cleans up when
 * the store finally returns
 */
static void
test_hung_stop(void **state)
{
	struct report_queue *q;
	struct report_row r;
	struct timespec t0;
	char why[256];

	(void)state;
	hang_reset();
	q = report_queue_new("test:", 100, hang_open, why, sizeof(why));
	assert_non_null(q);
	row(&r, 1);
	assert_int_equal(report_queue_push(q, &r), 0);
	wait_for(&hang_inside, 1);
	row(&r, 2);
	assert_int_equal(report_queue_push(q, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	report_queue_free(q, 200);
	assert_true(ms_since(&t0) >= 150 && ms_since(&t0) < 2000);
	/* the writer still has the queue; let it finish and free it */
	release();
	wait_for(&hang_closed, 1);
	usleep(100 * 1000);		/* its last free() after close */
}

/* --- a store that fails to open, then opens ------------------------ */

/* flaky_open - FAIL_OPENS failures, then a real SQLite store */
static struct report_store *
flaky_open(const char *uri, char *why, size_t whylen)
{
	if (fail_opens > 0) {
		fail_opens--;
		snprintf(why, whylen, "connection refused (test)");
		return NULL;
	}
	return report_store_open(uri, why, whylen);
}

struct counter {
	size_t n;
};

/* count_row - one more row read back */
static int
count_row(const struct report_row *r, void *arg)
{
	(void)r;
	((struct counter *)arg)->n++;
	return 0;
}

/* stored - the rows in the SQLite store at URI */
static size_t
stored(const char *uri)
{
	struct counter c = { 0 };
	struct report_store *s;
	char why[512];

	s = report_store_open(uri, why, sizeof(why));
	if (s == NULL)
		fail_msg("%s", why);
	assert_int_equal(report_store_read(s, 0, INT64_MAX, count_row, &c, why,
	    sizeof(why)), 0);
	report_store_close(s);
	return c.n;
}

static char dir[] = "/tmp/mxauth-queue.XXXXXX";

/* rm_store - remove the SQLite files under DIR */
static void
rm_store(void)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/r.db", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/r.db-wal", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/r.db-shm", dir);
	unlink(p);
}

/*
 * test_reopen - the store is down at start and at the first retry: the
 * rows wait in the queue and are written once it opens (backoff 1 s,
 * then 2 s)
 */
static void
test_reopen(void **state)
{
	struct report_queue *q;
	struct report_row r;
	struct timespec t0;
	char uri[300], why[256];
	int i;

	(void)state;
	rm_store();
	snprintf(uri, sizeof(uri), "sqlite:%s/r.db", dir);
	fail_opens = 2;
	q = report_queue_new(uri, 100, flaky_open, why, sizeof(why));
	assert_non_null(q);
	for (i = 0; i < 5; i++) {
		row(&r, i);
		assert_int_equal(report_queue_push(q, &r), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (report_queue_written(q) < 5 && ms_since(&t0) < 10000)
		usleep(50 * 1000);
	assert_int_equal(report_queue_written(q), 5);
	assert_int_equal(report_queue_dropped(q), 0);
	assert_int_equal(fail_opens, 0);
	report_queue_free(q, 5000);
	assert_int_equal(stored(uri), 5);
}

/*
 * test_down - a store that cannot open: rows are dropped and counted at
 * the stop, the failure and the count are logged
 */
static void
test_down(void **state)
{
	struct report_queue *q;
	struct report_row r;
	char logpath[300], why[256], line[1024];
	int i, saw_open = 0, saw_drop = 0;
	FILE *fp;

	(void)state;
	snprintf(logpath, sizeof(logpath), "file:%s/log", dir);
	assert_int_equal(log_open(logpath, "test", why, sizeof(why)), 0);
	q = report_queue_new("sqlite:/nonexistent/mxauth/r.db", 3, NULL, why,
	    sizeof(why));
	assert_non_null(q);
	for (i = 0; i < 5; i++) {
		row(&r, i);
		(void)report_queue_push(q, &r);
	}
	report_queue_free(q, 5000);
	log_close();
	fp = fopen(logpath + 5, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strstr(line, "cannot open the report store") != NULL &&
		    strstr(line, "/nonexistent/mxauth/r.db") != NULL)
			saw_open = 1;
		if (strstr(line, "row(s) dropped") != NULL)
			saw_drop = 1;
	}
	fclose(fp);
	unlink(logpath + 5);
	assert_true(saw_open);
	assert_true(saw_drop);
}

/*
 * test_group_commit - rows arriving one a millisecond, as messages do,
 * are written in a few transactions, not one each (the writer lingers
 * for a batch: a commit and a wake-up a message cost the daemon CPU)
 */
static void
test_group_commit(void **state)
{
	struct report_queue *q;
	struct report_row r;
	struct timespec t0;
	char why[256];
	int i, puts;

	(void)state;
	hang_reset();
	hang_release = 1;
	q = report_queue_new("hang:", 1000, hang_open, why, sizeof(why));
	assert_non_null(q);
	for (i = 0; i < 50; i++) {
		row(&r, i);
		assert_int_equal(report_queue_push(q, &r), 0);
		usleep(1000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (report_queue_written(q) < 50 && ms_since(&t0) < 5000)
		usleep(10 * 1000);
	assert_int_equal(report_queue_written(q), 50);
	pthread_mutex_lock(&hang_mu);
	puts = hang_inside;
	pthread_mutex_unlock(&hang_mu);
	print_message("50 rows over 50 ms: %d transaction(s)\n", puts);
	assert_true(puts >= 1 && puts <= 3);
	report_queue_free(q, 1000);
}

/* test_sqlite_rate - many rows through the queue into SQLite */
static void
test_sqlite_rate(void **state)
{
	enum { N = 50000 };
	struct report_queue *q;
	struct report_row r;
	struct timespec t0;
	char uri[300], why[256];
	double ms;
	int i;

	(void)state;
	rm_store();
	snprintf(uri, sizeof(uri), "sqlite:%s/r.db", dir);
	q = report_queue_new(uri, N, NULL, why, sizeof(why));
	assert_non_null(q);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < N; i++) {
		row(&r, i);
		assert_int_equal(report_queue_push(q, &r), 0);
	}
	ms = ms_since(&t0);
	print_message("%d rows built and pushed in %.0f ms: %.2f us a row "
	    "on the milter thread\n", N, ms, ms * 1e3 / N);
	report_queue_free(q, 60000);
	ms = ms_since(&t0);
	print_message("%d rows into SQLite through the queue in %.0f ms: "
	    "%.0f rows/s\n", N, ms, N / (ms / 1e3));
	assert_int_equal(stored(uri), N);
	rm_store();
}

/* wait_total - until written + dropped reach N, or 20 s */
static void
wait_total(struct report_queue *q, uint64_t n)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (report_queue_written(q) + report_queue_dropped(q) < n &&
	    ms_since(&t0) < 20000)
		usleep(50 * 1000);
}

/*
 * test_pg_restart - PostgreSQL stopped mid-stream (the commands
 * test/report_pg.sh gives): pushes never wait, what the dead connection
 * refused is dropped and counted, and once the server is back the
 * writer reconnects and the rows after it are written
 */
static void
test_pg_restart(void **state)
{
	const char *uri = getenv("MXAUTH_TEST_PG");
	const char *stop = getenv("MXAUTH_TEST_PG_STOP");
	const char *start = getenv("MXAUTH_TEST_PG_START");
	struct report_queue *q;
	struct report_row r;
	struct timespec t0;
	char why[256];
	uint64_t w;
	int i;

	(void)state;
	assert_non_null(stop);
	assert_non_null(start);
	q = report_queue_new(uri, 1000, NULL, why, sizeof(why));
	assert_non_null(q);
	for (i = 0; i < 10; i++) {
		row(&r, 100 + i);
		assert_int_equal(report_queue_push(q, &r), 0);
	}
	wait_total(q, 10);
	assert_int_equal(report_queue_written(q), 10);
	assert_int_equal(system(stop), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 5; i++) {
		row(&r, 200 + i);
		(void)report_queue_push(q, &r);
	}
	assert_true(ms_since(&t0) < 500);
	/* the first batch after the stop fails on the dead connection */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (report_queue_dropped(q) == 0 && ms_since(&t0) < 10000)
		usleep(50 * 1000);
	assert_true(report_queue_dropped(q) >= 1);
	assert_int_equal(system(start), 0);
	for (i = 0; i < 5; i++) {
		row(&r, 300 + i);
		assert_int_equal(report_queue_push(q, &r), 0);
	}
	wait_total(q, 20);
	w = report_queue_written(q);
	assert_true(w >= 15);
	assert_int_equal(w + report_queue_dropped(q), 20);
	report_queue_free(q, 5000);
	assert_int_equal(stored(uri), w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_hung_stop),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_down),
		cmocka_unit_test(test_group_commit),
		cmocka_unit_test(test_sqlite_rate),
	};
	const struct CMUnitTest pg_tests[] = {
		cmocka_unit_test(test_pg_restart),
	};
	const char *pg = getenv("MXAUTH_TEST_PG");
	int rc;

	assert_non_null(mkdtemp(dir));
	if (pg != NULL && *pg != '\0')
		/* the PostgreSQL server test/report_pg.sh started */
		rc = cmocka_run_group_tests_name("postgresql", pg_tests, NULL,
		    NULL);
	else
		rc = cmocka_run_group_tests(tests, NULL, NULL);
	rm_store();
	rmdir(dir);
	return rc;
}
