/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report_dest - external report destinations verified (RFC 9990)
 * over zone text: a destination inside the policy domain's organization
 * asks nothing (a SERVFAIL planted on its _report name is never met);
 * one outside needs <policy>._report._dmarc.<dest> TXT starting with
 * v=DMARC1: present (alone or among others), absent (NXDOMAIN, NODATA),
 * the wrong version or v= not first, SERVFAIL and timeouts there or on
 * the organizational domains' walk (temperror: the next run asks
 * again), a name too long for the DNS, a rua= override at the
 * destination's own domain (used) or elsewhere (no report at all), a
 * wildcard *._report._dmarc.<dest> (every policy domain agreed to; a
 * name that exists beside it is not covered).
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

#include "dns.h"
#include "orgdomain.h"
#include "report_dest.h"
#include "xmalloc.h"

static const char zone[] =
    "$TTL 300\n"
    "_dmarc.blue.example. IN TXT \"v=DMARC1; p=reject\"\n"
    /* inside the organization: never asked */
    ";! servfail blue.example._report._dmarc.sub.blue.example\n"
    ";! servfail blue.example._report._dmarc.blue.example\n"
    "blue.example._report._dmarc.red.example. IN TXT \"v=DMARC1\"\n"
    "blue.example._report._dmarc.many.example. IN TXT \"v=spf1 -all\"\n"
    "blue.example._report._dmarc.many.example. IN TXT \"v=DMARC1;\"\n"
    "blue.example._report._dmarc.v2.example. IN TXT \"v=DMARC2\"\n"
    "blue.example._report._dmarc.late.example. IN TXT "
	"\"p=none; v=DMARC1\"\n"
    "blue.example._report._dmarc.lower.example. IN TXT \"v=dmarc1\"\n"
    /* tag names are case-insensitive (RFC 9989), the value is not */
    "blue.example._report._dmarc.upper.example. IN TXT \"V=DMARC1\"\n"
    "blue.example._report._dmarc.nodata.example. IN A 192.0.2.1\n"
    ";! servfail blue.example._report._dmarc.fail.example\n"
    ";! timeout blue.example._report._dmarc.slow.example TXT\n"
    ";! servfail _dmarc.walkfail.example\n"
    "blue.example._report._dmarc.own.example. IN TXT "
	"\"v=DMARC1; rua=mailto:a@own.example,mailto:b@OWN.example!10m\"\n"
    "blue.example._report._dmarc.away.example. IN TXT "
	"\"v=DMARC1; rua=mailto:a@away.example,mailto:x@third.example\"\n"
    /* a wildcard: every policy domain may report to wild.example */
    "*._report._dmarc.wild.example. IN TXT \"v=DMARC1\"\n"
    /* ... and one to part.example, whose record for blue.example exists */
    "*._report._dmarc.part.example. IN TXT \"v=DMARC1\"\n"
    "blue.example._report._dmarc.part.example. IN TXT \"v=spf1 -all\"\n";

static struct dns *dns;

static int
setup(void **state)
{
	char path[] = "/tmp/mxauth-test-dest.XXXXXX", err[256];
	FILE *fp;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(zone, fp);
	fclose(fp);
	dns = dns_new_zone(path, err, sizeof(err));
	unlink(path);
	if (dns == NULL)
		fail_msg("%s", err);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dns_free(dns);
	return 0;
}

/* verify - ADDR for blue.example: its status; OUT released by caller */
static enum report_dest_status
verify(const char *policy, const char *addr, struct report_dest *out)
{
	struct org_opts oo = { NULL };

	return report_dest_verify(dns, &oo, policy, addr, out);
}

/* expect - ADDR's status ST and, when sent, to it alone */
static void
expect(const char *addr, enum report_dest_status st)
{
	struct report_dest d;

	if (verify("blue.example", addr, &d) != st)
		fail_msg("%s: %s (%s), want %s", addr,
		    report_dest_status_str(d.status), d.why,
		    report_dest_status_str(st));
	if (st == REPORT_DEST_SAME_ORG || st == REPORT_DEST_VERIFIED) {
		assert_int_equal(d.nto, 1);
		assert_string_equal(d.to[0], addr);
	} else {
		assert_int_equal(d.nto, 0);
		assert_true(d.why[0] != '\0');
	}
	report_dest_clear(&d);
}

static void
test_same_org(void **state)
{
	(void)state;
	/* the _report names of these answer SERVFAIL: not asked */
	expect("dmarc@blue.example", REPORT_DEST_SAME_ORG);
	expect("dmarc@BLUE.example.", REPORT_DEST_SAME_ORG);
	expect("dmarc@sub.blue.example", REPORT_DEST_SAME_ORG);
}

static void
test_present(void **state)
{
	(void)state;
	expect("agg@red.example", REPORT_DEST_VERIFIED);
	expect("agg@RED.Example", REPORT_DEST_VERIFIED);
	/* one record of two is v=DMARC1 */
	expect("agg@many.example", REPORT_DEST_VERIFIED);
	/* as a DMARC record is read: "V=" is the tag v */
	expect("agg@upper.example", REPORT_DEST_VERIFIED);
}

static void
test_absent(void **state)
{
	struct report_dest d;

	(void)state;
	expect("agg@nowhere.example", REPORT_DEST_UNVERIFIED);	/* NXDOMAIN */
	expect("agg@nodata.example", REPORT_DEST_UNVERIFIED);	/* NODATA */
	expect("agg@v2.example", REPORT_DEST_UNVERIFIED);
	expect("agg@late.example", REPORT_DEST_UNVERIFIED);	/* v= not first */
	expect("agg@lower.example", REPORT_DEST_UNVERIFIED);
	expect("agg@", REPORT_DEST_UNVERIFIED);
	expect("agg@not a domain", REPORT_DEST_UNVERIFIED);
	/* the record's name would pass 253 bytes */
	assert_int_equal(verify("pppppppppppppppppppppppppppppppppppppppp.example",
	    "a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    ".ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
	    ".example", &d), REPORT_DEST_UNVERIFIED);
	if (strstr(d.why, "too long") == NULL)
		fail_msg("%s", d.why);
	report_dest_clear(&d);
	assert_int_equal(verify("blue.example", "agg@nowhere.example", &d),
	    REPORT_DEST_UNVERIFIED);
	assert_string_equal(d.why,
	    "blue.example._report._dmarc.nowhere.example: no such name");
	report_dest_clear(&d);
}

static void
test_wildcard(void **state)
{
	(void)state;
	expect("agg@wild.example", REPORT_DEST_VERIFIED);
	/* the exact name exists without v=DMARC1: the wildcard is not used */
	expect("agg@part.example", REPORT_DEST_UNVERIFIED);
}

static void
test_dns_trouble(void **state)
{
	struct report_dest d;

	(void)state;
	expect("agg@fail.example", REPORT_DEST_TEMPERROR);
	expect("agg@slow.example", REPORT_DEST_TEMPERROR);
	/* the destination's organizational domain cannot be known */
	expect("agg@walkfail.example", REPORT_DEST_TEMPERROR);
	/* nor the policy domain's */
	assert_int_equal(verify("walkfail.example", "a@red.example", &d),
	    REPORT_DEST_TEMPERROR);
	report_dest_clear(&d);
	assert_int_equal(verify("blue.example", "agg@fail.example", &d),
	    REPORT_DEST_TEMPERROR);
	assert_string_equal(d.why,
	    "blue.example._report._dmarc.fail.example: servfail");
	report_dest_clear(&d);
}

static void
test_override(void **state)
{
	struct report_dest d;

	(void)state;
	/* rua= at the destination's own domain: those addresses instead */
	assert_int_equal(verify("blue.example", "agg@own.example", &d),
	    REPORT_DEST_VERIFIED);
	assert_int_equal(d.nto, 2);
	assert_string_equal(d.to[0], "a@own.example");
	assert_string_equal(d.to[1], "b@OWN.example");
	report_dest_clear(&d);
	/* one of them elsewhere: neither the original nor the override */
	assert_int_equal(verify("blue.example", "agg@away.example", &d),
	    REPORT_DEST_UNVERIFIED);
	assert_int_equal(d.nto, 0);
	assert_non_null(strstr(d.why, "third.example"));
	report_dest_clear(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_org),
		cmocka_unit_test(test_present),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_dns_trouble),
		cmocka_unit_test(test_override),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
