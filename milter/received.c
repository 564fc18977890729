/*
 * received - the "from" clause of Received fields.
 *
 * The formats read (the client is the address literal in the comment
 * after the from-domain, the HELO name the from-domain itself unless the
 * comment says helo=):
 *   Postfix   from HELO (RDNS [192.0.2.1]) by ...   (RDNS may be unknown)
 *   Sendmail  from HELO (user@RDNS [192.0.2.1] (may be forged)) by ...
 *   Exim      from RDNS ([192.0.2.1] helo=HELO) by ...
 *             from [192.0.2.1] (helo=HELO) by ...
 *   Exchange  from HELO (192.0.2.1) by ...
 * IPv6 literals may carry "IPv6:" (RFC 5321 4.1.3).  Anything else names
 * no client: the caller then falls back to what it knows.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "netlist.h"
#include "received.h"

/* address - TEXT (N bytes) as an IP address into C->ip; 0 or -1 */
static int
address(const char *text, size_t n, struct received_client *c)
{
	unsigned char buf[16];
	char tmp[64];
	int af;

	if (n > 5 && strncasecmp(text, "IPv6:", 5) == 0) {
		text += 5;
		n -= 5;
	}
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, text, n);
	tmp[n] = '\0';
	af = strchr(tmp, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(af, tmp, buf) != 1 ||
	    inet_ntop(af, buf, c->ip, sizeof(c->ip)) == NULL)
		return -1;
	return 0;
}

/* copy_word - the name at P (up to white space, '(' or ')') into OUT */
static const char *
copy_word(const char *p, char *out, size_t len)
{
	size_t n = 0;

	while (*p != '\0' && !isspace((unsigned char)*p) && *p != '(' &&
	    *p != ')') {
		if (n + 1 < len)
			out[n++] = *p;
		p++;
	}
	out[n] = '\0';
	return p;
}

/* comment - what a top-level comment (at '(') says; after it */
static const char *
comment(const char *p, struct received_client *c, int *have_ip)
{
	const char *q, *end;
	int depth = 0;

	for (end = p; *end != '\0'; end++) {
		if (*end == '(')
			depth++;
		else if (*end == ')' && --depth == 0)
			break;
	}
	for (q = p + 1; q < end; q++) {
		if (*q == '[' && !*have_ip) {
			const char *close = memchr(q, ']', (size_t)(end - q));

			if (close != NULL && address(q + 1,
			    (size_t)(close - q - 1), c) == 0)
				*have_ip = 1;
		} else if (strncasecmp(q, "helo=", 5) == 0 &&
		    (q == p + 1 || isspace((unsigned char)q[-1]) ||
		    q[-1] == '(')) {
			copy_word(q + 5, c->helo, sizeof(c->helo));
		}
	}
	/* Exchange: the comment is the bare address */
	if (!*have_ip && address(p + 1, (size_t)(end - p - 1), c) == 0)
		*have_ip = 1;
	return *end == ')' ? end + 1 : end;
}

/* received_parse - client address and HELO of one Received value */
int
received_parse(const char *value, struct received_client *c)
{
	const char *p = value;
	int have_ip = 0;
	char first[256];

	memset(c, 0, sizeof(*c));
	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "from", 4) != 0 || !isspace((unsigned char)p[4]))
		return -1;
	for (p += 4; isspace((unsigned char)*p); p++)
		;
	p = copy_word(p, first, sizeof(first));
	if (first[0] == '[') {			/* Exim: from [IP] (helo=X) */
		const char *close = strchr(first, ']');

		if (close != NULL && address(first + 1,
		    (size_t)(close - first - 1), c) == 0)
			have_ip = 1;
	} else
		snprintf(c->helo, sizeof(c->helo), "%s", first);
	/* the comments before "by" */
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '(')
			break;
		p = comment(p, c, &have_ip);
	}
	return have_ip ? 0 : -1;
}

/* received_origin - the first client that is not a trusted relay */
int
received_origin(const struct netlist *relays, char *const *values, size_t n,
    struct received_client *c, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < n && i < RECEIVED_MAX; i++) {
		if (received_parse(values[i], c) != 0) {
			snprintf(why, whylen, "Received field %zu names no "
			    "client", i + 1);
			return -1;
		}
		if (relays == NULL || !netlist_match(relays, c->ip))
			return 0;
	}
	snprintf(why, whylen, "no Received field names a client outside "
	    "trusted_relays");
	return -1;
}
