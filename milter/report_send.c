/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_send - a report's message to the local MTA: sendmail(1) or
 * SMTP through libcurl (see report_send.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "report_send.h"
#include "xmalloc.h"

#define SMTP_CONNECT_TIMEOUT	30	/* seconds */
#define SMTP_TIMEOUT		REPORT_SEND_TIMEOUT /* the whole transaction */

extern char **environ;

/* seconds a sendmail may take to read the message and exit */
static int sendmail_timeout = REPORT_SEND_TIMEOUT;

void
report_send_set_timeout(int seconds)
{
	sendmail_timeout = seconds;
}

/* now_ms - a monotonic clock in milliseconds */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * addr_ok - A can stand as an argument and in "<A>": 3..254 printable
 * ASCII bytes, none of them space or angle bracket, an '@' inside, no
 * leading '-' (never an option to sendmail)
 */
static int
addr_ok(const char *a)
{
	size_t n = strlen(a), i;
	const char *at = strrchr(a, '@');

	if (n < 3 || n > 254 || *a == '-' || at == NULL || at == a ||
	    at[1] == '\0')
		return 0;
	for (i = 0; i < n; i++)
		if (a[i] <= 0x20 || a[i] >= 0x7f || a[i] == '<' || a[i] == '>')
			return 0;
	return 1;
}

/*
 * write_all - LEN bytes of P to FD (non-blocking) by DEADLINE (now_ms);
 * 0, or -1 with errno (ETIMEDOUT when the reader was too slow)
 */
static int
write_all(int fd, const char *p, size_t len, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int64_t left;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) >= 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -1;
		if ((left = deadline - now_ms()) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
	}
	return 0;
}

/*
 * reap - PID's wait status into *STATUS by DEADLINE, else PID killed
 * (SIGKILL) and reaped: 0, 1 when it was killed, -1 and errno
 */
static int
reap(pid_t pid, int *status, int64_t deadline)
{
	pid_t r;

	for (;;) {
		if ((r = waitpid(pid, status, WNOHANG)) == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return 1;
		}
		poll(NULL, 0, 20);
	}
}

/* via_sendmail - PATH -oi -f FROM -- TO < MSG; 0 or -1 and WHY */
static int
via_sendmail(const char *path, const char *from, const char *to,
    const char *msg, size_t len, char *why, size_t whylen)
{
	char *argv[] = { (char *)path, "-oi", "-f", (char *)from, "--",
	    (char *)to, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct sigaction ign, old;
	sigset_t def;
	int fds[2], err, status, werr = 0, killed;
	int64_t deadline = now_ms() + (int64_t)sendmail_timeout * 1000;
	pid_t pid;

	if (pipe(fds) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return -1;
	}
	/* stdin the pipe, stdout our stderr: our stdout is the report lines */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	posix_spawn_file_actions_adddup2(&fa, 2, 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	/* our SIGPIPE is ignored below; the child's is its own */
	posix_spawnattr_init(&attr);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	err = posix_spawn(&pid, path, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[0]);
	if (err != 0) {
		close(fds[1]);
		sigaction(SIGPIPE, &old, NULL);
		snprintf(why, whylen, "sendmail:%s: %s", path, strerror(err));
		return -1;
	}
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	if (write_all(fds[1], msg, len, deadline) != 0)
		werr = errno;
	close(fds[1]);
	killed = reap(pid, &status, werr == ETIMEDOUT ? 0 : deadline);
	sigaction(SIGPIPE, &old, NULL);
	if (killed == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    werr == 0)
		return 0;
	if (killed < 0)
		snprintf(why, whylen, "sendmail:%s: wait: %s", path,
		    strerror(errno));
	else if (killed > 0)
		snprintf(why, whylen, "sendmail:%s: still running after %d s: "
		    "killed", path, sendmail_timeout);
	else if (WIFSIGNALED(status))
		snprintf(why, whylen, "sendmail:%s: killed by signal %d", path,
		    WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		snprintf(why, whylen, "sendmail:%s: exit status %d", path,
		    WEXITSTATUS(status));
	else
		snprintf(why, whylen, "sendmail:%s: it did not read the "
		    "whole message: %s", path, strerror(werr));
	return -1;
}

/* the message as curl reads it */
struct upload {
	const char	*p;
	size_t		 left;
};

/* read_cb - CURLOPT_READFUNCTION: the next piece of the message */
static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nitems;

	if (n > u->left)
		n = u->left;
	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/*
 * via_smtp - one SMTP transaction with HOSTPORT ("HOST[:PORT]",
 * "[V6][:PORT]"); 0 or -1 and WHY
 */
static int
via_smtp(const char *hostport, const char *from, const char *to,
    const char *msg, size_t len, char *why, size_t whylen)
{
	struct upload u = { msg, len };
	struct curl_slist *rcpt = NULL;
	char url[600], mfrom[260], rto[260], err[CURL_ERROR_SIZE];
	const char *colon, *helo;
	long code = 0;
	CURLcode rc;
	CURL *c;
	int v6 = *hostport == '[';

	/* the port: after the last ':' (after the ']' for [V6]) */
	colon = strrchr(hostport, ':');
	if (v6 && colon != NULL && colon < strchr(hostport, ']'))
		colon = NULL;
	/* the EHLO name: the sender's domain (libcurl takes it from the path) */
	helo = strrchr(from, '@') + 1;
	if ((size_t)snprintf(url, sizeof(url), "smtp://%.*s:%s/%s",
	    colon != NULL ? (int)(colon - hostport) : (int)strlen(hostport),
	    hostport, colon != NULL ? colon + 1 : "25", helo) >= sizeof(url)) {
		snprintf(why, whylen, "smtp:%s: name too long", hostport);
		return -1;
	}
	snprintf(mfrom, sizeof(mfrom), "<%s>", from);
	snprintf(rto, sizeof(rto), "<%s>", to);
	if ((c = curl_easy_init()) == NULL) {
		snprintf(why, whylen, "smtp:%s: libcurl cannot start", hostport);
		return -1;
	}
	err[0] = '\0';
	rcpt = curl_slist_append(rcpt, rto);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, mfrom);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_CRLF, 1L);	/* LF line ends to CRLF */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)SMTP_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SMTP_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK)
		return 0;
	if (code != 0)
		snprintf(why, whylen, "smtp:%s: %s (last reply %ld)", hostport,
		    *err != '\0' ? err : curl_easy_strerror(rc), code);
	else
		snprintf(why, whylen, "smtp:%s: %s", hostport,
		    *err != '\0' ? err : curl_easy_strerror(rc));
	return -1;
}

int
report_send(const char *transport, const char *from, const char *to,
    const char *msg, size_t len, char *why, size_t whylen)
{
	if (!addr_ok(from) || !addr_ok(to)) {
		snprintf(why, whylen, "not an address mxauth sends to: %s",
		    addr_ok(from) ? to : from);
		return -1;
	}
	if (strncmp(transport, "sendmail:", 9) == 0)
		return via_sendmail(transport + 9, from, to, msg, len, why,
		    whylen);
	if (strncmp(transport, "smtp:", 5) == 0)
		return via_smtp(transport + 5, from, to, msg, len, why, whylen);
	snprintf(why, whylen, "report_transport %s: not sendmail: or smtp:",
	    transport);
	return -1;
}
