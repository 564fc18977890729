/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xmalloc - aborting allocation wrappers.
 *
 * Every function either returns usable memory or aborts with a message on
 * stderr; callers never test for NULL.  Memory from here is freed with
 * x_free() (plain free() works too).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* x_oom - report allocation failure and abort (also for libraries') */
void
x_oom(size_t len)
{
	fprintf(stderr, "mxauth: out of memory allocating %zu bytes\n", len);
	abort();
}

/* xmalloc - allocate LEN bytes or abort */
void *
xmalloc(size_t len)
{
	void *p;

	if ((p = malloc(len ? len : 1)) == NULL)
		x_oom(len);
	return p;
}

/* xcalloc - allocate a zeroed array or abort (overflow-checked) */
void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n ? n : 1, size ? size : 1)) == NULL)
		x_oom(n * size);
	return p;
}

/* xrealloc - resize or abort */
void *
xrealloc(void *ptr, size_t len)
{
	void *p;

	if ((p = realloc(ptr, len ? len : 1)) == NULL)
		x_oom(len);
	return p;
}

/* xstrdup - copy a string or abort */
char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* xstrndup - copy at most LEN bytes of S, NUL-terminated */
char *
xstrndup(const char *s, size_t len)
{
	char *p;
	size_t n;

	n = strnlen(s, len);
	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* x_free - free memory from this module; NULL is a no-op */
void
x_free(void *p)
{
	free(p);
}
