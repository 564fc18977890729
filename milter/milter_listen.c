/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_listen - the milter socket: the `socket` setting parsed, bound
 * and listening, non-blocking.  See milter_listen.h.  No state.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "milter_listen.h"

/* milter_listen_path - the path of a unix:/local: socket, else NULL */
const char *
milter_listen_path(const char *sock)
{
	if (strncmp(sock, "unix:", 5) == 0)
		return sock + 5;
	if (strncmp(sock, "local:", 6) == 0)
		return sock + 6;
	return NULL;
}

/*
 * listen_unix - bind PATH; a socket left there by an earlier run is
 * removed first, anything else (a file, a symbolic link) is refused
 */
static int
listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket",
			    path);
			return -1;
		}
		(void)unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * listen_inet - bind PORT[@ADDR] in FAMILY; no ADDR is every address.
 *
 * TCP_NODELAY on the listener, which Linux gives every connection it
 * accepts: the replies of a batch go out in one write, but the MTA must
 * never wait for our delayed ACK before it sends more (see
 * milter_server.c for TCP_QUICKACK).
 */
static int
listen_inet(const char *spec, int family, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char port[8];
	const char *at = strchr(spec, '@');
	size_t n = at != NULL ? (size_t)(at - spec) : strlen(spec);
	int fd = -1, on = 1, rc;

	if (n == 0 || n >= sizeof(port) || strspn(spec, "0123456789") != n) {
		snprintf(err, errlen, "bad port in %s", spec);
		return -1;
	}
	memcpy(port, spec, n);
	port[n] = '\0';
	if (atoi(port) < 1 || atoi(port) > 65535) {
		snprintf(err, errlen, "bad port in %s", spec);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(at != NULL ? at + 1 : NULL, port, &hints,
	    &res)) != 0) {
		snprintf(err, errlen, "%s: %s", spec, gai_strerror(rc));
		return -1;
	}
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
		snprintf(err, errlen, "%s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* milter_listen_open - a listening socket for SOCK, or -1 with ERR */
int
milter_listen_open(const char *sock, int *tcp, char *err, size_t errlen)
{
	const char *path = milter_listen_path(sock);
	int fd;

	*tcp = path == NULL;
	if (path != NULL)
		fd = listen_unix(path, err, errlen);
	else if (strncmp(sock, "inet:", 5) == 0)
		fd = listen_inet(sock + 5, AF_INET, err, errlen);
	else if (strncmp(sock, "inet6:", 6) == 0)
		fd = listen_inet(sock + 6, AF_INET6, err, errlen);
	else {
		snprintf(err, errlen, "unknown socket type");
		return -1;
	}
	if (fd >= 0 && listen(fd, SOMAXCONN) != 0) {
		snprintf(err, errlen, "listen: %s", strerror(errno));
		close(fd);
		fd = -1;
	}
	return fd;
}
