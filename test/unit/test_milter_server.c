/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_milter_server - the milter socket and the connection server with
 * a toy handler: the unix socket's creation rules (a stale socket
 * replaced, anything else refused), packets batched and answered in
 * order, a packet split across reads or larger than one read, an
 * oversized length closing the connection, QUIT closing it, and every
 * connection's state freed by the stop; the pacing: only as many
 * workers as CPUs (at least 2) take events, and a worker waiting for DNS
 * hands its place over, so nothing starves while lookups are slow.
 */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "milter_listen.h"
#include "milter_proto.h"
#include "milter_server.h"
#include "vstr.h"
#include "xmalloc.h"

static char dir[64];
static int closed_count;	/* atomic */

/* toy_packet - 'X': reply 'x' with the data's length; 'Q': close */
static int
toy_packet(void **priv, const struct milter_pkt *p, struct vstr *out)
{
	char n[32];

	if (*priv == NULL)
		*priv = xcalloc(1, 16);
	if (p->cmd == 'Q')
		return -1;
	snprintf(n, sizeof(n), "%zu", p->len);
	milter_proto_put_str(out, 'x', n);
	return 0;
}

/* toy_closed - count the closes; free the state */
static void
toy_closed(void *priv)
{
	x_free(priv);
	__atomic_add_fetch(&closed_count, 1, __ATOMIC_SEQ_CST);
}

static const struct milter_handler toy = { toy_packet, toy_closed };

/* the pacing test's handler: which threads served, and DNS-like waits */
#define MAX_SEEN 64
static pthread_t seen[MAX_SEEN];
static int nseen;		/* under seen_lock */
static int released;		/* atomic */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * pace_packet - 'T': note the thread, work for 2 ms (a sleep that is no
 * DNS wait), reply 't'; 'W': wait as a DNS lookup does
 * (milter_server_wait_begin) until released, reply 'w'
 */
static int
pace_packet(void **priv, const struct milter_pkt *p, struct vstr *out)
{
	struct timespec t = { 0, 10 * 1000000L }, work = { 0, 2 * 1000000L };
	int i;

	(void)priv;
	if (p->cmd == 'W') {
		milter_server_wait_begin();
		for (i = 0; i < 1000 && !__atomic_load_n(&released,
		    __ATOMIC_SEQ_CST); i++)
			nanosleep(&t, NULL);
		milter_server_wait_end();
		milter_proto_put_str(out, 'w', "");
		return 0;
	}
	pthread_mutex_lock(&seen_lock);
	for (i = 0; i < nseen && !pthread_equal(seen[i], pthread_self()); i++)
		;
	if (i == nseen && nseen < MAX_SEEN)
		seen[nseen++] = pthread_self();
	pthread_mutex_unlock(&seen_lock);
	nanosleep(&work, NULL);
	milter_proto_put_str(out, 't', "");
	return 0;
}

static void
pace_closed(void *priv)
{
	(void)priv;
}

static const struct milter_handler pacer = { pace_packet, pace_closed };

static void
ended(void)
{
}

/* path - PATH under the test's directory */
static const char *
path(const char *name)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "unix:%s/%s", dir, name);
	return buf;
}

/* client - a connection to the socket NAME */
static int
client(const char *name)
{
	struct sockaddr_un sun;
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", dir, name);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* send_pkt - an 'X' packet of LEN bytes, or raw bytes when RAW */
static void
send_pkt(int fd, size_t len)
{
	struct vstr v = VSTR_INIT;
	char *data = xcalloc(1, len + 1);

	milter_proto_put(&v, 'X', data, len);
	assert_int_equal(write(fd, v.buf, v.len), (ssize_t)v.len);
	vstr_free(&v);
	x_free(data);
}

/* replies - read N replies; their data joined by ',' */
static void
replies(int fd, int n, char *out, size_t outlen)
{
	unsigned char buf[4096];
	struct milter_pkt p;
	size_t len = 0, off = 0, used;
	ssize_t r;

	out[0] = '\0';
	while (n > 0) {
		if (milter_proto_frame(buf + off, len - off, &p, &used) == 1) {
			snprintf(out + strlen(out), outlen - strlen(out),
			    "%s%c%s", *out ? "," : "", p.cmd, p.data);
			off += used;
			n--;
			continue;
		}
		r = read(fd, buf + len, sizeof(buf) - len);
		assert_true(r > 0);
		len += (size_t)r;
	}
}

/* at_eof - the server closed FD */
static int
at_eof(int fd)
{
	char c;

	return read(fd, &c, 1) == 0;
}

/* wait_closed - until N connections were closed, at most 5 s */
static void
wait_closed(int n)
{
	struct timespec t = { 0, 10 * 1000000L };
	int i;

	for (i = 0; i < 500 && __atomic_load_n(&closed_count,
	    __ATOMIC_SEQ_CST) < n; i++)
		nanosleep(&t, NULL);
	assert_int_equal(__atomic_load_n(&closed_count, __ATOMIC_SEQ_CST), n);
}

/* test_listen - the unix socket's rules */
static void
test_listen(void **state)
{
	struct milter_server *s;
	char err[256], file[128];
	struct stat st;
	int fd;

	(void)state;
	umask(0117);
	s = milter_server_open(path("a"), err, sizeof(err));
	assert_non_null(s);
	snprintf(file, sizeof(file), "%s/a", dir);
	assert_int_equal(stat(file, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	milter_server_stop(s);
	/* The stale socket is replaced. */
	s = milter_server_open(path("a"), err, sizeof(err));
	assert_non_null(s);
	milter_server_stop(s);
	/* A file or a symbolic link there is not. */
	snprintf(file, sizeof(file), "%s/f", dir);
	assert_true((fd = open(file, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	assert_null(milter_server_open(path("f"), err, sizeof(err)));
	assert_non_null(strstr(err, "is not a socket"));
	snprintf(file, sizeof(file), "%s/l", dir);
	assert_int_equal(symlink("f", file), 0);
	assert_null(milter_server_open(path("l"), err, sizeof(err)));
	assert_null(milter_server_open("inet:99999", err, sizeof(err)));
	assert_null(milter_server_open("tcp:25", err, sizeof(err)));
	assert_string_equal(milter_listen_path("local:/x"), "/x");
	assert_null(milter_listen_path("inet:25"));
}

/* test_serve - batches, split and large packets, QUIT, bad length, stop */
static void
test_serve(void **state)
{
	static const unsigned char huge[] = { 0x7f, 0xff, 0xff, 0xff, 'X' };
	struct milter_server *s;
	struct timespec t = { 0, 50 * 1000000L };
	char err[256], got[256];
	int a, b, c;

	(void)state;
	__atomic_store_n(&closed_count, 0, __ATOMIC_SEQ_CST);
	assert_non_null(s = milter_server_open(path("s"), err, sizeof(err)));
	assert_int_equal(milter_server_start(s, 2, &toy, ended, err,
	    sizeof(err)), 0);
	a = client("s");
	/* three packets in one write: three replies, in order */
	{
		struct vstr v = VSTR_INIT;

		milter_proto_put(&v, 'X', "a", 1);
		milter_proto_put(&v, 'X', "bb", 2);
		milter_proto_put(&v, 'X', "", 0);
		assert_int_equal(write(a, v.buf, v.len), (ssize_t)v.len);
		vstr_free(&v);
	}
	replies(a, 3, got, sizeof(got));
	assert_string_equal(got, "x1,x2,x0");
	/* a packet split across two writes */
	assert_int_equal(write(a, "\0\0\0\4X", 5), 5);
	nanosleep(&t, NULL);
	assert_int_equal(write(a, "abc", 3), 3);
	replies(a, 1, got, sizeof(got));
	assert_string_equal(got, "x3");
	/* larger than one read; a body chunk of 1 MiB */
	send_pkt(a, 200000);
	send_pkt(a, 1024 * 1024);
	replies(a, 2, got, sizeof(got));
	assert_string_equal(got, "x200000,x1048576");
	/* a length over the limit closes the connection */
	b = client("s");
	assert_int_equal(write(b, huge, sizeof(huge)), (ssize_t)sizeof(huge));
	assert_true(at_eof(b));
	/* QUIT closes */
	assert_int_equal(write(a, "\0\0\0\1Q", 5), 5);
	assert_true(at_eof(a));
	wait_closed(2);
	/* the stop closes what is still open */
	c = client("s");
	send_pkt(c, 1);
	replies(c, 1, got, sizeof(got));
	milter_server_stop(s);
	assert_int_equal(__atomic_load_n(&closed_count, __ATOMIC_SEQ_CST), 3);
	assert_true(at_eof(c));
	close(a);
	close(b);
	close(c);
}

/* test_pacing - few workers take events; a waiting one is replaced */
static void
test_pacing(void **state)
{
	struct milter_server *s;
	char err[256], got[256];
	int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN), target, i, r,
	    w[MAX_SEEN], a;

	(void)state;
	target = cpus < 2 ? 2 : cpus;
	if (target + 4 > MAX_SEEN)
		target = MAX_SEEN - 4;
	nseen = 0;
	__atomic_store_n(&released, 0, __ATOMIC_SEQ_CST);
	assert_non_null(s = milter_server_open(path("p"), err, sizeof(err)));
	assert_int_equal(milter_server_start(s, target + 4, &pacer, ended, err,
	    sizeof(err)), 0);
	/*
	 * Rounds of events on target + 4 connections at once go to at most
	 * `target` threads (without the pacing, every worker takes some).
	 */
	for (i = 0; i < target + 4; i++)
		w[i] = client("p");
	for (r = 0; r < 5; r++) {
		for (i = 0; i < target + 4; i++)
			assert_int_equal(write(w[i], "\0\0\0\1T", 5), 5);
		for (i = 0; i < target + 4; i++)
			replies(w[i], 1, got, sizeof(got));
	}
	for (i = 0; i < target + 4; i++)
		close(w[i]);
	assert_true(nseen >= 1);
	assert_true(nseen <= target);
	a = client("p");
	/* target + 2 workers waiting as for DNS: the next event is served */
	for (i = 0; i < target + 2; i++) {
		w[i] = client("p");
		assert_int_equal(write(w[i], "\0\0\0\1W", 5), 5);
	}
	assert_int_equal(write(a, "\0\0\0\1T", 5), 5);
	replies(a, 1, got, sizeof(got));	/* SO_RCVTIMEO 5 s */
	assert_string_equal(got, "t");
	assert_int_equal(__atomic_load_n(&released, __ATOMIC_SEQ_CST), 0);
	__atomic_store_n(&released, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < target + 2; i++) {
		replies(w[i], 1, got, sizeof(got));
		assert_string_equal(got, "w");
		close(w[i]);
	}
	milter_server_stop(s);
	close(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_serve),
		cmocka_unit_test(test_pacing),
	};
	char cmd[128];
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/test_milter_server.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
