/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * domain - domain names as text: syntax, case, IDN, comparison.
 *
 * One module decides what a valid name is; each caller says which
 * rules of its role apply with DOMAIN_* flags.  Every name has labels
 * of 1..63 bytes and at most 253 bytes in all (RFC 1035 2.3.4, RFC
 * 5890 2.3.1), not counting a trailing dot; by default a label holds
 * letters, digits and '-' and nothing else (never a byte >= 0x80:
 * IDNs are checked as A-labels, see domain_to_ascii).
 *
 * Comparisons are ASCII case-insensitive (RFC 4343) and ignore one
 * trailing dot.  Pure: no DNS, no log, no global state.
 */
#ifndef MXAUTH_DOMAIN_H
#define MXAUTH_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>

/* domain_check flags: what a caller's role allows or requires */
#define DOMAIN_UNDERSCORE	0x01	/* '_' in labels (a DNS name, not a
					   host name: selectors, _dmarc) */
#define DOMAIN_PRINTABLE	0x02	/* any of 0x21..0x7e but '.' in
					   labels (RFC 7208 4.3, 7.3) */
#define DOMAIN_HOSTNAME		0x04	/* no label begins or ends with '-'
					   (RFC 5321 4.1.2 Let-dig) */
#define DOMAIN_TRAILING_DOT	0x08	/* one trailing dot accepted */
#define DOMAIN_MULTI_LABEL	0x10	/* two labels or more */
#define DOMAIN_NOT_NUMERIC	0x20	/* last label not all digits
					   (RFC 3696 2: not an address) */
#define DOMAIN_ANY_BYTE		0x40	/* any byte but '.' in labels: a
					   query name (RFC 2181 11) */

/* domain_check - NAME is a domain name under FLAGS' rules */
bool	 domain_check(const char *name, unsigned flags);

/* domain_lower - NAME lower-cased (ASCII) in place; returns NAME */
char	*domain_lower(char *name);

/* domain_canonical - a new lower-case copy without a trailing dot */
char	*domain_canonical(const char *name);

/*
 * domain_to_ascii - NAME (UTF-8 allowed) with its U-labels turned into
 * A-labels (IDNA2008, libidn2), lower-cased; an all-ASCII NAME is only
 * lower-cased.  NULL when NAME is not a valid IDN.  Caller frees with
 * x_free.  Syntax is not checked here: call domain_check on the result.
 */
char	*domain_to_ascii(const char *name);

/* domain_equal - A and B are the same name (NULL or empty: never) */
bool	 domain_equal(const char *a, const char *b);

/*
 * domain_is_under - NAME is ANCESTOR or below it, label-aligned ("xb.c"
 * is not under "b.c"); false when either is NULL or empty
 */
bool	 domain_is_under(const char *name, const char *ancestor);

/* domain_labels - how many labels NAME has (a trailing dot ignored) */
size_t	 domain_labels(const char *name);

/* domain_suffix - NAME's last N labels: a pointer into NAME */
const char *domain_suffix(const char *name, size_t n);

#endif
