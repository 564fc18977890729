/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vstr - length-counted growing strings for anything built from input.
 *
 * A struct vstr is embedded by value and starts zeroed (VSTR_INIT) or via
 * vstr_init().  The buffer is always NUL-terminated once anything has been
 * appended; vstr_str() returns "" for an empty string.  The owner releases
 * the buffer with vstr_free(); vstr_steal() hands it to the caller, who
 * frees it with x_free().
 */
#ifndef MXAUTH_VSTR_H
#define MXAUTH_VSTR_H

#include <stdarg.h>
#include <stddef.h>

struct vstr {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

#define VSTR_INIT { NULL, 0, 0 }

void	 vstr_init(struct vstr *);
void	 vstr_free(struct vstr *);
void	 vstr_reset(struct vstr *);
/* vstr_drop - remove the first N bytes */
void	 vstr_drop(struct vstr *, size_t n);
void	 vstr_cat(struct vstr *, const char *);
void	 vstr_ncat(struct vstr *, const char *, size_t);
void	 vstr_catc(struct vstr *, int);
void	 vstr_catf(struct vstr *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 vstr_vcatf(struct vstr *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
void	 vstr_json(struct vstr *, const char *);
const char *vstr_str(const struct vstr *);
char	*vstr_steal(struct vstr *);

#endif
