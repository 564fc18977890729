/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_spf_walk - libFuzzer harness for the aggregation of networks
 * (netset_aggregate), which --spf-walk applies to whatever ranges
 * anyone's SPF records list.  The input is a list of networks, 18 bytes
 * each: the family (low bit: 0 IPv4, 1 IPv6), the prefix length (taken
 * modulo the family's bits + 1), 16 address bytes, host bits and all
 * (the aggregation clears them); at most 256.
 * Invariants checked (abort = a finding): no more networks out than in,
 * host bits clear, sorted with no network inside another and no two
 * halves of one network left, every input inside an output, and for
 * IPv4 the same number of addresses covered before and after.  Build
 * and run with fuzz/run.sh.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netset.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_NETS	256

/* bits - the family's address length in bits */
static int
bits(const struct netset_net *n)
{
	return n->family == AF_INET ? 32 : 128;
}

/* bit - bit I of N's address */
static int
bit(const struct netset_net *n, int i)
{
	return (n->addr[i / 8] >> (7 - i % 8)) & 1;
}

/* inside - whether B lies inside A */
static int
inside(const struct netset_net *a, const struct netset_net *b)
{
	int i;

	if (a->family != b->family || a->len > b->len)
		return 0;
	for (i = 0; i < a->len; i++)
		if (bit(a, i) != bit(b, i))
			return 0;
	return 1;
}

/* v4_range - the first and last IPv4 address of N */
static void
v4_range(const struct netset_net *n, uint64_t *lo, uint64_t *hi)
{
	uint64_t a = (uint64_t)n->addr[0] << 24 | (uint64_t)n->addr[1] << 16 |
	    (uint64_t)n->addr[2] << 8 | n->addr[3];
	uint64_t size = (uint64_t)1 << (32 - n->len);

	*lo = a & ~(size - 1);
	*hi = *lo + size - 1;
}

/* cmp_u64pair - qsort order of [lo, hi] ranges by lo */
static int
cmp_u64pair(const void *pa, const void *pb)
{
	const uint64_t *a = pa, *b = pb;

	return (a[0] > b[0]) - (a[0] < b[0]);
}

/* v4_covered - how many IPv4 addresses the N networks cover together */
static uint64_t
v4_covered(const struct netset_net *nets, size_t n)
{
	uint64_t (*r)[2] = xcalloc(n + 1, sizeof(*r)), total = 0, end = 0;
	size_t i, k = 0;
	int open = 0;

	for (i = 0; i < n; i++)
		if (nets[i].family == AF_INET)
			v4_range(&nets[i], &r[k][0], &r[k][1]), k++;
	qsort(r, k, sizeof(*r), cmp_u64pair);
	for (i = 0; i < k; i++) {
		if (open && r[i][0] <= end) {
			if (r[i][1] > end) {
				total += r[i][1] - end;
				end = r[i][1];
			}
			continue;
		}
		total += r[i][1] - r[i][0] + 1;
		end = r[i][1];
		open = 1;
	}
	x_free(r);
	return total;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netset_net in[MAX_NETS], out[MAX_NETS];
	size_t n = 0, m, i, j;
	int b;

	for (; size >= 18 && n < MAX_NETS; data += 18, size -= 18, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].family = data[0] & 1 ? AF_INET6 : AF_INET;
		out[n].len = data[1] % (bits(&out[n]) + 1);
		memcpy(out[n].addr, data + 2, 16);	/* host bits and all */
		/* the reference: the same networks, host bits clear */
		netset_net_set(&in[n], out[n].family, out[n].addr,
		    out[n].len);
	}
	m = netset_aggregate(out, n);
	if (m > n)
		abort();
	for (i = 0; i < m; i++) {
		for (b = out[i].len; b < bits(&out[i]); b++)
			if (bit(&out[i], b))
				abort();
		for (j = 0; j < m; j++)
			if (i != j && inside(&out[i], &out[j]))
				abort();
		if (i + 1 < m && out[i].family == out[i + 1].family &&
		    out[i].len == out[i + 1].len && out[i].len > 0) {
			struct netset_net parent = out[i];

			parent.len--;
			if (inside(&parent, &out[i + 1]))
				abort();	/* two halves left unmerged */
		}
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < m && !inside(&out[j], &in[i]); j++)
			;
		if (j == m)
			abort();
	}
	if (v4_covered(in, n) != v4_covered(out, m))
		abort();
	return 0;
}
