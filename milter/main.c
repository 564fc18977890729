/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main - the mxauth daemon: options, config, socket, privileges, signals.
 *
 * Start-up order matters: block the signals below before any thread
 * exists, load and validate the config, open the log, bind the milter
 * socket as root, detach, write the pid file, drop to the configured
 * user, then start the milter server's threads (milter_server.c), which
 * inherit the blocked signals.  The main thread is the only one that
 * ever takes a signal:
 *   SIGUSR1, SIGHUP  re-read the config, in the reload thread, so that a
 *                    file that blocks cannot stop signal handling; a bad
 *                    file is logged and the running config kept; signals
 *                    that arrive during a reload make one more reload.
 *   SIGTERM/SIGINT   refuse new messages (451), let messages in flight
 *                    finish (bounded), close, remove the pid file, exit 0.
 * If the milter server stops on its own, mxauth exits 1, so that the
 * service manager restarts it.  After it starts nothing calls exit() but
 * this file's end.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "ctx.h"
#include "dns.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "milter_listen.h"
#include "milter_server.h"
#include "mlfi.h"
#include "report_queue.h"
#include "report_row.h"
#include "safefile.h"
#include "xmalloc.h"

#define DRAIN_SECONDS	60	/* how long SIGTERM waits for messages */
#define PID_MAX_BYTES	32	/* a pid file larger than this is not ours */

static pthread_t main_thread;
static int milter_ended;	/* the milter server stopped (atomic) */
static struct milter_server *server;
static struct metrics_http *metrics;	/* NULL: metrics_listen is off */
static const struct milter_handler handler = { mlfi_packet, mlfi_closed };

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
	if ((path = milter_listen_path(conf->socket)) != NULL &&
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

/* server_ended - the milter server stopped by itself: wake main */
static void
server_ended(void)
{
	__atomic_store_n(&milter_ended, 1, __ATOMIC_RELEASE);
	pthread_kill(main_thread, SIGTERM);
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
		metrics_reload(0);
		return;
	}
	old = conf_get();
	if (strcmp(old->socket, new->socket) != 0 ||
	    strcmp(old->user, new->user) != 0 ||
	    strcmp(old->log_target, new->log_target) != 0 ||
	    strcmp(old->pid_file, new->pid_file) != 0 ||
	    strcmp(old->metrics_listen, new->metrics_listen) != 0 ||
	    old->milter_threads != new->milter_threads ||
	    strcmp(old->dns_servers, new->dns_servers) != 0 ||
	    old->dns_timeout != new->dns_timeout ||
	    old->dns_retries != new->dns_retries ||
	    old->dns_cache_size != new->dns_cache_size ||
	    old->dns_cache_memory != new->dns_cache_memory ||
	    old->reporting != new->reporting ||
	    strcmp(old->report_store, new->report_store) != 0 ||
	    old->report_queue != new->report_queue)
		log_warning("reload: changes to socket, user, pid_file, "
		    "milter_threads, log_target, metrics_listen, dns_* and "
		    "report_* take effect at the next restart");
	conf_release(old);
	log_set_level(new->log_level);
	conf_install(new);
	metrics_reload(1);
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
serve(const char *path, int threads)
{
	pthread_t rtid;
	sigset_t set;
	char err[256];
	int sig;

	signal_set(&set);
	main_thread = pthread_self();
	if (pthread_create(&rtid, NULL, reload_thread, (void *)path) != 0 ||
	    pthread_detach(rtid) != 0) {
		log_error("cannot start the reload thread");
		return 1;
	}
	dns_set_wait_hooks(milter_server_wait_begin, milter_server_wait_end);
	if (milter_server_start(server, threads, &handler, server_ended, err,
	    sizeof(err)) != 0) {
		log_error("%s", err);
		return 1;
	}
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
		log_error("the milter server stopped by itself; exiting with "
		    "status 1");
		return 1;
	}
	/*
	 * Finish what is in flight before closing.  New messages meanwhile
	 * get 451 and are retried by their clients.
	 */
	log_info("stopping: %d message(s) in flight, waiting up to %d s",
	    ctx_drain(), DRAIN_SECONDS);
	if (ctx_wait_idle(DRAIN_SECONDS) != 0)
		log_warning("stopping with messages still in flight");
	return 0;
}

/* the rows of DMARC aggregate reports (reporting = yes), or NULL */
static struct report_queue *reports;

/* record - a message's row for the reports, queued; never waits */
static void
record(const struct eval_result *r)
{
	struct report_row row;

	if (report_row_build(r, (int64_t)time(NULL), &row))
		(void)report_queue_push(reports, &row);
	else
		report_row_clear(&row);
}

/*
 * start_reports - the report queue and its writer, as the final user
 * (the SQLite file is theirs); the store is opened by the writer, so a
 * store that is down does not stop mail
 */
static int
start_reports(const struct conf *conf)
{
	char err[512];

	if (!conf->reporting)
		return 0;
	reports = report_queue_new(conf->report_store,
	    (size_t)conf->report_queue, NULL, err, sizeof(err));
	if (reports == NULL) {
		log_error("%s", err);
		return -1;
	}
	mlfi_set_eom_hook(record);
	/* a PostgreSQL URI may hold a password: not logged */
	log_info("reporting: DMARC report rows go to %s (queue of %d)",
	    strncmp(conf->report_store, "sqlite:", 7) == 0 ?
	    conf->report_store : "PostgreSQL", conf->report_queue);
	return 0;
}

/* start - everything between a valid config and serving */
static int
start(struct conf *conf, int foreground, struct dns **resolver)
{
	char err[512];
	mode_t mask;

	if (log_open(conf->log_target, "mxauth", err, sizeof(err)) != 0) {
		fprintf(stderr, "mxauth: %s\n", err);
		return -1;
	}
	log_set_level(conf->log_level);
	if ((*resolver = conf_dns_new(conf, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		return -1;
	}
	mlfi_init(*resolver);
	/* A unix socket is created mode 0660: no chmod() on a path later. */
	mask = umask(0117);
	server = milter_server_open(conf->socket, err, sizeof(err));
	umask(mask);
	if (server == NULL) {
		log_error("cannot listen on %s: %s", conf->socket, err);
		return -1;
	}
	/* Bound as root too; served from a thread, so after daemon(). */
	if (*conf->metrics_listen != '\0' && (metrics = metrics_http_open(
	    conf->metrics_listen, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		return -1;
	}
	if (!foreground && daemon(0, 0) != 0) {
		log_error("cannot detach: %s", strerror(errno));
		return -1;
	}
	if (write_pid_file(conf->pid_file, err, sizeof(err)) != 0 ||
	    drop_privileges(conf, err, sizeof(err)) != 0 ||
	    (metrics != NULL && metrics_http_start(metrics, err,
	    sizeof(err)) != 0)) {
		log_error("%s", err);
		return -1;
	}
	if (metrics != NULL)
		log_info("serving metrics on http://%s/metrics",
		    conf->metrics_listen);
	return start_reports(conf);
}

/*
 * limit_arenas - one malloc arena per CPU (at least 2)
 *
 * glibc gives threads up to 8 arenas per CPU, each keeping what was
 * freed in it.  The milter_threads workers take events in turn, so even
 * one connection at a time spreads the messages' allocations (60 KB DNS
 * answers among them) over every arena: test/e2e/dns_limits.sh saw 14 MB
 * of growth over 600 messages with 16 arenas.  The workers spend their
 * time in DNS and crypto, not in malloc; a CPU has no use for more.
 */
static void
limit_arenas(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	(void)mallopt(M_ARENA_MAX, n > 2 ? (int)n : 2);
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

	/* Before any thread exists: every thread inherits the mask. */
	signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* A peer gone mid-write is an error return, not death. */
	signal(SIGPIPE, SIG_IGN);
	limit_arenas();
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
		/* RFC 8601 2.5: the name other hops know this host by. */
		if (strchr(conf->authserv_id, '.') == NULL)
			fprintf(stderr, "mxauth: warning: authserv_id \"%s\" "
			    "has no dot: set it to this host's fully qualified "
			    "name (RFC 8601)\n", conf->authserv_id);
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
	log_info("starting mxauth %s on %s (at most %ld MTA connections)",
	    PACKAGE_VERSION, conf->socket, milter_server_max_conns(server));
	rc = serve(abspath, conf->milter_threads);
	milter_server_stop(server);
	metrics_http_stop(metrics);
	/* the rows still queued get a few seconds; then they are lost */
	mlfi_set_eom_hook(NULL);
	report_queue_free(reports, 5000);
	if (*pid_file != '\0')
		unlink(pid_file);
	x_free(pid_file);
	free(abspath);
	log_info("stopped");
	dns_free(resolver);
	return rc;
}
