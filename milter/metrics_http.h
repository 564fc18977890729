/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_http - GET /metrics over HTTP (libmicrohttpd), for Prometheus.
 *
 * metrics_http_open() binds and listens on metrics_listen (as root,
 * before privileges are dropped, like the milter socket);
 * metrics_http_start() starts libmicrohttpd's one thread on that socket
 * (after daemon(): threads do not survive a fork); metrics_http_stop()
 * stops it and frees everything.  The thread answers GET (and HEAD)
 * /metrics with metrics_format()'s text; anything else is 404 or 405.
 * It touches nothing but the atomic counters of metrics.c.  The caller
 * owns the struct: free it with metrics_http_stop().
 */
#ifndef MXAUTH_METRICS_HTTP_H
#define MXAUTH_METRICS_HTTP_H

#include <stddef.h>

struct metrics_http;

/*
 * metrics_http_open - a listening socket on LISTEN (IPv4:PORT or
 * [IPv6]:PORT, as conf_table checked it); NULL and the reason in ERR
 */
struct metrics_http *metrics_http_open(const char *listen, char *err,
	    size_t errlen);
/* metrics_http_start - serve from a thread of its own; 0, or -1 and ERR */
int	 metrics_http_start(struct metrics_http *, char *err, size_t errlen);
/* metrics_http_stop - stop serving, close, free; NULL is a no-op */
void	 metrics_http_stop(struct metrics_http *);

#endif
