/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf - parse and validate mxauth.conf; publish refcounted snapshots.
 *
 * Syntax (like Postfix main.cf): "key = value" lines; a line whose first
 * non-blank character is '#' is a comment (a value line has no trailing
 * comment); blank lines are ignored; a line that starts with whitespace
 * continues the previous logical line.  A value may be empty.  Lists are
 * comma or space separated; an item "file:/path" reads more items from
 * that file (several per line, '#' starts a comment anywhere there; it
 * cannot name another file).  The whole file is validated before use;
 * the first error is "FILE:LINE: message", LINE being the physical line
 * of the offending list item (for a scalar, where the setting starts),
 * and FILE the list file for errors inside one.  Every file read here
 * (the config, list files, policy_overrides) must be a regular file of at
 * most CONF_MAX_FILE bytes: see conf_fopen().  What the directives are
 * is conf_table.c's business; this file only interprets the table.
 *
 * Ownership: conf_load() and conf_defaults() return a conf holding one
 * reference for the caller, to give to conf_install() or drop with
 * conf_release().  All strings and netlists in a conf are its own, freed
 * by conf_free() when the last reference goes.
 *
 * Locking: the current snapshot is one pointer under conf_lock, held
 * only to read or swap it and take a reference; counts are atomic.  A
 * loaded conf is never modified, so its readers need no lock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_table.h"
#include "dns.h"
#include "netlist.h"
#include "orgdomain.h"
#include "overrides.h"
#include "safefile.h"
#include "vstr.h"
#include "xmalloc.h"

#define FIELD(c, def, type)	((type *)(void *)((char *)(c) + (def)->offset))
#define MAX_LIST_DEPTH	1	/* file: lists may not name more files */
#define LIST_SEP	", \t\r\n"

static pthread_mutex_t conf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conf *conf_current;

/* where a physical line starts inside the logical line being parsed */
struct brk {
	size_t		 off;
	int		 line;
};

struct parse {
	const char	*file;
	int		 line;		/* reported with the next error */
	char		*err;
	size_t		 errlen;
	const char	*lbuf;		/* logical line, or NULL */
	struct brk	*brk;		/* its physical lines */
	size_t		 nbrk, capbrk;
};

/* the list being built for one CONF_LIST or CONF_NETLIST directive */
struct items {
	const struct conf_def *def;
	struct conf	*c;
	struct vstr	 out;		/* CONF_LIST: normalised text */
	size_t		 n;		/* items so far, files included */
};

/*
 * conf_fopen - open a config, list or overrides file for reading
 *
 * Only a regular file of at most CONF_MAX_FILE bytes: a FIFO, a device
 * (/dev/zero) or a directory named by mistake is an error, never a load
 * that blocks the reload or reads forever.  The open does not block (a
 * FIFO without a writer would) and the descriptor stays non-blocking;
 * callers count what they read against CONF_MAX_FILE too (a file may
 * grow; a /proc file shows no size).  NULL and the reason in WHY
 * ("cannot open: ...", "cannot read: ..."; the caller names the file).
 */
FILE *
conf_fopen(const char *path, char *why, size_t whylen)
{
	return safefile_read(path, CONF_MAX_FILE, why, whylen);
}

/* perr - "FILE:LINE: message" into the parse's error buffer; -1 */
static int __attribute__((format(printf, 2, 3)))
perr(struct parse *ps, const char *fmt, ...)
{
	struct vstr msg = VSTR_INIT;
	va_list ap;

	va_start(ap, fmt);
	vstr_vcatf(&msg, fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->file, ps->line,
	    vstr_str(&msg));
	vstr_free(&msg);
	return -1;
}

/* trim - strip leading and trailing blanks in place */
static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* parse_int - strict decimal in [MIN, MAX] */
static int
parse_int(const char *v, long min, long max, int *out)
{
	char *end;
	long n;

	if (*v == '\0' || (*v != '-' && (*v < '0' || *v > '9')))
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (*end != '\0' || errno != 0 || n < min || n > max)
		return -1;
	*out = (int)n;
	return 0;
}

/* mark - physical line LINE starts at offset OFF of the logical line */
static void
mark(struct parse *ps, size_t off, int line)
{
	if (ps->nbrk == ps->capbrk) {
		ps->capbrk = ps->capbrk != 0 ? ps->capbrk * 2 : 8;
		ps->brk = xrealloc(ps->brk, ps->capbrk * sizeof(*ps->brk));
	}
	ps->brk[ps->nbrk].off = off;
	ps->brk[ps->nbrk++].line = line;
}

/* item_line - point ps->line at the physical line holding ITEM */
static void
item_line(struct parse *ps, const char *item)
{
	size_t off, k;

	if (ps->lbuf == NULL)
		return;
	off = (size_t)(item - ps->lbuf);
	for (k = ps->nbrk; k > 0; k--)
		if (ps->brk[k - 1].off <= off) {
			ps->line = ps->brk[k - 1].line;
			return;
		}
}

/* add_item - validate one list item and add it */
static int
add_item(struct items *it, const char *item, struct parse *ps)
{
	const struct conf_def *def = it->def;
	struct vstr norm = VSTR_INIT;
	char msg[300];
	int rc = 0;

	if (def->max > 0 && it->n >= (size_t)def->max)
		return perr(ps, "%s: too many values (at most %ld)", def->name,
		    def->max);
	if (def->type == CONF_NETLIST) {
		if (netlist_add(*FIELD(it->c, def, struct netlist *), item, msg,
		    sizeof(msg)) != 0)
			rc = perr(ps, "%s: %s", def->name, msg);
	} else if (def->check != NULL &&
	    def->check(item, &norm, msg, sizeof(msg)) != 0) {
		rc = perr(ps, "%s: %s", def->name, msg);
	} else {
		if (it->out.len > 0)
			vstr_catc(&it->out, ' ');
		vstr_cat(&it->out, norm.len > 0 ? vstr_str(&norm) : item);
	}
	vstr_free(&norm);
	it->n++;
	return rc;
}

static int read_list_file(struct items *, const char *, struct parse *,
    int depth);

/* apply_items - split VALUE (modified) into items and add each */
static int
apply_items(struct items *it, char *value, struct parse *ps, int depth)
{
	char *item, *save = NULL;
	int rc = 0;

	for (item = strtok_r(value, LIST_SEP, &save); item != NULL && rc == 0;
	    item = strtok_r(NULL, LIST_SEP, &save)) {
		item_line(ps, item);
		if (strncmp(item, "file:", 5) == 0)
			rc = read_list_file(it, item + 5, ps, depth);
		else
			rc = add_item(it, item, ps);
	}
	return rc;
}

/* read_list_file - the items of a "file:/path" list item */
static int
read_list_file(struct items *it, const char *path, struct parse *outer,
    int depth)
{
	struct parse ps = { path, 0, outer->err, outer->errlen, NULL, NULL,
	    0, 0 };
	const char *name = it->def->name;
	char *line = NULL, *hash, why[300];
	size_t cap = 0, total = 0;
	ssize_t n;
	FILE *fp;
	int rc = 0;

	if (depth >= MAX_LIST_DEPTH)
		return perr(outer, "%s: file: lists cannot name other files",
		    name);
	/* Relative paths would depend on the daemon's working directory. */
	if (path[0] != '/')
		return perr(outer, "%s: \"file:%s\": must be an absolute path",
		    name, path);
	if ((fp = conf_fopen(path, why, sizeof(why))) == NULL)
		return perr(outer, "%s: %s: %s", name, path, why);
	while (rc == 0 && (n = getline(&line, &cap, fp)) != -1) {
		if ((total += (size_t)n) > CONF_MAX_FILE) {
			rc = perr(outer, "%s: %s: cannot read: larger than "
			    "%d bytes", name, path, CONF_MAX_FILE);
			break;
		}
		ps.line++;
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		rc = apply_items(it, line, &ps, depth + 1);
	}
	if (rc == 0 && ferror(fp))
		rc = perr(outer, "%s: %s: cannot read: %s", name, path,
		    strerror(errno));
	free(line);
	fclose(fp);
	return rc;
}

/* apply_list - replace a list directive with the items of VALUE */
static int
apply_list(const struct conf_def *def, struct conf *c, char *value,
    struct parse *ps)
{
	struct items it = { def, c, VSTR_INIT, 0 };
	int rc;

	if (def->type == CONF_NETLIST) {
		netlist_free(*FIELD(c, def, struct netlist *));
		*FIELD(c, def, struct netlist *) = netlist_new();
	}
	rc = apply_items(&it, value, ps, 0);
	if (rc == 0 && def->type == CONF_LIST) {
		x_free(*FIELD(c, def, char *));
		*FIELD(c, def, char *) = vstr_steal(&it.out);
	}
	vstr_free(&it.out);
	return rc;
}

/* apply_enum - set an enum directive, or list its choices in the error */
static int
apply_enum(const struct conf_def *def, struct conf *c, const char *value,
    struct parse *ps)
{
	struct vstr list = VSTR_INIT;
	int i, rc;

	for (i = 0; def->choices[i] != NULL; i++) {
		if (strcmp(value, def->choices[i]) == 0) {
			*FIELD(c, def, int) = i;
			vstr_free(&list);
			return 0;
		}
		vstr_catf(&list, "%s%s", i ? ", " : "", def->choices[i]);
	}
	rc = perr(ps, "%s = \"%s\": must be one of %s", def->name, value,
	    vstr_str(&list));
	vstr_free(&list);
	return rc;
}

/* apply - set one directive from its text VALUE (lists modify it) */
static int
apply(const struct conf_def *def, struct conf *c, char *value,
    struct parse *ps)
{
	struct vstr norm = VSTR_INIT;
	char msg[300];
	int rc;

	switch (def->type) {
	case CONF_STR:
		rc = def->check != NULL ?
		    def->check(value, &norm, msg, sizeof(msg)) : 0;
		vstr_free(&norm);
		if (rc != 0)
			return perr(ps, "%s = \"%s\": %s", def->name, value, msg);
		x_free(*FIELD(c, def, char *));
		*FIELD(c, def, char *) = xstrdup(value);
		return 0;
	case CONF_INT:
		if (parse_int(value, def->min, def->max, FIELD(c, def, int)) != 0)
			return perr(ps, "%s = \"%s\": must be an integer from "
			    "%ld to %ld", def->name, value, def->min, def->max);
		return 0;
	case CONF_BOOL:
		if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0) {
			*FIELD(c, def, int) = strcmp(value, "yes") == 0;
			return 0;
		}
		return perr(ps, "%s = \"%s\": must be yes or no", def->name,
		    value);
	case CONF_ENUM:
		return apply_enum(def, c, value, ps);
	case CONF_LIST:
	case CONF_NETLIST:
		return apply_list(def, c, value, ps);
	}
	return -1;
}

/* The host's FQDN, looked up once per process (host_fqdn_once). */
static char host_fqdn_buf[256];
static pthread_once_t host_fqdn_done = PTHREAD_ONCE_INIT;

/*
 * host_fqdn_once - this host's name as other hosts see it
 *
 * RFC 8601 2.5 wants the authserv-id to be the receiving host's name:
 * the canonical name of gethostname() (getaddrinfo AI_CANONNAME, which
 * reads /etc/hosts before DNS), or the short name when that gives
 * nothing; empty when the host has no name at all.  Once per process:
 * a reload must not wait on DNS again.
 */
static void
host_fqdn_once(void)
{
	char *buf = host_fqdn_buf;
	size_t len = sizeof(host_fqdn_buf);
	struct addrinfo hints, *ai = NULL;

	if (gethostname(buf, len) != 0)
		buf[0] = '\0';
	buf[len - 1] = '\0';
	if (buf[0] == '\0' || strchr(buf, '.') != NULL)
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(buf, NULL, &hints, &ai) == 0 && ai != NULL &&
	    ai->ai_canonname != NULL && ai->ai_canonname[0] != '\0' &&
	    strlen(ai->ai_canonname) < len)
		snprintf(buf, len, "%s", ai->ai_canonname);
	if (ai != NULL)
		freeaddrinfo(ai);
}

/* host_fqdn - host_fqdn_once()'s name into BUF (LEN bytes) */
static void
host_fqdn(char *buf, size_t len)
{
	pthread_once(&host_fqdn_done, host_fqdn_once);
	snprintf(buf, len, "%s", host_fqdn_buf);
}

/* default_value - a row's default; computed authserv_id: the host's FQDN */
static const char *
default_value(const struct conf_def *def, char *buf, size_t len)
{
	struct vstr junk = VSTR_INIT;
	char msg[300];
	int bad;

	if (def->def != NULL)
		return def->def;
	/* A host name the row refuses must not stop the daemon. */
	host_fqdn(buf, len);
	bad = buf[0] == '\0' || (def->check != NULL &&
	    def->check(buf, &junk, msg, sizeof(msg)) != 0);
	vstr_free(&junk);
	if (bad)
		snprintf(buf, len, "localhost");
	return buf;
}

/* fill_defaults - apply defaults to every row not SET */
static void
fill_defaults(struct conf *c, const int *set)
{
	struct parse ps = { "(defaults)", 0, NULL, 0, NULL, NULL, 0, 0 };
	char host[256], err[512], *copy;
	size_t i;
	int rc;

	ps.err = err;
	ps.errlen = sizeof(err);
	for (i = 0; i < conf_table_len; i++) {
		if (set != NULL && set[i])
			continue;
		copy = xstrdup(default_value(&conf_table[i], host,
		    sizeof(host)));
		rc = apply(&conf_table[i], c, copy, &ps);
		x_free(copy);
		if (rc != 0) {
			/* A bad built-in default is a programming error. */
			fprintf(stderr, "mxauth: %s\n", err);
			abort();
		}
	}
}

/* conf_defaults - every directive at its default; caller releases */
struct conf *
conf_defaults(void)
{
	struct conf *c = xcalloc(1, sizeof(*c));

	c->refcnt = 1;
	fill_defaults(c, NULL);
	return c;
}

/* directive - handle one logical line "key = value" starting at START */
static int
directive(struct conf *c, struct vstr *logical, int start, int *set,
    struct parse *ps)
{
	const struct conf_def *def;
	char *eq, *key;
	int rc;

	ps->line = start;
	if ((eq = strchr(logical->buf, '=')) == NULL)
		return perr(ps, "missing '=' in \"%.60s\"", logical->buf);
	*eq = '\0';
	key = trim(logical->buf);
	if (*key == '\0')
		return perr(ps, "missing setting name before '='");
	if ((def = conf_table_find(key)) == NULL)
		return perr(ps, "unknown setting \"%s\"", key);
	if (set[def - conf_table] != 0)
		return perr(ps, "\"%s\" already set at line %d", key,
		    set[def - conf_table]);
	set[def - conf_table] = start;
	ps->lbuf = logical->buf;
	rc = apply(def, c, trim(eq + 1), ps);
	ps->lbuf = NULL;
	return rc;
}

/* parse_stream - read logical lines from FP into C */
static int
parse_stream(FILE *fp, struct conf *c, int *set, struct parse *ps)
{
	struct vstr logical = VSTR_INIT;
	char *line = NULL, *t;
	size_t cap = 0, total = 0;
	ssize_t n;
	int rc = 0, lineno = 0, start = 0;

	while (rc == 0 && (n = getline(&line, &cap, fp)) != -1) {
		if ((total += (size_t)n) > CONF_MAX_FILE) {
			snprintf(ps->err, ps->errlen, "%s: cannot read: larger "
			    "than %d bytes", ps->file, CONF_MAX_FILE);
			rc = -1;
			break;
		}
		lineno++;
		t = trim(line);
		if (*t == '\0' || *t == '#')
			continue;
		if (line[0] == ' ' || line[0] == '\t') {
			if (start == 0) {
				ps->line = lineno;
				rc = perr(ps, "continuation line without a "
				    "setting before it");
				break;
			}
			vstr_catc(&logical, ' ');
			mark(ps, logical.len, lineno);
			vstr_cat(&logical, t);
			continue;
		}
		if (start != 0 && (rc = directive(c, &logical, start, set,
		    ps)) != 0)
			break;
		vstr_reset(&logical);
		ps->nbrk = 0;
		mark(ps, 0, lineno);
		vstr_cat(&logical, t);
		start = lineno;
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(ps->err, ps->errlen, "%s: cannot read: %s", ps->file,
		    strerror(errno));
		rc = -1;
	}
	if (rc == 0 && start != 0)
		rc = directive(c, &logical, start, set, ps);
	free(line);
	vstr_free(&logical);
	return rc;
}

/*
 * load_psl - in psl mode the snapshot loads and owns psl_file's list, so
 * that a message uses the list its snapshot was loaded with, whatever
 * reloads happen meanwhile (conf_free frees it with the last reference).
 * A list that cannot be loaded is a config error: at -n, at start and at
 * reload, at the psl_file line (else the dmarc_org_domain line).
 */
static int
load_psl(struct conf *c, const int *set, struct parse *ps)
{
	size_t file = (size_t)(conf_table_find("psl_file") - conf_table);
	size_t mode = (size_t)(conf_table_find("dmarc_org_domain") -
	    conf_table);
	char why[256];

	if (c->dmarc_org_domain != CONF_ORG_PSL ||
	    (c->psl = org_psl_load(c->psl_file, why, sizeof(why))) != NULL)
		return 0;
	ps->line = set[file] != 0 ? set[file] : set[mode];
	return perr(ps, "psl_file: %s", why);
}

/* load_overrides - read policy_overrides; an unreadable file is the
 * config's FILE:LINE error, one with bad content the file's own */
static int
load_overrides(struct conf *c, const int *set, struct parse *ps)
{
	const struct conf_def *def = conf_table_find("policy_overrides");
	const char *path = c->policy_overrides + 5;
	char why[300];
	FILE *fp;

	if ((fp = conf_fopen(path, why, sizeof(why))) == NULL) {
		ps->line = set[def - conf_table];
		return perr(ps, "policy_overrides: %s: %s", path, why);
	}
	c->overrides = overrides_read(fp, path, &c->site, ps->err, ps->errlen);
	fclose(fp);
	return c->overrides != NULL ? 0 : -1;
}

/* conf_load - parse and validate PATH; NULL and "FILE:LINE: msg" */
struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct parse ps = { path, 0, err, errlen, NULL, NULL, 0, 0 };
	struct conf *c;
	int *set, rc;
	char why[300];
	FILE *fp;

	if ((fp = conf_fopen(path, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->refcnt = 1;
	c->path = xstrdup(path);
	set = xcalloc(conf_table_len, sizeof(*set));
	rc = parse_stream(fp, c, set, &ps);
	fclose(fp);
	x_free(ps.brk);
	if (rc == 0)
		fill_defaults(c, set);
	if (rc == 0)
		rc = load_psl(c, set, &ps);
	/* The overrides start from the finished global settings. */
	if (rc == 0 && *c->policy_overrides != '\0')
		rc = load_overrides(c, set, &ps);
	x_free(set);
	if (rc != 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

/* conf_free - release everything C owns; NULL is a no-op */
void
conf_free(struct conf *c)
{
	const struct conf_def *def;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < conf_table_len; i++) {
		def = &conf_table[i];
		if (def->type == CONF_STR || def->type == CONF_LIST)
			x_free(*FIELD(c, def, char *));
		else if (def->type == CONF_NETLIST)
			netlist_free(*FIELD(c, def, struct netlist *));
	}
	overrides_free(c->overrides);
	org_psl_free(c->psl);
	x_free(c->path);
	x_free(c);
}

/* render - a directive's value as conf_print writes it (re-parseable) */
static void
render(const struct conf_def *def, const struct conf *c, struct vstr *out)
{
	const struct netlist *nl;
	size_t i;

	switch (def->type) {
	case CONF_STR:
	case CONF_LIST:
		vstr_cat(out, *FIELD(c, def, char *));
		break;
	case CONF_INT:
		vstr_catf(out, "%d", *FIELD(c, def, int));
		break;
	case CONF_BOOL:
		vstr_cat(out, *FIELD(c, def, int) ? "yes" : "no");
		break;
	case CONF_ENUM:
		vstr_cat(out, def->choices[*FIELD(c, def, int)]);
		break;
	case CONF_NETLIST:
		nl = *FIELD(c, def, struct netlist *);
		for (i = 0; i < netlist_count(nl); i++)
			vstr_catf(out, "%s%s", i ? " " : "",
			    netlist_entry(nl, i));
		break;
	}
}

/* conf_print - re-parseable "key = value" lines; ALL=0: non-defaults */
void
conf_print(const struct conf *c, FILE *fp, int all)
{
	struct vstr v = VSTR_INIT, d = VSTR_INIT;
	struct conf *defs;
	size_t i;

	defs = conf_defaults();
	for (i = 0; i < conf_table_len; i++) {
		vstr_reset(&v);
		vstr_reset(&d);
		render(&conf_table[i], c, &v);
		render(&conf_table[i], defs, &d);
		if (all || strcmp(vstr_str(&v), vstr_str(&d)) != 0)
			fprintf(fp, "%s =%s%s\n", conf_table[i].name,
			    v.len > 0 ? " " : "", vstr_str(&v));
	}
	conf_release(defs);
	vstr_free(&v);
	vstr_free(&d);
}

/* conf_install - make C (NULL: none) current, taking the caller's ref */
void
conf_install(struct conf *c)
{
	struct conf *old;

	pthread_mutex_lock(&conf_lock);
	old = conf_current;
	conf_current = c;
	pthread_mutex_unlock(&conf_lock);
	conf_release(old);	/* freed now, or by the last message holding it */
}

/* conf_get - the current snapshot (or NULL) with a reference for the caller */
struct conf *
conf_get(void)
{
	struct conf *c;

	/* Under the lock, so conf_install() cannot free C before we hold it. */
	pthread_mutex_lock(&conf_lock);
	c = conf_current;
	if (c != NULL)
		conf_hold(c);
	pthread_mutex_unlock(&conf_lock);
	return c;
}

/* conf_hold - one more reference to a snapshot the caller already holds */
void
conf_hold(struct conf *c)
{
	if (c != NULL)
		__atomic_add_fetch(&c->refcnt, 1, __ATOMIC_RELAXED);
}

/* conf_release - drop a reference; the last one frees; NULL is a no-op */
void
conf_release(struct conf *c)
{
	if (c != NULL && __atomic_sub_fetch(&c->refcnt, 1, __ATOMIC_ACQ_REL)
	    == 0)
		conf_free(c);
}

/* conf_dns_new - the resolver C's dns_* settings describe; NULL and ERR */
struct dns *
conf_dns_new(const struct conf *c, char *err, size_t errlen)
{
	struct dns_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.servers = c->dns_servers;
	opts.timeout = c->dns_timeout;
	opts.retries = c->dns_retries;
	opts.cache_size = (size_t)c->dns_cache_size;
	opts.cache_bytes = (size_t)c->dns_cache_memory << 20;
	return dns_new(&opts, err, errlen);
}
