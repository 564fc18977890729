/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_authres - libFuzzer harness for what mxauth writes: DKIM, SPF
 * and DMARC results built from the input (tag values, reasons, domains,
 * HELO, MAIL FROM), formatted with authres_format and
 * authres_received_spf, then read back.  abort() when the header is not
 * a 7-bit field folded as "\n\t" with lines under 998 bytes, when
 * authres_parse does not read back the methods, results, header.from
 * and policy.dmarc that were written, or when Received-SPF's comment
 * does not end where its key-value list starts.
 *
 * Input: 12 selector bytes (results, reasons, policies, how many
 * signatures), then the texts, NUL-separated (a NUL never reaches the
 * formatter from SMTP or a header).  Build and run with fuzz/run.sh.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "vstr.h"

#define NSEL	12
#define NTEXT	32

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* want_value - what authres_parse unquotes from a value written from S */
static void
want_value(const char *s, char *buf, size_t len)
{
	size_t n = 0, o = 0;
	int pair;

	for (; *s != '\0' && o + 1 < len; s++) {
		pair = *s == '"' || *s == '\\';
		if (n + 1 + pair > 255) {
			/* "..." marks the cut, as far as BUF holds it */
			for (pair = 0; pair < 3 && o + 1 < len; pair++)
				buf[o++] = '.';
			break;
		}
		buf[o++] = (unsigned char)*s < 0x20 ||
		    (unsigned char)*s >= 0x7f ? '?' : *s;
		n += 1 + pair;
	}
	buf[o] = '\0';
}

/* check_field - 7-bit, folded only as "\n\t", no line of 998 bytes */
static void
check_field(const char *v)
{
	const unsigned char *p;
	size_t col = 0;

	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '\n') {
			if (p[1] != '\t')
				abort();
			col = 0;
		} else if ((*p < 0x20 && *p != '\t') || *p >= 0x7f ||
		    ++col >= 998)
			abort();
	}
}

/* check_ar - V read back says what IN stands for */
static void
check_ar(const char *v, const struct authres_in *in)
{
	struct authres_parsed a;
	char want[256];
	size_t i, n = in->ndkim > 0 ? in->ndkim : 1;

	check_field(v);
	if (authres_parse(v, &a) != 0 || strcmp(a.id, "mx.example") != 0 ||
	    a.n != n + 2)
		abort();
	if (strcmp(a.res[0].method, "spf") != 0 ||
	    strcmp(a.res[0].result, in->spf != NULL ?
	    result_spf_str(in->spf->result) : "none") != 0)
		abort();
	for (i = 0; i < n; i++)
		if (strcmp(a.res[1 + i].method, "dkim") != 0 ||
		    strcmp(a.res[1 + i].result, in->ndkim > 0 ?
		    result_dkim_str(in->dkim[i].result) : "none") != 0 ||
		    a.res[1 + i].header_from[0] != '\0')
			abort();
	want_value(in->from_domain, want, sizeof(want));
	if (strcmp(a.res[n + 1].method, "dmarc") != 0 ||
	    strcmp(a.res[n + 1].result, in->dmarc != NULL ?
	    result_dmarc_str(in->dmarc->result) : "none") != 0 ||
	    strcmp(a.res[n + 1].header_from, want) != 0 ||
	    strcmp(a.res[n + 1].policy_dmarc, in->dmarc != NULL ?
	    result_policy_str(in->dmarc->policy) : "") != 0)
		abort();
}

/* ends - V ends with S, after a blank */
static int
ends(const char *v, const char *s)
{
	size_t n = strlen(v), k = strlen(s);

	return n > k && strcmp(v + n - k, s) == 0 &&
	    (v[n - k - 1] == ' ' || v[n - k - 1] == '\t');
}

/* check_received_spf - the comment closes right before the key-values */
static void
check_received_spf(const char *v)
{
	const char *p = strchr(v, '(');
	int depth = 0;

	check_field(v);
	if (p == NULL)
		abort();
	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			break;
	}
	if (strncmp(p, ")\n\tclient-ip=", 13) != 0 || (!ends(v,
	    "identity=mailfrom;") && !ends(v, "identity=helo;")))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t[NTEXT];
	struct dkim_result sig[4];
	struct spf_result spf;
	struct dmarc_result dm;
	struct authres_in in;
	struct vstr v = VSTR_INIT;
	char *buf, *p, *end;
	size_t i, n = 0;

	if (size < NSEL)
		return 0;
	buf = malloc(size - NSEL + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data + NSEL, size - NSEL);
	buf[size - NSEL] = '\0';
	end = buf + (size - NSEL);
	for (p = buf; n < NTEXT && p <= end; p += strlen(p) + 1)
		t[n++] = p;
	while (n < NTEXT)
		t[n++] = "";

	memset(&spf, 0, sizeof(spf));
	spf.result = (enum spf_res)(data[0] % 7);
	spf.identity = (enum spf_identity)(data[1] % 2);
	spf.domain = (char *)t[0];
	spf.client_ip = (char *)t[1];
	spf.explanation = (char *)t[2];
	memset(sig, 0, sizeof(sig));
	memset(&in, 0, sizeof(in));
	in.ndkim = data[2] % 5;
	for (i = 0; i < in.ndkim; i++) {
		sig[i].result = (enum dkim_res)(data[3 + i] % 7);
		sig[i].why = (enum dkim_why)((data[3 + i] >> 3) % 14);
		sig[i].domain = (char *)t[3 + 6 * i];
		sig[i].identity = (char *)t[4 + 6 * i];
		sig[i].selector = (char *)t[5 + 6 * i];
		sig[i].algorithm = (char *)t[6 + 6 * i];
		sig[i].b = data[3 + i] & 0x80 ? NULL : (char *)t[7 + 6 * i];
		sig[i].reason = (char *)t[8 + 6 * i];
	}
	memset(&dm, 0, sizeof(dm));
	dm.result = (enum dmarc_res)(data[7] % 5);
	dm.p = (enum dmarc_policy)(data[8] % 4);
	dm.sp = (enum dmarc_policy)((data[8] >> 2) % 4);
	dm.policy = (enum dmarc_policy)((data[8] >> 4) % 4);
	dm.disposition = (enum dmarc_policy)(data[9] % 4);
	dm.bad_from = data[9] & 0x10;
	dm.reason = (char *)t[27];
	in.authserv_id = "mx.example";
	in.ingress = data[10] % 2 ? INGRESS_RELAY : INGRESS_EXTERNAL;
	in.mail_from = t[28];
	in.helo = t[29];
	in.from_domain = t[30];
	in.spf = data[11] % 4 ? &spf : NULL;
	in.dkim = sig;
	in.dmarc = data[11] & 0x10 ? NULL : &dm;
	authres_format(&v, &in);
	check_ar(vstr_str(&v), &in);

	vstr_reset(&v);
	authres_received_spf(&v, &spf, "mx.example", in.mail_from, in.helo);
	check_received_spf(vstr_str(&v));

	vstr_reset(&v);
	in.ingress = INGRESS_AUTHENTICATED;
	in.auth_user = t[31];
	authres_format(&v, &in);
	check_field(vstr_str(&v));
	vstr_free(&v);
	free(buf);
	return 0;
}
