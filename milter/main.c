/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main - the mxauth daemon: options, config, socket, privileges, signals.
 *
 * Start-up order matters: block the signals below before any thread
 * exists, load and validate the config, open the log, bind the milter
 * socket as root, detach, write the pid file, drop to the configured
 * user, then run libmilter in its own thread.  The main thread is the
 * only one that ever takes a signal (lmhook.c parks libmilter's own
 * signal thread, which would stop the milter on SIGHUP):
 *   SIGUSR1, SIGHUP  re-read the config, in the reload thread, so that a
 *                    file that blocks cannot stop signal handling; a bad
 *                    file is logged and the running config kept; signals
 *                    that arrive during a reload make one more reload.
 *   SIGTERM/SIGINT   refuse new messages (451), let messages in flight
 *                    finish (bounded), close, remove the pid file, exit 0.
 * If libmilter stops on its own, mxauth exits 1, so that the service
 * manager restarts it.  After smfi_main() starts nothing calls exit() but
 * this file's end.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "conf.h"
#include "ctx.h"
#include "dns.h"
#include "lmhook.h"
#include "log.h"
#include "mlfi.h"
#include "safefile.h"
#include "xmalloc.h"

#define DRAIN_SECONDS	60	/* how long SIGTERM waits for messages */
#define PID_MAX_BYTES	32	/* a pid file larger than this is not ours */

static pthread_t main_thread;
static int milter_ended;	/* smfi_main() returned (atomic) */

/* libmilter's listening socket, to wake its poll() when stopping */
static struct sockaddr_storage listen_addr;
static socklen_t listen_len;

/* reload requests for the reload thread */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reload_cond = PTHREAD_COND_INITIALIZER;
static int reload_wanted;

/* usage - print the synopsis and exit 2 */
static void
usage(void)
{
	fprintf(stderr, "usage: mxauth [-f] [-n [-a]] [-c config] | -V\n");
	exit(2);
}

/* unix_socket_path - the path of a unix:/local: socket, else NULL */
static const char *
unix_socket_path(const char *sock)
{
	if (strncmp(sock, "unix:", 5) == 0)
		return sock + 5;
	if (strncmp(sock, "local:", 6) == 0)
		return sock + 6;
	return NULL;
}

/*
 * hand_socket - give the unix socket at PATH to UID/GID
 *
 * The socket was created mode 0660 (start() sets the umask).  Its
 * directory may be writable by the user, who could have put a link to
 * another file in its place since: the path is opened without following
 * a symbolic link, checked to be a socket, and only that inode changes
 * owner.
 */
static int
hand_socket(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc = 0;

	if ((fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot hand socket %s over: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "cannot hand socket %s over: it is no "
		    "longer a socket", path);
		rc = -1;
	} else if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) != 0) {
		snprintf(err, errlen, "cannot hand socket %s over: %s", path,
		    strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}

/*
 * drop_privileges - become USER (and its groups); "" = stay
 *
 * A unix socket is handed to the user and its group first, so the MTA
 * can connect when its user is a member of that group.
 */
static int
drop_privileges(const struct conf *conf, char *err, size_t errlen)
{
	struct passwd *pw;
	const char *path;

	if (*conf->user == '\0')
		return 0;
	if ((pw = getpwnam(conf->user)) == NULL) {
		snprintf(err, errlen, "unknown user \"%s\"", conf->user);
		return -1;
	}
	if ((path = unix_socket_path(conf->socket)) != NULL &&
	    hand_socket(path, pw->pw_uid, pw->pw_gid, err, errlen) != 0)
		return -1;
	if (getuid() == pw->pw_uid)
		return 0;
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		snprintf(err, errlen, "cannot become user %s: %s", conf->user,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * write_pid_file - record our pid; "" = none
 *
 * Written as root into a directory the service user may be able to write
 * to: a symbolic link there is refused (O_NOFOLLOW), and so is anything
 * but a regular file with one link that root owns, so the user cannot
 * make root truncate another file.  A stale pid file of ours (after a
 * crash) is reused.
 */
static int
write_pid_file(const char *path, char *err, size_t errlen)
{
	char buf[PID_MAX_BYTES], why[160];
	struct stat st;
	int fd, len;

	if (*path == '\0')
		return 0;
	if ((fd = safefile_write(path, 0, 0644, &st, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "cannot write pid file %s: %s", path, why);
		return -1;
	}
	if (st.st_uid != geteuid() || st.st_size > PID_MAX_BYTES) {
		snprintf(err, errlen, "cannot write pid file %s: %s", path,
		    st.st_uid != geteuid() ? "owned by another user" :
		    "too large to be a pid file");
		close(fd);
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || write(fd, buf, (size_t)len) != len) {
		snprintf(err, errlen, "cannot write pid file %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * listener_setup - find libmilter's listening socket; TCP_NODELAY on it
 *
 * At the end of a message libmilter writes each header edit and the
 * final reply as separate small packets; with Nagle's algorithm the
 * second waits for the MTA's delayed ACK, ~40 ms per message on TCP
 * (bench/transport_bench.sh: 88 ms a message on TCP against 3 ms on a
 * unix socket before this and mlfi.c's DATA step; 2.6 against 2.5
 * after).  libmilter does not expose its socket, so the listening one
 * is found among our descriptors; Linux gives accepted connections the
 * listener's TCP_NODELAY.  Its address is kept for wake_listener().
 */
static void
listener_setup(void)
{
	int fd, on = 1, listening, domain;
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;
	socklen_t len;

	for (fd = 3; fd < 1024; fd++) {
		len = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
		    &len) != 0 || !listening)
			continue;
		len = sizeof(domain);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 ||
		    (domain != AF_INET && domain != AF_INET6 &&
		    domain != AF_UNIX))
			continue;
		listen_len = sizeof(listen_addr);
		if (getsockname(fd, (struct sockaddr *)&listen_addr,
		    &listen_len) != 0)
			listen_len = 0;
		/* A wildcard address is reached on loopback. */
		sin = (struct sockaddr_in *)&listen_addr;
		sin6 = (struct sockaddr_in6 *)&listen_addr;
		if (domain == AF_INET && sin->sin_addr.s_addr == INADDR_ANY)
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (domain == AF_INET6 &&
		    IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			sin6->sin6_addr = in6addr_loopback;
		if (domain != AF_UNIX && setsockopt(fd, IPPROTO_TCP,
		    TCP_NODELAY, &on, sizeof(on)) != 0)
			log_warning("TCP_NODELAY on the milter socket: %s",
			    strerror(errno));
		return;
	}
}

/*
 * wake_listener - connect to our own socket once
 *
 * libmilter's listener holds a lock across a poll() of up to 5 seconds
 * that smfi_stop() must take: without a connection to wake it, SIGTERM
 * took 4 to 7 s even with nothing in flight.  The connection is closed at
 * once; libmilter's session for it ends at end of file.
 */
static void
wake_listener(void)
{
	int fd;

	if (listen_len == 0 || (fd = socket(listen_addr.ss_family,
	    SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return;
	(void)connect(fd, (struct sockaddr *)&listen_addr, listen_len);
	close(fd);
}

/* stopper - smfi_stop(), which may wait for libmilter's poll() */
static void *
stopper(void *arg)
{
	(void)arg;
	smfi_stop();
	return NULL;
}

/* stop_milter - smfi_stop() and wake the listener until it has stopped */
static void
stop_milter(pthread_t milter)
{
	struct timespec tick = { 0, 50 * 1000000L };
	pthread_t tid;
	int i;

	if (pthread_create(&tid, NULL, stopper, NULL) != 0) {
		smfi_stop();
		pthread_join(milter, NULL);
		return;
	}
	/* At most ~6 s: libmilter's own poll() time-out ends it anyway. */
	for (i = 0; i < 120 && pthread_tryjoin_np(milter, NULL) == EBUSY;
	    i++) {
		wake_listener();
		nanosleep(&tick, NULL);
	}
	if (i == 120)
		pthread_join(milter, NULL);
	pthread_join(tid, NULL);
}

/* milter_thread - run libmilter until smfi_stop() or failure */
static void *
milter_thread(void *arg)
{
	int *rc = arg;

	*rc = smfi_main();
	/* Wake the main thread if libmilter stopped on its own. */
	__atomic_store_n(&milter_ended, 1, __ATOMIC_RELEASE);
	pthread_kill(main_thread, SIGTERM);
	return NULL;
}

/* reload - re-read PATH; keep the running config on error */
static void
reload(const char *path)
{
	struct conf *old, *new;
	char err[512];

	if ((new = conf_load(path, err, sizeof(err))) == NULL) {
		log_error("reload failed, keeping the running configuration: "
		    "%s", err);
		return;
	}
	old = conf_get();
	if (strcmp(old->socket, new->socket) != 0 ||
	    strcmp(old->user, new->user) != 0 ||
	    strcmp(old->log_target, new->log_target) != 0 ||
	    strcmp(old->pid_file, new->pid_file) != 0 ||
	    strcmp(old->dns_servers, new->dns_servers) != 0 ||
	    old->dns_timeout != new->dns_timeout ||
	    old->dns_retries != new->dns_retries ||
	    old->dns_cache_size != new->dns_cache_size ||
	    old->dns_cache_memory != new->dns_cache_memory)
		log_warning("reload: changes to socket, user, pid_file, "
		    "log_target and dns_* take effect at the next restart");
	conf_release(old);
	log_set_level(new->log_level);
	conf_install(new);
	log_info("configuration reloaded from %s", path);
}

/*
 * reload_thread - reload whenever asked; requests made during a reload
 * make one more.  Never joined: at exit it may be stuck in a file.
 */
static void *
reload_thread(void *arg)
{
	const char *path = arg;

	pthread_mutex_lock(&reload_lock);
	for (;;) {
		while (!reload_wanted)
			pthread_cond_wait(&reload_cond, &reload_lock);
		reload_wanted = 0;
		pthread_mutex_unlock(&reload_lock);
		reload(path);
		pthread_mutex_lock(&reload_lock);
	}
	return NULL;
}

/* signal_set - the signals the main thread takes, blocked everywhere */
static void
signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
}

/* serve - wait for signals until told to stop; returns exit status */
static int
serve(const char *path)
{
	struct timespec tick = { 0, 10 * 1000000L };
	pthread_t tid, rtid;
	sigset_t set;
	int sig, i, mrc = 0;

	signal_set(&set);
	main_thread = pthread_self();
	if (pthread_create(&rtid, NULL, reload_thread, (void *)path) != 0 ||
	    pthread_detach(rtid) != 0 ||
	    pthread_create(&tid, NULL, milter_thread, &mrc) != 0) {
		log_error("cannot start the reload and milter threads");
		return 1;
	}
	/* libmilter starts its signal thread first thing in smfi_main(). */
	for (i = 0; i < 200 && !lmhook_parked() &&
	    !__atomic_load_n(&milter_ended, __ATOMIC_ACQUIRE); i++)
		nanosleep(&tick, NULL);
	if (!lmhook_parked())
		log_warning("libmilter's signal thread did not start in "
		    "mxauth's sigwait(): SIGHUP and SIGTERM may stop mxauth "
		    "at once; reload with SIGUSR1");
	for (;;) {
		if ((sig = sigwaitinfo(&set, NULL)) < 0)
			continue;
		if (sig == SIGHUP || sig == SIGUSR1) {
			pthread_mutex_lock(&reload_lock);
			reload_wanted = 1;
			pthread_cond_signal(&reload_cond);
			pthread_mutex_unlock(&reload_lock);
			continue;
		}
		break;
	}
	if (__atomic_load_n(&milter_ended, __ATOMIC_ACQUIRE)) {
		pthread_join(tid, NULL);
		log_error("libmilter stopped by itself (smfi_main: %s); exiting "
		    "with status 1", mrc == MI_SUCCESS ? "success" : "failure");
		return 1;
	}
	/*
	 * Finish what is in flight before closing: libmilter stops serving
	 * open sessions once smfi_stop() is called, so drain first.  New
	 * messages meanwhile get 451 and are retried by their clients.
	 */
	log_info("stopping: %d message(s) in flight, waiting up to %d s",
	    ctx_drain(), DRAIN_SECONDS);
	if (ctx_wait_idle(DRAIN_SECONDS) != 0)
		log_warning("stopping with messages still in flight");
	stop_milter(tid);
	return mrc == MI_SUCCESS ? 0 : 1;
}

/* start - everything between a valid config and serving */
static int
start(struct conf *conf, int foreground, struct dns **resolver)
{
	char err[512];
	mode_t mask;
	int ok;

	if (log_open(conf->log_target, "mxauth", err, sizeof(err)) != 0) {
		fprintf(stderr, "mxauth: %s\n", err);
		return -1;
	}
	log_set_level(conf->log_level);
	if ((*resolver = conf_dns_new(conf, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		return -1;
	}
	/* A unix socket is created mode 0660: no chmod() on a path later. */
	mask = umask(0117);
	ok = mlfi_register(*resolver) == 0 &&
	    smfi_setconn(conf->socket) == MI_SUCCESS &&
	    smfi_opensocket(1) == MI_SUCCESS;
	umask(mask);
	if (!ok) {
		log_error("cannot listen on %s", conf->socket);
		return -1;
	}
	listener_setup();
	if (!foreground && daemon(0, 0) != 0) {
		log_error("cannot detach: %s", strerror(errno));
		return -1;
	}
	if (write_pid_file(conf->pid_file, err, sizeof(err)) != 0 ||
	    drop_privileges(conf, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *path = MXAUTH_DEFAULT_CONF;
	char *abspath, *pid_file;
	int ch, foreground = 0, print = 0, all = 0, rc;
	struct dns *resolver = NULL;
	struct conf *conf;
	char err[512];
	sigset_t set;
	long conns;

	/* Before any thread exists: every thread inherits the mask. */
	signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while ((ch = getopt(argc, argv, "ac:fnVh")) != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'n':
			print = 1;
			break;
		case 'V':
			printf("mxauth %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (print) {
		conf_print(conf, stdout, all);
		conf_free(conf);
		return 0;
	}
	/* Detaching changes to "/": a reload must still find the file. */
	if ((abspath = realpath(path, NULL)) == NULL) {
		fprintf(stderr, "mxauth: %s: %s\n", path, strerror(errno));
		return 1;
	}
	pid_file = xstrdup(conf->pid_file);
	conf_install(conf);
	if (start(conf, foreground, &resolver) != 0)
		return 1;
	conns = lmhook_init();
	log_info("starting mxauth %s on %s (at most %ld MTA connections)",
	    PACKAGE_VERSION, conf->socket, conns);
	rc = serve(abspath);
	if (*pid_file != '\0')
		unlink(pid_file);
	x_free(pid_file);
	free(abspath);
	log_info("stopped");
	dns_free(resolver);
	return rc;
}
