/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_record - parse and validate an SPF record (RFC 7208 4.5, 4.6, 12).
 *
 * spf_record_parse() checks the whole record before anything is
 * evaluated: any syntax error anywhere makes the record a permerror
 * (RFC 7208 4.6), even in terms evaluation would never reach.  Macro
 * strings are checked here and expanded later (spf_macro).  Pure: no DNS,
 * no shared state; thread-safe.
 *
 * Ownership: a parsed struct spf_record owns its terms array and strings;
 * spf_record_clear() frees them (also after a failed parse, harmless).
 */
#ifndef MXAUTH_SPF_RECORD_H
#define MXAUTH_SPF_RECORD_H

#include <stddef.h>

enum spf_mech {
	SPF_MECH_ALL = 0,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS
};

struct spf_term {
	char		 qualifier;	/* '+', '-', '~', '?' */
	enum spf_mech	 mech;
	char		*domain_spec;	/* NULL = the current domain */
	unsigned char	 addr[16];	/* ip4 (first 4 bytes) / ip6 */
	int		 cidr4;		/* -1 = not given */
	int		 cidr6;
};

/*
 * The terms array grows with the record; its length is bounded by the
 * record's (a TXT RR is at most 65535 bytes, so at most ~32k terms, and
 * only ten of them may cost a DNS lookup, RFC 7208 4.6.4).
 */
struct spf_record {
	struct spf_term	*terms;
	size_t		 nterms;
	size_t		 cap;
	char		*redirect;	/* domain-spec or NULL */
	char		*exp;		/* domain-spec or NULL */
};

/* spf_record_is_spf1 - whether TXT text is an SPF record (RFC 7208 4.5) */
int	 spf_record_is_spf1(const char *text);
/* spf_record_parse - 0, or -1 with a reason in ERR (permerror) */
int	 spf_record_parse(const char *text, struct spf_record *, char *err,
	    size_t errlen);
void	 spf_record_clear(struct spf_record *);
/* spf_record_macro_ok - RFC 7208 7.1 macro-string syntax; EXP allows c,r,t */
int	 spf_record_macro_ok(const char *s, size_t len, int exp);

#endif
