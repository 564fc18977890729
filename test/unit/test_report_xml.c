/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report_xml - reports as RFC 9990 XML: every string field comes
 * back, read by libxml2's parser, exactly as it went in (markup
 * characters escaped), and every generated report validates against the
 * RFC's schema with `xmllint --noout --schema`
 * (test/data/dmarc-report/, copied with its SOURCE and licence).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "report_agg.h"
#include "report_xml.h"
#include "vstr.h"
#include "xmalloc.h"

#define XSD	TEST_DATA "/dmarc-report/dmarc-xml-0.2.xsd"
/* what every string field is given: all of XML's markup characters */
#define NASTY(s) s "<&>\"'</x>]]>&amp;"

/* validates - whether XML (LEN bytes) passes xmllint against the schema */
static int
validates(const char *xml, size_t len)
{
	char path[] = "/tmp/mxauth-report-xml.XXXXXX", cmd[512];
	FILE *fp;
	int fd, rc;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(xml, 1, len, fp), len);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s'",
	    XSD, path);
	rc = system(cmd);
	unlink(path);
	return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

/* text - the text of the first node at XPATH in DOC ("d:" the RFC's ns) */
static char *
text(xmlDocPtr doc, const char *xpath)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o;
	xmlChar *c;
	char *s = NULL;

	xmlXPathRegisterNs(ctx, (const xmlChar *)"d",
	    (const xmlChar *)"urn:ietf:params:xml:ns:dmarc-2.0");
	o = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	if (o != NULL && o->nodesetval != NULL && o->nodesetval->nodeNr > 0) {
		c = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
		s = xstrdup((const char *)c);
		xmlFree(c);
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return s;
}

static void
expect(xmlDocPtr doc, const char *xpath, const char *want)
{
	char *got = text(doc, xpath);

	if (got == NULL)
		fail_msg("%s: not in the report", xpath);
	assert_string_equal(got, want);
	x_free(got);
}

/* row - a failing row with every string field NASTY */
static void
nasty_row(struct report_row *r)
{
	memset(r, 0, sizeof(*r));
	r->time = 1;
	r->source_ip = xstrdup(NASTY("ip"));
	r->header_from = xstrdup(NASTY("hf"));
	r->envelope_from = xstrdup(NASTY("ef"));
	r->envelope_to = xstrdup(NASTY("et"));
	r->policy_domain = xstrdup(NASTY("pd"));
	r->p = DMARC_POLICY_REJECT;
	r->sp = DMARC_POLICY_QUARANTINE;
	r->np = DMARC_POLICY_NONE;
	r->psd = 'u';
	r->rua = xstrdup("mailto:a@rua.example");
	r->dmarc = DMARC_RES_FAIL;
	r->spf = SPF_RES_SOFTFAIL;
	r->spf_domain = xstrdup(NASTY("spf"));
	r->spf_scope = SPF_ID_MAILFROM;
	r->ndkim = 1;
	r->dkim = xcalloc(1, sizeof(*r->dkim));
	r->dkim[0].domain = xstrdup(NASTY("dd"));
	r->dkim[0].selector = xstrdup(NASTY("sel"));
	r->dkim[0].result = DKIM_RES_FAIL;
	r->policy = DMARC_POLICY_REJECT;
	r->disposition = DMARC_POLICY_NONE;
	r->action = ACTION_ACCEPT;
	r->overrides = DMARC_OVR_OVERRIDE | DMARC_OVR_DRY_RUN;
	r->override = xstrdup(NASTY("ov"));
}

static const struct report_meta meta = {
	.org_name = NASTY("org"), .email = NASTY("em"),
	.extra_contact_info = NASTY("xc"), .report_id = NASTY("id"),
	.generator = NASTY("gen"), .begin = 1764460800, .end = 1764547199,
};

/* every string field escaped: parsed back, each is what went in */
static void
test_escaping(void **state)
{
	struct report_agg agg;
	struct report_row r;
	char *xml, why[256];
	xmlDocPtr doc;
	size_t len;

	(void)state;
	report_agg_init(&agg);
	nasty_row(&r);
	report_agg_add(&agg, &r);
	report_agg_add(&agg, &r);
	report_row_clear(&r);
	assert_int_equal(report_xml(&agg.rep[0], &meta, &xml, &len, why,
	    sizeof(why)), 0);
	assert_int_equal(strlen(xml), len);
	assert_true(validates(xml, len));
	/* nothing of the strings' markup reached the document raw */
	assert_null(strstr(xml, "</x>"));
	doc = xmlReadMemory(xml, (int)len, "r.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	expect(doc, "/d:feedback/d:version", "1.0");
	expect(doc, "//d:report_metadata/d:org_name", NASTY("org"));
	expect(doc, "//d:report_metadata/d:email", NASTY("em"));
	expect(doc, "//d:report_metadata/d:extra_contact_info", NASTY("xc"));
	expect(doc, "//d:report_metadata/d:report_id", NASTY("id"));
	expect(doc, "//d:report_metadata/d:generator", NASTY("gen"));
	expect(doc, "//d:date_range/d:begin", "1764460800");
	expect(doc, "//d:date_range/d:end", "1764547199");
	expect(doc, "//d:policy_published/d:domain", NASTY("pd"));
	expect(doc, "//d:policy_published/d:p", "reject");
	expect(doc, "//d:policy_published/d:sp", "quarantine");
	expect(doc, "//d:policy_published/d:np", "none");
	expect(doc, "//d:row/d:source_ip", NASTY("ip"));
	expect(doc, "//d:row/d:count", "2");
	expect(doc, "//d:policy_evaluated/d:disposition", "none");
	expect(doc, "//d:policy_evaluated/d:dkim", "fail");
	expect(doc, "//d:policy_evaluated/d:reason[1]/d:type", "local_policy");
	expect(doc, "//d:policy_evaluated/d:reason[1]/d:comment",
	    "policy_overrides " NASTY("ov"));
	expect(doc, "//d:policy_evaluated/d:reason[2]/d:comment", "dry_run");
	expect(doc, "//d:identifiers/d:header_from", NASTY("hf"));
	expect(doc, "//d:identifiers/d:envelope_from", NASTY("ef"));
	expect(doc, "//d:identifiers/d:envelope_to", NASTY("et"));
	expect(doc, "//d:auth_results/d:dkim/d:domain", NASTY("dd"));
	expect(doc, "//d:auth_results/d:dkim/d:selector", NASTY("sel"));
	expect(doc, "//d:auth_results/d:dkim/d:result", "fail");
	expect(doc, "//d:auth_results/d:spf/d:domain", NASTY("spf"));
	expect(doc, "//d:auth_results/d:spf/d:scope", "mfrom");
	expect(doc, "//d:auth_results/d:spf/d:result", "softfail");
	xmlFreeDoc(doc);
	x_free(xml);
	report_agg_clear(&agg);
}

/* every disposition, reason and result the store can hold validates */
static void
test_all_values_validate(void **state)
{
	struct report_agg agg;
	struct report_row r;
	char *xml, why[256];
	xmlDocPtr doc;
	size_t len;
	int i;

	(void)state;
	report_agg_init(&agg);
	for (i = 0; i < 64; i++) {
		nasty_row(&r);
		r.dmarc = (enum dmarc_res)(i % 5);
		r.policy = (enum dmarc_policy)(i % 4);
		r.disposition = (enum dmarc_policy)((i / 4) % 4);
		r.p = r.sp = r.np = (enum dmarc_policy)(i % 4);
		r.testing = i % 3 == 0;
		r.overrides = (unsigned)i % 16;
		r.spf = (enum spf_res)(i % 7);
		r.spf_scope = i % 2 ? SPF_ID_HELO : SPF_ID_MAILFROM;
		r.dkim[0].result = (enum dkim_res)(i % 7);
		r.dkim_aligned = i % 2;
		r.spf_aligned = i % 3 == 1;
		if (i % 5 == 0) {
			x_free(r.envelope_from);
			r.envelope_from = NULL;
			x_free(r.spf_domain);
			r.spf_domain = NULL;
		}
		report_agg_add(&agg, &r);
		report_row_clear(&r);
	}
	assert_int_equal(report_xml(&agg.rep[0], &meta, &xml, &len, why,
	    sizeof(why)), 0);
	assert_true(validates(xml, len));
	doc = xmlReadMemory(xml, (int)len, "r.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	/* a DMARC pass under reject, left alone, is "pass" */
	assert_non_null(strstr(xml, "<disposition>pass</disposition>"));
	assert_non_null(strstr(xml, "<type>policy_test_mode</type>"));
	assert_non_null(strstr(xml, "<comment>sampled_out</comment>"));
	xmlFreeDoc(doc);
	x_free(xml);
	report_agg_clear(&agg);
}

/*
 * bytes XML cannot hold (control characters, bad UTF-8) become '?':
 * the report stays well-formed and valid; good UTF-8 is kept
 */
static void
test_unholdable(void **state)
{
	struct report_agg agg;
	struct report_row r;
	char *xml, why[256];
	xmlDocPtr doc;
	size_t len;

	(void)state;
	report_agg_init(&agg);
	nasty_row(&r);
	x_free(r.dkim[0].selector);
	r.dkim[0].selector = xstrdup("s\x01\x1b[0m\xff\xfe");
	x_free(r.header_from);
	r.header_from = xstrdup("b\xc3\xbc" "cher.example");
	report_agg_add(&agg, &r);
	report_row_clear(&r);
	assert_int_equal(report_xml(&agg.rep[0], &meta, &xml, &len, why,
	    sizeof(why)), 0);
	assert_true(validates(xml, len));
	doc = xmlReadMemory(xml, (int)len, "r.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	expect(doc, "//d:auth_results/d:dkim/d:selector", "s??[0m??");
	expect(doc, "//d:identifiers/d:header_from", "b\xc3\xbc" "cher.example");
	xmlFreeDoc(doc);
	x_free(xml);
	report_agg_clear(&agg);
}

/* a sink that keeps what it gets, counts its calls, fails at call FAIL */
struct sink {
	struct vstr	 v;
	int		 calls, fail;
};

static int
sink(void *arg, const char *data, size_t len)
{
	struct sink *k = arg;

	if (++k->calls == k->fail)
		return -1;
	vstr_ncat(&k->v, data, len);
	return 0;
}

/*
 * streamed: a report of 5,000 records reaches the sink in pieces (never
 * whole), and the pieces are the document report_xml makes; a sink that
 * fails stops the writing with an error
 */
static void
test_streamed(void **state)
{
	struct sink k = { VSTR_INIT, 0, 0 };
	struct report_agg agg;
	struct report_row r;
	char *xml, why[256], ip[32];
	size_t len;
	int i;

	(void)state;
	report_agg_init(&agg);
	for (i = 0; i < 5000; i++) {
		nasty_row(&r);
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16, (i >> 8) & 255,
		    i & 255);
		x_free(r.source_ip);
		r.source_ip = xstrdup(ip);
		report_agg_add(&agg, &r);
		report_row_clear(&r);
	}
	assert_int_equal(agg.rep[0].nrec, 5000);
	assert_int_equal(report_xml_write(&agg.rep[0], &meta, sink, &k, why,
	    sizeof(why)), 0);
	assert_int_equal(report_xml(&agg.rep[0], &meta, &xml, &len, why,
	    sizeof(why)), 0);
	assert_true(k.calls > 10);
	assert_int_equal(k.v.len, len);
	assert_memory_equal(k.v.buf, xml, len);
	assert_true(validates(xml, len));
	x_free(xml);
	vstr_free(&k.v);

	k.calls = 0;
	k.fail = 3;
	assert_int_equal(report_xml_write(&agg.rep[0], &meta, sink, &k, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "the report could not be written out");
	assert_int_equal(k.calls, 3);
	vstr_free(&k.v);
	report_agg_clear(&agg);
}

/* the test itself: a document against the schema fails when it should */
static void
test_schema_refuses(void **state)
{
	static const char bad[] = "<feedback xmlns=\"urn:ietf:params:xml:ns:"
	    "dmarc-2.0\"><version>1.0</version></feedback>";

	(void)state;
	assert_false(validates(bad, sizeof(bad) - 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_all_values_validate),
		cmocka_unit_test(test_unholdable),
		cmocka_unit_test(test_streamed),
		cmocka_unit_test(test_schema_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
