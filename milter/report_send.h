/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_send - one aggregate report's message handed to the MTA, by
 * the report_transport setting (conf_table.c checks its syntax):
 *
 *   sendmail:/PATH    PATH -oi -f FROM -- TO, the message on its
 *                     standard input; its exit status decides, its
 *                     standard error (and output) go to ours
 *   smtp:HOST[:PORT]  one SMTP transaction to HOST (a name, an IPv4
 *                     address or [IPv6]), port 25 by default, through
 *                     libcurl: plain SMTP, no authentication (the local
 *                     MTA, or a relay that trusts this host)
 *
 * The message has LF line ends (report_mail); SMTP gets CRLF.  Neither
 * way waits for ever: a sendmail still running REPORT_SEND_TIMEOUT
 * seconds after it started is killed (SIGKILL), an SMTP transaction
 * has as long.  The only module that includes libcurl.
 */
#ifndef MXAUTH_REPORT_SEND_H
#define MXAUTH_REPORT_SEND_H

#include <stddef.h>

#define REPORT_SEND_TIMEOUT	300	/* seconds, either way */

/*
 * report_send - MSG (LEN bytes) sent from FROM to TO through TRANSPORT:
 * 0 once the MTA took it, -1 and the reason in WHY (nothing can be
 * known to have been sent then)
 */
int	 report_send(const char *transport, const char *from, const char *to,
	    const char *msg, size_t len, char *why, size_t whylen);
/* report_send_set_timeout - sendmail's time, for tests (default above) */
void	 report_send_set_timeout(int seconds);

#endif
