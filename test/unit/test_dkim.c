/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dkim - the pieces under dkim_verify: the tag-list grammar as
 * DKIM reads it (taglist_split) and the DKIM-Signature rules
 * (dkim_sig), canonicalization (dkim_canon, with RFC 6376 3.4.6's
 * example and every way of cutting a body into chunks), and key
 * records (dkim_key, keys made here with OpenSSL).
 * Whole signatures by an independent signer are in test/dkim/.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dkim_canon.h"
#include "dkim_key.h"
#include "dkim_sig.h"
#include "taglist.h"
#include "vstr.h"
#include "xmalloc.h"

/* a label of 63 and of 64 bytes; a 253-byte name of 2..63-byte labels */
#define L63	"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij" \
	"abc"
#define L64	L63 "d"
#define N253	L63 "." L63 "." L63 "." "abcdefghijabcdefghijabcdefghij" \
	"abcdefghijabcdefghijabcdefghija"
#define SIG_TAIL "; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; " \
	"b=dGVzdA=="

/* test_tags - the RFC 6376 3.2 grammar: OK or the reason */
static void
test_tags(void **state)
{
	static const struct {
		const char *in;
		size_t want_n;		/* tags, or 0 with want_err */
		const char *want_err;
	} cases[] = {
		{ "v=1; a=rsa-sha256", 2, NULL },
		{ "v=1; a=rsa-sha256;", 2, NULL },		/* trailing ; */
		{ " v = 1 ;\r\n\ta=x ", 2, NULL },		/* FWS */
		{ "p=", 1, NULL },				/* empty value */
		{ "", 0, NULL },
		{ "x_1=a b\r\n c", 1, NULL },			/* FWS inside */
		{ "v=1; v=1", 0, "duplicate v= tag" },
		{ "v=1;; a=b", 0, "malformed tag list" },
		{ "1v=1", 0, "malformed tag list" },
		{ "v 1", 0, "malformed tag list" },
		{ "v=1; a=\x80", 0, "illegal character in a= value" },
		{ "v=1; a=b\x01", 0, "illegal character in a= value" },
	};
	struct taglist tags;
	char why[128];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		rc = taglist_split(cases[i].in, strlen(cases[i].in), &tags,
		    why, sizeof(why));
		if (cases[i].want_err == NULL) {
			assert_int_equal(rc, 0);
			assert_int_equal(tags.n, cases[i].want_n);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(why, cases[i].want_err);
		}
	}
	assert_int_equal(taglist_split(" v = 1 ;\r\n\ta=x y ", 17, &tags, why,
	    sizeof(why)), 0);
	assert_int_equal(tags.tag[1].vlen, 3);		/* "x y", trimmed */
	assert_memory_equal(tags.tag[1].val, "x y", 3);
	assert_null(taglist_get(&tags, "V"));		/* case-sensitive */
}

/* test_sig_rules - DKIM-Signature rules needing neither key nor body */
static void
test_sig_rules(void **state)
{
	static const struct {
		const char *in;
		const char *want_err;	/* NULL: parses */
	} cases[] = {
		{ "v=1; a=rsa-sha256; d=a.example; s=s1; h=from:to" SIG_TAIL,
		    NULL },
		{ "v=1; a=ed25519-sha256; d=a.example; s=s_1.x; h=From"
		    SIG_TAIL, NULL },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; "
		    "i=u@sub.a.example; c=relaxed; q=dns/txt; l=10; t=1; x=2"
		    SIG_TAIL, NULL },
		{ "a=rsa-sha256; d=a.example; s=s; h=from" SIG_TAIL,
		    "v= tag missing" },
		{ "v=2; a=rsa-sha256; d=a.example; s=s; h=from" SIG_TAIL,
		    "unknown version v=2" },
		{ "v=1; a=rsa-md5; d=a.example; s=s; h=from" SIG_TAIL,
		    "unknown algorithm a=rsa-md5" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=to:subject" SIG_TAIL,
		    "h= does not include From" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from::to" SIG_TAIL,
		    "empty name in h=" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; "
		    "i=u@evil.example" SIG_TAIL, "i= is not in the d= domain" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; "
		    "i=u@xa.example" SIG_TAIL, "i= is not in the d= domain" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; c=fancy"
		    SIG_TAIL, "unknown canonicalization c=" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; q=http"
		    SIG_TAIL, "q= does not offer dns/txt" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; l=-1" SIG_TAIL,
		    "l= is not a number" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; t=5; x=4"
		    SIG_TAIL, "x= is before t=" },
		/* RFC 6376 3.5: d= is a domain-name, two labels or more */
		{ "v=1; a=rsa-sha256; d=a!.example; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=a..example; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=com; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=COM; s=s; h=from; i=@com" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=example.; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=a.example.; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=.a.example; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=[192.0.2.1]; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=192.0.2.1; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=-a.example; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=a-.example; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=a.example-; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=a_b.example; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=a\x80.example; s=s; h=from" SIG_TAIL,
		    "illegal character in d= value" },
		{ "v=1; a=rsa-sha256; d=a*.example; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=" L64 ".example; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=" L63 ".example; s=s; h=from" SIG_TAIL,
		    NULL },
		{ "v=1; a=rsa-sha256; d=" N253 "; s=s; h=from" SIG_TAIL, NULL },
		{ "v=1; a=rsa-sha256; d=a" N253 "; s=s; h=from" SIG_TAIL,
		    "d= is not a domain name" },
		{ "v=1; a=rsa-sha256; d=x-1.0a.example; s=s; h=from" SIG_TAIL,
		    NULL },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; i=u@com"
		    SIG_TAIL, "i= has no domain name" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; i=u@a.example."
		    SIG_TAIL, "i= has no domain name" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; "
		    "i=u@-x.a.example" SIG_TAIL, "i= has no domain name" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; i=u@x..a.example"
		    SIG_TAIL, "i= has no domain name" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; i=u"
		    SIG_TAIL, "i= has no domain name" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; i=u@example"
		    SIG_TAIL, "i= has no domain name" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; i=@A.EXAMPLE"
		    SIG_TAIL, NULL },
		{ "v=1; a=rsa-sha256; d=a.example; s=s!; h=from" SIG_TAIL,
		    "invalid s=" },
		{ "v=1; a=rsa-sha256; d=a.example; s=s; h=from; "
		    "bh=AAAA; b=!!!!", "b= is not base64" },
	};
	struct dkim_sig *sig;
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		sig = dkim_sig_parse(cases[i].in, strlen(cases[i].in), why,
		    sizeof(why));
		if (cases[i].want_err == NULL)
			assert_non_null(sig);
		else {
			assert_null(sig);
			assert_string_equal(why, cases[i].want_err);
		}
		dkim_sig_free(sig);
	}
}

/* test_sig_fields - what a parsed signature holds, b= span included */
static void
test_sig_fields(void **state)
{
	const char *v = " v=1; a=RSA-SHA256; d=A.Example; s=sel; "
	    "h=From : To; l=12;\r\n\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3"
	    "hSuFU=; b=dGVz\r\n dA== ";
	struct dkim_sig *sig;
	char why[128];

	(void)state;
	sig = dkim_sig_parse(v, strlen(v), why, sizeof(why));
	assert_non_null(sig);
	assert_int_equal(sig->alg, DKIM_ALG_RSA_SHA256);
	assert_string_equal(sig->d, "a.example");
	assert_int_equal(sig->nh, 2);
	assert_string_equal(sig->h[1], "to");
	assert_int_equal(sig->l, 12);
	assert_int_equal(sig->x, -1);
	assert_int_equal(sig->bhlen, 32);
	assert_int_equal(sig->blen, 4);
	assert_memory_equal(sig->b, "test", 4);
	assert_string_equal(sig->b8, "dGVzdA==");
	/* 3.7: the span after "b=" to the end is what is emptied */
	assert_string_equal(v + sig->b_end, "");
	assert_memory_equal(v + sig->b_off, "dGVz\r\n dA== ", 12);
	assert_int_equal(sig->hrelaxed, 0);
	assert_int_equal(sig->brelaxed, 0);
	dkim_sig_free(sig);
}

/* test_canon_header - RFC 6376 3.4.6's example header fields */
static void
test_canon_header(void **state)
{
	struct vstr out = VSTR_INIT;

	(void)state;
	dkim_canon_header(&out, 1, "A", " X", 2, 0);
	dkim_canon_header(&out, 1, "B ", " Y\t\n\tZ  ", 8, 0);
	assert_string_equal(vstr_str(&out), "a:X\r\nb:Y Z\r\n");
	vstr_reset(&out);
	dkim_canon_header(&out, 0, "A", " X", 2, 0);
	dkim_canon_header(&out, 0, "B ", " Y\t\n\tZ  ", 8, 1);
	assert_string_equal(vstr_str(&out), "A: X\r\nB : Y\t\r\n\tZ  ");
	vstr_free(&out);
}

/* body_hash - BODY through a body hasher in chunks of CHUNK bytes */
static size_t
body_hash(const char *body, size_t chunk, int relaxed, int64_t limit,
    unsigned char *out, uint64_t *total)
{
	size_t len = strlen(body), i, n;
	struct dkim_body b;

	dkim_body_init(&b, EVP_sha256(), relaxed, limit);
	for (i = 0; i < len; i += n) {
		n = len - i < chunk ? len - i : chunk;
		dkim_body_update(&b, (const unsigned char *)body + i, n);
	}
	n = dkim_body_final(&b, out);
	*total = b.total;
	dkim_body_free(&b);
	return n;
}

/* test_canon_body - canonical bodies, whatever the chunking */
static void
test_canon_body(void **state)
{
	static const struct {
		const char *in;
		int relaxed;
		const char *want;	/* canonical body */
	} cases[] = {
		/* RFC 6376 3.4.6 */
		{ " C \r\nD \t E\r\n\r\n\r\n", 1, " C\r\nD E\r\n" },
		{ " C \r\nD \t E\r\n\r\n\r\n", 0, " C \r\nD \t E\r\n" },
		/* empty body: CRLF in simple, nothing in relaxed */
		{ "", 0, "\r\n" },
		{ "", 1, "" },
		{ "\r\n\r\n", 0, "\r\n" },
		{ "\r\n \r\n", 1, "" },		/* only white space */
		/* no final CRLF: one is added */
		{ "abc", 0, "abc\r\n" },
		{ "abc  ", 1, "abc\r\n" },
		/* empty lines inside stay */
		{ "a\r\n\r\n\r\nb\r\n", 1, "a\r\n\r\n\r\nb\r\n" },
		/* a bare CR is content; a bare LF ends a line */
		{ "a\rb\r\n", 0, "a\rb\r\n" },
		{ "a\nb\n", 0, "a\r\nb\r\n" },
		{ "a\r", 0, "a\r\r\n" },
		/* 8-bit bytes are content */
		{ "caf\xc3\xa9 \r\n", 1, "caf\xc3\xa9\r\n" },
	};
	unsigned char got[EVP_MAX_MD_SIZE], want[EVP_MAX_MD_SIZE];
	unsigned int wlen;
	uint64_t total;
	size_t i, chunk, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EVP_Digest(cases[i].want, strlen(cases[i].want), want, &wlen,
		    EVP_sha256(), NULL);
		for (chunk = 1; chunk <= strlen(cases[i].in) + 1; chunk++) {
			n = body_hash(cases[i].in, chunk, cases[i].relaxed, -1,
			    got, &total);
			assert_int_equal(n, wlen);
			assert_memory_equal(got, want, n);
			assert_int_equal(total, strlen(cases[i].want));
		}
	}
	/* l=: only the first 3 canonical bytes are hashed, all counted */
	EVP_Digest("a b", 3, want, &wlen, EVP_sha256(), NULL);
	n = body_hash("a  b \r\nmore\r\n", 2, 1, 3, got, &total);
	assert_memory_equal(got, want, n);
	assert_int_equal(total, 11);
}

/* b64 - base64 of LEN bytes; caller frees with x_free */
static char *
b64(const unsigned char *p, size_t len)
{
	char *s = xmalloc(len * 4 / 3 + 4);

	EVP_EncodeBlock((unsigned char *)s, p, (int)len);
	return s;
}

/* test_key - key records against the signatures that use them */
static void
test_key(void **state)
{
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char *der = NULL, raw[32];
	size_t rawlen = sizeof(raw);
	struct vstr rec = VSTR_INIT;
	struct dkim_key key;
	char why[128], *p_rsa, *p_ed;
	int derlen;
	static const struct {
		const char *fmt;	/* %s = p= of the key */
		int ed;			/* the Ed25519 key, else RSA */
		enum dkim_alg alg;
		const char *want_err;	/* NULL: usable */
		int want_testing, want_strict;
	} cases[] = {
		{ "v=DKIM1; k=rsa; p=%s", 0, DKIM_ALG_RSA_SHA256, NULL, 0, 0 },
		{ "p=%s", 0, DKIM_ALG_RSA_SHA256, NULL, 0, 0 },
		{ "p=%s; t=y:s", 0, DKIM_ALG_RSA_SHA256, NULL, 1, 1 },
		{ "k=ed25519; p=%s", 1, DKIM_ALG_ED25519_SHA256, NULL, 0, 0 },
		{ "v=DKIM1; p=%s; h=sha1:sha256", 0, DKIM_ALG_RSA_SHA1, NULL,
		    0, 0 },
		{ "v=DKIM1; p=%s; s=email:other", 0, DKIM_ALG_RSA_SHA256,
		    NULL, 0, 0 },
		{ "v=DKIM1; p=%s; s=*", 0, DKIM_ALG_RSA_SHA256, NULL, 0, 0 },
		{ "p=%s; v=DKIM1", 0, DKIM_ALG_RSA_SHA256,
		    "key record is malformed (v=)", 0, 0 },
		{ "v=DKIM2; p=%s", 0, DKIM_ALG_RSA_SHA256,
		    "key record is malformed (v=)", 0, 0 },
		{ "v=DKIM1; p=", 0, DKIM_ALG_RSA_SHA256, "key revoked", 0, 0 },
		{ "v=DKIM1; k=rsa", 0, DKIM_ALG_RSA_SHA256,
		    "key record is malformed (no p=)", 0, 0 },
		{ "v=DKIM1; p=%s; h=sha1", 0, DKIM_ALG_RSA_SHA256,
		    "key h= does not allow sha256", 0, 0 },
		{ "v=DKIM1; p=%s; s=other", 0, DKIM_ALG_RSA_SHA256,
		    "key s= is not for email", 0, 0 },
		{ "v=DKIM1; k=dsa; p=%s", 0, DKIM_ALG_RSA_SHA256,
		    "unknown key type k=dsa", 0, 0 },
		{ "v=DKIM1; k=rsa; p=%s", 1, DKIM_ALG_ED25519_SHA256,
		    "key type does not match a=", 0, 0 },
		{ "v=DKIM1; k=ed25519; p=%s", 0, DKIM_ALG_ED25519_SHA256,
		    "key p= is not an Ed25519 public key", 0, 0 },
		{ "v=DKIM1; p=%s", 1, DKIM_ALG_RSA_SHA256,
		    "key p= is not an RSA public key", 0, 0 },
		{ "v=DKIM1; p=%s; x=\x7f", 0, DKIM_ALG_RSA_SHA256,
		    "key record is malformed", 0, 0 },
	};
	size_t i;
	int k;

	(void)state;
	assert_non_null(rsa);
	assert_non_null(ed);
	derlen = i2d_PUBKEY(rsa, &der);
	assert_true(derlen > 0);
	p_rsa = b64(der, (size_t)derlen);
	assert_int_equal(EVP_PKEY_get_raw_public_key(ed, raw, &rawlen), 1);
	p_ed = b64(raw, rawlen);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (k = 0; k < 2; k++) {	/* parse, then from the cache */
			vstr_reset(&rec);
			vstr_catf(&rec, cases[i].fmt, cases[i].ed ? p_ed : p_rsa);
			why[0] = '\0';
			if (cases[i].want_err != NULL) {
				assert_int_equal(dkim_key_parse(rec.buf, rec.len,
				    cases[i].alg, &key, why, sizeof(why)), -1);
				assert_string_equal(why, cases[i].want_err);
				continue;
			}
			assert_int_equal(dkim_key_parse(rec.buf, rec.len,
			    cases[i].alg, &key, why, sizeof(why)), 0);
			assert_int_equal(key.bits, cases[i].ed ? 256 : 1024);
			assert_int_equal(key.testing, cases[i].want_testing);
			assert_int_equal(key.strict, cases[i].want_strict);
			assert_int_equal(EVP_PKEY_eq(key.pkey,
			    cases[i].ed ? ed : rsa), 1);
			dkim_key_release(&key);
		}
	vstr_free(&rec);
	x_free(p_rsa);
	x_free(p_ed);
	OPENSSL_free(der);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_sig_rules),
		cmocka_unit_test(test_sig_fields),
		cmocka_unit_test(test_canon_header),
		cmocka_unit_test(test_canon_body),
		cmocka_unit_test(test_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
