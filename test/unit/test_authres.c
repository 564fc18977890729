/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_authres - RFC 8601 authserv-id parsing, header formatting and the
 * selection of forged headers (trust_ar_forged).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "authres.h"
#include "conf.h"
#include "trust.h"
#include "vstr.h"
#include "xmalloc.h"

/* test_parse_id - authserv-id forms from RFC 8601 and hostile input */
static void
test_parse_id(void **state)
{
	static const struct {
		const char *value;
		int want_rc;
		const char *want_id;
	} cases[] = {
		{ "mx.example; spf=pass smtp.mailfrom=a.example", 0,
		    "mx.example" },
		{ "mx.example 1; none", 0, "mx.example" },
		{ "  (comment) mx.example;none", 0, "mx.example" },
		{ "(nested (comment)) MX.Example ; dkim=pass", 0,
		    "MX.Example" },
		{ "\"quoted.example\"; none", 0, "quoted.example" },
		{ "\"q\\\"x\"; none", 0, "q\"x" },
		{ "mx.example\n\t; spf=fail", 0, "mx.example" },
		{ "mx.example", 0, "mx.example" },
		{ "", -1, NULL },
		{ "; spf=pass", -1, NULL },
		{ "(unterminated mx.example; spf=pass", -1, NULL },
		{ "\"unterminated; spf=pass", -1, NULL },
		{ "mx.example junk; spf=pass", -1, NULL },
		{ "mx.example/x; spf=pass", -1, NULL },
	};
	char id[64];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = authres_parse_id(cases[i].value, id, sizeof(id));
		assert_int_equal(rc, cases[i].want_rc);
		if (cases[i].want_id != NULL)
			assert_string_equal(id, cases[i].want_id);
	}
	/* An id longer than the buffer is refused, not truncated. */
	assert_int_equal(authres_parse_id("abcdefghijklmnop; none", id, 8),
	    -1);
}

#define L21	"aaaaaaaaaaaaaaaaaaaaa"
#define L63	L21 L21 L21
#define L64	L63 "a"

/*
 * test_comments - the strict reader's CFWS: comments nest to any depth,
 * bare CR and LF are white space, an unclosed comment hides the rest;
 * the lenient reader also ends comments at the first ')'
 */
static void
test_comments(void **state)
{
	struct authres_parsed a;
	struct vstr v = VSTR_INIT;
	char id[64];
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++)
		vstr_catc(&v, '(');
	for (i = 0; i < 1000; i++)
		vstr_catc(&v, ')');
	vstr_cat(&v, " mx.example;\r spf=pass");
	assert_int_equal(authres_parse_id(vstr_str(&v), id, sizeof(id)), 0);
	assert_string_equal(id, "mx.example");
	assert_int_equal(authres_parse(vstr_str(&v), &a), 0);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.res[0].method, "spf");
	vstr_free(&v);
	assert_int_equal(authres_parse_id("mx.example (unclosed", id,
	    sizeof(id)), 0);
	assert_int_equal(authres_parse("mx.example (unclosed", &a), -1);
	assert_int_equal(authres_parse_id("(a \\) mx.example; none", id,
	    sizeof(id)), -1);
	assert_int_equal(authres_parse_id("(a \\) b) mx.example; none", id,
	    sizeof(id)), 0);
	assert_string_equal(id, "mx.example");
}

/* test_pvalue - property values are quoted only when they must be */
static void
test_pvalue(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "example.org", "example.org" },
		{ "user@example.org", "user@example.org" },
		{ "two words", "\"two words\"" },
		{ "semi;colon", "\"semi;colon\"" },
		{ "q\"uote", "\"q\\\"uote\"" },
		{ "crlf\r\ninjected: x", "\"crlf??injected: x\"" },
		{ "", "\"\"" },
		{ "@a.example", "@a.example" },
		{ "x.y@a.example", "x.y@a.example" },
		{ "a b@c.example", "\"a b@c.example\"" },
		{ "x@-bad.example", "\"x@-bad.example\"" },
		/* RFC 6376 3.5 domain-name: two labels or more, 63 bytes a
		 * label (domain.c) */
		{ "postmaster@localhost", "\"postmaster@localhost\"" },
		{ "x@" L64 ".example", "\"x@" L64 ".example\"" },
		{ "x@" L63 ".example", "x@" L63 ".example" },
		{ "x@a@b.example", "\"x@a@b.example\"" },
		{ ".x@a.example", "\".x@a.example\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "\x01" "ctl", "\"?ctl\"" },
		{ "caf\xc3\xa9.example", "\"caf??.example\"" },
	};
	struct vstr v = VSTR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vstr_reset(&v);
		authres_pvalue(&v, cases[i].in);
		assert_string_equal(vstr_str(&v), cases[i].want);
	}
	vstr_free(&v);
}

/* test_format - the header per ingress class, methods not yet checked */
static void
test_format(void **state)
{
	static const struct {
		enum ingress ingress;
		const char *auth;
		const char *mail_from;
		const char *from;
		const char *want;
	} cases[] = {
		{ INGRESS_EXTERNAL, NULL, "bob@a.example", "b.example",
		    "mx.example;\n\tspf=none (not checked) "
		    "smtp.mailfrom=a.example;\n\tdkim=none;\n\t"
		    "dmarc=none (not checked) header.from=b.example" },
		{ INGRESS_EXTERNAL, NULL, "", NULL,
		    "mx.example;\n\tspf=none (not checked);\n\tdkim=none;\n\t"
		    "dmarc=none (not checked)" },
		{ INGRESS_TRUSTED, NULL, "bob@a.example", "b.example",
		    "mx.example; none" },
		{ INGRESS_AUTHENTICATED, "alice", "alice@a.example", NULL,
		    "mx.example;\n\tauth=pass smtp.auth=alice" },
	};
	struct authres_in in;
	struct vstr v = VSTR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.authserv_id = "mx.example";
		in.ingress = cases[i].ingress;
		in.auth_user = cases[i].auth;
		in.mail_from = cases[i].mail_from;
		in.from_domain = cases[i].from;
		vstr_reset(&v);
		authres_format(&v, &in);
		assert_string_equal(vstr_str(&v), cases[i].want);
	}
	vstr_free(&v);
}

/* test_format_dkim - one resinfo per signature with RFC 6008 header.b */
static void
test_format_dkim(void **state)
{
	struct dkim_result sig[2];
	struct authres_in in;
	struct vstr v = VSTR_INIT;

	(void)state;
	memset(sig, 0, sizeof(sig));
	sig[0].result = DKIM_RES_PASS;
	sig[0].domain = "a.example";
	sig[0].selector = "s1";
	sig[0].algorithm = "rsa-sha256";
	sig[0].b = "abcdEFGH";
	sig[1].result = DKIM_RES_FAIL;
	sig[1].domain = "c.example";
	sig[1].why = DKIM_WHY_BODY_HASH;
	sig[1].reason = "reason (never in the header)";
	memset(&in, 0, sizeof(in));
	in.authserv_id = "mx.example";
	in.mail_from = "";
	in.dkim = sig;
	in.ndkim = 2;
	authres_format(&v, &in);
	assert_non_null(strstr(vstr_str(&v), ";\n\tdkim=pass header.d=a.example"
	    " header.s=s1 header.a=rsa-sha256 header.b=abcdEFGH;"));
	assert_non_null(strstr(vstr_str(&v),
	    ";\n\tdkim=fail (body hash did not verify) header.d=c.example;"));
	assert_null(strstr(vstr_str(&v), "never"));
	vstr_free(&v);
}

/*
 * want_value - what a reader unquotes from a value written from S:
 * control and 8-bit bytes as '?', cut with "..." where the quoted text
 * (a backslash before '"' and '\\') would pass 255 bytes; at most
 * LEN - 1 bytes of it (the parser's buffer)
 */
static void
want_value(const char *s, char *buf, size_t len)
{
	size_t n = 0, o = 0;
	int pair;

	for (; *s != '\0' && o + 1 < len; s++) {
		pair = *s == '"' || *s == '\\';
		if (n + 1 + pair > 255) {
			snprintf(buf + o, len - o, "...");
			return;
		}
		buf[o++] = (unsigned char)*s < 0x20 ||
		    (unsigned char)*s >= 0x7f ? '?' : *s;
		n += 1 + pair;
	}
	buf[o] = '\0';
}

/*
 * check_field - V is a 7-bit field value, folded only as "\n\t", with
 * no line longer than RFC 5322 2.1.1's 998 bytes
 */
static void
check_field(const char *v)
{
	const unsigned char *p;
	size_t col = 0;

	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '\n') {
			assert_int_equal(p[1], '\t');
			col = 0;
			continue;
		}
		assert_true(*p >= 0x20 || *p == '\t');
		assert_true(*p < 0x7f);
		assert_true(++col < 998);
	}
}

/*
 * check_roundtrip - authres_parse reads back from V exactly the methods,
 * results, header.from and policy.dmarc that IN stands for
 */
static void
check_roundtrip(const char *v, const struct authres_in *in)
{
	struct authres_parsed a;
	char want[256];
	size_t i, n;

	check_field(v);
	if (authres_parse(v, &a) != 0)
		fail_msg("does not parse: %s", v);
	assert_string_equal(a.id, "mx.example");
	n = in->ndkim > 0 ? in->ndkim : 1;
	if (a.n != n + 2)
		fail_msg("%zu results, want %zu: %s", a.n, n + 2, v);
	assert_string_equal(a.res[0].method, "spf");
	assert_string_equal(a.res[0].result, in->spf != NULL ?
	    result_spf_str(in->spf->result) : "none");
	for (i = 0; i < n; i++) {
		assert_string_equal(a.res[1 + i].method, "dkim");
		assert_string_equal(a.res[1 + i].result, in->ndkim > 0 ?
		    result_dkim_str(in->dkim[i].result) : "none");
		assert_string_equal(a.res[1 + i].header_from, "");
	}
	assert_string_equal(a.res[n + 1].method, "dmarc");
	assert_string_equal(a.res[n + 1].result, in->dmarc != NULL ?
	    result_dmarc_str(in->dmarc->result) : "none");
	want[0] = '\0';
	if (in->from_domain != NULL)
		want_value(in->from_domain, want, sizeof(want));
	assert_string_equal(a.res[n + 1].header_from, want);
	assert_string_equal(a.res[n + 1].policy_dmarc, in->dmarc != NULL ?
	    result_policy_str(in->dmarc->policy) : "");
}

/*
 * rs_value - the value of KEY in the key-value list of a Received-SPF
 * value V (RFC 7208 9.1), unquoted into BUF; -1 when V does not parse
 * as result, one comment, then "key=value;" pairs, or KEY is absent
 */
static int
rs_value(const char *v, const char *key, char *buf, size_t len)
{
	const char *p = strchr(v, '('), *k;
	int depth = 0, found = -1;
	size_t n, klen;

	if (p == NULL)
		return -1;
	for (; *p != '\0'; p++) {	/* the comment, quoted-pairs inside */
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			break;
	}
	if (*p++ != ')')
		return -1;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		for (k = p; (*p >= 'a' && *p <= 'z') || *p == '-'; p++)
			;
		klen = (size_t)(p - k);
		if (klen == 0 || *p++ != '=')
			return -1;
		n = 0;
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\0')
					return -1;
				if (*p == '\\')
					p++;
				if (n + 1 < len && klen == strlen(key) &&
				    strncmp(k, key, klen) == 0)
					buf[n++] = *p;
			}
			p++;
		} else
			for (; *p != ';' && *p != '\0' && *p != ' '; p++)
				if (n + 1 < len && klen == strlen(key) &&
				    strncmp(k, key, klen) == 0)
					buf[n++] = *p;
		if (*p++ != ';')
			return -1;
		if (klen == strlen(key) && strncmp(k, key, klen) == 0) {
			buf[n] = '\0';
			found = 0;
		}
	}
	return found;
}

/* check_received_spf - V parses and says what was judged */
static void
check_received_spf(const char *v, const struct spf_result *spf,
    const char *mail_from, const char *helo)
{
	char got[512], want[512];

	check_field(v);
	assert_int_equal(strncmp(v, result_spf_str(spf->result),
	    strlen(result_spf_str(spf->result))), 0);
	assert_int_equal(rs_value(v, "client-ip", got, sizeof(got)), 0);
	want_value(spf->client_ip, want, sizeof(want));
	assert_string_equal(got, want);
	assert_int_equal(rs_value(v, "receiver", got, sizeof(got)), 0);
	assert_string_equal(got, "mx.example");
	assert_int_equal(rs_value(v, "identity", got, sizeof(got)), 0);
	assert_string_equal(got, spf->identity == SPF_ID_HELO ? "helo" :
	    "mailfrom");
	if (*helo != '\0') {
		assert_int_equal(rs_value(v, "helo", got, sizeof(got)), 0);
		want_value(helo, want, sizeof(want));
		assert_string_equal(got, want);
	}
	if (*mail_from != '\0') {
		assert_int_equal(rs_value(v, "envelope-from", got,
		    sizeof(got)), 0);
		want_value(mail_from, want, sizeof(want));
		assert_string_equal(got, want);
	}
}

/*
 * test_spf_texts - each SPF result's Received-SPF comment is its fixed
 * sentence around the names, and free-form text (the SPF explanation,
 * the DMARC and DKIM reasons) reaches neither header
 */
static void
test_spf_texts(void **state)
{
	static const char *const want[] = {
		[SPF_RES_NONE] = "domain of a.example does not publish an SPF "
		    "record",
		[SPF_RES_NEUTRAL] = "192.0.2.1 is neither permitted nor denied "
		    "by domain of a.example",
		[SPF_RES_PASS] = "domain of a.example designates 192.0.2.1 as "
		    "permitted sender",
		[SPF_RES_FAIL] = "domain of a.example does not designate "
		    "192.0.2.1 as permitted sender",
		[SPF_RES_SOFTFAIL] = "domain of transitioning a.example does "
		    "not designate 192.0.2.1 as permitted sender",
		[SPF_RES_TEMPERROR] = "temporary error looking up SPF for "
		    "a.example",
		[SPF_RES_PERMERROR] = "SPF record of a.example is invalid",
	};
	static const char tail[] = ")\n\tclient-ip=192.0.2.1; "
	    "envelope-from=\"bob@a.example\"; helo=h.example; "
	    "receiver=mx.example; identity=mailfrom;";
	struct spf_result spf;
	struct dkim_result sig;
	struct dmarc_result dm;
	struct authres_in in;
	struct vstr v = VSTR_INIT, w = VSTR_INIT;
	size_t r;

	(void)state;
	for (r = 0; r < sizeof(want) / sizeof(want[0]); r++) {
		memset(&spf, 0, sizeof(spf));
		spf.result = (enum spf_res)r;
		spf.identity = SPF_ID_MAILFROM;
		spf.domain = "a.example";
		spf.client_ip = "192.0.2.1";
		spf.explanation = "EXPLAINED (see http://x.example)";
		vstr_reset(&v);
		authres_received_spf(&v, &spf, "mx.example", "bob@a.example",
		    "h.example");
		vstr_reset(&w);
		vstr_catf(&w, "%s (mx.example: %s%s", result_spf_str(spf.result),
		    want[r], tail);
		assert_string_equal(vstr_str(&v), vstr_str(&w));
		memset(&sig, 0, sizeof(sig));
		sig.result = DKIM_RES_FAIL;
		sig.why = DKIM_WHY_SIGNATURE;
		sig.reason = "EXPLAINED";
		memset(&dm, 0, sizeof(dm));
		dm.result = DMARC_RES_FAIL;
		dm.reason = "EXPLAINED";
		memset(&in, 0, sizeof(in));
		in.authserv_id = "mx.example";
		in.mail_from = "bob@a.example";
		in.spf = &spf;
		in.dkim = &sig;
		in.ndkim = 1;
		in.dmarc = &dm;
		vstr_reset(&v);
		authres_format(&v, &in);
		check_roundtrip(vstr_str(&v), &in);
		assert_null(strstr(vstr_str(&v), "EXPLAINED"));
	}
	vstr_free(&v);
	vstr_free(&w);
}

/* Hostile texts: each ends or breaks a comment or value naively written. */
static const char *const hostile[] = {
	"rsa-sha256\\", "x(", "x)", "(", ")", "\\", "\"", "x\";",
	"a;b", "x=y", "@", "a@b@c", "crlf\r\n\tdmarc=pass", "nl\n", "\x01",
	"\x7f", "caf\xc3\xa9", "\xff\xfe(", ") dmarc=pass (", "\" ; dmarc=pass",
	"\\) ; dmarc=pass header.from=bank.example", " ", "",
};

/* long_text - a 2 KB text of the byte C, in BUF */
static const char *
long_text(char *buf, size_t len, char c)
{
	memset(buf, c, len - 1);
	buf[len - 1] = '\0';
	return buf;
}

/*
 * test_hostile - every text a sender controls, in every field at once,
 * under every DKIM reason class: the header still says what was
 * judged, to our parser, and Received-SPF still parses
 */
static void
test_hostile(void **state)
{
	static char big[4][2049];
	const char *texts[sizeof(hostile) / sizeof(hostile[0]) + 4];
	struct dkim_result sig[2];
	struct spf_result spf;
	struct dmarc_result dm;
	struct authres_in in;
	struct vstr v = VSTR_INIT;
	size_t i, nt, w;
	const char *t;

	(void)state;
	for (nt = 0; nt < sizeof(hostile) / sizeof(hostile[0]); nt++)
		texts[nt] = hostile[nt];
	texts[nt++] = long_text(big[0], sizeof(big[0]), '(');
	texts[nt++] = long_text(big[1], sizeof(big[1]), '\\');
	texts[nt++] = long_text(big[2], sizeof(big[2]), 'a');
	texts[nt++] = long_text(big[3], sizeof(big[3]), '\x80');
	for (i = 0; i < nt; i++) {
		t = texts[i];
		for (w = 0; w <= DKIM_WHY_PARTIAL; w++) {
			memset(sig, 0, sizeof(sig));
			sig[0].result = DKIM_RES_PERMERROR;
			sig[0].why = (enum dkim_why)w;
			sig[0].reason = (char *)t;
			sig[0].domain = sig[0].identity = (char *)t;
			sig[0].selector = sig[0].algorithm = (char *)t;
			sig[0].b = (char *)t;
			sig[1] = sig[0];
			sig[1].result = DKIM_RES_FAIL;
			memset(&spf, 0, sizeof(spf));
			spf.result = SPF_RES_FAIL;
			spf.identity = w % 2 ? SPF_ID_HELO : SPF_ID_MAILFROM;
			spf.domain = spf.client_ip = (char *)t;
			spf.explanation = (char *)t;
			memset(&dm, 0, sizeof(dm));
			dm.result = w % 3 ? DMARC_RES_FAIL :
			    DMARC_RES_PERMERROR;
			dm.p = w % 3 ? DMARC_POLICY_REJECT : DMARC_POLICY_UNSET;
			dm.sp = dm.policy = dm.p;
			dm.disposition = DMARC_POLICY_NONE;
			dm.bad_from = w % 3 == 0;
			dm.reason = (char *)t;
			memset(&in, 0, sizeof(in));
			in.authserv_id = "mx.example";
			in.mail_from = in.helo = in.from_domain = t;
			in.spf = &spf;
			in.dkim = sig;
			in.ndkim = 2;
			in.dmarc = &dm;
			vstr_reset(&v);
			authres_format(&v, &in);
			check_roundtrip(vstr_str(&v), &in);
			vstr_reset(&v);
			authres_received_spf(&v, &spf, "mx.example", t, t);
			check_received_spf(vstr_str(&v), &spf, t, t);
		}
		vstr_reset(&v);
		in.ingress = INGRESS_AUTHENTICATED;
		in.auth_user = t;
		authres_format(&v, &in);
		check_field(vstr_str(&v));
	}
	vstr_free(&v);
}

/* rnd - a fixed xorshift sequence: the same inputs on every run */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* rnd_text - a random text into BUF: short mostly, up to 2 KB at times */
static char *
rnd_text(uint32_t *s, char *buf, size_t len)
{
	static const char meta[] = "()\\\";=@. \t\r\n\x01\x7f\x80\xff-ab";
	size_t n, i;

	n = rnd(s) % 8 == 0 ? rnd(s) % (len - 1) : rnd(s) % 24;
	for (i = 0; i < n; i++)
		buf[i] = rnd(s) % 2 ? meta[rnd(s) % (sizeof(meta) - 1)] :
		    (char)(1 + rnd(s) % 255);
	buf[n] = '\0';
	return buf;
}

/*
 * test_roundtrip - a property over 3,000 generated messages: whatever
 * the texts, our parser reads back the results that were written
 */
static void
test_roundtrip(void **state)
{
	static char txt[16][2100];
	struct dkim_result sig[4];
	struct spf_result spf;
	struct dmarc_result dm;
	struct authres_in in;
	struct vstr v = VSTR_INIT;
	uint32_t seed = 0x6d786175;
	size_t iter, i, k;

	(void)state;
	for (iter = 0; iter < 3000; iter++) {
		k = 0;
		memset(&in, 0, sizeof(in));
		memset(sig, 0, sizeof(sig));
		in.authserv_id = "mx.example";
		in.ingress = rnd(&seed) % 2 ? INGRESS_EXTERNAL : INGRESS_RELAY;
		in.mail_from = rnd_text(&seed, txt[k++], sizeof(txt[0]));
		in.helo = rnd_text(&seed, txt[k++], sizeof(txt[0]));
		in.from_domain = rnd(&seed) % 4 ? rnd_text(&seed, txt[k++],
		    sizeof(txt[0])) : NULL;
		memset(&spf, 0, sizeof(spf));
		spf.result = (enum spf_res)(rnd(&seed) % 7);
		spf.identity = (enum spf_identity)(rnd(&seed) % 2);
		spf.domain = rnd_text(&seed, txt[k++], sizeof(txt[0]));
		spf.client_ip = rnd_text(&seed, txt[k++], sizeof(txt[0]));
		in.spf = rnd(&seed) % 5 ? &spf : NULL;
		in.ndkim = rnd(&seed) % 4;
		for (i = 0; i < in.ndkim; i++) {
			sig[i].result = (enum dkim_res)(rnd(&seed) % 7);
			sig[i].why = (enum dkim_why)(rnd(&seed) % 14);
			sig[i].domain = rnd_text(&seed, txt[k++],
			    sizeof(txt[0]));
			sig[i].identity = rnd_text(&seed, txt[k++],
			    sizeof(txt[0]));
			sig[i].selector = sig[i].algorithm = sig[i].domain;
			sig[i].b = sig[i].identity;
			sig[i].reason = sig[i].domain;
		}
		in.dkim = sig;
		memset(&dm, 0, sizeof(dm));
		dm.result = (enum dmarc_res)(rnd(&seed) % 5);
		dm.p = (enum dmarc_policy)(rnd(&seed) % 4);
		dm.sp = (enum dmarc_policy)(rnd(&seed) % 4);
		dm.policy = (enum dmarc_policy)(rnd(&seed) % 4);
		dm.disposition = (enum dmarc_policy)(rnd(&seed) % 4);
		dm.bad_from = rnd(&seed) % 2;
		dm.reason = in.from_domain != NULL ? (char *)in.from_domain :
		    NULL;
		in.dmarc = rnd(&seed) % 5 ? &dm : NULL;
		vstr_reset(&v);
		authres_format(&v, &in);
		check_roundtrip(vstr_str(&v), &in);
		vstr_reset(&v);
		authres_received_spf(&v, &spf, "mx.example", in.mail_from,
		    in.helo);
		check_received_spf(vstr_str(&v), &spf, in.mail_from, in.helo);
	}
	vstr_free(&v);
}

/*
 * test_forged - which incoming A-R values claim a trusted id (RFC 8601
 * 5): the leading token read as leniently as any reader might, whether
 * the rest parses or not
 */
static void
test_forged(void **state)
{
	static const struct {
		const char *value;
		int want;
	} cases[] = {
		{ "mx.example; spf=pass", 1 },
		{ "MX.EXAMPLE; spf=pass", 1 },
		{ "(c) Mx.Example 1; none", 1 },
		{ "\"mx.example\"; dkim=pass", 1 },
		/* spellings that do not parse, and their siblings */
		{ "mx.example spf=pass", 1 },			/* no ';' */
		{ "MX.EXAMPLE spf=pass", 1 },
		{ "mx.example", 1 },
		{ "mx.example;", 1 },
		{ "mx.example, spf=pass", 1 },
		{ "mx.example: spf=pass", 1 },
		{ "mx.example/1; spf=pass", 1 },		/* version */
		{ "mx.example/; spf=pass", 1 },
		{ "mx.example=pass", 1 },
		{ "mx.example 1 2; spf=pass", 1 },
		{ "mx.example.; spf=pass", 1 },			/* root dot */
		{ "mx.example..; spf=pass", 1 },
		{ "(unterminated mx.example; spf=pass", 1 },
		{ "(unterminated\\) mx.example; spf=pass", 1 },
		{ "(a (b) mx.example; spf=pass", 1 },
		{ "(x\\) mx.example) other.example; spf=pass", 1 },
		{ "=?utf-8?q?mx.example?=; spf=pass", 1 },	/* RFC 2047 */
		{ "=?UTF-8?Q?mx=2Eexample?= ; spf=pass", 1 },
		{ "=?utf-8?b?bXguZXhhbXBsZQ==?=; spf=pass", 1 },
		{ "=?us-ascii?q?_mx.example._?=; spf=pass", 1 },
		{ "mx.exa\rmple; spf=pass", 1 },		/* CR/LF */
		{ "mx.exa\r\nmple; spf=pass", 1 },
		{ "mx.exa\nmple spf=pass", 1 },
		{ "mx.example\r; spf=pass", 1 },
		{ "mx.example\r\nspf=pass", 1 },
		{ "\"mx.example; spf=pass", 1 },		/* quoted */
		{ "\" mx.example. \"; spf=pass", 1 },
		{ "\"mx\\.example\"; spf=pass", 1 },
		{ "\r\n\t mx.example; spf=pass", 1 },		/* folding */
		{ " \t(x) (y)\r\n mx.example\tspf=pass", 1 },
		{ "mx.example\xc2\xa0; spf=pass", 1 },
		{ "edge.example, dkim=pass", 1 },		/* trusted */
		{ "EDGE.EXAMPLE/2 ; x", 1 },
		/* someone else's, or no id at all */
		{ "other.example; spf=pass", 0 },
		{ "mx.examplex; spf=pass", 0 },
		{ "mx.example.evil; spf=pass", 0 },
		{ "sub.mx.example; spf=pass", 0 },
		{ "mx-example; spf=pass", 0 },
		{ "(mx.example) other.example; spf=pass", 0 },
		{ "other.example; spf=pass (mx.example)", 0 },
		{ "other.example spf=pass smtp.mailfrom=mx.example", 0 },
		{ "(unclosed other.example; mx.example", 0 },
		{ "x mx.example; spf=pass", 0 },
		{ "=?utf-8?q?other.example?=; spf=pass", 0 },
		{ "\"other.example\"; none", 0 },
		{ "garbage", 0 },
		{ "", 0 },
		{ "(", 0 },
		{ "\"", 0 },
		{ "=?", 0 },
	};
	struct conf *conf;
	char big[600];
	size_t i;

	(void)state;
	conf = conf_defaults();
	x_free(conf->authserv_id);
	conf->authserv_id = xstrdup("mx.example");
	x_free(conf->trusted_authserv_ids);
	conf->trusted_authserv_ids = xstrdup("edge.example  other2.example");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (trust_ar_forged(conf, cases[i].value) != cases[i].want)
			fail_msg("case %zu: \"%s\" want %d", i, cases[i].value,
			    cases[i].want);
	/* a token longer than any id is not cut down to one */
	memset(big, 'm', 500);
	snprintf(big + 500, sizeof(big) - 500, ".mx.example; spf=pass");
	assert_int_equal(trust_ar_forged(conf, big), 0);
	conf_free(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_pvalue),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_dkim),
		cmocka_unit_test(test_spf_texts),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_forged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
