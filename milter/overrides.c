/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * overrides - policy_overrides files.
 *
 * Keys are looked up in conf_table (so their names, choices and
 * documentation are the global directives'), restricted to the rows
 * that live inside struct conf_site; dmarc_policy exists only here.
 * Lookup is a linear scan, longest matching domain first: meant for
 * tens or hundreds of partner domains, not a blocklist.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_table.h"
#include "domain.h"
#include "overrides.h"
#include "vstr.h"
#include "xmalloc.h"

#define MAX_LINE	4096

struct override {
	char		*domain;
	struct conf_site site;
};

struct overrides {
	struct override	*v;
	size_t		 n;
};

static const char *const policies[] = { "published", "none", "quarantine",
	"reject", NULL };

/* choice - index of VALUE in CHOICES, or -1 */
static int
choice(const char *const *choices, const char *value)
{
	int i;

	for (i = 0; choices[i] != NULL; i++)
		if (strcmp(choices[i], value) == 0)
			return i;
	return -1;
}

/* set_key - one key=value onto SITE; 0, or -1 and WHY */
static int
set_key(struct conf_site *site, const char *key, const char *value,
    char *why, size_t whylen)
{
	static const char *const bools[] = { "no", "yes", NULL };
	const size_t base = offsetof(struct conf, site);
	const struct conf_def *def;
	int v;

	if (strcmp(key, "dmarc_policy") == 0) {
		if ((v = choice(policies, value)) < 0)
			goto badvalue;
		site->policy = v;
		return 0;
	}
	def = conf_table_find(key);
	if (def == NULL || def->offset < base ||
	    def->offset >= base + sizeof(struct conf_site)) {
		snprintf(why, whylen, "unknown key \"%.40s\" (dmarc_policy, "
		    "dmarc_reject_action, dmarc_quarantine_action, "
		    "dmarc_temperror_action, dry_run)", key);
		return -1;
	}
	v = choice(def->type == CONF_BOOL ? bools : def->choices, value);
	if (v < 0)
		goto badvalue;
	*(int *)(void *)((char *)site + (def->offset - base)) = v;
	return 0;
badvalue:
	snprintf(why, whylen, "bad value \"%.40s\" for %s", value, key);
	return -1;
}

/*
 * A key is matched against author domains (hdr_author_domain), so it
 * follows their rule: '_' and '-' anywhere, one label or more, A-labels
 * only, at most 253 bytes (domain.c).
 */
#define KEY_DOMAIN	DOMAIN_UNDERSCORE

/* parse_line - "DOMAIN key=value ..." into O; 0, 1 (blank), or -1 */
static int
parse_line(char *line, const struct conf_site *base, struct override *o,
    char *why, size_t whylen)
{
	char *tok, *save = NULL, *eq, *p;

	if ((p = strchr(line, '#')) != NULL)
		*p = '\0';
	if ((tok = strtok_r(line, " \t\r\n", &save)) == NULL)
		return 1;
	p = domain_lower(tok) + strlen(tok);
	if (p > tok && p[-1] == '.')
		*--p = '\0';
	if (!domain_check(tok, KEY_DOMAIN)) {
		snprintf(why, whylen, "\"%.64s\" is not a domain name "
		    "(write IDNs as A-labels)", tok);
		return -1;
	}
	o->domain = xstrdup(tok);
	o->site = *base;
	if ((tok = strtok_r(NULL, " \t\r\n", &save)) == NULL) {
		snprintf(why, whylen, "%s: no key=value", o->domain);
		goto bad;
	}
	for (; tok != NULL; tok = strtok_r(NULL, " \t\r\n", &save)) {
		if ((eq = strchr(tok, '=')) == NULL) {
			snprintf(why, whylen, "\"%.40s\" is not key=value",
			    tok);
			goto bad;
		}
		*eq = '\0';
		if (set_key(&o->site, tok, eq + 1, why, whylen) != 0)
			goto bad;
	}
	return 0;
bad:
	x_free(o->domain);
	o->domain = NULL;
	return -1;
}

/* overrides_load - read PATH on top of BASE (conf_fopen's rules) */
struct overrides *
overrides_load(const char *path, const struct conf_site *base, char *err,
    size_t errlen)
{
	struct overrides *ov;
	char why[300];
	FILE *fp;

	if ((fp = conf_fopen(path, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	ov = overrides_read(fp, path, base, err, errlen);
	fclose(fp);
	return ov;
}

/* overrides_read - the lines of FP (named PATH) on top of BASE */
struct overrides *
overrides_read(FILE *fp, const char *path, const struct conf_site *base,
    char *err, size_t errlen)
{
	struct overrides *ov = xcalloc(1, sizeof(*ov));
	char line[MAX_LINE], why[256];
	struct override o;
	size_t lineno = 0, total = 0, i;
	int rc;

	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if ((total += strlen(line)) > CONF_MAX_FILE) {
			snprintf(why, sizeof(why), "file larger than %d bytes",
			    CONF_MAX_FILE);
			goto bad;
		}
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			snprintf(why, sizeof(why), "line longer than %d bytes",
			    MAX_LINE - 2);
			goto bad;
		}
		if ((rc = parse_line(line, base, &o, why, sizeof(why))) > 0)
			continue;
		if (rc < 0)
			goto bad;
		for (i = 0; i < ov->n; i++)
			if (strcmp(ov->v[i].domain, o.domain) == 0) {
				snprintf(why, sizeof(why), "%s is already on "
				    "an earlier line", o.domain);
				x_free(o.domain);
				goto bad;
			}
		ov->v = xrealloc(ov->v, (ov->n + 1) * sizeof(*ov->v));
		ov->v[ov->n++] = o;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		overrides_free(ov);
		return NULL;
	}
	return ov;
bad:
	snprintf(err, errlen, "%s:%zu: %s", path, lineno, why);
	overrides_free(ov);
	return NULL;
}

/* overrides_find - the longest override DOMAIN is, or is below */
const struct conf_site *
overrides_find(const struct overrides *ov, const char *domain,
    const char **matched)
{
	const struct override *best = NULL;
	size_t i;

	if (ov == NULL || domain == NULL)
		return NULL;
	for (i = 0; i < ov->n; i++)
		if (domain_is_under(domain, ov->v[i].domain) &&
		    (best == NULL || strlen(ov->v[i].domain) >
		    strlen(best->domain)))
			best = &ov->v[i];
	if (matched != NULL)
		*matched = best != NULL ? best->domain : NULL;
	return best != NULL ? &best->site : NULL;
}

/* overrides_count - how many domains have an override */
size_t
overrides_count(const struct overrides *ov)
{
	return ov != NULL ? ov->n : 0;
}

/* overrides_free - release; NULL is a no-op */
void
overrides_free(struct overrides *ov)
{
	size_t i;

	if (ov == NULL)
		return;
	for (i = 0; i < ov->n; i++)
		x_free(ov->v[i].domain);
	x_free(ov->v);
	x_free(ov);
}
