/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_verify - every DKIM-Signature of one message (RFC 6376 6.1).
 *
 * Header fields are kept (they are small and a signature may cover any
 * of them); the body is streamed through one dkim_body hasher per
 * evaluated signature and never kept.  At the end each signature is
 * judged: body hash, x=, then its key through milter/dns (shared cache
 * and timeouts; a time-out or SERVFAIL is temperror, NXDOMAIN/NODATA
 * "no key", a permerror), then the header hash and the signature with
 * OpenSSL.  Parsed keys are cached by dkim_key.
 *
 * On top of the cryptography, mxauth refuses to call "pass":
 *   - rsa-sha1 signatures (RFC 8301 3.1)                   -> policy
 *   - RSA keys shorter than min_key_bits (RFC 8301 3.2)    -> policy
 *   - l= shorter than the body, unless allowed (6376 8.2)  -> policy
 *   - more From fields than h= covers (RFC 6376 8.15, the
 *     header-prepend attack)                               -> fail
 * A verifier belongs to one message (one thread); the digests are
 * fetched once per process.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "dkim_canon.h"
#include "dkim_key.h"
#include "dkim_sig.h"
#include "dkim_verify.h"
#include "domain.h"
#include "dns.h"
#include "dns_msg.h"
#include "vstr.h"
#include "xmalloc.h"

struct field {
	char		*name;
	char		*value;
	size_t		 vlen;
};

struct vsig {
	size_t		 field;		/* index of the DKIM-Signature */
	struct dkim_sig	*sig;		/* NULL: could not be parsed */
	char		 why[128];
	struct dkim_body body;
};

struct dkim_verify {
	struct dns		*dns;
	struct dkim_verify_opts	 opts;
	struct field		*f;
	size_t			 nf, af;
	unsigned		 nfrom;
	struct vsig		*sig;
	size_t			 nsig, asig;
	size_t			 ignored;
	int			 eoh;
};

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha256, *md_sha1;

/* md_init - fetch the digests once (an implicit fetch per use is slow) */
static void
md_init(void)
{
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	if (md_sha256 == NULL || md_sha1 == NULL)
		x_oom(0);
}

/* sig_md - the digest of a signature's algorithm */
static const EVP_MD *
sig_md(const struct dkim_sig *sig)
{
	return sig->alg == DKIM_ALG_RSA_SHA1 ? md_sha1 : md_sha256;
}

/* dkim_verify_start - a verifier for one message */
struct dkim_verify *
dkim_verify_start(struct dns *dns, const struct dkim_verify_opts *opts,
    const char *id)
{
	struct dkim_verify *v;

	(void)id;
	if (dns == NULL)
		return NULL;
	pthread_once(&md_once, md_init);
	v = xcalloc(1, sizeof(*v));
	v->dns = dns;
	v->opts = *opts;
	return v;
}

/* add_sig - a DKIM-Signature field: parse it, or count it as ignored */
static void
add_sig(struct dkim_verify *v, size_t field)
{
	struct vsig *s;

	if (v->nsig >= v->opts.max_signatures) {
		v->ignored++;
		return;
	}
	if (v->nsig == v->asig) {
		v->asig = v->asig * 2 + 2;
		v->sig = xrealloc(v->sig, v->asig * sizeof(*v->sig));
	}
	s = &v->sig[v->nsig++];
	memset(s, 0, sizeof(*s));
	s->field = field;
	s->sig = dkim_sig_parse(v->f[field].value, v->f[field].vlen, s->why,
	    sizeof(s->why));
}

/*
 * dkim_verify_header - one field as received: VALUE is the exact bytes
 * after the colon (simple canonicalization hashes them as they are; the
 * glue restores what an MTA without SMFIP_HDR_LEADSPC took away)
 */
void
dkim_verify_header(struct dkim_verify *v, const char *name, const char *value)
{
	struct field *f;

	if (v == NULL || v->eoh)
		return;
	if (v->nf == v->af) {
		v->af = v->af * 2 + 16;
		v->f = xrealloc(v->f, v->af * sizeof(*v->f));
	}
	f = &v->f[v->nf++];
	f->name = xstrdup(name);
	f->vlen = strlen(value);
	f->value = xstrdup(value);
	if (strcasecmp(name, "From") == 0)
		v->nfrom++;
	else if (strcasecmp(name, "DKIM-Signature") == 0)
		add_sig(v, v->nf - 1);
}

/* end_of_header - start a body hasher for each parsed signature */
static void
end_of_header(struct dkim_verify *v)
{
	size_t i;

	if (v->eoh)
		return;
	v->eoh = 1;
	for (i = 0; i < v->nsig; i++)
		if (v->sig[i].sig != NULL)
			dkim_body_init(&v->sig[i].body, sig_md(v->sig[i].sig),
			    v->sig[i].sig->brelaxed, v->sig[i].sig->l);
}

/* dkim_verify_body - a chunk of the body, CRLF line ends */
void
dkim_verify_body(struct dkim_verify *v, const unsigned char *buf, size_t len)
{
	size_t i;

	if (v == NULL || len == 0)
		return;
	end_of_header(v);
	for (i = 0; i < v->nsig; i++)
		if (v->sig[i].sig != NULL)
			dkim_body_update(&v->sig[i].body, buf, len);
}

/* header_data - the canonical header fields SIG signed (RFC 6376 5.4.2) */
static void
header_data(const struct dkim_verify *v, const struct vsig *s,
    struct vstr *out)
{
	const struct dkim_sig *sig = s->sig;
	const struct field *self = &v->f[s->field];
	unsigned char *used = xcalloc(v->nf + 1, 1);
	struct vstr val = VSTR_INIT;
	size_t k, j;

	/* Each h= name takes the bottom-most unused field of that name. */
	for (k = 0; k < sig->nh; k++)
		for (j = v->nf; j-- > 0;)
			if (!used[j] && strcasecmp(v->f[j].name,
			    sig->h[k]) == 0) {
				used[j] = 1;
				dkim_canon_header(out, sig->hrelaxed,
				    v->f[j].name, v->f[j].value, v->f[j].vlen, 0);
				break;
			}
	x_free(used);
	/* 3.7: the signature itself, b= emptied, no trailing CRLF. */
	vstr_ncat(&val, self->value, sig->b_off);
	vstr_ncat(&val, self->value + sig->b_end, self->vlen - sig->b_end);
	dkim_canon_header(out, sig->hrelaxed, self->name, val.buf, val.len, 1);
	vstr_free(&val);
}

/*
 * check_crypto - whether SIG's b= is KEY's signature over DATA: RSA
 * PKCS#1 v1.5 of the digest; Ed25519 over the SHA-256 digest (RFC 8463 3)
 */
static int
check_crypto(const struct dkim_sig *sig, EVP_PKEY *key, const char *data,
    size_t len)
{
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *mctx = NULL;
	int ok = 0;

	if (EVP_Digest(data, len, dig, &dlen, sig_md(sig), NULL) != 1)
		return 0;
	if (sig->alg == DKIM_ALG_ED25519_SHA256) {
		if ((mctx = EVP_MD_CTX_new()) == NULL)
			x_oom(0);
		ok = EVP_DigestVerifyInit_ex(mctx, NULL, NULL, NULL, NULL, key,
		    NULL) == 1 && EVP_DigestVerify(mctx, sig->b, sig->blen, dig,
		    dlen) == 1;
	} else {
		if ((pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL)
			x_oom(0);
		ok = EVP_PKEY_verify_init(pctx) == 1 &&
		    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0 &&
		    EVP_PKEY_CTX_set_signature_md(pctx, sig_md(sig)) > 0 &&
		    EVP_PKEY_verify(pctx, sig->b, sig->blen, dig, dlen) == 1;
	}
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	ERR_clear_error();	/* a bad signature is an answer, not an error */
	return ok;
}

/*
 * get_key - SIG's key from SELECTOR._domainkey.DOMAIN TXT; the result
 * when there is none to use (temperror or permerror), else DKIM_RES_NONE
 */
static enum dkim_res
get_key(struct dkim_verify *v, const struct dkim_sig *sig,
    struct dkim_key *key, struct vstr *reason, enum dkim_why *code)
{
	struct vstr name = VSTR_INIT;
	struct dns_answer *a;
	enum dkim_res res = DKIM_RES_PERMERROR;
	char why[128] = "no key";
	enum dkim_why c = DKIM_WHY_KEY_NONE;
	size_t i;

	vstr_catf(&name, "%s._domainkey.%s", sig->s, sig->d);
	dns_msg_begin(v->dns);		/* one signature's DNS time */
	a = dns_query(v->dns, vstr_str(&name), DNS_T_TXT);
	vstr_free(&name);
	switch (a->status) {
	case DNS_OK:
		/* RFC 6376 3.6.2.2: several records, use one that parses. */
		for (i = 0; i < a->n && res != DKIM_RES_NONE; i++) {
			c = DKIM_WHY_KEY_BAD;
			if (dkim_key_parse(a->rr[i].text, a->rr[i].len,
			    sig->alg, key, why, sizeof(why)) == 0)
				res = DKIM_RES_NONE;
		}
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		break;
	default:
		res = DKIM_RES_TEMPERROR;
		c = DKIM_WHY_KEY_TEMP;
		snprintf(why, sizeof(why), "key lookup failed temporarily (%s)",
		    dns_status_str(a->status));
		break;
	}
	dns_answer_free(a);
	if (res != DKIM_RES_NONE) {
		vstr_cat(reason, why);
		*code = c;
	}
	return res;
}

/* i_domain_is_d - t=s: the i= domain must be d= itself (3.6.1) */
static int
i_domain_is_d(const struct dkim_sig *sig)
{
	const char *at;

	if (sig->i == NULL)
		return 1;
	at = strrchr(sig->i, '@');
	return at != NULL && domain_equal(at + 1, sig->d);
}

/* verify - the cryptographic verdict on one parsed signature */
static enum dkim_res
verify(struct dkim_verify *v, struct vsig *s, struct dkim_key *key,
    struct vstr *reason, enum dkim_why *code)
{
	const struct dkim_sig *sig = s->sig;
	unsigned char bh[EVP_MAX_MD_SIZE];
	struct vstr data = VSTR_INIT;
	time_t now = v->opts.now != 0 ? v->opts.now : time(NULL);
	enum dkim_res res;
	size_t n;

	end_of_header(v);
	n = dkim_body_final(&s->body, bh);
	if (sig->x >= 0 && sig->x < (int64_t)now) {
		vstr_cat(reason, "signature expired (x=)");
		*code = DKIM_WHY_EXPIRED;
		return DKIM_RES_FAIL;
	}
	/* RFC 6376 6.1.2 before 6.1.3: a key failure outranks the hashes. */
	if ((res = get_key(v, sig, key, reason, code)) != DKIM_RES_NONE)
		return res;
	if (key->strict && !i_domain_is_d(sig)) {
		vstr_cat(reason, "key t=s forbids an i= subdomain");
		*code = DKIM_WHY_KEY_STRICT;
		return DKIM_RES_PERMERROR;
	}
	if (sig->l >= 0 && (uint64_t)sig->l > s->body.total) {
		vstr_catf(reason, "l=%lld is longer than the %llu-byte body",
		    (long long)sig->l, (unsigned long long)s->body.total);
		*code = DKIM_WHY_BODY_SHORT;
		return DKIM_RES_FAIL;
	}
	if (n != sig->bhlen || memcmp(bh, sig->bh, n) != 0) {
		vstr_cat(reason, "body hash did not verify");
		*code = DKIM_WHY_BODY_HASH;
		return DKIM_RES_FAIL;
	}
	header_data(v, s, &data);
	res = check_crypto(sig, key->pkey, data.buf, data.len) ?
	    DKIM_RES_PASS : DKIM_RES_FAIL;
	vstr_free(&data);
	if (res == DKIM_RES_FAIL) {
		vstr_cat(reason, "signature did not verify");
		*code = DKIM_WHY_SIGNATURE;
	}
	return res;
}

/* from_count - how many times h= names From */
static unsigned
from_count(const struct dkim_sig *sig)
{
	unsigned n = 0;
	size_t k;

	for (k = 0; k < sig->nh; k++)
		n += strcmp(sig->h[k], "from") == 0;
	return n;
}

/*
 * judge - one signature's result: the verdict, then mxauth's rules; the
 * details into REASON, their fixed-text class into *CODE
 */
static enum dkim_res
judge(struct dkim_verify *v, struct vsig *s, struct vstr *reason,
    enum dkim_why *code)
{
	const struct dkim_sig *sig = s->sig;
	struct dkim_key key;
	enum dkim_res res;

	if (sig == NULL) {
		vstr_cat(reason, s->why);
		*code = DKIM_WHY_SYNTAX;
		return DKIM_RES_PERMERROR;
	}
	memset(&key, 0, sizeof(key));
	res = verify(v, s, &key, reason, code);
	dkim_key_release(&key);
	if (res != DKIM_RES_PASS)
		return res;
	/* RFC 6376 8.15: a From the signature does not cover. */
	if (v->nfrom > from_count(sig)) {
		vstr_catf(reason, "%u From fields, h= covers %u", v->nfrom,
		    from_count(sig));
		*code = DKIM_WHY_FROM;
		return DKIM_RES_FAIL;
	}
	if (sig->alg == DKIM_ALG_RSA_SHA1) {
		vstr_cat(reason, "rsa-sha1 is not accepted (RFC 8301)");
		*code = DKIM_WHY_SHA1;
		return DKIM_RES_POLICY;
	}
	if (sig->alg != DKIM_ALG_ED25519_SHA256 &&
	    key.bits < v->opts.min_key_bits) {
		vstr_catf(reason, "%u-bit key, minimum %u", key.bits,
		    v->opts.min_key_bits);
		*code = DKIM_WHY_KEY_SIZE;
		return DKIM_RES_POLICY;
	}
	if (!v->opts.allow_partial_body && sig->l >= 0 &&
	    s->body.total > (uint64_t)sig->l) {
		vstr_catf(reason, "l=%lld covers part of a %llu-byte body",
		    (long long)sig->l, (unsigned long long)s->body.total);
		*code = DKIM_WHY_PARTIAL;
		return DKIM_RES_POLICY;
	}
	return res;
}

/* fill - a signature's identifiers into R */
static void
fill(const struct dkim_sig *sig, struct dkim_result *r)
{
	struct vstr id = VSTR_INIT;

	if (sig == NULL)
		return;
	r->domain = xstrdup(sig->d);
	r->selector = xstrdup(sig->s);
	r->algorithm = xstrdup(sig->a);
	if (sig->i != NULL)
		r->identity = xstrdup(sig->i);
	else {
		vstr_catf(&id, "@%s", sig->d);	/* RFC 6376 3.5 default */
		r->identity = vstr_steal(&id);
	}
	r->b = xstrdup(sig->b8);
}

/* dkim_verify_end - verify and report each evaluated signature */
size_t
dkim_verify_end(struct dkim_verify *v, struct dkim_result **out,
    size_t *ignored)
{
	struct vstr reason = VSTR_INIT;
	struct dkim_result *res;
	size_t i;

	*out = NULL;
	*ignored = v != NULL ? v->ignored : 0;
	if (v == NULL || v->nsig == 0)
		return 0;
	res = xcalloc(v->nsig, sizeof(*res));
	for (i = 0; i < v->nsig; i++) {
		vstr_reset(&reason);
		res[i].result = judge(v, &v->sig[i], &reason, &res[i].why);
		fill(v->sig[i].sig, &res[i]);
		if (reason.len > 0)
			res[i].reason = xstrdup(vstr_str(&reason));
	}
	vstr_free(&reason);
	*out = res;
	return v->nsig;
}

/* dkim_verify_free - release the verifier; NULL is a no-op */
void
dkim_verify_free(struct dkim_verify *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nsig; i++) {
		dkim_body_free(&v->sig[i].body);
		dkim_sig_free(v->sig[i].sig);
	}
	for (i = 0; i < v->nf; i++) {
		x_free(v->f[i].name);
		x_free(v->f[i].value);
	}
	x_free(v->sig);
	x_free(v->f);
	x_free(v);
}

/* dkim_verify_results_free - release what dkim_verify_end returned */
void
dkim_verify_results_free(struct dkim_result *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		x_free(r[i].domain);
		x_free(r[i].identity);
		x_free(r[i].selector);
		x_free(r[i].algorithm);
		x_free(r[i].b);
		x_free(r[i].reason);
	}
	x_free(r);
}
