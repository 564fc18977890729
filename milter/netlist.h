/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netlist - sets of IPv4/IPv6 networks in CIDR notation.
 *
 * A netlist is built once (netlist_add) and then only read, so a built
 * list may be shared between threads without locking.  IPv4-mapped IPv6
 * addresses (::ffff:a.b.c.d) match IPv4 entries.  Caller frees with
 * netlist_free().
 */
#ifndef MXAUTH_NETLIST_H
#define MXAUTH_NETLIST_H

#include <stddef.h>

struct netlist;

struct netlist *netlist_new(void);
void	 netlist_free(struct netlist *);
/* netlist_add - add "ADDR" or "ADDR/LEN"; 0 on success, else -1 and ERR */
int	 netlist_add(struct netlist *, const char *cidr, char *err, size_t errlen);
/* netlist_match - 1 if textual address IP is inside any entry, else 0 */
int	 netlist_match(const struct netlist *, const char *ip);
size_t	 netlist_count(const struct netlist *);
/* netlist_entry - the Nth entry in canonical "ADDR/LEN" form (borrowed) */
const char *netlist_entry(const struct netlist *, size_t n);

#endif
