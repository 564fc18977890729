/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netset - a list of IPv4/IPv6 networks folded into the shortest list
 * that covers exactly the same addresses: duplicates and networks inside
 * another dropped, the two halves of a network merged into it, again
 * and again.  What mxauth-check --spf-walk prints as an allowlist.
 *
 * Unlike netlist (a site's configured networks, matched as IPv4-mapped
 * IPv6), a netset_net keeps its family: an IPv4 and an IPv6 network are
 * never merged, and the list prints IPv4 first.  Pure; the caller owns
 * the arrays.
 */
#ifndef MXAUTH_NETSET_H
#define MXAUTH_NETSET_H

#include <stddef.h>

/* A network: FAMILY AF_INET (the first 4 bytes of ADDR) or AF_INET6. */
struct netset_net {
	int		 family;
	unsigned char	 addr[16];
	int		 len;		/* prefix length, 0..32 or 0..128 */
};

/*
 * netset_net_set - N is FAMILY ADDR/LEN (LEN clamped to the family's
 * bits), host bits past LEN cleared
 */
void	 netset_net_set(struct netset_net *n, int family,
	    const unsigned char *addr, int len);
/*
 * netset_aggregate - NETS (N of them) in place: host bits cleared,
 * sorted (IPv4 first, then by address), networks inside another and
 * duplicates dropped, sibling halves merged into their parent until no
 * two are left; the new count.  NETS may be NULL when N is 0.
 */
size_t	 netset_aggregate(struct netset_net *nets, size_t n);
/*
 * netset_prefix_eq - whether addresses A and B (of one family) agree in
 * their first BITS bits: A inside B/BITS
 */
int	 netset_prefix_eq(const unsigned char *a, const unsigned char *b,
	    int bits);
/* netset_net_str - "ADDR/LEN", or the bare ADDR of a host, into BUF */
void	 netset_net_str(const struct netset_net *, char *buf, size_t len);

#endif
