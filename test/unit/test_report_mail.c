/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report_mail - what RFC 9990 prescribes for a report sent by mail:
 * its id (stable for one report, distinct between reports), its file
 * name and Subject, and the MIME message whose application/gzip part,
 * decoded and decompressed, is the report (report_gz and report_mail).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "report_gz.h"
#include "report_mail.h"
#include "vstr.h"
#include "xmalloc.h"

#define B	1764460800	/* 2025-11-30 00:00:00 UTC */
#define E	(B + 86400)

/* gunzip - IN as a gzip member decompressed, its header name in NAME */
static char *
gunzip(const unsigned char *in, size_t len, size_t *outlen, char *name,
    size_t namelen)
{
	z_stream z;
	gz_header h;
	char *out = xmalloc(1 << 20);

	memset(&z, 0, sizeof(z));
	memset(&h, 0, sizeof(h));
	h.name = (Bytef *)name;
	h.name_max = (uInt)namelen;
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	assert_int_equal(inflateGetHeader(&z, &h), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = 1 << 20;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = z.total_out;
	inflateEnd(&z);
	return out;
}

/* the id: the same for the same report, another for any other */
static void
test_id(void **state)
{
	char *a, *b, *c, *d, *e;

	(void)state;
	a = report_mail_id("example.com", "d@rua.example", B, E, "mx.example");
	b = report_mail_id("example.com", "d@rua.example", B, E, "mx.example");
	c = report_mail_id("example.com", "e@rua.example", B, E, "mx.example");
	d = report_mail_id("example.net", "d@rua.example", B, E, "mx.example");
	e = report_mail_id("example.com", "d@rua.example", B, E + 3600,
	    "mx.example");
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_string_not_equal(a, e);
	/* "<begin>.<16 hex>@<receiver>": a msg-id */
	assert_int_equal(strlen(a), strlen("1764460800.") + 16 +
	    strlen("@mx.example"));
	assert_int_equal(strncmp(a, "1764460800.", 11), 0);
	assert_string_equal(a + 27, "@mx.example");
	assert_int_equal(strspn(a + 11, "0123456789abcdef"), 16);
	x_free(a);
	x_free(b);
	x_free(c);
	x_free(d);
	x_free(e);
}

/* file name and Subject exactly as RFC 9990's ABNF */
static void
test_names(void **state)
{
	char *f, *s;

	(void)state;
	f = report_mail_filename("mx.example", "example.com", B, E - 1,
	    "1764460800.0123456789abcdef@mx.example");
	assert_string_equal(f, "mx.example!example.com!1764460800!1764547199!"
	    "1764460800.0123456789abcdef.xml.gz");
	s = report_mail_subject("example.com", "mx.example",
	    "1764460800.0123456789abcdef@mx.example");
	assert_string_equal(s, "Report Domain: example.com Submitter: "
	    "mx.example Report-ID: <1764460800.0123456789abcdef@mx.example>");
	x_free(f);
	x_free(s);
}

/* gzip: the report and its name come back out */
static void
test_gz(void **state)
{
	struct vstr x = VSTR_INIT;
	unsigned char *gz;
	char *back, name[256], why[128];
	size_t gzlen, n;
	int i;

	(void)state;
	for (i = 0; i < 2000; i++)
		vstr_catf(&x, "<record><count>%d</count></record>\n", i);
	assert_int_equal(report_gz(x.buf, x.len, "a!b!1!2!x.xml", B, &gz,
	    &gzlen, why, sizeof(why)), 0);
	assert_true(gzlen < x.len / 4);
	assert_int_equal(gz[0], 0x1f);
	assert_int_equal(gz[1], 0x8b);
	back = gunzip(gz, gzlen, &n, name, sizeof(name));
	assert_int_equal(n, x.len);
	assert_memory_equal(back, x.buf, n);
	assert_string_equal(name, "a!b!1!2!x.xml");
	x_free(back);
	x_free(gz);
	vstr_free(&x);
}

/*
 * gzip fed in pieces of every size (1 byte to past zlib's 64 KB step):
 * the same bytes come back out as from one call
 */
static void
test_gz_pieces(void **state)
{
	static const size_t step[] = { 1, 7, 4096, 65535, 65536, 200000 };
	struct vstr x = VSTR_INIT;
	struct report_gz *z;
	unsigned char *gz;
	char *back, name[256], why[128];
	size_t gzlen, n, off, k, i;

	(void)state;
	/* 300 KB that compresses badly and well, in turns */
	for (i = 0; i < 6000; i++)
		vstr_catf(&x, "<count>%zu</count>%08zx\n", i, i * 2654435761u);
	for (k = 0; k < sizeof(step) / sizeof(step[0]); k++) {
		z = report_gz_new("piece.xml", B, why, sizeof(why));
		assert_non_null(z);
		for (off = 0; off < x.len; off += n) {
			n = x.len - off < step[k] ? x.len - off : step[k];
			assert_int_equal(report_gz_write(z, x.buf + off, n), 0);
		}
		assert_int_equal(report_gz_end(z, &gz, &gzlen, why,
		    sizeof(why)), 0);
		back = gunzip(gz, gzlen, &n, name, sizeof(name));
		assert_int_equal(n, x.len);
		assert_memory_equal(back, x.buf, n);
		assert_string_equal(name, "piece.xml");
		x_free(back);
		x_free(gz);
	}
	vstr_free(&x);
}

/* the message: headers, a text part, the gzip part decoding to the report */
static void
test_message(void **state)
{
	static const char xml[] = "<feedback>report &amp; more</feedback>\n";
	struct report_mail m;
	struct vstr b64 = VSTR_INIT;
	unsigned char *gz, *raw;
	char *msg, *p, *q, *back, name[256], why[128];
	size_t gzlen, len, n, rawlen;
	int dl;

	(void)state;
	assert_int_equal(report_gz(xml, sizeof(xml) - 1, "f.xml", B, &gz,
	    &gzlen, why, sizeof(why)), 0);
	memset(&m, 0, sizeof(m));
	m.from = "dmarc-reports@mx.example";
	m.to = "d@rua.example";
	m.policy_domain = "example.com";
	m.receiver = "mx.example";
	m.report_id = "1764460800.0123456789abcdef@mx.example";
	m.filename = "mx.example!example.com!1764460800!1764547199!"
	    "1764460800.0123456789abcdef.xml.gz";
	m.begin = B;
	m.end = E - 1;
	m.date = B + 90000;
	m.messages = 3;
	m.gz = gz;
	m.gzlen = gzlen;
	msg = report_mail_message(&m, &len);
	assert_int_equal(strlen(msg), len);
	assert_non_null(strstr(msg, "From: dmarc-reports@mx.example\n"
	    "To: d@rua.example\nDate: Mon, 1 Dec 2025 01:00:00 +0000\n"
	    "Subject: Report Domain: example.com\n Submitter: mx.example\n "
	    "Report-ID: <1764460800.0123456789abcdef@mx.example>\n"));
	assert_non_null(strstr(msg, "MIME-Version: 1.0\n"));
	assert_non_null(strstr(msg, "3 messages from 2025-11-30 00:00:00 to "
	    "2025-11-30 23:59:59 UTC."));
	assert_non_null(strstr(msg, "Content-Type: application/gzip\n"));
	assert_non_null(strstr(msg, "filename=\"mx.example!example.com!"
	    "1764460800!1764547199!1764460800.0123456789abcdef.xml.gz\""));
	/* the base64 body, between the blank line and the closing boundary */
	p = strstr(msg, "Content-Transfer-Encoding: base64\n");
	assert_non_null(p);
	p = strstr(p, "\n\n") + 2;
	q = strstr(p, "\n--=_1764460800.0123456789abcdef@mx.example--\n");
	assert_non_null(q);
	for (; p < q; p++)
		if (*p != '\n')
			vstr_catc(&b64, *p);
	raw = xmalloc(b64.len);
	dl = EVP_DecodeBlock(raw, (unsigned char *)b64.buf, (int)b64.len);
	assert_true(dl >= (int)gzlen);
	rawlen = gzlen;	/* EVP_DecodeBlock counts the padding's zeros */
	assert_memory_equal(raw, gz, rawlen);
	back = gunzip(raw, rawlen, &n, name, sizeof(name));
	assert_int_equal(n, sizeof(xml) - 1);
	assert_memory_equal(back, xml, n);
	x_free(back);
	x_free(raw);
	vstr_free(&b64);
	x_free(msg);
	x_free(gz);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_gz),
		cmocka_unit_test(test_gz_pieces),
		cmocka_unit_test(test_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
