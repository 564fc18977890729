/*
 * test_dmarc_eval - identifier alignment and the DMARC result (pure):
 * strict and relaxed, SPF and DKIM, passing and temporarily failed
 * identifiers, org domains unknown.  Each case: the identifiers, the
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
	};
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
	    "does not align with a.example (relaxed, org evil.example)\n"
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
