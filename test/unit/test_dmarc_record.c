/*
 * test_dmarc_record - the DMARC record parser (dmarc_record.c) and
 * policy discovery / organizational domains (orgdomain.c) over zone
 * text: which names the tree walk asks, in order, where it finds the
 * policy, what the organizational domain is, psd=, several records,
 * DNS trouble, the RFC 7489 Public Suffix List mode.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dmarc_record.h"
#include "dns.h"
#include "orgdomain.h"
#include "vstr.h"
#include "xmalloc.h"

#define R	DMARC_POLICY_REJECT
#define Q	DMARC_POLICY_QUARANTINE
#define N	DMARC_POLICY_NONE
#define U	DMARC_POLICY_UNSET

/* test_record - tags, defaults, what makes a record unusable */
static void
test_record(void **state)
{
	static const struct {
		const char *txt;
		int want_rc;
		enum dmarc_policy p, sp, np;
		enum dmarc_psd psd;
		int t, adkim_s, aspf_s, pct;
		const char *want_why;
	} cases[] = {
		{ "v=DMARC1; p=reject", 0, R, U, U, DMARC_PSD_U, 0, 0, 0, 100,
		    NULL },
		{ "v=DMARC1;p=quarantine;sp=none;np=reject;psd=n;t=y;adkim=s;"
		    "aspf=s;pct=20", 0, Q, N, R, DMARC_PSD_N, 1, 1, 1, 20, NULL },
		{ " V = DMARC1 ; P = Reject ; ADKIM=S ", 0, R, U, U, DMARC_PSD_U,
		    0, 1, 0, 100, NULL },
		{ "v=DMARC1; p=reject; unknown=1; fo=1; rf=afrf; ri=86400", 0, R,
		    U, U, DMARC_PSD_U, 0, 0, 0, 100, NULL },
		/* invalid values of other tags: their defaults */
		{ "v=DMARC1; p=reject; sp=maybe; adkim=x; pct=200; psd=q", 0, R,
		    U, U, DMARC_PSD_U, 0, 0, 0, 100, NULL },
		/* RFC 9989 4.7: no valid p, but a rua: p=none */
		{ "v=DMARC1; rua=mailto:d@a.example", 0, N, U, U, DMARC_PSD_U, 0,
		    0, 0, 100, NULL },
		{ "v=DMARC1; p=bogus; rua=mailto:d@a.example", 0, N, U, U,
		    DMARC_PSD_U, 0, 0, 0, 100, NULL },
		{ "v=DMARC1; adkim=s", -1, U, U, U, DMARC_PSD_U, 0, 0, 0, 100,
		    "record has no p= and no rua=" },
		{ "v=DMARC1; p=bogus", -1, U, U, U, DMARC_PSD_U, 0, 0, 0, 100,
		    "record has an invalid p= and no rua=" },
		/* not a DMARC record at all */
		{ "v=dmarc1; p=reject", -1, U, U, U, DMARC_PSD_U, 0, 0, 0, 100,
		    "not a DMARC record (no v=DMARC1)" },
		{ "p=reject; v=DMARC1", -1, U, U, U, DMARC_PSD_U, 0, 0, 0, 100,
		    "not a DMARC record (no v=DMARC1)" },
		{ "v=DMARC10; p=reject", -1, U, U, U, DMARC_PSD_U, 0, 0, 0, 100,
		    "not a DMARC record (no v=DMARC1)" },
	};
	struct dmarc_record rec;
	char why[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		assert_int_equal(dmarc_record_parse(cases[i].txt,
		    strlen(cases[i].txt), &rec, why, sizeof(why)),
		    cases[i].want_rc);
		if (cases[i].want_rc != 0) {
			assert_string_equal(why, cases[i].want_why);
			continue;
		}
		assert_int_equal(rec.p, cases[i].p);
		assert_int_equal(rec.sp, cases[i].sp);
		assert_int_equal(rec.np, cases[i].np);
		assert_int_equal(rec.psd, cases[i].psd);
		assert_int_equal(rec.testing, cases[i].t);
		assert_int_equal(rec.adkim_strict, cases[i].adkim_s);
		assert_int_equal(rec.aspf_strict, cases[i].aspf_s);
		assert_int_equal(rec.pct, cases[i].pct);
		dmarc_record_clear(&rec);
	}
}

static const char zone_text[] =
    "$TTL 300\n"
    "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject; sp=quarantine\"\n"
    "_dmarc.sub.example.com. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.bank. IN TXT \"v=DMARC1; p=reject; psd=y\"\n"
    "_dmarc.giant.bank. IN TXT \"v=DMARC1; p=quarantine\"\n"
    "_dmarc.two.example. IN TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.two.example. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.org.example. IN TXT \"v=DMARC1; p=reject; psd=n\"\n"
    "_dmarc.a.org.example. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.junk.example. IN TXT \"v=spf1 -all\"\n"
    ";! servfail _dmarc.broken.example\n";

/* names - the names asked, from the explain trace, space separated */
static void
names(const struct vstr *trace, struct vstr *out)
{
	const char *p = vstr_str(trace), *q;

	vstr_reset(out);
	while ((p = strstr(p, "asked _dmarc.")) != NULL) {
		p += 13;
		q = strchr(p, ' ');
		if (out->len > 0)
			vstr_catc(out, ' ');
		vstr_ncat(out, p, (size_t)(q - p));
		p = q;
	}
}

/* test_walk - the RFC 9989 tree walk over the zone */
static void
test_walk(void **state)
{
	static const struct {
		const char *domain;
		enum org_status want;
		const char *want_policy_domain;	/* NULL: none */
		const char *want_org;
		const char *want_asked;
	} cases[] = {
		{ "example.com", ORG_OK, "example.com", "example.com",
		    "example.com com" },
		{ "mail.example.com", ORG_OK, "example.com", "example.com",
		    "mail.example.com example.com com" },
		/* closest record is the policy; org has the fewest labels */
		{ "x.sub.example.com", ORG_OK, "sub.example.com", "example.com",
		    "x.sub.example.com sub.example.com example.com com" },
		/* psd=y: the walk stops; the org is the name below it */
		{ "mail.giant.bank", ORG_OK, "giant.bank", "giant.bank",
		    "mail.giant.bank giant.bank bank" },
		{ "mega.bank", ORG_OK, "bank", "mega.bank", "mega.bank bank" },
		/* psd=n: that name is the org domain, the walk stops */
		{ "x.a.org.example", ORG_OK, "a.org.example", "org.example",
		    "x.a.org.example a.org.example org.example" },
		/* 8+ labels: the first name, then the last 7, one fewer each */
		{ "a.b.c.d.e.f.g.h.i.example.com", ORG_OK, "example.com",
		    "example.com", "a.b.c.d.e.f.g.h.i.example.com "
		    "e.f.g.h.i.example.com f.g.h.i.example.com g.h.i.example.com "
		    "h.i.example.com i.example.com example.com com" },
		/* several records at the author's name: no policy at all */
		{ "two.example", ORG_UNUSABLE, "two.example", "two.example",
		    "two.example" },
		/* a TXT that is not DMARC is no record; none anywhere */
		{ "junk.example", ORG_OK, NULL, "junk.example",
		    "junk.example example" },
		{ "broken.example", ORG_TEMP, NULL, NULL, "broken.example" },
	};
	char path[] = "/tmp/mxauth-test-walk.XXXXXX";
	struct org_opts o = { false, NULL };
	struct vstr trace = VSTR_INIT, asked = VSTR_INIT;
	struct org_found f;
	struct dns *d;
	char err[256];
	FILE *fp;
	size_t i;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(zone_text, fp);
	fclose(fp);
	d = dns_new_zone(path, err, sizeof(err));
	unlink(path);
	if (d == NULL)
		fail_msg("%s", err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vstr_reset(&trace);
		if (org_discover(d, &o, cases[i].domain, &f, &trace) !=
		    cases[i].want)
			fail_msg("%s: status %d\n%s", cases[i].domain, f.status,
			    vstr_str(&trace));
		names(&trace, &asked);
		assert_string_equal(vstr_str(&asked), cases[i].want_asked);
		if (cases[i].want_policy_domain == NULL)
			assert_null(f.policy_domain);
		else
			assert_string_equal(f.policy_domain,
			    cases[i].want_policy_domain);
		if (cases[i].want_org != NULL)
			assert_string_equal(f.org_domain, cases[i].want_org);
		org_found_clear(&f);
	}
	/* the RFC 7489 mode: the PSL's registrable domain, then its record */
	o.psl = true;
	o.psl_file = TEST_DATA "/psl/public_suffix_list.dat";
	vstr_reset(&trace);
	assert_int_equal(org_discover(d, &o, "x.sub.example.com", &f, &trace),
	    ORG_OK);
	assert_string_equal(f.org_domain, "example.com");
	assert_string_equal(f.policy_domain, "example.com");
	names(&trace, &asked);
	assert_string_equal(vstr_str(&asked), "x.sub.example.com example.com");
	org_found_clear(&f);
	vstr_free(&trace);
	vstr_free(&asked);
	dns_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
