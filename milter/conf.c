/*
 * conf - parse and validate mxauth.conf; publish refcounted snapshots.
 *
 * Syntax (like Postfix main.cf): "key = value" lines; '#' starts a
 * comment line; blank lines are ignored; a line that starts with
 * whitespace continues the previous logical line.  List values are comma
 * or space separated, and an item "file:/path" reads more items from
 * that file (one or more per line, '#' comments).  The whole file is
 * validated before anything is used; the first error is reported as
 * "FILE:LINE: message".
 *
 * Snapshots: the current conf is one pointer under conf_lock.  Each
 * holder owns one reference; the last conf_release() frees.  A loaded
 * conf is never modified, so readers need no lock.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_table.h"
#include "netlist.h"
#include "vstr.h"
#include "xmalloc.h"

#define FIELD(c, def, type)	((type *)(void *)((char *)(c) + (def)->offset))
#define MAX_LIST_DEPTH	1	/* file: lists may not name more files */

static pthread_mutex_t conf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conf *conf_current;

struct parse {
	const char	*file;
	int		 line;
	char		*err;
	size_t		 errlen;
};

/* perr - "FILE:LINE: message" into the parse's error buffer */
static int
perr(struct parse *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
perr(struct parse *ps, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->file, ps->line, msg);
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

static int apply_items(const struct conf_def *, struct conf *, char *,
    struct vstr *, struct parse *, int depth);

/* read_list_file - items of a "file:/path" list item */
static int
read_list_file(const struct conf_def *def, struct conf *c, const char *path,
    struct vstr *out, struct parse *outer, int depth)
{
	struct parse ps = { path, 0, outer->err, outer->errlen };
	char *line = NULL;
	size_t cap = 0;
	FILE *fp;
	int rc = 0;

	if (depth >= MAX_LIST_DEPTH)
		return perr(outer, "%s: file: lists cannot name other files",
		    def->name);
	if ((fp = fopen(path, "r")) == NULL)
		return perr(outer, "%s: cannot open %s: %s", def->name, path,
		    strerror(errno));
	while (rc == 0 && getline(&line, &cap, fp) != -1) {
		ps.line++;
		if (*trim(line) == '#')
			continue;
		rc = apply_items(def, c, line, out, &ps, depth + 1);
	}
	free(line);
	fclose(fp);
	return rc;
}

/* apply_items - split a list value into items and add each */
static int
apply_items(const struct conf_def *def, struct conf *c, char *value,
    struct vstr *out, struct parse *ps, int depth)
{
	struct netlist **nl = FIELD(c, def, struct netlist *);
	char *item, *save = NULL, msg[300];
	struct vstr norm = VSTR_INIT;
	int rc = 0;

	for (item = strtok_r(value, ", \t\r\n", &save); item != NULL && rc == 0;
	    item = strtok_r(NULL, ", \t\r\n", &save)) {
		if (strncmp(item, "file:", 5) == 0) {
			rc = read_list_file(def, c, item + 5, out, ps, depth);
			continue;
		}
		if (def->type == CONF_NETLIST) {
			if (netlist_add(*nl, item, msg, sizeof(msg)) != 0)
				rc = perr(ps, "%s: %s", def->name, msg);
			continue;
		}
		vstr_reset(&norm);
		if (def->check != NULL &&
		    def->check(item, &norm, msg, sizeof(msg)) != 0) {
			rc = perr(ps, "%s: %s", def->name, msg);
			continue;
		}
		if (out->len > 0)
			vstr_catc(out, ' ');
		vstr_cat(out, norm.len > 0 ? vstr_str(&norm) : item);
	}
	vstr_free(&norm);
	return rc;
}

/* apply - set one directive from its text value */
static int
apply(const struct conf_def *def, struct conf *c, const char *value,
    struct parse *ps)
{
	struct vstr list = VSTR_INIT;
	char msg[300], *copy;
	int i, rc;

	switch (def->type) {
	case CONF_STR:
		if (def->check != NULL &&
		    def->check(value, &list, msg, sizeof(msg)) != 0) {
			vstr_free(&list);
			return perr(ps, "%s = \"%s\": %s", def->name, value, msg);
		}
		vstr_free(&list);
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
		for (i = 0; def->choices[i] != NULL; i++)
			if (strcmp(value, def->choices[i]) == 0) {
				*FIELD(c, def, int) = i;
				return 0;
			}
		list = (struct vstr)VSTR_INIT;
		for (i = 0; def->choices[i] != NULL; i++)
			vstr_catf(&list, "%s%s", i ? ", " : "", def->choices[i]);
		rc = perr(ps, "%s = \"%s\": must be one of %s", def->name, value,
		    vstr_str(&list));
		vstr_free(&list);
		return rc;
	case CONF_LIST:
	case CONF_NETLIST:
		if (def->type == CONF_NETLIST) {
			netlist_free(*FIELD(c, def, struct netlist *));
			*FIELD(c, def, struct netlist *) = netlist_new();
		}
		copy = xstrdup(value);
		rc = apply_items(def, c, copy, &list, ps, 0);
		x_free(copy);
		if (rc == 0 && def->type == CONF_LIST) {
			x_free(*FIELD(c, def, char *));
			*FIELD(c, def, char *) = vstr_steal(&list);
		}
		vstr_free(&list);
		return rc;
	}
	return -1;
}

/* default_value - a row's default text; authserv_id = the host name */
static const char *
default_value(const struct conf_def *def, char *buf, size_t len)
{
	if (def->def != NULL)
		return def->def;
	if (gethostname(buf, len) != 0 || buf[0] == '\0')
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
	return buf;
}

/* fill_defaults - apply defaults to every row not SET */
static void
fill_defaults(struct conf *c, const int *set)
{
	struct parse ps = { "(defaults)", 0, NULL, 0 };
	char host[256], err[512];
	size_t i;

	ps.err = err;
	ps.errlen = sizeof(err);
	for (i = 0; i < conf_table_len; i++)
		if (set == NULL || !set[i])
			if (apply(&conf_table[i], c, default_value(&conf_table[i],
			    host, sizeof(host)), &ps) != 0) {
				/* A bad built-in default is a programming error. */
				fprintf(stderr, "mxauth: %s\n", err);
				abort();
			}
}

/* new_conf - an empty conf with one reference */
static struct conf *
new_conf(void)
{
	struct conf *c;

	c = xcalloc(1, sizeof(*c));
	c->refcnt = 1;
	return c;
}

/* conf_defaults - every directive at its default; caller releases */
struct conf *
conf_defaults(void)
{
	struct conf *c = new_conf();

	fill_defaults(c, NULL);
	return c;
}

/* directive - handle one logical line "key = value" */
static int
directive(struct conf *c, char *text, int *set, struct parse *ps)
{
	const struct conf_def *def;
	char *eq, *key;

	if ((eq = strchr(text, '=')) == NULL)
		return perr(ps, "missing '=' in \"%.60s\"", trim(text));
	*eq = '\0';
	key = trim(text);
	if (*key == '\0')
		return perr(ps, "missing setting name before '='");
	if ((def = conf_table_find(key)) == NULL)
		return perr(ps, "unknown setting \"%s\"", key);
	if (set[def - conf_table] != 0)
		return perr(ps, "\"%s\" already set at line %d", key,
		    set[def - conf_table]);
	set[def - conf_table] = ps->line;
	return apply(def, c, trim(eq + 1), ps);
}

/* parse_stream - read logical lines from FP into C */
static int
parse_stream(FILE *fp, struct conf *c, int *set, struct parse *ps)
{
	struct vstr logical = VSTR_INIT;
	char *line = NULL, *t;
	size_t cap = 0;
	int rc = 0, lineno = 0, start = 0;

	while (rc == 0 && getline(&line, &cap, fp) != -1) {
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
			vstr_cat(&logical, t);
			continue;
		}
		if (start != 0) {
			ps->line = start;
			rc = directive(c, logical.buf, set, ps);
		}
		vstr_reset(&logical);
		vstr_cat(&logical, t);
		start = lineno;
	}
	if (rc == 0 && start != 0) {
		ps->line = start;
		rc = directive(c, logical.buf, set, ps);
	}
	free(line);
	vstr_free(&logical);
	return rc;
}

/* conf_load - parse and validate PATH; NULL and "FILE:LINE: msg" */
struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct parse ps = { path, 0, err, errlen };
	struct conf *c;
	int *set, rc;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	c = new_conf();
	c->path = xstrdup(path);
	set = xcalloc(conf_table_len, sizeof(*set));
	rc = parse_stream(fp, c, set, &ps);
	fclose(fp);
	if (rc == 0)
		fill_defaults(c, set);
	x_free(set);
	if (rc != 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

/* conf_free - release everything C owns */
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
	x_free(c->path);
	x_free(c);
}

/* render - a directive's value as conf_print writes it */
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

/* conf_print - "key = value" lines; ALL=0 only those off their default */
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
			fprintf(fp, "%s = %s\n", conf_table[i].name,
			    vstr_str(&v));
	}
	conf_release(defs);
	vstr_free(&v);
	vstr_free(&d);
}

/* conf_install - make C current; takes over the caller's reference */
void
conf_install(struct conf *c)
{
	struct conf *old;

	pthread_mutex_lock(&conf_lock);
	old = conf_current;
	conf_current = c;
	pthread_mutex_unlock(&conf_lock);
	if (old != NULL)
		conf_release(old);
}

/* conf_get - the current snapshot with a reference for the caller */
struct conf *
conf_get(void)
{
	struct conf *c;

	pthread_mutex_lock(&conf_lock);
	c = conf_current;
	if (c != NULL)
		conf_hold(c);
	pthread_mutex_unlock(&conf_lock);
	return c;
}

/* conf_hold - one more reference */
void
conf_hold(struct conf *c)
{
	__atomic_add_fetch(&c->refcnt, 1, __ATOMIC_RELAXED);
}

/* conf_release - drop a reference; the last one frees */
void
conf_release(struct conf *c)
{
	if (c != NULL && __atomic_sub_fetch(&c->refcnt, 1, __ATOMIC_ACQ_REL)
	    == 0)
		conf_free(c);
}
