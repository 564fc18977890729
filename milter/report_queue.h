/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_queue - the rows of DMARC aggregate reports on their way to the
 * store, without ever making mail wait.
 *
 * A bounded in-memory queue in front of one writer thread.  A milter
 * thread's report_queue_push() takes the queue's mutex only to move a
 * row into the ring (never across I/O); when the ring is full the row
 * is dropped and counted.  The writer opens the store itself (so a
 * store that is down or slow to answer never holds up start-up), takes
 * whatever rows are waiting, up to a batch, and writes them in one
 * transaction, having waited up to 0.1 s for a batch to fill (one
 * commit and one wake-up for many messages: recording costs the daemon
 * no measurable CPU); a batch the store refuses is dropped and counted, the
 * store closed, and reopened after 1 s, then twice as long each time up
 * to a minute, while new rows wait in the ring.  Drops are logged as a
 * warning with their count at most once a minute, by whichever thread
 * drops (the writer may be stuck in a store that hangs).  Rows written
 * and dropped are counted in metrics (mxauth_report_rows_written_total,
 * mxauth_report_rows_dropped_total) as they happen.
 *
 * report_queue_free() stops the writer: the rows still queued get one
 * more try, for at most the time given; what is left is lost (a restart
 * loses at most the rows still queued).
 */
#ifndef MXAUTH_REPORT_QUEUE_H
#define MXAUTH_REPORT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "report_row.h"
#include "report_store.h"

#define REPORT_QUEUE_BATCH	1000	/* rows per transaction, at most */

/* how the writer opens its store: report_store_open, or a test's */
typedef struct report_store *(*report_queue_open_fn)(const char *uri,
	    char *why, size_t whylen);

/*
 * report_queue_new - a queue of CAP rows to the store at URI (opened
 * with OPEN, NULL = report_store_open) and its writer thread; caller
 * frees with report_queue_free.  NULL when no thread can be started
 * (the reason in WHY).
 */
struct report_queue *report_queue_new(const char *uri, size_t cap,
	    report_queue_open_fn open, char *why, size_t whylen);
/*
 * report_queue_push - ROW handed to the writer (moved: ROW is left
 * zeroed either way).  0 queued, -1 dropped (full, or stopping).  Never
 * waits for the store.
 */
int	 report_queue_push(struct report_queue *, struct report_row *row);
/* report_queue_dropped - rows dropped so far (full, store down or refusing) */
uint64_t report_queue_dropped(const struct report_queue *);
/* report_queue_written - rows the store committed so far */
uint64_t report_queue_written(const struct report_queue *);
/*
 * report_queue_free - stop the writer, giving the rows still queued up
 * to WAIT_MS to be written; a writer still busy then (a hung store) is
 * left behind, detached, and the queue's memory with it.
 */
void	 report_queue_free(struct report_queue *, unsigned wait_ms);

#endif
