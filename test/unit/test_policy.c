/*
 * test_policy - the SPF rules at MAIL FROM, table-driven: which result
 * under which setting refuses, with which SMTP reply, and the reason.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "policy.h"

/* test_spf_rules - every result against both settings of its rule */
static void
test_spf_rules(void **state)
{
	static const struct {
		enum spf_res result;
		int fail, soft, perm, temp;	/* the four settings */
		const char *explanation;
		enum action want;
		const char *want_rcode;
		const char *want_xcode;
		const char *want_reply;
		const char *want_reason;
	} cases[] = {
		{ SPF_RES_FAIL, 0, 0, 0, 0, NULL, ACTION_ACCEPT, NULL, NULL, "",
		    "SPF fail for a.example (spf_fail_action=none)" },
		{ SPF_RES_FAIL, 1, 0, 0, 0, NULL, ACTION_REJECT, "550", "5.7.23",
		    "SPF fail: a.example does not designate 203.0.113.66 as "
		    "permitted sender",
		    "SPF fail for a.example (spf_fail_action=reject)" },
		{ SPF_RES_FAIL, 1, 0, 0, 0, "see http://a.example/spf",
		    ACTION_REJECT, "550", "5.7.23", "see http://a.example/spf",
		    "SPF fail for a.example (spf_fail_action=reject)" },
		{ SPF_RES_SOFTFAIL, 1, 0, 0, 0, NULL, ACTION_ACCEPT, NULL, NULL,
		    "", "SPF softfail for a.example (spf_softfail_action=none)" },
		{ SPF_RES_SOFTFAIL, 0, 1, 0, 0, NULL, ACTION_REJECT, "550",
		    "5.7.23", "SPF softfail: a.example does not designate "
		    "203.0.113.66 as permitted sender",
		    "SPF softfail for a.example (spf_softfail_action=reject)" },
		{ SPF_RES_PERMERROR, 1, 1, 0, 1, NULL, ACTION_ACCEPT, NULL, NULL,
		    "", "SPF permerror for a.example "
		    "(spf_permerror_action=none)" },
		{ SPF_RES_PERMERROR, 0, 0, 1, 0, NULL, ACTION_REJECT, "550",
		    "5.7.24", "SPF record of a.example is invalid",
		    "SPF permerror for a.example "
		    "(spf_permerror_action=reject)" },
		{ SPF_RES_TEMPERROR, 1, 1, 1, 0, NULL, ACTION_ACCEPT, NULL, NULL,
		    "", "SPF temperror for a.example "
		    "(spf_temperror_action=accept)" },
		{ SPF_RES_TEMPERROR, 0, 0, 0, 1, NULL, ACTION_TEMPFAIL, "451",
		    "4.4.3", "temporary DNS error checking SPF for a.example, "
		    "try again later", "SPF temperror for a.example "
		    "(spf_temperror_action=tempfail)" },
		{ SPF_RES_PASS, 1, 1, 1, 1, NULL, ACTION_ACCEPT, NULL, NULL, "",
		    "" },
		{ SPF_RES_NEUTRAL, 1, 1, 1, 1, NULL, ACTION_ACCEPT, NULL, NULL,
		    "", "" },
		{ SPF_RES_NONE, 1, 1, 1, 1, NULL, ACTION_ACCEPT, NULL, NULL, "",
		    "" },
	};
	struct policy_decision d;
	struct spf_result spf;
	struct conf *c;
	size_t i;

	(void)state;
	c = conf_defaults();
	policy_decision_init(&d);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&spf, 0, sizeof(spf));
		spf.result = cases[i].result;
		spf.domain = "a.example";
		spf.client_ip = "203.0.113.66";
		spf.explanation = (char *)cases[i].explanation;
		c->spf_fail_action = cases[i].fail;
		c->spf_softfail_action = cases[i].soft;
		c->spf_permerror_action = cases[i].perm;
		c->spf_temperror_action = cases[i].temp;
		policy_mail_from(c, &spf, &d);
		assert_int_equal(d.action, cases[i].want);
		if (cases[i].want_rcode == NULL)
			assert_null(d.rcode);
		else {
			assert_string_equal(d.rcode, cases[i].want_rcode);
			assert_string_equal(d.xcode, cases[i].want_xcode);
		}
		assert_string_equal(vstr_str(&d.reply), cases[i].want_reply);
		assert_string_equal(vstr_str(&d.reason), cases[i].want_reason);
	}
	/* Not evaluated: nothing to enforce. */
	policy_mail_from(c, NULL, &d);
	assert_int_equal(d.action, ACTION_ACCEPT);
	policy_decision_free(&d);
	conf_release(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spf_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
