/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_orgdomain - DMARC policy discovery and organizational domains
 * (orgdomain.c) over zone text: which names the RFC 9989 4.10 tree walk
 * asks, in order (never more than 8); where it finds the policy (4.10.1)
 * and what the organizational domain is (4.10.2); psd=y and psd=n;
 * several records at a name; DNS trouble is ORG_TEMP; whether a domain
 * exists for np= and which of p, sp, np applies; the RFC 7489 Public
 * Suffix List mode, the list loaded and owned by the config snapshot
 * (reloads between two lists under threads, for the sanitizers; files
 * that cannot be a list).  The conformance suites' cases are not copied here:
 * test/dmarc/run.sh runs them from test/data as they are.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "dmarc_record.h"
#include "dns.h"
#include "orgdomain.h"
#include "vstr.h"
#include "xmalloc.h"

#define R	DMARC_POLICY_REJECT
#define Q	DMARC_POLICY_QUARANTINE
#define N	DMARC_POLICY_NONE
#define U	DMARC_POLICY_UNSET
#define PSL_A	TEST_DATA "/psl/public_suffix_list.dat"

/* psl_open - the list in PATH, which must load; org_psl_free */
static struct psl_ctx_st *
psl_open(const char *path)
{
	struct psl_ctx_st *ctx;
	char err[256];

	if ((ctx = org_psl_load(path, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	return ctx;
}

/* write_file - TEXT into a new temp file; caller unlinks, frees */
static char *
write_file(const char *text)
{
	char *path = xstrdup("/tmp/mxauth-test-org.XXXXXX");
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* zone_open - a resolver answering from zone TEXT; dns_free */
static struct dns *
zone_open(const char *text)
{
	struct vstr zone = VSTR_INIT;
	char err[256], *path;
	struct dns *d;

	vstr_catf(&zone, "$TTL 300\n%s", text);
	path = write_file(vstr_str(&zone));
	d = dns_new_zone(path, err, sizeof(err));
	unlink(path);
	x_free(path);
	vstr_free(&zone);
	if (d == NULL)
		fail_msg("%s", err);
	return d;
}

/* asked - F's names asked, space separated, into OUT */
static const char *
asked(const struct org_found *f, struct vstr *out)
{
	size_t i;

	vstr_reset(out);
	for (i = 0; i < f->nasked; i++) {
		if (i > 0)
			vstr_catc(out, ' ');
		vstr_cat(out, f->asked[i]);
	}
	return vstr_str(out);
}

/*
 * policy_for - what the caller does with F for DOMAIN: the author's own
 * record gives p, a record above it sp or np by existence (4.10.1)
 */
static enum dmarc_policy
policy_for(struct dns *d, const struct org_found *f, const char *domain)
{
	bool own = strcmp(f->policy_domain, domain) == 0;

	return dmarc_record_policy(&f->rec, own, own ||
	    org_exists(d, domain) != 0);
}

static const char walk_zone[] =
    "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject; sp=quarantine; "
	"np=none\"\n"
    "mail.example.com. IN A 192.0.2.1\n"
    "mx-only.example.com. IN MX 10 mail.example.com.\n"
    "_dmarc.sub.example.com. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.bank. IN TXT \"v=DMARC1; p=reject; psd=y\"\n"
    "_dmarc.giant.bank. IN TXT \"v=DMARC1; p=quarantine\"\n"
    "_dmarc.two.example. IN TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.two.example. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.corp.example. IN TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.dup.corp.example. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.dup.corp.example. IN TXT \"v=DMARC1; p=quarantine\"\n"
    "_dmarc.two.corp.example. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.two.corp.example. IN TXT \"v=DMARC1; p=none; sp=none\"\n"
    "_dmarc.two.mega.bank. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.two.mega.bank. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.twoorg.example. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.twoorg.example. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.x.twoorg.example. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.x.twoorg.example. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.org.example. IN TXT \"v=DMARC1; p=reject; psd=n\"\n"
    "_dmarc.a.org.example. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.nopol.example. IN TXT \"v=DMARC1; psd=n\"\n"
    "_dmarc.junk.example. IN TXT \"v=spf1 -all\"\n"
    "_dmarc.junk.example. IN TXT \"v=DMARC1p=reject\"\n"
    "_dmarc.split.example. IN TXT \"v=DMARC1; p=re\" \"ject\"\n"
    ";! servfail _dmarc.broken.example\n"
    ";! timeout _dmarc.slow.example TXT\n"
    ";! servfail flaky.example.com\n";

/* test_walk - the RFC 9989 tree walk over walk_zone */
static void
test_walk(void **state)
{
	static const struct {
		const char *domain;
		enum org_status want;
		const char *want_policy_domain;	/* NULL: none */
		const char *want_org;		/* NULL: TEMP, none */
		const char *want_asked;
		enum dmarc_policy want_policy;	/* U: not checked */
	} cases[] = {
		/* the author domain's own record; the walk goes on to the top */
		{ "example.com", ORG_OK, "example.com", "example.com",
		    "example.com com", R },
		/* an existing subdomain (A): sp */
		{ "mail.example.com", ORG_OK, "example.com", "example.com",
		    "mail.example.com example.com com", Q },
		/* exists with NODATA for A (RFC 8020): sp */
		{ "mx-only.example.com", ORG_OK, "example.com", "example.com",
		    "mx-only.example.com example.com com", Q },
		/* a non-existent subdomain (NXDOMAIN): np */
		{ "ghost.example.com", ORG_OK, "example.com", "example.com",
		    "ghost.example.com example.com com", N },
		/* a record in between is skipped: 4.10.1 uses the org's */
		{ "x.sub.example.com", ORG_OK, "example.com", "example.com",
		    "x.sub.example.com sub.example.com example.com com", N },
		{ "sub.example.com", ORG_OK, "sub.example.com", "example.com",
		    "sub.example.com example.com com", N },
		/* psd=y: the walk stops; the org is the name below it */
		{ "mail.giant.bank", ORG_OK, "giant.bank", "giant.bank",
		    "mail.giant.bank giant.bank bank", Q },
		{ "giant.bank", ORG_OK, "giant.bank", "giant.bank",
		    "giant.bank bank", Q },
		/* no record at the org: the public suffix domain's applies */
		{ "mail.mega.bank", ORG_OK, "bank", "mega.bank",
		    "mail.mega.bank mega.bank bank", R },
		/* psd=y at the start: its own org domain */
		{ "bank", ORG_OK, "bank", "bank", "bank", R },
		/* psd=n: that name is the org domain, the walk stops */
		{ "x.a.org.example", ORG_OK, "org.example", "org.example",
		    "x.a.org.example a.org.example org.example", R },
		{ "a.org.example", ORG_OK, "a.org.example", "org.example",
		    "a.org.example org.example", N },
		/* psd=n on a record without a policy still ends the walk */
		{ "x.nopol.example", ORG_UNUSABLE, "nopol.example",
		    "nopol.example", "x.nopol.example nopol.example", U },
		/* 8+ labels: the first name, then the last 7, one fewer each */
		{ "a.b.c.d.e.f.g.h.i.example.com", ORG_OK, "example.com",
		    "example.com", "a.b.c.d.e.f.g.h.i.example.com "
		    "e.f.g.h.i.example.com f.g.h.i.example.com g.h.i.example.com "
		    "h.i.example.com i.example.com example.com com", N },
		{ "a.b.c.d.e.f.example.com", ORG_OK, "example.com",
		    "example.com", "a.b.c.d.e.f.example.com b.c.d.e.f.example.com "
		    "c.d.e.f.example.com d.e.f.example.com e.f.example.com "
		    "f.example.com example.com com", N },
		{ "b.c.d.e.f.example.com", ORG_OK, "example.com",
		    "example.com", "b.c.d.e.f.example.com c.d.e.f.example.com "
		    "d.e.f.example.com e.f.example.com f.example.com example.com "
		    "com", N },
		/*
		 * several records at the author's name: it has none (4.10
		 * step 2), the walk goes on and the org domain's record, or
		 * the PSD's, applies; never "no policy"
		 */
		{ "two.corp.example", ORG_OK, "corp.example", "corp.example",
		    "two.corp.example corp.example example", R },
		{ "two.mega.bank", ORG_OK, "bank", "mega.bank",
		    "two.mega.bank mega.bank bank", R },
		{ "two.example", ORG_OK, NULL, "two.example",
		    "two.example example", U },
		/* several at the author's name and at its parent: none */
		{ "x.twoorg.example", ORG_OK, NULL, "x.twoorg.example",
		    "x.twoorg.example twoorg.example example", U },
		/* several at a name in between: that name has none */
		{ "x.dup.corp.example", ORG_OK, "corp.example", "corp.example",
		    "x.dup.corp.example dup.corp.example corp.example example",
		    R },
		/* TXT that is not DMARC is no record; none anywhere */
		{ "junk.example", ORG_OK, NULL, "junk.example",
		    "junk.example example", U },
		/* a record split into strings is joined */
		{ "split.example", ORG_OK, "split.example", "split.example",
		    "split.example example", R },
		/* DNS trouble anywhere on the walk: TEMP, never "no policy" */
		{ "broken.example", ORG_TEMP, NULL, NULL, "broken.example", U },
		{ "a.b.slow.example", ORG_TEMP, NULL, NULL,
		    "a.b.slow.example b.slow.example slow.example", U },
	};
	struct vstr names = VSTR_INIT;
	struct org_opts o = { NULL };
	struct org_found f;
	struct dns *d;
	size_t i;

	(void)state;
	d = zone_open(walk_zone);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (org_discover(d, &o, cases[i].domain, &f, NULL) !=
		    cases[i].want)
			fail_msg("%s: status %d (%s)", cases[i].domain, f.status,
			    f.why);
		assert_int_equal(f.status, cases[i].want);
		assert_true(f.nasked <= ORG_MAX_QUERIES);
		assert_string_equal(asked(&f, &names), cases[i].want_asked);
		if (cases[i].want_policy_domain == NULL)
			assert_null(f.policy_domain);
		else
			assert_string_equal(f.policy_domain,
			    cases[i].want_policy_domain);
		if (cases[i].want_org == NULL)
			assert_null(f.org_domain);
		else
			assert_string_equal(f.org_domain, cases[i].want_org);
		if (cases[i].want_policy != U)
			assert_int_equal(policy_for(d, &f, cases[i].domain),
			    cases[i].want_policy);
		org_found_clear(&f);
	}
	vstr_free(&names);
	dns_free(d);
}

/* test_explain - the trace names each query and its answer */
static void
test_explain(void **state)
{
	struct org_opts o = { NULL };
	struct vstr trace = VSTR_INIT;
	struct org_found f;
	struct dns *d;

	(void)state;
	d = zone_open(walk_zone);
	assert_int_equal(org_discover(d, &o, "two.corp.example", &f, &trace),
	    ORG_OK);
	assert_non_null(strstr(vstr_str(&trace), "asked "
	    "_dmarc.two.corp.example TXT: 2 DMARC records: none used\n"));
	assert_string_equal(f.policy_domain, "corp.example");
	org_found_clear(&f);
	vstr_reset(&trace);
	assert_int_equal(org_discover(d, &o, "broken.example", &f, &trace),
	    ORG_TEMP);
	assert_non_null(strstr(vstr_str(&trace), "(temporary)"));
	assert_non_null(strstr(f.why, "_dmarc.broken.example"));
	org_found_clear(&f);
	vstr_free(&trace);
	dns_free(d);
}

/* test_org_domain - org domains of SPF/DKIM domains; PSL mode */
static void
test_org_domain(void **state)
{
	static const struct {
		int psl;
		const char *domain;
		enum org_status want;
		const char *want_org;
	} cases[] = {
		{ 0, "signing.example.com", ORG_OK, "example.com" },
		{ 0, "a.b.c.d.e.f.g.h.i.example.com", ORG_OK, "example.com" },
		{ 0, "mail.mega.bank", ORG_OK, "mega.bank" },
		{ 0, "x.a.org.example", ORG_OK, "org.example" },
		{ 0, "nothing.invalid", ORG_OK, "nothing.invalid" },
		{ 0, "a.slow.example", ORG_TEMP, NULL },
		/* RFC 7489 3.2: the PSL's registrable domain, no DNS */
		{ 1, "x.sub.example.com", ORG_OK, "example.com" },
		{ 1, "www.example.co.uk", ORG_OK, "example.co.uk" },
		{ 1, "a.slow.example", ORG_OK, "slow.example" },
	};
	struct psl_ctx_st *list = psl_open(PSL_A);
	struct org_opts o = { NULL };
	struct dns *d;
	char *org;
	size_t i;

	(void)state;
	d = zone_open(walk_zone);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o.psl = cases[i].psl != 0 ? list : NULL;
		assert_int_equal(org_domain(d, &o, cases[i].domain, &org, NULL),
		    cases[i].want);
		if (cases[i].want_org == NULL)
			assert_null(org);
		else
			assert_string_equal(org, cases[i].want_org);
		x_free(org);
	}
	dns_free(d);
	org_psl_free(list);
}

/* test_psl - RFC 7489 6.6.3: the domain's record, else the org's */
static void
test_psl(void **state)
{
	static const struct {
		const char *domain;
		enum org_status want;
		const char *want_policy_domain, *want_org, *want_asked;
	} cases[] = {
		{ "x.sub.example.com", ORG_OK, "example.com", "example.com",
		    "x.sub.example.com example.com" },
		{ "sub.example.com", ORG_OK, "sub.example.com", "example.com",
		    "sub.example.com" },
		{ "example.com", ORG_OK, "example.com", "example.com",
		    "example.com" },
		/* several records: none here either; the org's applies */
		{ "two.example", ORG_OK, NULL, "two.example", "two.example" },
		{ "two.corp.example", ORG_OK, "corp.example", "corp.example",
		    "two.corp.example corp.example" },
		{ "x.twoorg.example", ORG_OK, NULL, "twoorg.example",
		    "x.twoorg.example twoorg.example" },
		{ "junk.example", ORG_OK, NULL, "junk.example", "junk.example" },
		{ "a.slow.example", ORG_TEMP, NULL, "slow.example",
		    "a.slow.example slow.example" },
	};
	struct psl_ctx_st *list = psl_open(PSL_A);
	struct org_opts o = { list };
	struct vstr names = VSTR_INIT;
	struct org_found f;
	struct dns *d;
	size_t i;

	(void)state;
	d = zone_open(walk_zone);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(org_discover(d, &o, cases[i].domain, &f, NULL),
		    cases[i].want);
		assert_string_equal(asked(&f, &names), cases[i].want_asked);
		if (cases[i].want_policy_domain == NULL)
			assert_null(f.policy_domain);
		else
			assert_string_equal(f.policy_domain,
			    cases[i].want_policy_domain);
		assert_string_equal(f.org_domain, cases[i].want_org);
		org_found_clear(&f);
	}
	vstr_free(&names);
	dns_free(d);
	org_psl_free(list);
}

/* test_exists - RFC 9989 3.2.13 (RFC 8020): only NXDOMAIN is absent */
static void
test_exists(void **state)
{
	static const struct {
		const char *domain;
		int want;
	} cases[] = {
		{ "mail.example.com", 1 },	/* A */
		{ "mx-only.example.com", 1 },	/* NODATA for A */
		{ "sub.example.com", 1 },	/* empty non-terminal */
		{ "example.com", 1 },
		{ "ghost.example.com", 0 },	/* NXDOMAIN */
		{ "nothing.invalid", 0 },
		{ "flaky.example.com", -1 },	/* SERVFAIL: unknown */
	};
	struct dns *d;
	size_t i;

	(void)state;
	d = zone_open(walk_zone);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (org_exists(d, cases[i].domain) != cases[i].want)
			fail_msg("%s: want %d", cases[i].domain, cases[i].want);
	dns_free(d);
}

/*
 * The reload test: two config files name two different lists; in B,
 * example.com is itself a public suffix.  A message thread takes the
 * current snapshot, asks for an org domain with the snapshot's list and
 * must get that list's answer, while the main thread reloads back and
 * forth.  Before the list belonged to the snapshot, one process-wide
 * context was swapped under a lock and read after it: a use after free.
 */
static const char psl_b[] = "// test list B\ncom\nexample.com\n";
static char *psl_b_path;
static int psl_reloading;		/* atomic: readers go on while set */

/*
 * psl_reader - message threads: each message holds its snapshot for a
 * while (many identifiers), so messages on the old and the new list
 * overlap, as they do in the daemon around a reload
 */
static void *
psl_reader(void *arg)
{
	const char *want;
	struct org_opts o;
	struct conf *c;
	char *org;
	int i, j, bad = 0;

	(void)arg;
	for (i = 0; i < 50 || __atomic_load_n(&psl_reloading,
	    __ATOMIC_ACQUIRE); i++) {
		if ((c = conf_get()) == NULL)
			continue;
		o.psl = c->psl;
		want = strcmp(c->psl_file, psl_b_path) == 0 ?
		    "sub.example.com" : "example.com";
		for (j = 0; j < 100; j++) {
			if (org_domain(NULL, &o, "x.sub.example.com", &org,
			    NULL) != ORG_OK || strcmp(org, want) != 0)
				bad++;
			x_free(org);
		}
		conf_release(c);
	}
	return (void *)(intptr_t)bad;
}

/* test_psl_reload - the list lives and dies with its config snapshot */
static void
test_psl_reload(void **state)
{
	char err[512], text[512], *conf_a, *conf_b;
	pthread_t tid[4];
	struct conf *c;
	void *ret;
	int i;

	(void)state;
	psl_b_path = write_file(psl_b);
	snprintf(text, sizeof(text), "dmarc_org_domain = psl\n"
	    "psl_file = %s\n", PSL_A);
	conf_a = write_file(text);
	snprintf(text, sizeof(text), "dmarc_org_domain = psl\n"
	    "psl_file = %s\n", psl_b_path);
	conf_b = write_file(text);
	if ((c = conf_load(conf_a, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	assert_non_null(c->psl);
	conf_install(c);
	__atomic_store_n(&psl_reloading, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, psl_reader,
		    NULL), 0);
	for (i = 0; i < 40; i++) {
		if ((c = conf_load(i % 2 ? conf_a : conf_b, err,
		    sizeof(err))) == NULL)
			fail_msg("%s", err);
		conf_install(c);
		usleep(10000);		/* messages overlap the reload */
	}
	__atomic_store_n(&psl_reloading, 0, __ATOMIC_RELEASE);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(tid[i], &ret), 0);
		assert_ptr_equal(ret, (void *)(intptr_t)0);
	}
	conf_install(NULL);
	/* the tree walk mode loads no list, whatever psl_file says */
	unlink(conf_a);
	snprintf(text, sizeof(text), "psl_file = /nonexistent/list.dat\n");
	x_free(conf_a);
	conf_a = write_file(text);
	c = conf_load(conf_a, err, sizeof(err));
	assert_non_null(c);
	assert_null(c->psl);
	conf_release(c);
	unlink(conf_a);
	unlink(conf_b);
	unlink(psl_b_path);
	x_free(conf_a);
	x_free(conf_b);
	x_free(psl_b_path);
}

/* test_psl_files - what cannot be a list is an error, never a hang */
static void
test_psl_files(void **state)
{
	char err[256], dir[] = "/tmp/mxauth-test-org.XXXXXX", fifo[64];
	char *empty = write_file("// nothing but comments\n\n");

	(void)state;
	assert_null(org_psl_load("/nonexistent/list.dat", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/list.dat: cannot open: No such "
	    "file or directory");
	assert_null(org_psl_load(TEST_DATA "/psl", err, sizeof(err)));
	assert_string_equal(err, TEST_DATA "/psl: cannot read: not a regular "
	    "file");
	assert_null(org_psl_load(empty, err, sizeof(err)));
	assert_non_null(strstr(err, ": no Public Suffix List rules in it"));
	/* a FIFO with no writer: refused at once, not waited on */
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/list.dat", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_null(org_psl_load(fifo, err, sizeof(err)));
	assert_non_null(strstr(err, ": not a regular file"));
	unlink(fifo);
	rmdir(dir);
	unlink(empty);
	x_free(empty);
	org_psl_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_org_domain),
		cmocka_unit_test(test_psl),
		cmocka_unit_test(test_exists),
		cmocka_unit_test(test_psl_reload),
		cmocka_unit_test(test_psl_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
