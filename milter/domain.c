/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * domain - domain names as text: syntax, case, IDN, comparison.
 *
 * The roles and their flags (domain.h):
 *   DKIM d= and the i= domain, A-R domain-name (RFC 6376 3.5, RFC 5321
 *     4.1.2 Domain): HOSTNAME | MULTI_LABEL, and for d=/i= NOT_NUMERIC;
 *   the author domain and policy_overrides keys, DKIM selectors (names
 *     DNS is asked about, with '_' as seen in the wild): UNDERSCORE;
 *   SPF targets and HELO (RFC 7208 4.3, 7.3, 2.3): PRINTABLE |
 *     TRAILING_DOT | MULTI_LABEL, and for HELO NOT_NUMERIC;
 *   a DNS query name (dns.c): ANY_BYTE | TRAILING_DOT -- SPF's a:, mx:,
 *     exists: targets are asked as expanded, spaces and all (RFC 7208
 *     7.3, test macro-mania-in-domain).
 * Bytes are compared as ASCII whatever the locale.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "domain.h"
#include "xmalloc.h"

#define LABEL_MAX	63	/* RFC 1035 2.3.4 */
#define NAME_MAX_TEXT	253	/* 255 on the wire, less two length bytes */

/* is_alnum - an ASCII letter or digit */
static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* label_byte - C may stand in a label under FLAGS */
static bool
label_byte(unsigned char c, unsigned flags)
{
	if (flags & DOMAIN_ANY_BYTE)
		return c != '.' && c != '\0';
	if (flags & DOMAIN_PRINTABLE)
		return c > 0x20 && c < 0x7f && c != '.';
	return is_alnum(c) || c == '-' ||
	    (c == '_' && (flags & DOMAIN_UNDERSCORE));
}

/* text_len - NAME's length without one trailing dot */
static size_t
text_len(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && name[n - 1] == '.' ? n - 1 : n;
}

/* domain_check - NAME is a domain name under FLAGS' rules */
bool
domain_check(const char *name, unsigned flags)
{
	size_t len, i, label = 0, labels = 1, start = 0;
	bool digits = true;

	if (name == NULL)
		return false;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.') {
		if (!(flags & DOMAIN_TRAILING_DOT))
			return false;
		len--;
	}
	if (len == 0 || len > NAME_MAX_TEXT)
		return false;
	for (i = 0; i <= len; i++) {
		if (i == len || name[i] == '.') {
			/* an empty label: "a..b", ".a", or "a.." */
			if (label == 0)
				return false;
			if ((flags & DOMAIN_HOSTNAME) &&
			    (name[start] == '-' || name[i - 1] == '-'))
				return false;
			if (i < len) {
				labels++;
				label = 0;
				start = i + 1;
				digits = true;
			}
			continue;
		}
		if (!label_byte((unsigned char)name[i], flags) ||
		    ++label > LABEL_MAX)
			return false;
		digits = digits && name[i] >= '0' && name[i] <= '9';
	}
	if ((flags & DOMAIN_MULTI_LABEL) && labels < 2)
		return false;
	return !((flags & DOMAIN_NOT_NUMERIC) && digits);
}

/* domain_lower - NAME lower-cased (ASCII) in place; returns NAME */
char *
domain_lower(char *name)
{
	char *p;

	for (p = name; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return name;
}

/* domain_canonical - a new lower-case copy without a trailing dot */
char *
domain_canonical(const char *name)
{
	char *d = domain_lower(xstrdup(name));

	d[text_len(d)] = '\0';
	return d;
}

/*
 * domain_to_ascii - U-labels into A-labels (IDNA2008 via libidn2,
 * input NFC-normalized, non-transitional: RFC 5891), lower-cased
 */
char *
domain_to_ascii(const char *name)
{
	const unsigned char *p;
	char *out = NULL, *r;

	for (p = (const unsigned char *)name; *p != '\0' && *p < 0x80; p++)
		;
	if (*p == '\0')
		return domain_lower(xstrdup(name));
	if (idn2_to_ascii_8z(name, &out, IDN2_NFC_INPUT |
	    IDN2_NONTRANSITIONAL) != IDN2_OK)
		return NULL;
	r = domain_lower(xstrdup(out));
	idn2_free(out);
	return r;
}

/* domain_equal - A and B are the same name (NULL or empty: never) */
bool
domain_equal(const char *a, const char *b)
{
	size_t n;

	if (a == NULL || b == NULL || (n = text_len(a)) == 0)
		return false;
	return n == text_len(b) && strncasecmp(a, b, n) == 0;
}

/* domain_is_under - NAME is ANCESTOR or below it, label-aligned */
bool
domain_is_under(const char *name, const char *ancestor)
{
	size_t n, a;

	if (name == NULL || ancestor == NULL)
		return false;
	n = text_len(name);
	a = text_len(ancestor);
	if (a == 0 || a > n || strncasecmp(name + n - a, ancestor, a) != 0)
		return false;
	return a == n || name[n - a - 1] == '.';
}

/* domain_labels - how many labels NAME has (a trailing dot ignored) */
size_t
domain_labels(const char *name)
{
	size_t n, i, labels = 1;

	if ((n = text_len(name)) == 0)
		return 0;
	for (i = 0; i < n; i++)
		labels += name[i] == '.';
	return labels;
}

/* domain_suffix - NAME's last N labels: a pointer into NAME */
const char *
domain_suffix(const char *name, size_t n)
{
	size_t have = domain_labels(name);
	const char *p;

	for (; have > n && (p = strchr(name, '.')) != NULL; have--)
		name = p + 1;
	return name;
}
