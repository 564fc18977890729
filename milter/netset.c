/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netset - networks aggregated (see netset.h).
 *
 * netset_aggregate() sorts so that a network comes before the ones
 * inside it, then keeps a stack of disjoint networks in address order:
 * the only one that can cover the next network, or be its other half,
 * is the top, so one pass suffices and a merge only ever looks down the
 * stack.  O(n log n) for the sort, O(n * 128) after it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netset.h"

/* bits - the family's address length */
static int
bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* net_bit - bit I of ADDR (0 = the most significant) */
static int
net_bit(const unsigned char *addr, int i)
{
	return (addr[i / 8] >> (7 - i % 8)) & 1;
}

/* clear_host - N's host bits, and every byte past its family's, zeroed */
static void
clear_host(struct netset_net *n)
{
	int i, max = bits(n->family);

	if (n->len < 0)
		n->len = 0;
	if (n->len > max)
		n->len = max;
	for (i = n->len; i < 128; i++)
		n->addr[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
}

/* netset_net_set - FAMILY ADDR/LEN, host bits cleared (see netset.h) */
void
netset_net_set(struct netset_net *n, int family, const unsigned char *addr,
    int len)
{
	memset(n, 0, sizeof(*n));
	n->family = family;
	n->len = len;
	memcpy(n->addr, addr, family == AF_INET ? 4 : 16);
	clear_host(n);
}

/* net_cmp - qsort order: family (IPv4 first), address, shorter first */
static int
net_cmp(const void *pa, const void *pb)
{
	const struct netset_net *a = pa, *b = pb;
	int c;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	if ((c = memcmp(a->addr, b->addr, 16)) != 0)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

/* contains - whether A (shorter or equal prefix) covers B */
static int
contains(const struct netset_net *a, const struct netset_net *b)
{
	int i;

	if (a->family != b->family || a->len > b->len)
		return 0;
	for (i = 0; i < a->len; i++)
		if (net_bit(a->addr, i) != net_bit(b->addr, i))
			return 0;
	return 1;
}

/* siblings - A (lower) and B are the two halves of one network */
static int
siblings(const struct netset_net *a, const struct netset_net *b)
{
	struct netset_net p = *a;

	if (a->family != b->family || a->len != b->len || a->len == 0 ||
	    net_bit(a->addr, a->len - 1) != 0)
		return 0;
	p.len--;
	return contains(&p, b);
}

/* netset_aggregate - the shortest equal list (see netset.h) */
size_t
netset_aggregate(struct netset_net *nets, size_t n)
{
	struct netset_net cur;
	size_t i, top = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		clear_host(&nets[i]);
	qsort(nets, n, sizeof(*nets), net_cmp);
	for (i = 0; i < n; i++) {
		cur = nets[i];
		if (top > 0 && contains(&nets[top - 1], &cur))
			continue;
		while (top > 0 && siblings(&nets[top - 1], &cur)) {
			cur = nets[--top];
			cur.len--;
		}
		nets[top++] = cur;
	}
	return top;
}

/* netset_net_str - "ADDR/LEN", or the bare address of a host */
void
netset_net_str(const struct netset_net *n, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(n->family, n->addr, a, sizeof(a));
	if (n->len == bits(n->family))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%d", a, n->len);
}

/* netset_prefix_eq - the first BITS bits of A and B equal */
int
netset_prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ b[full]) & (0xff << (8 - rest)) &
	    0xff) == 0;
}
