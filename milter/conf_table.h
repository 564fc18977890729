/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf_table - one row per directive of mxauth.conf (doc/HACKING.md).
 *
 * The table is the source of truth for names, types, defaults, limits
 * and `mxauth -n`; conf.c only interprets it, so a new directive of an
 * existing type is one field in struct conf plus one row here (and its
 * documentation in conf/mxauth.conf and man/mxauth.conf.5).  The table
 * is const and needs no locking.
 */
#ifndef MXAUTH_CONF_TABLE_H
#define MXAUTH_CONF_TABLE_H

#include <stddef.h>

struct vstr;

enum conf_type {
	CONF_STR,	/* char *; CHECK validates */
	CONF_INT,	/* int in [min, max] */
	CONF_BOOL,	/* int 0/1 from yes/no */
	CONF_ENUM,	/* int index into CHOICES */
	CONF_LIST,	/* char *, items normalised space-separated; file: ok */
	CONF_NETLIST	/* struct netlist *; file: ok */
};

/*
 * A row.  DEF is the default as it would be written in the file, parsed
 * and validated like any value (a bad default aborts at startup); NULL
 * means computed by conf.c (authserv_id: the host name).  MIN/MAX bound
 * a CONF_INT; for CONF_LIST and CONF_NETLIST, MAX is the most items
 * allowed (0 = no limit).  CHECK validates one CONF_STR value or one
 * CONF_LIST item, and may append a normalised form of a list item to
 * OUT (the item is kept as written when OUT stays empty).
 */
struct conf_def {
	const char	*name;
	enum conf_type	 type;
	const char	*def;		/* NULL = computed (see conf.c) */
	size_t		 offset;	/* into struct conf */
	long		 min, max;	/* CONF_INT range; lists: max items */
	const char *const *choices;	/* CONF_ENUM, NULL-terminated */
	/* check - validate one value (or list item); 0, or -1 and ERR */
	int		(*check)(const char *, struct vstr *out, char *err,
			    size_t errlen);
};

extern const struct conf_def conf_table[];
extern const size_t conf_table_len;

const struct conf_def *conf_table_find(const char *name);

#endif
