/*
 * dns_msg - one message's handle on the shared resolver, with a budget.
 *
 * Kept apart from dns.h so that the code that starts and ends a message
 * (eval.c) needs no ldns.  A handle is a struct dns: pass it wherever a
 * resolver goes.  Its lookups together may wait at most BUDGET_MS (RFC
 * 7208 4.6.4: a limit on the time one evaluation takes); once that is
 * spent, each lookup the cache cannot answer is DNS_TIMEOUT at once, so
 * the results that needed it are temperror and no thread is held after
 * the MTA has stopped waiting.  The time counts only while lookups wait,
 * so a client that is slow to send its DATA does not spend it.
 */
#ifndef MXAUTH_DNS_MSG_H
#define MXAUTH_DNS_MSG_H

struct dns;

/* dns_msg_new - a handle over SHARED (borrowed: it must outlive the
 * handle) with BUDGET_MS (0 = no limit); used by one thread at a time.
 * Caller frees with dns_msg_free(). */
struct dns *dns_msg_new(struct dns *shared, unsigned budget_ms);
/* dns_msg_free - release a handle; NULL is a no-op */
void	 dns_msg_free(struct dns *);

#endif
