/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_metrics_http - the /metrics endpoint over real loopback sockets:
 * GET and HEAD /metrics answer 200 with the exposition and its
 * Content-Type, another path 404, another method 405; an address in use
 * or one that is not IP:PORT is a clear error; IPv6 loopback works.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics_http.h"

/* free_port - a port nothing listens on at 127.0.0.1 just now */
static int
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/*
 * ask - send REQUEST to FAMILY loopback PORT, read the whole answer
 * (the server closes: HTTP/1.0) into BUF
 */
static void
ask(int family, int port, const char *request, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct timeval tv = { 5, 0 };
	size_t got = 0;
	ssize_t n;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		sin6->sin6_addr = in6addr_loopback;
	}
	fd = socket(family, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, family == AF_INET ?
	    sizeof(*sin) : sizeof(*sin6)), 0);
	assert_int_equal(write(fd, request, strlen(request)),
	    (ssize_t)strlen(request));
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
}

/* test_serve - what a scraper and a stray client get */
static void
test_serve(void **state)
{
	static const struct {
		const char *request;
		const char *want_status;
		const char *want;	/* in the answer, or NULL */
		const char *not;	/* not in it, or NULL */
	} cases[] = {
		{ "GET /metrics HTTP/1.0\r\n\r\n", "HTTP/1.1 200 ",
		    "\r\nContent-Type: text/plain; version=0.0.4; "
		    "charset=utf-8\r\n", NULL },
		{ "GET /metrics HTTP/1.0\r\n\r\n", "HTTP/1.1 200 ",
		    "\nmxauth_build_info{version=\"" PACKAGE_VERSION "\"} 1\n",
		    NULL },
		{ "GET /metrics?x=1 HTTP/1.0\r\n\r\n", "HTTP/1.1 200 ",
		    "# TYPE mxauth_messages_total counter\n", NULL },
		{ "HEAD /metrics HTTP/1.0\r\n\r\n", "HTTP/1.1 200 ", NULL,
		    "# TYPE" },
		{ "GET / HTTP/1.0\r\n\r\n", "HTTP/1.1 404 ", NULL, "# TYPE" },
		{ "GET /metrics/x HTTP/1.0\r\n\r\n", "HTTP/1.1 404 ", NULL,
		    NULL },
		{ "POST /metrics HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi",
		    "HTTP/1.1 405 ", "\r\nAllow: GET, HEAD\r\n", "# TYPE" },
	};
	struct metrics_http *h;
	char listen[64], err[256], buf[16384];
	size_t i;
	int port = free_port();

	(void)state;
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	h = metrics_http_open(listen, err, sizeof(err));
	assert_non_null(h);
	assert_int_equal(metrics_http_start(h, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ask(AF_INET, port, cases[i].request, buf, sizeof(buf));
		if (strncmp(buf, cases[i].want_status,
		    strlen(cases[i].want_status)) != 0 ||
		    (cases[i].want != NULL && strstr(buf, cases[i].want) ==
		    NULL) ||
		    (cases[i].not != NULL && strstr(buf, cases[i].not) != NULL))
			fail_msg("case %zu (%s): got %.200s", i,
			    cases[i].request, buf);
	}
	metrics_http_stop(h);
	metrics_http_stop(NULL);
}

/* test_ipv6 - [::1]:PORT serves too */
static void
test_ipv6(void **state)
{
	struct metrics_http *h;
	char listen[64], err[256], buf[16384];
	int port = free_port();

	(void)state;
	snprintf(listen, sizeof(listen), "[::1]:%d", port);
	if ((h = metrics_http_open(listen, err, sizeof(err))) == NULL)
		fail_msg("%s (is there no IPv6 loopback?)", err);
	assert_int_equal(metrics_http_start(h, err, sizeof(err)), 0);
	ask(AF_INET6, port, "GET /metrics HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, "HTTP/1.1 200 "));
	assert_non_null(strstr(buf, "mxauth_milter_sessions "));
	metrics_http_stop(h);
}

/* test_errors - an address in use, or not IP:PORT: NULL and why */
static void
test_errors(void **state)
{
	struct metrics_http *h, *h2;
	char listen[64], err[256], want[128];
	int port = free_port();

	(void)state;
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	h = metrics_http_open(listen, err, sizeof(err));
	assert_non_null(h);
	h2 = metrics_http_open(listen, err, sizeof(err));
	assert_null(h2);
	snprintf(want, sizeof(want), "cannot listen on metrics_listen "
	    "127.0.0.1:%d: Address already in use", port);
	assert_string_equal(err, want);
	metrics_http_stop(h);	/* never started: closes the socket */
	h = metrics_http_open(listen, err, sizeof(err));
	assert_non_null(h);
	metrics_http_stop(h);

	assert_null(metrics_http_open("localhost:9103", err, sizeof(err)));
	assert_string_equal(err, "metrics_listen localhost:9103: not "
	    "ADDR:PORT");
	assert_null(metrics_http_open("127.0.0.1", err, sizeof(err)));
	assert_null(metrics_http_open("[::1]", err, sizeof(err)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
