/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_macro - SPF macro expansion (RFC 7208 7).
 *
 * The caller supplies the values of the macro letters; expansion is
 * bounded (output length, number of %{...} per string) so hostile
 * records cannot blow up memory or time (CVE-2021-20314,
 * CVE-2021-33912/33913 were overflows here in libspf2).  Pure and
 * thread-safe: %{p} is resolved by the caller beforehand, only when the
 * string uses it (spf_macro_uses).  The environment's strings are
 * borrowed; OUT belongs to the caller.
 */
#ifndef MXAUTH_SPF_MACRO_H
#define MXAUTH_SPF_MACRO_H

#include <stddef.h>

struct vstr;

struct spf_macro_env {
	const char	*sender;	/* s: local-part@domain */
	const char	*local;		/* l */
	const char	*sender_domain;	/* o */
	const char	*domain;	/* d: the current domain */
	const char	*ip_dotted;	/* i: dotted (IPv4) or nibbles (IPv6) */
	const char	*ip_text;	/* c: readable address */
	const char	*ptr;		/* p: validated name or "unknown" */
	const char	*v;		/* v: "in-addr" or "ip6" */
	const char	*helo;		/* h */
	const char	*receiver;	/* r */
	const char	*timestamp;	/* t */
};

#define SPF_MACRO_MAX_OUT	4096	/* bytes, before domain truncation */
#define SPF_MACRO_MAX_EXPANDS	64	/* %{...} per string */

/* spf_macro_expand - expand S into OUT; 0, or -1 (permerror) */
int	 spf_macro_expand(const char *s, const struct spf_macro_env *,
	    struct vstr *out);
/* spf_macro_uses - whether S uses macro letter C (any case) */
int	 spf_macro_uses(const char *s, int c);
/* spf_macro_truncate - RFC 7208 7.3: drop left labels until <= 253 */
void	 spf_macro_truncate(struct vstr *);

#endif
