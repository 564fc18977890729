/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_queue - a bounded ring of report rows and the one thread that
 * writes them to the store (report_queue.h).
 *
 * Locking: the mutex guards the ring, the stop flag and the writer's
 * "finished" flag; the writer holds it only to move rows out of the
 * ring, never across the store's I/O.  The counters are atomic, and so
 * is the time of the last drop warning, which any thread may claim.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "report_queue.h"
#include "report_row.h"
#include "report_store.h"
#include "xmalloc.h"

#define WARN_EVERY	60	/* seconds between drop warnings */
#define BACKOFF_MAX	60	/* seconds between tries to reopen */
#define LINGER_MS	100	/* the most a row waits for its batch */

struct report_queue {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* rows arrived, stop, or finished */
	struct report_row *ring;
	size_t		 cap, head, n;
	int		 stopping, finished, orphaned;
	char		*uri;
	report_queue_open_fn open;
	pthread_t	 thread;
	_Atomic uint64_t dropped, written, warned;
	_Atomic int64_t	 last_warn;	/* time of the last drop warning */
	_Atomic int	 down;		/* the writer has no store open */
};

/* queue_free - the queue's memory, its rows included */
static void
queue_free(struct report_queue *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		report_row_clear(&q->ring[(q->head + i) % q->cap]);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	x_free(q->ring);
	x_free(q->uri);
	x_free(q);
}

/* warn - the drop warning, at most once a minute, with WHY */
static void
warn(struct report_queue *q, const char *why)
{
	int64_t now = (int64_t)time(NULL), last = atomic_load(&q->last_warn);
	uint64_t d, before;

	if (now - last < WARN_EVERY ||
	    !atomic_compare_exchange_strong(&q->last_warn, &last, now))
		return;
	d = atomic_load(&q->dropped);
	before = atomic_exchange(&q->warned, d);
	log_warning("reports: %llu row(s) dropped since the last warning, "
	    "%llu in all: %s", (unsigned long long)(d - before),
	    (unsigned long long)d, why);
}

/* drop - count N rows lost for WHY */
static void
drop(struct report_queue *q, uint64_t n, const char *why)
{
	atomic_fetch_add(&q->dropped, n);
	metrics_report_rows(0, n);
	warn(q, why);
}

/* report_queue_push - a row to the writer, or dropped; never waits */
int
report_queue_push(struct report_queue *q, struct report_row *row)
{
	pthread_mutex_lock(&q->mu);
	if (q->n == q->cap || q->stopping) {
		pthread_mutex_unlock(&q->mu);
		report_row_clear(row);
		drop(q, 1, atomic_load(&q->down) ? "the report store is down" :
		    "the queue is full (report_queue)");
		return -1;
	}
	q->ring[(q->head + q->n) % q->cap] = *row;
	q->n++;
	/* the first row wakes an idle writer, a full batch a lingering one */
	if (q->n == 1 || q->n == REPORT_QUEUE_BATCH)
		pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	memset(row, 0, sizeof(*row));
	return 0;
}

/* take - up to REPORT_QUEUE_BATCH rows out of the ring (mutex held) */
static size_t
take(struct report_queue *q, struct report_row *batch)
{
	size_t k = 0;

	while (q->n > 0 && k < REPORT_QUEUE_BATCH) {
		batch[k++] = q->ring[q->head];
		memset(&q->ring[q->head], 0, sizeof(q->ring[q->head]));
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
	return k;
}

/* wait_rows - sleep until rows, a stop or a second passes (mutex held) */
static void
wait_rows(struct report_queue *q)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 1;
	(void)pthread_cond_timedwait(&q->cv, &q->mu, &ts);
}

/*
 * linger - with a store open and less than a batch queued, wait up to
 * LINGER_MS for more (mutex held): one transaction for many messages
 * instead of a commit, and a wake-up, for each.
 */
static void
linger(struct report_queue *q)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += LINGER_MS * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	while (!q->stopping && q->n > 0 && q->n < REPORT_QUEUE_BATCH)
		if (pthread_cond_timedwait(&q->cv, &q->mu, &ts) == ETIMEDOUT)
			break;
}

/* put_batch - K rows to the store S (NULL: down, dropped); counted */
static void
put_batch(struct report_queue *q, struct report_store **s,
    struct report_row *batch, size_t k, time_t *retry)
{
	char why[512];
	size_t i;

	if (*s == NULL)
		drop(q, k, "the report store is down");
	else if (report_store_put(*s, batch, k, why, sizeof(why)) == 0) {
		atomic_fetch_add(&q->written, k);
		metrics_report_rows(1, k);
	} else {
		/* reopened from scratch after the backoff: a lost connection */
		report_store_close(*s);
		*s = NULL;
		atomic_store(&q->down, 1);
		*retry = time(NULL) + 1;
		drop(q, k, why);
	}
	for (i = 0; i < k; i++)
		report_row_clear(&batch[i]);
}

/*
 * reopen - the store opened, or the next try scheduled: 1 s, then
 * twice as long each time up to BACKOFF_MAX; failures logged at most
 * once a minute
 */
static struct report_store *
reopen(struct report_queue *q, time_t *retry, unsigned *backoff,
    time_t *logged)
{
	struct report_store *s;
	char why[512];
	time_t now;

	if ((s = q->open(q->uri, why, sizeof(why))) != NULL) {
		if (atomic_exchange(&q->down, 0))
			log_info("reports: the report store is open again");
		*backoff = 1;
		return s;
	}
	now = time(NULL);
	atomic_store(&q->down, 1);
	*retry = now + *backoff;
	*backoff = *backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : *backoff * 2;
	if (now - *logged >= WARN_EVERY) {
		log_error("reports: cannot open the report store: %s", why);
		*logged = now;
	}
	return NULL;
}

/*
 * writer - the queue's thread: the store opened at once, then batches
 * as rows come.  While the store is down and the next try is not due,
 * rows wait in the ring; at the stop, one last try, then what is left
 * is dropped.
 */
static void *
writer(void *arg)
{
	struct report_queue *q = arg;
	struct report_row *batch = xcalloc(REPORT_QUEUE_BATCH, sizeof(*batch));
	struct report_store *s = NULL;
	time_t retry = 0, logged = 0;
	unsigned backoff = 1;
	int stop, orphan;
	size_t k;

	for (;;) {
		pthread_mutex_lock(&q->mu);
		if (!q->stopping && (q->n == 0 || (s == NULL &&
		    time(NULL) < retry)))
			wait_rows(q);
		stop = q->stopping;
		pthread_mutex_unlock(&q->mu);
		if (s == NULL && time(NULL) >= retry)
			s = reopen(q, &retry, &backoff, &logged);
		pthread_mutex_lock(&q->mu);
		if (s != NULL && !stop)
			linger(q);
		stop = q->stopping;
		k = s != NULL || stop ? take(q, batch) : 0;
		if (stop && k == 0)
			break;		/* the mutex still held */
		pthread_mutex_unlock(&q->mu);
		if (k > 0)
			put_batch(q, &s, batch, k, &retry);
	}
	/* report_queue_free gave up waiting: the queue is ours to free */
	orphan = q->orphaned;
	q->finished = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	report_store_close(s);
	x_free(batch);
	if (orphan)
		queue_free(q);
	return NULL;
}

/* report_queue_new - the ring and its writer */
struct report_queue *
report_queue_new(const char *uri, size_t cap, report_queue_open_fn open,
    char *why, size_t whylen)
{
	struct report_queue *q = xcalloc(1, sizeof(*q));
	int rc;

	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->cap = cap > 0 ? cap : 1;
	q->ring = xcalloc(q->cap, sizeof(*q->ring));
	q->uri = xstrdup(uri);
	q->open = open != NULL ? open : report_store_open;
	atomic_init(&q->dropped, 0);
	atomic_init(&q->written, 0);
	atomic_init(&q->warned, 0);
	atomic_init(&q->last_warn, 0);
	atomic_init(&q->down, 0);
	if ((rc = pthread_create(&q->thread, NULL, writer, q)) != 0) {
		snprintf(why, whylen, "cannot start the report writer: %s",
		    strerror(rc));
		x_free(q->ring);
		x_free(q->uri);
		x_free(q);
		return NULL;
	}
	return q;
}

/* report_queue_dropped - rows lost so far */
uint64_t
report_queue_dropped(const struct report_queue *q)
{
	return atomic_load(&((struct report_queue *)q)->dropped);
}

/* report_queue_written - rows committed so far */
uint64_t
report_queue_written(const struct report_queue *q)
{
	return atomic_load(&((struct report_queue *)q)->written);
}

/* report_queue_free - stop the writer; WAIT_MS for the last rows */
void
report_queue_free(struct report_queue *q, unsigned wait_ms)
{
	struct timespec ts;
	pthread_t t;
	size_t left;

	if (q == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q->mu);
	q->stopping = 1;
	pthread_cond_broadcast(&q->cv);
	while (!q->finished)
		if (pthread_cond_timedwait(&q->cv, &q->mu, &ts) == ETIMEDOUT)
			break;
	if (!q->finished) {
		/* stuck in the store: the writer frees Q when it returns */
		q->orphaned = 1;
		left = q->n;
		t = q->thread;		/* Q may be gone once unlocked */
		pthread_mutex_unlock(&q->mu);
		pthread_detach(t);
		log_warning("reports: the report store did not answer in "
		    "time; %zu queued row(s) lost", left);
		return;
	}
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	queue_free(q);
}
