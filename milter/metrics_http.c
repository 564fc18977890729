/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_http - the /metrics endpoint (see metrics_http.h), served by
 * libmicrohttpd (Debian's libmicrohttpd12): the only module that
 * includes microhttpd.h.  mxauth binds the socket itself, so the bind
 * happens as root with the milter socket and its error is reported the
 * same way; libmicrohttpd then runs one internal thread with poll() on
 * it.  A handful of scrapers at most is expected: connections are
 * capped at CONN_LIMIT, and one idle for CONN_TIMEOUT seconds is
 * closed.  The struct is the caller's; the thread reads only the atomic
 * counters (metrics_format) and its own request.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "vstr.h"
#include "xmalloc.h"

#define CONN_LIMIT	16	/* scrapers at once */
#define CONN_TIMEOUT	10	/* seconds a scraper may stay idle */

struct metrics_http {
	int		 fd;		/* listening; MHD closes it once started */
	int		 family;
	struct MHD_Daemon *mhd;		/* NULL until started */
};

/*
 * parse - LISTEN ("A.B.C.D:PORT" or "[IPv6]:PORT", checked by
 * conf_table) into SS; 0, or -1
 */
static int
parse(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	const char *colon = strrchr(listen, ':');
	char host[64];
	size_t n;
	long port;

	if (colon == NULL)
		return -1;
	port = strtol(colon + 1, NULL, 10);
	n = (size_t)(colon - listen);
	if (*listen == '[' && n >= 2 && colon[-1] == ']') {
		listen++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(host) || port < 1 || port > 65535)
		return -1;
	memcpy(host, listen, n);
	host[n] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* metrics_http_open - bind and listen on LISTEN */
struct metrics_http *
metrics_http_open(const char *listen_on, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct metrics_http *h;
	socklen_t len;
	int fd, on = 1;

	if (parse(listen_on, &ss, &len) != 0) {
		snprintf(err, errlen, "metrics_listen %s: not ADDR:PORT",
		    listen_on);
		return NULL;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) != 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    listen(fd, CONN_LIMIT) != 0) {
		snprintf(err, errlen, "cannot listen on metrics_listen %s: %s",
		    listen_on, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	h->fd = fd;
	h->family = ss.ss_family;
	return h;
}

/* mhd_log - libmicrohttpd's complaints, as warnings */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];
	size_t n;

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	log_warning("metrics: %s", buf);
}

/* answer - queue STATUS with BODY (copied) and its Content-Type */
static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, const char *body,
    size_t len, const char *type, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(len, (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    type) != MHD_YES || (allow != NULL &&
	    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow) !=
	    MHD_YES)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/*
 * request - one HTTP request: GET or HEAD /metrics (a query string is
 * ignored: libmicrohttpd hands the path alone); 404 or 405 otherwise
 */
static enum MHD_Result
request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **state)
{
	static const char not_found[] = "only /metrics is served here\n";
	static const char not_allowed[] = "only GET and HEAD\n";
	struct vstr text = VSTR_INIT;
	enum MHD_Result rc;

	(void)cls;
	(void)version;
	(void)upload;
	(void)state;
	*upload_len = 0;	/* a body, if any, is ignored */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed,
		    sizeof(not_allowed) - 1, "text/plain", "GET, HEAD");
	if (strcmp(url, "/metrics") != 0)
		return answer(conn, MHD_HTTP_NOT_FOUND, not_found,
		    sizeof(not_found) - 1, "text/plain", NULL);
	metrics_format(&text);
	rc = answer(conn, MHD_HTTP_OK, vstr_str(&text), text.len,
	    METRICS_CONTENT_TYPE, NULL);
	vstr_free(&text);
	return rc;
}

/* metrics_http_start - libmicrohttpd's thread on the bound socket */
int
metrics_http_start(struct metrics_http *h, char *err, size_t errlen)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
	    MHD_USE_ERROR_LOG;

	if (h->family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, h->fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT,
	    MHD_OPTION_END);
	if (h->mhd == NULL) {
		snprintf(err, errlen, "cannot serve metrics: libmicrohttpd "
		    "did not start");
		return -1;
	}
	return 0;
}

/* metrics_http_stop - stop the thread (it closes the socket), free H */
void
metrics_http_stop(struct metrics_http *h)
{
	if (h == NULL)
		return;
	if (h->mhd != NULL)
		MHD_stop_daemon(h->mhd);
	else
		close(h->fd);
	x_free(h);
}
