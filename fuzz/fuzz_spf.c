/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_spf - libFuzzer harness for the SPF record parser (spf_record)
 * and the macro expander (spf_macro): records come from anyone's DNS,
 * and the macro letters' values (sender, HELO, domain) from the SMTP
 * client.  No DNS: every value is taken from the input.  The first
 * byte picks the target:
 *   0  a record: parse it, then expand each domain-spec, redirect= and
 *      exp= the way spf_check does, with values derived from the input
 *   1  "MACRO\nSENDER\nHELO\nDOMAIN\nIP" (IP: 4 raw bytes = IPv4,
 *      else 16 = IPv6): expand MACRO whether or not it is valid syntax
 *   2  the domain truncation of an expansion (RFC 7208 7.3)
 * Invariants checked (abort = a finding): an expansion that succeeds is
 * at most SPF_MACRO_MAX_OUT bytes and holds no NUL; a truncated name is
 * at most 253 bytes.  Build and run with fuzz/run.sh.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf_macro.h"
#include "spf_record.h"
#include "vstr.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fenv {
	struct spf_macro_env	 env;
	char			 dotted[64];
	char			 text[INET6_ADDRSTRLEN];
	char			*local;
};

/* set_ip - %{i}, %{c} and %{v} of N raw address bytes, as spf_check does */
static void
set_ip(struct fenv *f, const unsigned char *p, size_t n)
{
	unsigned char a[16] = { 0 };
	int i;

	memcpy(a, p, n > 16 ? 16 : n);
	if (n <= 4) {
		inet_ntop(AF_INET, a, f->text, sizeof(f->text));
		snprintf(f->dotted, sizeof(f->dotted), "%s", f->text);
		f->env.v = "in-addr";
		return;
	}
	inet_ntop(AF_INET6, a, f->text, sizeof(f->text));
	for (i = 0; i < 16; i++)
		snprintf(f->dotted + 4 * i, 5, "%x.%x.", a[i] >> 4, a[i] & 15);
	f->dotted[63] = '\0';
	f->env.v = "ip6";
}

/* set_env - the macro letters from SENDER, HELO, DOMAIN (borrowed) */
static void
set_env(struct fenv *f, const char *sender, const char *helo,
    const char *domain)
{
	const char *at = strrchr(sender, '@');

	f->local = at != NULL ? xstrndup(sender, (size_t)(at - sender)) :
	    xstrdup("postmaster");
	f->env.sender = sender;
	f->env.local = f->local;
	f->env.sender_domain = at != NULL ? at + 1 : domain;
	f->env.domain = domain;
	f->env.ip_dotted = f->dotted;
	f->env.ip_text = f->text;
	f->env.ptr = NULL;		/* "unknown" */
	f->env.helo = helo;
	f->env.receiver = "mx.example";
	f->env.timestamp = "1700000000";
}

/* expand - expand S; check the invariants; truncate like a domain */
static void
expand(const char *s, const struct spf_macro_env *env, int domain)
{
	struct vstr out = VSTR_INIT;

	(void)spf_macro_uses(s, 'p');
	if (spf_macro_expand(s, env, &out) == 0) {
		if (out.len > SPF_MACRO_MAX_OUT || strlen(vstr_str(&out)) !=
		    out.len)
			abort();
		if (domain) {
			spf_macro_truncate(&out);
			if (out.len > 253 || strlen(vstr_str(&out)) != out.len)
				abort();
		}
	}
	vstr_free(&out);
}

/* record - parse S; expand what evaluation would expand */
static void
record(const char *s, size_t size)
{
	static const unsigned char ip[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0xcb, 0x01 };
	struct spf_record r;
	struct fenv f;
	char err[256];
	size_t i;

	memset(&f, 0, sizeof(f));
	set_ip(&f, ip, size % 2 ? 4 : 16);
	set_env(&f, "strong-bad@email.example.com", "mail.example.com",
	    "email.example.com");
	(void)spf_record_is_spf1(s);
	if (spf_record_parse(s, &r, err, sizeof(err)) == 0) {
		for (i = 0; i < r.nterms; i++)
			if (r.terms[i].domain_spec != NULL)
				expand(r.terms[i].domain_spec, &f.env, 1);
		if (r.redirect != NULL)
			expand(r.redirect, &f.env, 1);
		if (r.exp != NULL)
			expand(r.exp, &f.env, 1);
	}
	spf_record_clear(&r);
	x_free(f.local);
}

/* macro - split "MACRO\nSENDER\nHELO\nDOMAIN\nIP" and expand MACRO */
static void
macro(char *s, size_t size)
{
	char *field[5] = { "", "", "", "", "" }, *p = s, *nl;
	struct fenv f;
	size_t n, iplen;
	int i;

	for (i = 0; i < 5; i++) {
		field[i] = p;
		if (i == 4 || (nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	/* the IP is raw bytes: take them from the input, NULs included */
	iplen = i == 4 ? size - (size_t)(field[4] - s) : 0;
	n = iplen > 16 ? 16 : iplen;
	memset(&f, 0, sizeof(f));
	set_ip(&f, (const unsigned char *)field[4], n);
	set_env(&f, field[1], field[2], field[3]);
	(void)spf_record_macro_ok(field[0], strlen(field[0]), 0);
	(void)spf_record_macro_ok(field[0], strlen(field[0]), 1);
	expand(field[0], &f.env, size % 2);
	x_free(f.local);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vstr v = VSTR_INIT;
	char *s;

	if (size < 1)
		return 0;
	/* the IP field may hold NULs: keep the whole input, terminated */
	s = xmalloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		record(s, size);
		break;
	case 1:
		macro(s, size - 1);
		break;
	default:
		vstr_cat(&v, s);
		spf_macro_truncate(&v);
		if (v.len > 253 || strlen(vstr_str(&v)) != v.len)
			abort();
		vstr_free(&v);
		break;
	}
	x_free(s);
	return 0;
}
