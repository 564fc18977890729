/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xmalloc - allocation that never returns NULL.
 *
 * Allocation failure aborts the process (doc/HACKING.md): the MTA's
 * milter_default_action and the service manager's restart cover it.
 * x_free(NULL) is a no-op.
 */
#ifndef MXAUTH_XMALLOC_H
#define MXAUTH_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	 x_free(void *);
/* x_oom - abort for an allocation of LEN that failed (0: a library's) */
void	 x_oom(size_t len) __attribute__((noreturn));

#endif
