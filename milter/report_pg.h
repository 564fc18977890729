/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_pg - the report store in a PostgreSQL database (libpq;
 * report_store.h): the one database several MX hosts write to, so they
 * report as one receiver.  The schema is created or migrated at open
 * under a transaction-scoped advisory lock, so hosts starting together
 * do it once.
 */
#ifndef MXAUTH_REPORT_PG_H
#define MXAUTH_REPORT_PG_H

#include <stddef.h>

#include "report_store.h"

/* the advisory lock (pg_advisory_xact_lock) that orders schema changes */
#define REPORT_PG_LOCK	"7820145301"

/*
 * report_pg_open - the store at libpq URI (postgresql://...); caller
 * frees with report_store_close.  NULL and the reason in WHY.
 */
struct report_store *report_pg_open(const char *uri, char *why,
	    size_t whylen);

#endif
