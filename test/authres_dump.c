/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres_dump - Authentication-Results values written from hostile
 * inputs, one JSON line each, for an independent parser to read back
 * (test/authres/run.sh, with Debian's python3-authres).
 *
 * Each line: {"ar": VALUE, "text": HEX, "from": HEX, "identity": ...,
 * "spf": ..., "dkim": [...], "dmarc": ..., "policy": ...}.  TEXT is the
 * raw input that went into every sender-controlled field (DKIM tags and
 * reason, SPF domain and client-ip, HELO, MAIL FROM, DMARC reason), FROM
 * the author domain; both in hex, since they need not be UTF-8.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "authres.h"
#include "vstr.h"

static const char *const hostile[] = {
	"a.example", "rsa-sha256\\", "x(", "x)", "(", ")", "\\", "\"", "x\";",
	"a;b", "x=y", "@", "a@b@c", "bob@a.example", "@a.example",
	"crlf\r\n\tdmarc=pass", "nl\n", "\x01", "\x7f", "caf\xc3\xa9",
	"\xff\xfe(", ") dmarc=pass (", "\" ; dmarc=pass",
	"\\) ; dmarc=pass header.from=bank.example", " ", "", "a..b", ".",
};

/* hex - BUF as lower-case hex into OUT */
static void
hex(struct vstr *out, const char *s)
{
	for (; *s != '\0'; s++)
		vstr_catf(out, "%02x", (unsigned char)*s);
}

/* dump - format one message whose fields hold TEXT, print its line */
static void
dump(const char *text, const char *from, unsigned w)
{
	struct dkim_result sig[2];
	struct spf_result spf;
	struct dmarc_result dm;
	struct authres_in in;
	struct vstr v = VSTR_INIT, line = VSTR_INIT;

	memset(sig, 0, sizeof(sig));
	sig[0].result = DKIM_RES_PERMERROR;
	sig[0].why = (enum dkim_why)(w % 14);
	sig[0].reason = sig[0].domain = sig[0].identity = (char *)text;
	sig[0].selector = sig[0].algorithm = sig[0].b = (char *)text;
	sig[1] = sig[0];
	sig[1].result = DKIM_RES_FAIL;
	memset(&spf, 0, sizeof(spf));
	spf.result = SPF_RES_FAIL;
	spf.identity = w % 2 ? SPF_ID_HELO : SPF_ID_MAILFROM;
	spf.domain = spf.client_ip = spf.explanation = (char *)text;
	memset(&dm, 0, sizeof(dm));
	dm.result = w % 3 ? DMARC_RES_FAIL : DMARC_RES_PERMERROR;
	dm.p = dm.sp = dm.policy = w % 3 ? DMARC_POLICY_REJECT :
	    DMARC_POLICY_UNSET;
	dm.disposition = DMARC_POLICY_NONE;
	dm.bad_from = w % 3 == 0;
	dm.reason = (char *)text;
	memset(&in, 0, sizeof(in));
	in.authserv_id = "mx.example";
	in.ingress = INGRESS_EXTERNAL;
	in.mail_from = in.helo = text;
	in.from_domain = from;
	in.spf = &spf;
	in.dkim = sig;
	in.ndkim = 2;
	in.dmarc = &dm;
	authres_format(&v, &in);
	vstr_cat(&line, "{\"ar\": ");
	vstr_json(&line, vstr_str(&v));
	vstr_cat(&line, ", \"text\": \"");
	hex(&line, text);
	vstr_cat(&line, "\", \"from\": \"");
	hex(&line, from);
	vstr_catf(&line, "\", \"identity\": \"%s\", \"spf\": \"%s\", "
	    "\"dkim\": [\"%s\", \"%s\"], \"dmarc\": \"%s\", "
	    "\"policy\": \"%s\"}", spf.identity == SPF_ID_HELO ? "helo" :
	    "mailfrom", result_spf_str(spf.result),
	    result_dkim_str(sig[0].result), result_dkim_str(sig[1].result),
	    result_dmarc_str(dm.result), result_policy_str(dm.policy));
	puts(vstr_str(&line));
	vstr_free(&v);
	vstr_free(&line);
}

int
main(void)
{
	static char big[4][2049];
	const char *texts[sizeof(hostile) / sizeof(hostile[0]) + 4];
	size_t n, i;
	unsigned w;

	for (n = 0; n < sizeof(hostile) / sizeof(hostile[0]); n++)
		texts[n] = hostile[n];
	memset(big, 0, sizeof(big));
	memset(big[0], '(', 2048);
	memset(big[1], '\\', 2048);
	memset(big[2], 'a', 2048);
	memset(big[3], '\x80', 2048);
	for (i = 0; i < 4; i++)
		texts[n++] = big[i];
	for (i = 0; i < n; i++)
		for (w = 0; w < 6; w++) {
			dump(texts[i], "bank.example", w);
			dump(texts[i], texts[i], w);
		}
	return 0;
}
