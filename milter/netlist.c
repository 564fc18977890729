/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netlist - IPv4/IPv6 CIDR sets.
 *
 * API: netlist_new(), netlist_add() per entry, then netlist_match() from
 * any thread; netlist_free() by the owner (the conf snapshot).
 *
 * Entries are kept as 16-byte addresses: IPv4 networks are stored as
 * IPv4-mapped IPv6 (::ffff:a.b.c.d, RFC 4291 2.5.5.2) with 96 added to
 * the prefix length.  So an IPv4 address and its mapped form are the
 * same address, both ways: ::ffff:192.0.2.1 matches 192.0.2.0/24, and
 * 192.0.2.1 matches ::ffff:192.0.2.0/120.  A consequence, by design:
 * ::/0 contains every IPv4 address too, while 0.0.0.0/0 contains no
 * native IPv6 address.
 *
 * Entry syntax: ADDR (a host: /32 or /128) or ADDR/LEN with LEN a plain
 * decimal 0..32 (IPv4) or 0..128 (IPv6), no sign, no leading zeros.
 * Host bits set past LEN ("192.0.2.1/24") are accepted and cleared: the
 * entry means the network, and netlist_entry() shows it as such
 * ("192.0.2.0/24").  Refusing them would only make admins retype the
 * same intent; Postfix's mynetworks accepts them the same way.
 *
 * Matching is a linear scan; lists are short (site networks).  A list is
 * built once, then read-only and safe to share without locking.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlist.h"
#include "xmalloc.h"

struct net {
	unsigned char	 addr[16];
	unsigned	 bits;		/* 0..128, in IPv6 terms */
	int		 v4;		/* entered as IPv4 */
	char		 text[INET6_ADDRSTRLEN + 5];
};

struct netlist {
	struct net	*nets;
	size_t		 n, cap;
};

/* netlist_new - an empty list */
struct netlist *
netlist_new(void)
{
	return xcalloc(1, sizeof(struct netlist));
}

/* netlist_free - release the list; NULL is a no-op */
void
netlist_free(struct netlist *nl)
{
	if (nl == NULL)
		return;
	x_free(nl->nets);
	x_free(nl);
}

/* to_mapped - 16-byte form of IP text; 4 = was IPv4, 6, or 0 = bad */
static int
to_mapped(const char *ip, unsigned char out[16])
{
	unsigned char v4[4];

	if (inet_pton(AF_INET, ip, v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, v4, 4);
		return 4;
	}
	if (inet_pton(AF_INET6, ip, out) == 1)
		return 6;
	return 0;
}

/* mask - clear the bits of ADDR past BITS */
static void
mask(unsigned char addr[16], unsigned bits)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			addr[i] &= (unsigned char)(0xff << (8 - bits));
			bits = 0;
		}
	}
}

/* parse_len - a decimal prefix length without sign or leading zeros */
static int
parse_len(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* netlist_add - add ADDR or ADDR/LEN */
int
netlist_add(struct netlist *nl, const char *cidr, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8], text[INET6_ADDRSTRLEN];
	struct net net;
	char *slash;
	unsigned len;
	int fam;

	if (strlen(cidr) >= sizeof(buf)) {
		snprintf(err, errlen, "bad network \"%.60s%s\": not an IP "
		    "address", cidr, strlen(cidr) > 60 ? "..." : "");
		return -1;
	}
	memcpy(buf, cidr, strlen(cidr) + 1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	memset(&net, 0, sizeof(net));
	if ((fam = to_mapped(buf, net.addr)) == 0) {
		snprintf(err, errlen, "bad network \"%s\": not an IP address",
		    cidr);
		return -1;
	}
	net.v4 = fam == 4;
	len = net.v4 ? 32 : 128;
	if (slash != NULL && parse_len(slash, len, &len) != 0) {
		snprintf(err, errlen, "bad network \"%s\": prefix length must "
		    "be 0 to %d", cidr, net.v4 ? 32 : 128);
		return -1;
	}
	net.bits = net.v4 ? 96 + len : len;
	mask(net.addr, net.bits);
	if (net.v4)
		inet_ntop(AF_INET, net.addr + 12, text, sizeof(text));
	else
		inet_ntop(AF_INET6, net.addr, text, sizeof(text));
	snprintf(net.text, sizeof(net.text), "%s/%u", text, len);
	if (nl->n == nl->cap) {
		nl->cap = nl->cap != 0 ? nl->cap * 2 : 8;
		nl->nets = xrealloc(nl->nets, nl->cap * sizeof(*nl->nets));
	}
	nl->nets[nl->n++] = net;
	return 0;
}

/* in_net - whether ADDR is inside NET */
static int
in_net(const struct net *net, const unsigned char addr[16])
{
	unsigned char a[16];

	memcpy(a, addr, 16);
	mask(a, net->bits);
	return memcmp(a, net->addr, 16) == 0;
}

/* netlist_match - 1 if IP is inside any entry */
int
netlist_match(const struct netlist *nl, const char *ip)
{
	unsigned char addr[16];
	size_t i;

	if (nl == NULL || to_mapped(ip, addr) == 0)
		return 0;
	for (i = 0; i < nl->n; i++)
		if (in_net(&nl->nets[i], addr))
			return 1;
	return 0;
}

/* netlist_count - number of entries */
size_t
netlist_count(const struct netlist *nl)
{
	return nl != NULL ? nl->n : 0;
}

/* netlist_entry - Nth entry as "ADDR/LEN" (borrowed from NL), or NULL */
const char *
netlist_entry(const struct netlist *nl, size_t n)
{
	return nl != NULL && n < nl->n ? nl->nets[n].text : NULL;
}
