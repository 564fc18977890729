/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_util - what the benchmarks share: the clock, the resolver from
 * "--zone FILE | --server IP:PORT", and reading a message file.
 */
#ifndef MXAUTH_BENCH_UTIL_H
#define MXAUTH_BENCH_UTIL_H

#include <stddef.h>

struct dns;
struct vstr;

/* bench_now - monotonic seconds */
double	 bench_now(void);
/*
 * bench_dns - a zone resolver (MODE "--zone") or a caching network one
 * for server ARG; exits with a message on error
 */
struct dns *bench_dns(const char *prog, const char *mode, const char *arg);
/*
 * bench_feed - MSG (CRLF) as the MTA passes it: each header field as
 * name and value (folds kept), then the body in 64 KiB chunks
 */
void	 bench_feed(const char *msg, size_t len,
	    void (*header)(void *, const char *, const char *),
	    void (*body)(void *, const unsigned char *, size_t), void *arg);
/* bench_read - the whole of PATH into OUT; exits on error */
void	 bench_read(const char *prog, const char *path, struct vstr *out);

#endif
