/*
 * main - the mxauth daemon: options, config, socket, privileges, signals.
 *
 * Start-up order matters: load and validate the config, open the log,
 * bind the milter socket as root, detach, write the pid file, drop to
 * the configured user, then run libmilter.  libmilter runs in its own
 * thread while the main thread waits for signals (it blocks SIGHUP,
 * SIGTERM and SIGINT before any thread exists, so on Linux a signal sent
 * to the process reaches the main thread's sigwait first):
 *   SIGHUP          re-read the config; a bad file is logged and the
 *                   running config kept; messages keep their snapshot.
 *   SIGTERM/SIGINT  refuse new messages (451), let messages in flight
 *                   finish (bounded), close, remove the pid file, exit 0.
 * After smfi_main() starts nothing calls exit() but this file's end.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "conf.h"
#include "ctx.h"
#include "dns.h"
#include "log.h"
#include "mlfi.h"
#include "xmalloc.h"

#define DRAIN_SECONDS	60	/* how long SIGTERM waits for messages */

static pthread_t main_thread;

/* usage - print the synopsis and exit 2 */
static void
usage(void)
{
	fprintf(stderr, "usage: mxauth [-f] [-n [-a]] [-c config] | -V\n");
	exit(2);
}

/* dns_from_conf - the resolver the config describes; NULL and ERR */
static struct dns *
dns_from_conf(const struct conf *conf, char *err, size_t errlen)
{
	struct dns_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.servers = conf->dns_servers;
	opts.timeout = conf->dns_timeout;
	opts.retries = conf->dns_retries;
	opts.cache_size = (size_t)conf->dns_cache_size;
	opts.cache_bytes = (size_t)conf->dns_cache_memory << 20;
	return dns_new(&opts, err, errlen);
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
 * drop_privileges - become USER (and its groups); "" = stay
 *
 * A unix socket is handed to the user's group with mode 0660 first, so
 * the MTA can connect when its user is a member of that group.
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
	    (chown(path, pw->pw_uid, pw->pw_gid) != 0 ||
	    chmod(path, 0660) != 0)) {
		snprintf(err, errlen, "cannot hand socket %s to %s: %s", path,
		    conf->user, strerror(errno));
		return -1;
	}
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

/* write_pid_file - record our pid; "" = none */
static int
write_pid_file(const char *path, char *err, size_t errlen)
{
	FILE *fp;

	if (*path == '\0')
		return 0;
	if ((fp = fopen(path, "w")) == NULL) {
		snprintf(err, errlen, "cannot write pid file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	fclose(fp);
	return 0;
}

/*
 * tcp_nodelay_listener - TCP_NODELAY on libmilter's listening socket
 *
 * At the end of a message libmilter writes each header edit and the
 * final reply as separate small packets; with Nagle's algorithm the
 * second waits for the MTA's delayed ACK, ~40 ms per message on TCP
 * (bench/transport_bench.sh: 88 ms a message on TCP against 3 ms on a
 * unix socket before this and mlfi.c's DATA step; 2.6 against 2.5
 * after).  libmilter does not expose its socket, so the listening one
 * is found among our descriptors; Linux gives accepted connections the
 * listener's TCP_NODELAY.
 */
static void
tcp_nodelay_listener(void)
{
	int fd, on = 1, listening, domain;
	socklen_t len;

	for (fd = 3; fd < 1024; fd++) {
		len = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
		    &len) != 0 || !listening)
			continue;
		len = sizeof(domain);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 ||
		    (domain != AF_INET && domain != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on)) != 0)
			log_warning("TCP_NODELAY on the milter socket: %s",
			    strerror(errno));
	}
}

/* milter_thread - run libmilter until smfi_stop() or failure */
static void *
milter_thread(void *arg)
{
	int *rc = arg;

	*rc = smfi_main();
	/* Wake the main thread if libmilter stopped on its own. */
	pthread_kill(main_thread, SIGTERM);
	return NULL;
}

/* reload - SIGHUP: re-read PATH; keep the running config on error */
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

/* serve - wait for signals until told to stop; returns exit status */
static int
serve(const char *path)
{
	pthread_t tid;
	sigset_t set;
	int sig, mrc = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	main_thread = pthread_self();
	if (pthread_create(&tid, NULL, milter_thread, &mrc) != 0) {
		log_error("cannot start the milter thread");
		return 1;
	}
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload(path);
			continue;
		}
		break;
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
	smfi_stop();
	pthread_join(tid, NULL);
	return mrc == MI_SUCCESS ? 0 : 1;
}

/* start - everything between a valid config and serving */
static int
start(struct conf *conf, int foreground, struct dns **resolver)
{
	char err[512];

	if (log_open(conf->log_target, "mxauth", err, sizeof(err)) != 0) {
		fprintf(stderr, "mxauth: %s\n", err);
		return -1;
	}
	log_set_level(conf->log_level);
	if ((*resolver = dns_from_conf(conf, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		return -1;
	}
	if (mlfi_register(*resolver) != 0 ||
	    smfi_setconn(conf->socket) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		log_error("cannot listen on %s", conf->socket);
		return -1;
	}
	tcp_nodelay_listener();
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
	/* Detaching changes to "/": SIGHUP must still find the file. */
	if ((abspath = realpath(path, NULL)) == NULL) {
		fprintf(stderr, "mxauth: %s: %s\n", path, strerror(errno));
		return 1;
	}
	pid_file = xstrdup(conf->pid_file);
	conf_install(conf);
	if (start(conf, foreground, &resolver) != 0)
		return 1;
	log_info("starting mxauth %s on %s", PACKAGE_VERSION, conf->socket);
	rc = serve(abspath);
	if (*pid_file != '\0')
		unlink(pid_file);
	x_free(pid_file);
	free(abspath);
	log_info("stopped");
	dns_free(resolver);
	return rc;
}
