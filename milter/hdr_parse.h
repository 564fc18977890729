/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdr_parse - RFC 5322 parsing of the header fields mxauth decides on:
 * the address list of From (3.4), with the obsolete syntax of 4.4.
 *
 * hdr_parse_addresses() parses one field value into its mailboxes; it
 * never guesses: anything the grammar does not allow is an error.
 * Encoded words (RFC 2047) are atoms where the grammar allows a phrase
 * (display names) and are never decoded into an address.  Pure.
 */
#ifndef MXAUTH_HDR_PARSE_H
#define MXAUTH_HDR_PARSE_H

#include <stddef.h>

struct hdr_mailbox {
	char	*local;		/* unquoted local part */
	char	*domain;	/* lower case, no trailing dot */
};

struct hdr_addresses {
	struct hdr_mailbox *box;
	size_t		 n;
	int		 groups;	/* how many groups the list had */
};

#define HDR_MAX_ADDRESSES	100

/* hdr_parse_addresses - 0, or -1 with a reason in ERR; free with _free */
int	 hdr_parse_addresses(const char *value, struct hdr_addresses *,
	    char *err, size_t errlen);
void	 hdr_addresses_free(struct hdr_addresses *);
/*
 * hdr_author_domain - the single author domain of a From value, as
 * A-labels; 0 and *DOMAIN (caller frees with x_free), or -1 and why
 * (no address, a group, several domains, unparseable, bad IDN)
 */
int	 hdr_author_domain(const char *value, char **domain, char *why,
	    size_t whylen);

#endif
