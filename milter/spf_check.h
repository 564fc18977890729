/*
 * spf_check - SPF (RFC 7208) for the MAIL FROM and HELO identities.
 *
 * mxauth evaluates SPF with its own RFC 7208 evaluator rather than
 * libspf2: raw libspf2 1.2.10 passes 142 of the RFC 7208 suite's 203
 * tests (lenient syntax where the RFC says permerror, no void-lookup
 * limit, lookup-limit bugs, /0 and IPv4-mapped IPv6 errors, an
 * unconditional pass for 127.0.0.0/8 clients, macro overflows
 * CVE-2021-20314/33912/33913), and those classes cannot be closed
 * without forking it.  Every lookup goes through milter/dns (shared
 * servers, timeouts, cache).
 *
 * Both functions are thread-safe; all state is per call.
 */
#ifndef MXAUTH_SPF_CHECK_H
#define MXAUTH_SPF_CHECK_H

#include "result.h"

struct dns;
struct vstr;

/* What one check_host() needs (RFC 7208 4.1); all borrowed. */
struct spf_check_req {
	const char	*client_ip;	/* textual IPv4/IPv6 */
	const char	*sender;	/* local@domain of the identity */
	const char	*helo;		/* HELO/EHLO argument, or NULL */
	const char	*receiver;	/* our host name, for %{r} */
};

/*
 * spf_check_host - RFC 7208 4 check_host(ip, DOMAIN, sender); writes
 * the explanation of a fail into EXP when non-NULL.
 */
enum spf_res spf_check_host(struct dns *, const struct spf_check_req *,
	    const char *domain, struct vstr *exp);

/*
 * spf_check_message - both identities for one message (RFC 7208 2.3,
 * 2.4): HELO first when CHECK_HELO, then MAIL FROM; the null sender is
 * judged as postmaster@HELO.  OUT's strings are freed with
 * spf_check_result_clear().
 */
void	 spf_check_message(struct dns *, const char *client_ip,
	    const char *helo, const char *mail_from, const char *receiver,
	    int check_helo, struct spf_result *out);
void	 spf_check_result_clear(struct spf_result *);

#endif
