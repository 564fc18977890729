/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dmarc_eval - identifier alignment and the DMARC result (pure):
 * strict and relaxed, SPF and DKIM, passing and temporarily failed
 * identifiers, org domains unknown; an identifier that is not at or
 * below the author's org domain never makes the result temperror
 * (suffix traps, case, trailing dots).  Each case: the identifiers, the
 * modes, the result and which identifier aligned.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc_eval.h"
#include "vstr.h"

#define ID(d, o, p, t, ot)	{ d, o, p, t, ot }

/* test_alignment - the table */
static void
test_alignment(void **state)
{
	static const struct {
		const char *name;
		bool aspf_s, adkim_s;
		struct dmarc_ident spf;		/* domain NULL: none */
		struct dmarc_ident dkim[2];
		size_t ndkim;
		enum dmarc_res want;
		bool want_spf, want_dkim;
	} cases[] = {
		{ "SPF exact, relaxed", 0, 0,
		    ID("a.example", NULL, 1, 0, 0), {{0}}, 0,
		    DMARC_RES_PASS, 1, 0 },
		{ "SPF subdomain, relaxed: same org", 0, 0,
		    ID("bounce.a.example", "a.example", 1, 0, 0), {{0}}, 0,
		    DMARC_RES_PASS, 1, 0 },
		{ "SPF subdomain, strict: not aligned", 1, 0,
		    ID("bounce.a.example", "a.example", 1, 0, 0), {{0}}, 0,
		    DMARC_RES_FAIL, 0, 0 },
		{ "SPF other org", 0, 0,
		    ID("evil.example", "evil.example", 1, 0, 0), {{0}}, 0,
		    DMARC_RES_FAIL, 0, 0 },
		{ "DKIM parent domain, relaxed", 0, 0, ID(NULL, NULL, 0, 0, 0),
		    { ID("a.example", NULL, 1, 0, 0) }, 1,
		    DMARC_RES_PASS, 0, 1 },
		{ "DKIM passes, other domain; second aligned fails", 0, 0,
		    ID(NULL, NULL, 0, 0, 0),
		    { ID("esp.example", "esp.example", 1, 0, 0),
		      ID("a.example", NULL, 0, 0, 0) }, 2,
		    DMARC_RES_FAIL, 0, 0 },
		{ "forwarded: SPF of the forwarder, DKIM intact", 0, 0,
		    ID("forwarder.example", "forwarder.example", 1, 0, 0),
		    { ID("a.example", NULL, 1, 0, 0) }, 1,
		    DMARC_RES_PASS, 0, 1 },
		{ "DKIM strict subdomain", 0, 1, ID(NULL, NULL, 0, 0, 0),
		    { ID("mail.a.example", "a.example", 1, 0, 0) }, 1,
		    DMARC_RES_FAIL, 0, 0 },
		{ "aligned DKIM temperror, no pass: temperror", 0, 0,
		    ID("evil.example", "evil.example", 1, 0, 0),
		    { ID("a.example", NULL, 0, 1, 0) }, 1,
		    DMARC_RES_TEMPERROR, 0, 0 },
		{ "unaligned DKIM temperror: fail", 0, 0,
		    ID(NULL, NULL, 0, 0, 0),
		    { ID("other.example", "other.example", 0, 1, 0) }, 1,
		    DMARC_RES_FAIL, 0, 0 },
		{ "aligned SPF temperror: temperror", 0, 0,
		    ID("a.example", NULL, 0, 1, 0), {{0}}, 0,
		    DMARC_RES_TEMPERROR, 0, 0 },
		{ "temperror but another aligned pass: pass", 0, 0,
		    ID("a.example", NULL, 0, 1, 0),
		    { ID("a.example", NULL, 1, 0, 0) }, 1,
		    DMARC_RES_PASS, 0, 1 },
		{ "relaxed, org lookup failed temporarily: temperror", 0, 0,
		    ID("bounce.a.example", NULL, 1, 0, 1), {{0}}, 0,
		    DMARC_RES_TEMPERROR, 0, 0 },
		{ "nothing at all: fail", 0, 0, ID(NULL, NULL, 0, 0, 0),
		    {{0}}, 0, DMARC_RES_FAIL, 0, 0 },
		/*
		 * A forger's own DNS: an identifier that is not at or below
		 * the author's org domain cannot align, whatever its org
		 * domain lookup or its SPF/DKIM check says (RFC 9989 5.3.6).
		 */
		{ "forger's SPF temperror, org lookup failed: fail", 0, 0,
		    ID("evil.example", NULL, 0, 1, 1), {{0}}, 0,
		    DMARC_RES_FAIL, 0, 0 },
		{ "forger's SPF pass, org lookup failed: fail", 0, 0,
		    ID("evil.example", NULL, 1, 0, 1), {{0}}, 0,
		    DMARC_RES_FAIL, 0, 0 },
		{ "forger's DKIM temperror, org lookup failed: fail", 0, 0,
		    ID(NULL, NULL, 0, 0, 0),
		    { ID("evil.example", NULL, 0, 1, 1) }, 1,
		    DMARC_RES_FAIL, 0, 0 },
		{ "forger's DKIM pass, org lookup failed: fail", 0, 0,
		    ID(NULL, NULL, 0, 0, 0),
		    { ID("evil.example", NULL, 1, 0, 1) }, 1,
		    DMARC_RES_FAIL, 0, 0 },
		{ "forger's SPF temperror, org known: fail", 0, 0,
		    ID("evil.example", "evil.example", 0, 1, 0), {{0}}, 0,
		    DMARC_RES_FAIL, 0, 0 },
		{ "suffix trap: xa.example is not under a.example", 0, 0,
		    ID("xa.example", NULL, 1, 1, 1),
		    { ID("xa.example", NULL, 0, 1, 1) }, 1,
		    DMARC_RES_FAIL, 0, 0 },
		{ "suffix trap: a.example.evil is not under a.example", 0, 0,
		    ID("a.example.evil", NULL, 0, 1, 1),
		    { ID("mail.a.example.evil", NULL, 1, 0, 1) }, 1,
		    DMARC_RES_FAIL, 0, 0 },
		{ "the parent of the org domain cannot align", 0, 0,
		    ID("example", NULL, 0, 1, 1),
		    { ID("example", "example", 1, 0, 0) }, 1,
		    DMARC_RES_FAIL, 0, 0 },
		{ "a wrong org answer above the author's org: no pass", 0, 0,
		    ID("evil.example", "a.example", 1, 0, 0), {{0}}, 0,
		    DMARC_RES_FAIL, 0, 0 },
		/* names compare label by label, any case, trailing dot */
		{ "below the org, any case and dot, lookup failed: temperror",
		    0, 0, ID(NULL, NULL, 0, 0, 0),
		    { ID("Mail.A.Example.", NULL, 1, 0, 1) }, 1,
		    DMARC_RES_TEMPERROR, 0, 0 },
		{ "the author's name in capitals with a dot: aligned", 0, 0,
		    ID("A.EXAMPLE.", NULL, 1, 0, 0), {{0}}, 0,
		    DMARC_RES_PASS, 1, 0 },
		{ "org domain in capitals: aligned", 0, 0,
		    ID("bounce.a.example", "A.Example", 1, 0, 0), {{0}}, 0,
		    DMARC_RES_PASS, 1, 0 },
		/* strict: only the author's own name can matter */
		{ "strict: forger's SPF temperror: fail", 1, 1,
		    ID("evil.example", NULL, 0, 1, 1),
		    { ID("evil.example", NULL, 0, 1, 1) }, 1,
		    DMARC_RES_FAIL, 0, 0 },
		{ "strict: subdomain temperror: fail", 1, 1,
		    ID("mail.a.example", NULL, 0, 1, 1),
		    { ID("mail.a.example", NULL, 0, 1, 1) }, 1,
		    DMARC_RES_FAIL, 0, 0 },
		{ "strict: the author's name, any case, temperror", 1, 1,
		    ID(NULL, NULL, 0, 0, 0),
		    { ID("A.Example.", NULL, 0, 1, 0) }, 1,
		    DMARC_RES_TEMPERROR, 0, 0 },
		{ "strict: the author's name, any case, pass", 1, 1,
		    ID("A.EXAMPLE", NULL, 1, 0, 0), {{0}}, 0,
		    DMARC_RES_PASS, 1, 0 },
	};
	static const struct dmarc_ident sub =
	    ID("mail.sub.a.example", "sub.a.example", 1, 0, 0);
	struct dmarc_eval_in in;
	struct dmarc_result out;
	struct vstr why = VSTR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.from = "a.example";
		in.from_org = "a.example";
		in.aspf_strict = cases[i].aspf_s;
		in.adkim_strict = cases[i].adkim_s;
		in.spf = cases[i].spf.domain != NULL ? &cases[i].spf : NULL;
		in.dkim = cases[i].dkim;
		in.ndkim = cases[i].ndkim;
		memset(&out, 0, sizeof(out));
		vstr_reset(&why);
		if (dmarc_eval(&in, &out, &why) != cases[i].want ||
		    out.spf_aligned != cases[i].want_spf ||
		    out.dkim_aligned != cases[i].want_dkim)
			fail_msg("%s: got %d spf=%d dkim=%d\n%s", cases[i].name,
			    out.result, out.spf_aligned, out.dkim_aligned,
			    vstr_str(&why));
	}
	/* The reasoning names what did not align and why. */
	memset(&in, 0, sizeof(in));
	in.from = "a.example";
	in.from_org = "a.example";
	in.spf = &cases[3].spf;
	vstr_reset(&why);
	(void)dmarc_eval(&in, &out, &why);
	assert_string_equal(vstr_str(&why), "  SPF evil.example passes but "
	    "cannot align: not under a.example (relaxed)\n"
	    "  DKIM: no signature\n");
	/* below the author's org, but its own org is another (psd=n) */
	in.spf = &sub;
	vstr_reset(&why);
	(void)dmarc_eval(&in, &out, &why);
	assert_string_equal(vstr_str(&why), "  SPF mail.sub.a.example passes "
	    "but does not align with a.example (relaxed, org sub.a.example)\n"
	    "  DKIM: no signature\n");
	vstr_free(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
