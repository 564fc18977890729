/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rfc5322 - FWS, comments, CFWS and atext (RFC 5322 3.2.2, 3.2.3) for
 * the header parsers; the readings the flags select are in rfc5322.h.
 * Every function is a loop over the string: linear, no recursion.
 */
#include "config.h"

#include <string.h>

#include "rfc5322.h"

/* rfc5322_is_atext - atext (3.2.3), and bytes of UTF-8 (RFC 6532 3.2) */
int
rfc5322_is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL) || c >= 0x80;
}

/* rfc5322_fws - RFC 5322 3.2.2 FWS (and obs-FWS), or any white space */
const char *
rfc5322_fws(const char *p, int flags)
{
	if (flags & RFC5322_LOOSE) {
		while (rfc5322_is_fws(*p))
			p++;
		return p;
	}
	for (;;) {
		if (rfc5322_is_wsp(*p))
			p++;
		else if (*p == '\r' && p[1] == '\n' && rfc5322_is_wsp(p[2]))
			p += 2;
		else if (*p == '\n' && rfc5322_is_wsp(p[1]))
			p++;
		else
			return p;
	}
}

/* rfc5322_comment - "(" *([FWS] ccontent) [FWS] ")", nested */
const char *
rfc5322_comment(const char *p, int flags)
{
	const char *q;
	size_t depth = 0;

	if (*p != '(')
		return NULL;
	if (flags & RFC5322_FLAT)
		return (q = strchr(p, ')')) != NULL ? q + 1 : NULL;
	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;			/* quoted-pair */
		else if (*p == '(') {
			if (++depth > RFC5322_DEPTH &&
			    (flags & RFC5322_BOUNDED))
				return NULL;
		} else if (*p == ')' && --depth == 0)
			return p + 1;
	}
	return NULL;
}

/* rfc5322_cfws - [CFWS]: white space and comments */
const char *
rfc5322_cfws(const char *p, int flags)
{
	const char *q;

	for (;;) {
		p = rfc5322_fws(p, flags);
		if (*p != '(')
			return p;
		if ((q = rfc5322_comment(p, flags)) == NULL)
			return flags & RFC5322_TO_END ? p + strlen(p) : p;
		p = q;
	}
}
