/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_mail - report ids, file names, Subject and the MIME message
 * of RFC 9990 reports sent by mail (report_mail.h).
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "report_mail.h"
#include "vstr.h"
#include "xmalloc.h"

/* fnv - FNV-1a of S and a 0 byte, continuing from H */
static uint64_t
fnv(uint64_t h, const char *s)
{
	do {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	} while (*s++ != '\0');
	return h;
}

/* report_mail_id - "<begin>.<hash>@<receiver>" */
char *
report_mail_id(const char *policy_domain, const char *dest, int64_t begin,
    int64_t end, const char *receiver)
{
	struct vstr v = VSTR_INIT;
	char period[48];
	uint64_t h = 14695981039346656037ULL;

	snprintf(period, sizeof(period), "%" PRId64 "-%" PRId64, begin, end);
	h = fnv(fnv(fnv(h, policy_domain), dest), period);
	vstr_catf(&v, "%" PRId64 ".%016" PRIx64 "@%s", begin, h, receiver);
	return vstr_steal(&v);
}

/* report_mail_filename - receiver!domain!begin!end!unique.xml.gz */
char *
report_mail_filename(const char *receiver, const char *policy_domain,
    int64_t begin, int64_t end, const char *report_id)
{
	struct vstr v = VSTR_INIT;

	vstr_catf(&v, "%s!%s!%" PRId64 "!%" PRId64 "!%.*s.xml.gz", receiver,
	    policy_domain, begin, end, (int)strcspn(report_id, "@"),
	    report_id);
	return vstr_steal(&v);
}

/* report_mail_subject - Report Domain: ... Submitter: ... Report-ID: <> */
char *
report_mail_subject(const char *policy_domain, const char *receiver,
    const char *report_id)
{
	struct vstr v = VSTR_INIT;

	vstr_catf(&v, "Report Domain: %s Submitter: %s Report-ID: <%s>",
	    policy_domain, receiver, report_id);
	return vstr_steal(&v);
}

/* utc - T as an RFC 5322 date, or as ISO 8601 when ISO */
static void
utc(char *buf, size_t len, int64_t t, int iso)
{
	time_t tt = (time_t)t;
	struct tm tm;
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

	gmtime_r(&tt, &tm);
	if (iso)
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
	else
		snprintf(buf, len, "%s, %d %s %04d %02d:%02d:%02d +0000",
		    wd[tm.tm_wday], tm.tm_mday, mo[tm.tm_mon],
		    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* report_mail_message - headers, a text part, the gzip part */
char *
report_mail_message(const struct report_mail *m, size_t *len)
{
	struct vstr v = VSTR_INIT;
	unsigned char line[80];
	char date[64], b[32], e[32], *subject;
	size_t off, n;

	subject = report_mail_subject(m->policy_domain, m->receiver,
	    m->report_id);
	utc(date, sizeof(date), m->date, 0);
	utc(b, sizeof(b), m->begin, 1);
	utc(e, sizeof(e), m->end, 1);
	vstr_catf(&v, "From: %s\nTo: %s\nDate: %s\n", m->from, m->to, date);
	/* Subject folded at its FWS (RFC 9990's ABNF allows 1*FWS there) */
	vstr_catf(&v, "Subject: Report Domain: %s\n Submitter: %s\n "
	    "Report-ID: <%s>\n", m->policy_domain, m->receiver, m->report_id);
	vstr_catf(&v, "Message-ID: <%s>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"=_%s\"\n\n",
	    m->report_id, m->report_id);
	vstr_catf(&v, "--=_%s\nContent-Type: text/plain; charset=us-ascii\n\n"
	    "This is a DMARC aggregate report (RFC 9990) for %s from %s:\n"
	    "%" PRIu64 " message%s from %s to %s UTC.\n\n", m->report_id,
	    m->policy_domain, m->receiver, m->messages,
	    m->messages == 1 ? "" : "s", b, e);
	vstr_catf(&v, "--=_%s\nContent-Type: application/gzip\n"
	    "Content-Transfer-Encoding: base64\n"
	    "Content-Disposition: attachment;\n filename=\"%s\"\n\n",
	    m->report_id, m->filename);
	/* 57 bytes give one 76-character line (RFC 2045 6.8) */
	for (off = 0; off < m->gzlen; off += n) {
		n = m->gzlen - off < 57 ? m->gzlen - off : 57;
		EVP_EncodeBlock(line, m->gz + off, (int)n);
		vstr_catf(&v, "%s\n", (const char *)line);
	}
	vstr_catf(&v, "\n--=_%s--\n", m->report_id);
	x_free(subject);
	*len = v.len;
	return vstr_steal(&v);
}
