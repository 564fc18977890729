/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report_send - a report's message handed to the MTA.
 * sendmail: a fake sendmail script records its arguments and standard
 * input: "-oi -f FROM -- TO" and the message byte for byte; its exit
 * status decides (75: not sent, said); a program that is not there; one
 * that exits without reading a large message (no SIGPIPE death, not
 * sent); one that hangs, reading or not (killed at the time limit, not
 * sent).  smtp: a loopback SMTP listener in a thread of this test
 * speaks the server's side: the envelope, the message with CRLF line
 * ends (libcurl's dot-stuffing undone), a 550 at RCPT TO (not sent, the
 * reply said), nothing listening (not sent).  Addresses that could pass
 * for an option or break "<...>" are refused before anything runs.
 */
#include "config.h"

#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "report_send.h"
#include "vstr.h"
#include "xmalloc.h"

#define FROM	"dmarc-reports@mx.example"
#define TO	"agg@dest.example"
static const char msg[] =
    "From: " FROM "\nTo: " TO "\nSubject: Report Domain: a.example\n\n"
    "line one\n.a line that starts with a dot\n\nlast\n";

static char dir[] = "/tmp/mxauth-test-send.XXXXXX";

/* slurp - PATH's contents (caller frees), NULL when absent */
static char *
slurp(const char *path)
{
	struct vstr v = VSTR_INIT;
	char buf[4096];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		vstr_ncat(&v, buf, n);
	fclose(fp);
	vstr_cat(&v, "");
	return vstr_steal(&v);
}

/* script - an executable DIR/NAME running BODY; its path (static) */
static const char *
script(const char *name, const char *body)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\n%s\n", body);
	fclose(fp);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static void
test_sendmail(void **state)
{
	char transport[300], why[512], path[300], *got;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(transport, sizeof(transport), "sendmail:%s",
	    script("sendmail", "d=$(dirname \"$0\")\n"
	    "printf '%s\\n' \"$@\" >\"$d/args\"\ncat >\"$d/stdin\""));
	assert_int_equal(report_send(transport, FROM, TO, msg, strlen(msg),
	    why, sizeof(why)), 0);
	snprintf(path, sizeof(path), "%s/args", dir);
	got = slurp(path);
	assert_non_null(got);
	assert_string_equal(got, "-oi\n-f\n" FROM "\n--\n" TO "\n");
	x_free(got);
	snprintf(path, sizeof(path), "%s/stdin", dir);
	got = slurp(path);
	assert_non_null(got);
	assert_string_equal(got, msg);
	x_free(got);

	/* the MTA says no: its status is the reason */
	snprintf(transport, sizeof(transport), "sendmail:%s",
	    script("tempfail", "cat >/dev/null\necho 'queue full' >&2\n"
	    "exit 75"));
	assert_int_equal(report_send(transport, FROM, TO, msg, strlen(msg),
	    why, sizeof(why)), -1);
	assert_non_null(strstr(why, "exit status 75"));

	/* no such program */
	snprintf(transport, sizeof(transport), "sendmail:%s/nonexistent",
	    dir);
	assert_int_equal(report_send(transport, FROM, TO, msg, strlen(msg),
	    why, sizeof(why)), -1);
	assert_non_null(strstr(why, "nonexistent"));
}

static void
test_sendmail_no_read(void **state)
{
	char transport[300], why[512], *big;
	size_t n = 4 << 20;

	(void)state;
	/* exits at once, 0, reading nothing of 4 MB: we live, not sent */
	snprintf(transport, sizeof(transport), "sendmail:%s",
	    script("deaf", "exit 0"));
	big = xmalloc(n);
	memset(big, 'x', n);
	assert_int_equal(report_send(transport, FROM, TO, big, n, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "did not read"));
	x_free(big);
}

static void
test_sendmail_hangs(void **state)
{
	char transport[300], why[512], *big;
	size_t n = 4 << 20;
	time_t t0;

	(void)state;
	report_send_set_timeout(1);
	/* reads the message, never exits */
	snprintf(transport, sizeof(transport), "sendmail:%s",
	    script("hang", "cat >/dev/null\nexec sleep 60"));
	t0 = time(NULL);
	assert_int_equal(report_send(transport, FROM, TO, msg, strlen(msg),
	    why, sizeof(why)), -1);
	assert_non_null(strstr(why, "still running after 1 s: killed"));
	/* reads nothing of 4 MB, never exits: the write gives up too */
	snprintf(transport, sizeof(transport), "sendmail:%s",
	    script("stuck", "exec sleep 60"));
	big = xmalloc(n);
	memset(big, 'x', n);
	assert_int_equal(report_send(transport, FROM, TO, big, n, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "killed"));
	x_free(big);
	assert_true(time(NULL) - t0 < 10);
	report_send_set_timeout(REPORT_SEND_TIMEOUT);
}

static void
test_bad_address(void **state)
{
	char why[512];

	(void)state;
	assert_int_equal(report_send("sendmail:/bin/false", FROM,
	    "-oQ/tmp@x.example", msg, strlen(msg), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not an address"));
	assert_int_equal(report_send("sendmail:/bin/false", FROM,
	    "a>@x.example", msg, strlen(msg), why, sizeof(why)), -1);
	assert_int_equal(report_send("smtp:127.0.0.1:1", FROM, "nobody", msg,
	    strlen(msg), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not an address"));
}

/* --- a loopback SMTP server, one connection --------------------------- */

struct smtp_srv {
	int		 lfd;
	int		 port;
	int		 rcpt_code;	/* the reply to RCPT TO */
	struct vstr	 log;		/* the envelope commands */
	struct vstr	 data;		/* the message as it came */
};

/* line - one CRLF line from FD into BUF (without CRLF); -1 at EOF */
static int
line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	char c;

	while (read(fd, &c, 1) == 1) {
		if (c == '\n') {
			if (n > 0 && buf[n - 1] == '\r')
				n--;
			buf[n] = '\0';
			return 0;
		}
		if (n + 1 < len)
			buf[n++] = c;
	}
	return -1;
}

static void
say(int fd, const char *s)
{
	ssize_t n = write(fd, s, strlen(s));

	(void)n;
}

static void *
smtp_serve(void *arg)
{
	struct smtp_srv *s = arg;
	char buf[2048];
	int fd;

	if ((fd = accept(s->lfd, NULL, NULL)) < 0)
		return NULL;
	say(fd, "220 sink.example ESMTP\r\n");
	while (line(fd, buf, sizeof(buf)) == 0) {
		if (strncasecmp(buf, "EHLO", 4) == 0) {
			vstr_catf(&s->log, "%s\n", buf);
			say(fd, "250-sink.example\r\n250 8BITMIME\r\n");
		} else if (strncasecmp(buf, "MAIL FROM:", 10) == 0) {
			vstr_catf(&s->log, "%s\n", buf);
			say(fd, "250 ok\r\n");
		} else if (strncasecmp(buf, "RCPT TO:", 8) == 0) {
			vstr_catf(&s->log, "%s\n", buf);
			say(fd, s->rcpt_code == 250 ? "250 ok\r\n" :
			    "550 5.1.1 no such user\r\n");
		} else if (strcasecmp(buf, "DATA") == 0) {
			say(fd, "354 go on\r\n");
			while (line(fd, buf, sizeof(buf)) == 0 &&
			    strcmp(buf, ".") != 0)
				/* undo the dot-stuffing */
				vstr_catf(&s->data, "%s\r\n",
				    buf[0] == '.' ? buf + 1 : buf);
			say(fd, "250 queued\r\n");
		} else if (strcasecmp(buf, "QUIT") == 0) {
			say(fd, "221 bye\r\n");
			break;
		} else
			say(fd, "502 what\r\n");
	}
	close(fd);
	return NULL;
}

/* smtp_start - S listening on 127.0.0.1, a port of its own */
static void
smtp_start(struct smtp_srv *s, int rcpt_code, pthread_t *t)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	memset(s, 0, sizeof(*s));
	s->rcpt_code = rcpt_code;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->lfd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	assert_int_equal(listen(s->lfd, 1), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sin, &sl), 0);
	s->port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(t, NULL, smtp_serve, s), 0);
}

static void
smtp_stop(struct smtp_srv *s, pthread_t t)
{
	pthread_join(t, NULL);
	close(s->lfd);
	vstr_free(&s->log);
	vstr_free(&s->data);
}

static void
test_smtp(void **state)
{
	struct smtp_srv s;
	struct vstr crlf = VSTR_INIT;
	char transport[64], why[512];
	const char *p;
	pthread_t t;

	(void)state;
	smtp_start(&s, 250, &t);
	snprintf(transport, sizeof(transport), "smtp:127.0.0.1:%d", s.port);
	assert_int_equal(report_send(transport, FROM, TO, msg, strlen(msg),
	    why, sizeof(why)), 0);
	pthread_join(t, NULL);
	t = 0;
	assert_string_equal(vstr_str(&s.log), "EHLO mx.example\n"
	    "MAIL FROM:<" FROM ">\nRCPT TO:<" TO ">\n");
	for (p = msg; *p != '\0'; p++)
		vstr_cat(&crlf, *p == '\n' ? "\r\n" : (char[]){ *p, '\0' });
	assert_string_equal(vstr_str(&s.data), vstr_str(&crlf));
	vstr_free(&crlf);
	close(s.lfd);
	vstr_free(&s.log);
	vstr_free(&s.data);
}

static void
test_smtp_refused(void **state)
{
	struct smtp_srv s;
	char transport[64], why[512];
	pthread_t t;
	int port;

	(void)state;
	smtp_start(&s, 550, &t);
	snprintf(transport, sizeof(transport), "smtp:127.0.0.1:%d", s.port);
	assert_int_equal(report_send(transport, FROM, TO, msg, strlen(msg),
	    why, sizeof(why)), -1);
	assert_non_null(strstr(why, "550"));
	assert_string_equal(vstr_str(&s.data), "");
	port = s.port;
	smtp_stop(&s, t);
	/* nothing listens there any more */
	snprintf(transport, sizeof(transport), "smtp:127.0.0.1:%d", port);
	assert_int_equal(report_send(transport, FROM, TO, msg, strlen(msg),
	    why, sizeof(why)), -1);
	assert_non_null(strstr(why, transport));
}

static int
teardown(void **state)
{
	char cmd[300];
	int rc;

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	rc = system(cmd);
	(void)rc;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sendmail),
		cmocka_unit_test(test_sendmail_no_read),
		cmocka_unit_test(test_sendmail_hangs),
		cmocka_unit_test(test_bad_address),
		cmocka_unit_test(test_smtp),
		cmocka_unit_test(test_smtp_refused),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
