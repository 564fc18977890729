/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_sqlite - the report store in an SQLite file (report_store.h):
 * WAL mode, so mxauth-report reads while the daemon writes; the schema
 * created or migrated at open under SQLite's write lock.
 */
#ifndef MXAUTH_REPORT_SQLITE_H
#define MXAUTH_REPORT_SQLITE_H

#include <stddef.h>

#include "report_store.h"

/*
 * report_sqlite_open - the store in PATH (created if absent, mode 0640
 * under the umask); caller frees with report_store_close.  NULL and the
 * reason in WHY.
 */
struct report_store *report_sqlite_open(const char *path, char *why,
	    size_t whylen);

#endif
