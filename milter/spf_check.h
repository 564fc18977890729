/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_check - SPF (RFC 7208) for the MAIL FROM and HELO identities.
 *
 * Decision: mxauth evaluates SPF with its own RFC 7208 evaluator rather
 * than libspf2.  Raw libspf2 1.2.10 passes only 142 of the RFC 7208
 * suite's 203 tests (lenient syntax where the RFC says permerror, no
 * void-lookup limit, lookup-limit bugs, /0 CIDR and IPv4-mapped IPv6
 * errors, a hard-wired pass for 127.0.0.0/8 clients, macro overflows
 * CVE-2021-20314/33912/33913), and those classes cannot be closed
 * without forking it.  Every DNS query goes through milter/dns.h (shared
 * resolver, cache, timeouts).  The module is spf_check.c (check_host,
 * identities), spf_check_mech.c (DNS mechanisms), spf_record.c (record
 * syntax) and spf_macro.c (macro expansion); symbols are spf_check_*,
 * spf_record_*, spf_macro_* -- never SPF_*, which is libspf2's.
 *
 * Both functions are thread-safe; all state is per call.  Nothing is
 * special about any client address: loopback is judged like the rest.
 */
#ifndef MXAUTH_SPF_CHECK_H
#define MXAUTH_SPF_CHECK_H

#include "result.h"

struct dns;
struct vstr;

/*
 * What one check_host() needs besides the domain (RFC 7208 4.1), named
 * rather than positional so that four strings cannot be swapped
 * silently.  All borrowed for the duration of the call.
 */
struct spf_check_req {
	const char	*client_ip;	/* textual IPv4/IPv6 (::ffff:v4 = v4) */
	const char	*sender;	/* local@domain; no local = postmaster */
	const char	*helo;		/* HELO/EHLO argument, or NULL */
	const char	*receiver;	/* our host name, for %{r} */
};

/*
 * spf_check_host - RFC 7208 4 check_host(ip, DOMAIN, sender).  For a
 * fail whose record has a usable exp= (6.2), the expanded explanation
 * replaces EXP's contents; otherwise EXP is left as it was.  EXP may be
 * NULL.  A client_ip that is not an address is a permerror.
 */
enum spf_res spf_check_host(struct dns *, const struct spf_check_req *,
	    const char *domain, struct vstr *exp);

/*
 * spf_check_message - both identities for one message (RFC 7208 2.3,
 * 2.4): HELO first when CHECK_HELO (into OUT->helo_result; an address
 * literal or non-FQDN HELO is none), then MAIL FROM; the null sender
 * (NULL, "" or "<>") is judged as postmaster@HELO with identity
 * SPF_ID_HELO.  Cannot fail: every outcome is a result.  OUT is
 * overwritten; its strings are freed with spf_check_result_clear().
 */
void	 spf_check_message(struct dns *, const char *client_ip,
	    const char *helo, const char *mail_from, const char *receiver,
	    int check_helo, struct spf_result *out);
/* spf_check_qualified - what a matching term with qualifier Q ('+',
 * '-', '~', '?') gives (RFC 7208 4.6.2) */
enum spf_res spf_check_qualified(char q);
/* spf_check_result_clear - free OUT's strings and zero it */
void	 spf_check_result_clear(struct spf_result *);

#endif
