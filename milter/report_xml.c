/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_xml - a report as RFC 9990 XML through xmlTextWriter
 * (report_xml.h).  Every element is written with
 * xmlTextWriterWriteElement or ...FormatElement, so the library escapes
 * the text; nothing here builds markup by hand.  A string XML cannot
 * hold at all (control characters, bad UTF-8: the store is written by
 * other programs too) is written with those bytes as '?', so the
 * report stays well-formed.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>

#include "report_agg.h"
#include "report_xml.h"
#include "result.h"
#include "vstr.h"
#include "xmalloc.h"

#define NS	"urn:ietf:params:xml:ns:dmarc-2.0"
#define X(s)	((const xmlChar *)(s))

/* state of one document: the writer and the first error seen */
struct w {
	xmlTextWriterPtr tw;
	int		 err;
};

static void
open_el(struct w *w, const char *name)
{
	if (w->err == 0 && xmlTextWriterStartElement(w->tw, X(name)) < 0)
		w->err = -1;
}

static void
close_el(struct w *w)
{
	if (w->err == 0 && xmlTextWriterEndElement(w->tw) < 0)
		w->err = -1;
}

/*
 * xml_safe - whether TEXT can be XML 1.0 character data: valid UTF-8
 * without the control characters XML forbids (escaping cannot carry
 * them; libxml2 would write them raw)
 */
static int
xml_safe(const char *text)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return 0;
	return xmlCheckUTF8(X(text));
}

/*
 * el - <NAME>TEXT</NAME>, TEXT escaped by libxml2; a byte that XML
 * cannot hold (a control character, bad UTF-8) becomes '?'
 */
static void
el(struct w *w, const char *name, const char *text)
{
	char *copy = NULL;
	unsigned char *p;

	if (!xml_safe(text)) {
		copy = xstrdup(text);
		for (p = (unsigned char *)copy; *p != '\0'; p++)
			if (*p < 0x20 || *p >= 0x80)
				*p = '?';
		text = copy;
	}
	if (w->err == 0 &&
	    xmlTextWriterWriteElement(w->tw, X(name), X(text)) < 0)
		w->err = -1;
	x_free(copy);
}

static void
el_int(struct w *w, const char *name, int64_t v)
{
	if (w->err == 0 && xmlTextWriterWriteFormatElement(w->tw, X(name),
	    "%" PRId64, v) < 0)
		w->err = -1;
}

/* pol - a policy's name for the schema ("none" for unset) */
static const char *
pol(enum dmarc_policy p)
{
	return p == DMARC_POLICY_UNSET ? "none" : result_policy_str(p);
}

static void
reason(struct w *w, const char *type, const char *comment)
{
	open_el(w, "reason");
	el(w, "type", type);
	if (comment != NULL)
		el(w, "comment", comment);
	close_el(w);
}

/* policy_evaluated - what the site did with the record's messages */
static void
evaluated(struct w *w, const struct report_row *r)
{
	const char *disp = pol(r->disposition);
	char buf[320];

	if (r->disposition <= DMARC_POLICY_NONE && r->dmarc == DMARC_RES_PASS &&
	    r->policy > DMARC_POLICY_NONE)
		disp = "pass";
	open_el(w, "policy_evaluated");
	el(w, "disposition", disp);
	el(w, "dkim", r->dkim_aligned ? "pass" : "fail");
	el(w, "spf", r->spf_aligned ? "pass" : "fail");
	if (r->overrides & DMARC_OVR_OVERRIDE) {
		snprintf(buf, sizeof(buf), "policy_overrides %s",
		    r->override != NULL ? r->override : "");
		reason(w, "local_policy", buf);
	}
	if (r->overrides & DMARC_OVR_LOCAL_POLICY)
		reason(w, "local_policy", NULL);
	if (r->overrides & DMARC_OVR_DRY_RUN)
		reason(w, "local_policy", "dry_run");
	if (r->overrides & DMARC_OVR_SAMPLED_OUT)
		reason(w, "other", "sampled_out");
	if (r->testing && r->dmarc != DMARC_RES_PASS)
		reason(w, "policy_test_mode", NULL);
	close_el(w);
}

static void
record(struct w *w, const struct report_agg_record *rec)
{
	const struct report_row *r = &rec->row;
	size_t i;

	open_el(w, "record");
	open_el(w, "row");
	el(w, "source_ip", r->source_ip != NULL ? r->source_ip : "");
	el_int(w, "count", (int64_t)rec->count);
	evaluated(w, r);
	close_el(w);
	open_el(w, "identifiers");
	el(w, "header_from", r->header_from != NULL ? r->header_from : "");
	if (r->envelope_from != NULL)
		el(w, "envelope_from", r->envelope_from);
	if (r->envelope_to != NULL)
		el(w, "envelope_to", r->envelope_to);
	close_el(w);
	open_el(w, "auth_results");
	for (i = 0; i < r->ndkim; i++) {
		open_el(w, "dkim");
		el(w, "domain", r->dkim[i].domain != NULL ?
		    r->dkim[i].domain : "");
		el(w, "selector", r->dkim[i].selector != NULL ?
		    r->dkim[i].selector : "");
		el(w, "result", result_dkim_str(r->dkim[i].result));
		close_el(w);
	}
	if (r->spf_domain != NULL) {
		open_el(w, "spf");
		el(w, "domain", r->spf_domain);
		if (r->spf_scope == SPF_ID_MAILFROM)
			el(w, "scope", "mfrom");
		el(w, "result", result_spf_str(r->spf));
		close_el(w);
	}
	close_el(w);
	close_el(w);
}

/* the sink behind libxml2's output buffer, and whether it failed */
struct out {
	report_xml_sink	 sink;
	void		*arg;
	int		 failed;
};

/* out_write - libxml2's write callback: LEN bytes to the sink */
static int
out_write(void *ctx, const char *data, int len)
{
	struct out *o = ctx;

	if (o->failed || o->sink(o->arg, data, (size_t)len) != 0) {
		o->failed = 1;
		return -1;
	}
	return len;
}

/* report_xml_write - the document, piece by piece into SINK */
int
report_xml_write(const struct report_agg_report *rep,
    const struct report_meta *meta, report_xml_sink sink, void *arg,
    char *why, size_t whylen)
{
	const struct report_row *p = &rep->policy;
	xmlOutputBufferPtr ob;
	struct out o = { sink, arg, 0 };
	struct w w;
	size_t i;

	if ((ob = xmlOutputBufferCreateIO(out_write, NULL, &o, NULL)) ==
	    NULL) {
		snprintf(why, whylen, "libxml2: no output buffer");
		return -1;
	}
	if ((w.tw = xmlNewTextWriter(ob)) == NULL) {
		xmlOutputBufferClose(ob);
		snprintf(why, whylen, "libxml2: no writer");
		return -1;
	}
	w.err = 0;
	xmlTextWriterSetIndent(w.tw, 1);
	if (xmlTextWriterStartDocument(w.tw, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(w.tw, NULL, X("feedback"),
	    X(NS)) < 0)
		w.err = -1;
	el(&w, "version", "1.0");
	open_el(&w, "report_metadata");
	el(&w, "org_name", meta->org_name);
	el(&w, "email", meta->email);
	if (meta->extra_contact_info != NULL)
		el(&w, "extra_contact_info", meta->extra_contact_info);
	el(&w, "report_id", meta->report_id);
	open_el(&w, "date_range");
	el_int(&w, "begin", meta->begin);
	el_int(&w, "end", meta->end);
	close_el(&w);
	if (meta->generator != NULL)
		el(&w, "generator", meta->generator);
	close_el(&w);
	open_el(&w, "policy_published");
	el(&w, "domain", rep->policy_domain);
	el(&w, "p", pol(p->p));
	el(&w, "sp", pol(p->sp));
	el(&w, "np", pol(p->np));
	el(&w, "adkim", p->adkim_strict ? "s" : "r");
	el(&w, "aspf", p->aspf_strict ? "s" : "r");
	el(&w, "discovery_method", p->discovery == DMARC_DISC_PSL ? "psl" :
	    "treewalk");
	el(&w, "testing", p->testing ? "y" : "n");
	close_el(&w);
	for (i = 0; i < rep->nrec && !o.failed; i++)
		record(&w, &rep->rec[i]);
	if (w.err == 0 && (xmlTextWriterEndDocument(w.tw) < 0 ||
	    xmlTextWriterFlush(w.tw) < 0))
		w.err = -1;
	xmlFreeTextWriter(w.tw);	/* closes OB */
	if (w.err != 0 || o.failed) {
		snprintf(why, whylen, o.failed ? "the report could not be "
		    "written out" : "libxml2 could not write the report");
		return -1;
	}
	return 0;
}

/* mem - report_xml's sink: into a vstr */
static int
mem(void *arg, const char *data, size_t len)
{
	vstr_ncat(arg, data, len);
	return 0;
}

/* report_xml - the document in memory */
int
report_xml(const struct report_agg_report *rep,
    const struct report_meta *meta, char **out, size_t *len, char *why,
    size_t whylen)
{
	struct vstr v = VSTR_INIT;

	*out = NULL;
	*len = 0;
	if (report_xml_write(rep, meta, mem, &v, why, whylen) != 0) {
		vstr_free(&v);
		return -1;
	}
	*len = v.len;
	*out = vstr_steal(&v);
	return 0;
}
