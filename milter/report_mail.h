/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_mail - the names and the message RFC 9990 prescribes for an
 * aggregate report sent by mail: its report id, its file name
 *   receiver "!" policy-domain "!" begin "!" end "!" unique-id ".xml.gz"
 * its Subject
 *   Report Domain: <policy-domain> Submitter: <receiver> Report-ID: <id>
 * and the MIME message: a text/plain part for people, then the report
 * as an application/gzip attachment (base64).  Pure: no I/O.
 *
 * The report id is "<begin>.<16 hex digits>@<receiver>", the digits a
 * hash of the policy domain, the destination and the period: the same
 * report made again (--force) has the same id, so its recipient can tell
 * it is a duplicate; its part before '@' is the file name's unique-id.
 */
#ifndef MXAUTH_REPORT_MAIL_H
#define MXAUTH_REPORT_MAIL_H

#include <stddef.h>
#include <stdint.h>

/* report_mail_id - the report id; caller frees with x_free */
char	*report_mail_id(const char *policy_domain, const char *dest,
	    int64_t begin, int64_t end, const char *receiver);
/*
 * report_mail_filename - the .xml.gz file name for the period BEGIN..END
 * (date_range's values); caller frees with x_free
 */
char	*report_mail_filename(const char *receiver, const char *policy_domain,
	    int64_t begin, int64_t end, const char *report_id);
/* report_mail_subject - the Subject field's value; caller frees with x_free */
char	*report_mail_subject(const char *policy_domain, const char *receiver,
	    const char *report_id);

struct report_mail {
	const char	*from;		/* report_email */
	const char	*to;		/* the mailto: address */
	const char	*policy_domain;
	const char	*receiver;
	const char	*report_id;
	const char	*filename;
	int64_t		 begin, end;	/* date_range */
	int64_t		 date;		/* the Date field, Unix seconds */
	uint64_t	 messages;	/* messages the report counts */
	const unsigned char *gz;	/* the compressed report */
	size_t		 gzlen;
};

/* report_mail_message - the whole message (LF line ends); caller frees */
char	*report_mail_message(const struct report_mail *m, size_t *len);

#endif
