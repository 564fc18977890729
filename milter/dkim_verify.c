/*
 * dkim_verify - libopendkim behind mxauth's result type.
 *
 * One DKIM_LIB for the process (initialised once, thread-safe for
 * verification handles); one DKIM handle per message.  Keys come from
 * milter/dns through libopendkim's key-lookup callback, so DKIM shares
 * the resolver, its timeouts and cache with SPF and DMARC; a time-out
 * or SERVFAIL is temperror, NXDOMAIN/NODATA "no key" (permerror).
 *
 * On top of the library's verdict, mxauth refuses to call "pass":
 *   - rsa-sha1 signatures (RFC 8301 3.1)          -> policy
 *   - RSA keys shorter than min_key_bits (RFC 8301 3.2) -> policy
 *   - l= shorter than the body, unless allowed (RFC 6376 8.2) -> policy
 *   - more From fields than the signature's h= covers (RFC 6376 8.15,
 *     the header-prepend attack)                   -> fail
 * Locking: the library handle is set up under pthread_once; a verifier
 * belongs to one message (one thread).
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opendkim/dkim.h>

#include "dkim_verify.h"
#include "dns.h"
#include "vstr.h"
#include "xmalloc.h"

#define MAX_TEMP	16	/* signatures with a temporary key failure */

struct dkim_verify {
	DKIM			*dkim;
	struct dns		*dns;
	struct dkim_verify_opts	 opts;
	unsigned		 nfrom;		/* From fields seen */
	size_t			 nsighdr;	/* DKIM-Signature fields seen */
	DKIM_SIGINFO		*temp[MAX_TEMP];
	size_t			 ntemp;
	int			 broken;	/* library refused input */
	int			 eoh;		/* dkim_eoh called */
	int			 nosig;		/* no signature: skip the body */
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static DKIM_LIB *lib;

/* valid_name - d= and s= may hold only what a domain name may */
static int
valid_name(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr(".-_", *s) == NULL)
			return 0;
	return 1;
}

/* key_lookup - libopendkim asks for SELECTOR._domainkey.DOMAIN TXT */
static DKIM_CBSTAT
key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct dkim_verify *v = dkim_get_user_context(dkim);
	const char *d = (const char *)dkim_sig_getdomain(sig);
	const char *s = (const char *)dkim_sig_getselector(sig);
	struct vstr name = VSTR_INIT;
	struct dns_answer *a;
	DKIM_CBSTAT rc;
	size_t len;
	char *txt;

	if (!valid_name(d) || !valid_name(s))
		return DKIM_CBSTAT_NOTFOUND;
	vstr_catf(&name, "%s._domainkey.%s", s, d);
	a = dns_query(v->dns, vstr_str(&name), LDNS_RR_TYPE_TXT);
	vstr_free(&name);
	switch (a->status) {
	case DNS_OK:
		txt = dns_txt_join(ldns_rr_list_rr(a->rrs, 0), &len);
		rc = len < buflen ? DKIM_CBSTAT_CONTINUE : DKIM_CBSTAT_ERROR;
		if (rc == DKIM_CBSTAT_CONTINUE)
			memcpy(buf, txt, len + 1);
		x_free(txt);
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		rc = DKIM_CBSTAT_NOTFOUND;
		break;
	default:
		rc = DKIM_CBSTAT_TRYAGAIN;
		if (v->ntemp < MAX_TEMP)
			v->temp[v->ntemp++] = sig;
		break;
	}
	dns_answer_free(a);
	return rc;
}

/* prescreen - evaluate at most max_signatures, ignore the rest */
static DKIM_CBSTAT
prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct dkim_verify *v = dkim_get_user_context(dkim);
	int i;

	for (i = (int)v->opts.max_signatures; i < nsigs; i++)
		dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

/* lib_init - the process's DKIM_LIB */
static void
lib_init(void)
{
	/*
	 * Keep handles of bad signatures (to report them); fetch keys at
	 * end of message, not end of header, so a key-lookup failure does
	 * not stop the body from being hashed.
	 */
	unsigned int flags = DKIM_LIBFLAGS_BADSIGHANDLES |
	    DKIM_LIBFLAGS_DELAYSIGPROC;
	unsigned int zero = 0;

	if ((lib = dkim_init(NULL, NULL)) == NULL)
		return;
	(void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof(flags));
	/* Key size is judged here (policy), not refused by the library. */
	(void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &zero,
	    sizeof(zero));
	(void)dkim_set_key_lookup(lib, key_lookup);
	(void)dkim_set_prescreen(lib, prescreen);
}

/* dkim_verify_start - a verifier for one message */
struct dkim_verify *
dkim_verify_start(struct dns *dns, const struct dkim_verify_opts *opts,
    const char *id)
{
	struct dkim_verify *v;
	DKIM_STAT st;

	pthread_once(&lib_once, lib_init);
	if (lib == NULL || dns == NULL)
		return NULL;
	v = xcalloc(1, sizeof(*v));
	v->dns = dns;
	v->opts = *opts;
	v->dkim = dkim_verify(lib, (const unsigned char *)(id != NULL ? id :
	    "mxauth"), NULL, &st);
	if (v->dkim == NULL) {
		x_free(v);
		return NULL;
	}
	dkim_set_user_context(v->dkim, v);
	return v;
}

/* dkim_verify_header - "Name:value" with CRLF folds, as signed */
void
dkim_verify_header(struct dkim_verify *v, const char *name, const char *value)
{
	struct vstr h = VSTR_INIT;
	const char *p;

	if (v == NULL || v->broken)
		return;
	if (strcasecmp(name, "From") == 0)
		v->nfrom++;
	else if (strcasecmp(name, "DKIM-Signature") == 0)
		v->nsighdr++;
	vstr_catf(&h, "%s:", name);
	/* Without SMFIP_HDR_LEADSPC the MTA dropped the usual space. */
	if (*value != ' ' && *value != '\t')
		vstr_catc(&h, ' ');
	for (p = value; *p != '\0'; p++) {
		if (*p == '\n' && (p == value || p[-1] != '\r'))
			vstr_catc(&h, '\r');
		vstr_catc(&h, *p);
	}
	if (dkim_header(v->dkim, (u_char *)h.buf, h.len) != DKIM_STAT_OK)
		v->broken = 1;
	vstr_free(&h);
}

/* end_of_header - dkim_eoh once; no signature means no body work */
static void
end_of_header(struct dkim_verify *v)
{
	DKIM_STAT st;

	if (v->eoh)
		return;
	v->eoh = 1;
	if (v->broken)
		return;
	st = dkim_eoh(v->dkim);
	if (st == DKIM_STAT_NOSIG)
		v->nosig = 1;
	else if (st != DKIM_STAT_OK)
		v->broken = 1;
}

/* dkim_verify_body - a chunk of the body, CRLF line ends */
void
dkim_verify_body(struct dkim_verify *v, const unsigned char *buf, size_t len)
{
	if (v == NULL || len == 0)
		return;
	end_of_header(v);
	if (v->broken || v->nosig)
		return;
	if (dkim_body(v->dkim, (u_char *)buf, len) != DKIM_STAT_OK)
		v->broken = 1;
}

/* tag - a signature tag's value, or NULL */
static const char *
tag(DKIM_SIGINFO *sig, const char *name)
{
	return (const char *)dkim_sig_gettagvalue(sig, 0, (u_char *)name);
}

/* h_from_count - how many times the signature's h= names From */
static unsigned
h_from_count(DKIM_SIGINFO *sig)
{
	const char *h = tag(sig, "h"), *p, *end;
	unsigned n = 0;

	for (p = h; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		while (isspace((unsigned char)*p))
			p++;
		for (end = p; *end != '\0' && *end != ':'; end++)
			;
		if (end - p >= 4 && strncasecmp(p, "from", 4) == 0) {
			const char *q = p + 4;

			while (q < end && isspace((unsigned char)*q))
				q++;
			if (q == end)
				n++;
		}
	}
	return n;
}

/* was_temp - whether the key lookup for SIG failed temporarily */
static int
was_temp(const struct dkim_verify *v, const DKIM_SIGINFO *sig)
{
	size_t i;

	for (i = 0; i < v->ntemp; i++)
		if (v->temp[i] == sig)
			return 1;
	return 0;
}

/* from_error - the result a library error gives, with its reason */
static enum dkim_res
from_error(int err, const char **reason)
{
	*reason = dkim_sig_geterrorstr(err);
	switch (err) {
	case DKIM_SIGERROR_BADSIG:
		*reason = "signature did not verify";
		return DKIM_RES_FAIL;
	case DKIM_SIGERROR_EXPIRED:
		*reason = "signature expired (x=)";
		return DKIM_RES_FAIL;
	case DKIM_SIGERROR_KEYFAIL:
		return DKIM_RES_TEMPERROR;
	case DKIM_SIGERROR_DNSSYNTAX:
		*reason = "key record is malformed";
		return DKIM_RES_PERMERROR;
	case DKIM_SIGERROR_NOKEY:
		*reason = "no key";
		return DKIM_RES_PERMERROR;
	case DKIM_SIGERROR_KEYREVOKED:
		*reason = "key revoked";
		return DKIM_RES_PERMERROR;
	case DKIM_SIGERROR_KEYTOOSMALL:
		return DKIM_RES_POLICY;
	default:
		return DKIM_RES_PERMERROR;	/* syntax, key format, ... */
	}
}

/* judge - one signature's result and reason */
static enum dkim_res
judge(struct dkim_verify *v, DKIM_SIGINFO *sig, struct vstr *reason)
{
	const char *why = NULL, *d = tag(sig, "d"), *s = tag(sig, "s");
	unsigned int flags = dkim_sig_getflags(sig), bits = 0;
	ssize_t msglen = -1, canonlen = -1, signlen = -1;
	dkim_alg_t alg = DKIM_SIGN_UNKNOWN;
	enum dkim_res res;

	if (!valid_name(d) || !valid_name(s)) {
		vstr_cat(reason, "invalid d= or s=");
		return DKIM_RES_PERMERROR;
	}
	if (was_temp(v, sig)) {
		vstr_cat(reason, "key lookup failed temporarily");
		return DKIM_RES_TEMPERROR;
	}
	/* The library stops at a temporary key failure of another one. */
	if ((flags & DKIM_SIGFLAG_PROCESSED) == 0 && v->ntemp > 0) {
		vstr_cat(reason, "not evaluated after a key lookup failure");
		return DKIM_RES_TEMPERROR;
	}
	if ((flags & DKIM_SIGFLAG_PASSED) != 0 &&
	    dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH)
		res = DKIM_RES_PASS;
	else if (dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH) {
		res = DKIM_RES_FAIL;
		why = "body hash did not verify";
	} else if (dkim_sig_geterror(sig) == DKIM_SIGERROR_OK) {
		res = DKIM_RES_FAIL;
		why = "signature did not verify";
	} else
		res = from_error(dkim_sig_geterror(sig), &why);
	if (why != NULL)
		vstr_cat(reason, why);
	/* RFC 6376 8.15: a From the signature does not cover. */
	if (res == DKIM_RES_PASS && v->nfrom > h_from_count(sig)) {
		vstr_catf(reason, "%u From fields, h= covers %u", v->nfrom,
		    h_from_count(sig));
		return DKIM_RES_FAIL;
	}
	if (res != DKIM_RES_PASS)
		return res;
	(void)dkim_sig_getsignalg(sig, &alg);
	(void)dkim_sig_getkeysize(sig, &bits);
	if (alg == DKIM_SIGN_RSASHA1) {
		vstr_cat(reason, "rsa-sha1 is not accepted (RFC 8301)");
		return DKIM_RES_POLICY;
	}
	if (alg != DKIM_SIGN_ED25519SHA256 && bits < v->opts.min_key_bits) {
		vstr_catf(reason, "%u-bit key, minimum %u", bits,
		    v->opts.min_key_bits);
		return DKIM_RES_POLICY;
	}
	(void)dkim_sig_getcanonlen(v->dkim, sig, &msglen, &canonlen, &signlen);
	if (!v->opts.allow_partial_body && signlen >= 0 && msglen > signlen) {
		vstr_catf(reason, "l=%zd covers part of a %zd-byte body",
		    signlen, msglen);
		return DKIM_RES_POLICY;
	}
	return res;
}

/* fill - copy a signature's identifiers into R */
static void
fill(DKIM_SIGINFO *sig, struct dkim_result *r)
{
	const char *t;

	r->domain = xstrdup((t = tag(sig, "d")) != NULL ? t : "");
	r->selector = xstrdup((t = tag(sig, "s")) != NULL ? t : "");
	r->algorithm = xstrdup((t = tag(sig, "a")) != NULL ? t : "");
	if ((t = tag(sig, "i")) != NULL)
		r->identity = xstrdup(t);
	else {
		struct vstr id = VSTR_INIT;

		vstr_catf(&id, "@%s", r->domain);	/* RFC 6376 3.5 default */
		r->identity = vstr_steal(&id);
	}
	if ((t = tag(sig, "b")) != NULL)
		r->b = xstrndup(t, 8);		/* RFC 6008 */
}

/* dkim_verify_end - verify and report each evaluated signature */
size_t
dkim_verify_end(struct dkim_verify *v, struct dkim_result **out,
    size_t *ignored)
{
	DKIM_SIGINFO **sigs = NULL;
	struct vstr reason = VSTR_INIT;
	struct dkim_result *res;
	int nsigs = 0, i;
	size_t n = 0;

	*out = NULL;
	*ignored = 0;
	if (v == NULL || v->nsighdr == 0)
		return 0;
	end_of_header(v);
	if (!v->broken && !v->nosig)
		(void)dkim_eom(v->dkim, NULL);
	if (v->nosig || dkim_getsiglist(v->dkim, &sigs, &nsigs) !=
	    DKIM_STAT_OK || nsigs < 0)
		nsigs = 0;
	res = xcalloc((size_t)nsigs + v->nsighdr, sizeof(*res));
	for (i = 0; i < nsigs; i++) {
		if ((dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) != 0) {
			(*ignored)++;
			continue;
		}
		vstr_reset(&reason);
		res[n].result = v->broken ? DKIM_RES_PERMERROR :
		    judge(v, sigs[i], &reason);
		if (v->broken)
			vstr_cat(&reason, "message could not be parsed");
		fill(sigs[i], &res[n]);
		if (reason.len > 0)
			res[n].reason = xstrdup(vstr_str(&reason));
		n++;
	}
	vstr_free(&reason);
	/* Fields the library could not even parse are permerror, not none. */
	while (n + *ignored < v->nsighdr) {
		res[n].result = DKIM_RES_PERMERROR;
		res[n].reason = xstrdup("DKIM-Signature could not be parsed");
		n++;
	}
	*out = res;
	return n;
}

/* dkim_verify_free - release the verifier; NULL is a no-op */
void
dkim_verify_free(struct dkim_verify *v)
{
	if (v == NULL)
		return;
	dkim_free(v->dkim);
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
