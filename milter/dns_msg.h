/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_msg - one message's handle on the shared resolver, with a time
 * budget per check.
 *
 * Kept apart from dns.h so that code that only starts a message or a
 * check does not see the resolver's answers.  A handle is a struct dns: pass it wherever a resolver
 * goes.  Each check -- one SPF check_host() (RFC 7208 4.6.4 asks for a
 * limit on its elapsed time), one DKIM signature's key, one DMARC policy
 * discovery -- starts with dns_msg_begin() and may then wait BUDGET_MS
 * for DNS in total; once that is spent, each lookup the cache cannot
 * answer is DNS_TIMEOUT at once, so the result that needed it is
 * temperror and no thread is held after the MTA has stopped waiting.
 *
 * Why per check and not one budget for the whole message: time spent on
 * one domain's DNS must never be taken from another's.  A forger whose
 * own HELO domain, DKIM signature or MAIL FROM answers slowly would
 * otherwise spend the message's budget and leave the lookups for the
 * domain it forges unanswered: temperror instead of fail, and a DMARC
 * reject turned into an accept.
 *
 * Only time spent waiting for answers counts, so a client that is slow
 * to send its DATA spends nothing.
 */
#ifndef MXAUTH_DNS_MSG_H
#define MXAUTH_DNS_MSG_H

struct dns;

/* dns_msg_new - a handle over SHARED (borrowed: it must outlive the
 * handle) with BUDGET_MS per check (0 = no limit); used by one thread
 * at a time.  Caller frees with dns_msg_free(). */
struct dns *dns_msg_new(struct dns *shared, unsigned budget_ms);
/* dns_msg_begin - a check starts: the handle's budget is whole again;
 * a no-op on a shared resolver or NULL */
void	 dns_msg_begin(struct dns *);
/* dns_msg_free - release a handle; NULL is a no-op */
void	 dns_msg_free(struct dns *);

#endif
