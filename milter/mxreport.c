/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mxreport - mxauth-report, DMARC aggregate reports (RFC 9990) made
 * from the report store.
 *
 *   mxauth-report [-c CONFIG] [--begin TIME] [--end TIME] [--force]
 *                 [--zone FILE] [--dry-run DIR]
 *   mxauth-report [-c CONFIG] --init-db
 *
 * Reads the rows of the period [begin, end) (default: the previous UTC
 * day) from report_store, folds them into one report per (policy
 * domain, mailto: destination), verifies each destination outside the
 * policy domain's organization (report_dest; unverified: skipped, DNS
 * trouble: skipped until the next run) and, for each report whose id
 * the store has not seen (report_store_claim; any with --force), sends
 * the MIME message with the gzip-compressed XML through report_transport
 * (report_send), or with --dry-run writes both into DIR.  A report not
 * sent has its claim released, so a later run makes it again.  Then the
 * rows older than report_retention days are purged, and the report ids
 * of periods that ended by then.  --init-db only creates or migrates the
 * store's schema and says which.  --zone answers every DNS question
 * from a master file (tests).  One line per report on stdout; errors on
 * stderr.  Exit status: 0 done (unverified destinations included), 1
 * error (config, store, DNS trouble on a destination, a report not sent
 * or written, the purge), 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "dns.h"
#include "orgdomain.h"
#include "report_agg.h"
#include "report_dest.h"
#include "report_gz.h"
#include "report_mail.h"
#include "report_send.h"
#include "report_store.h"
#include "report_xml.h"
#include "vstr.h"
#include "xmalloc.h"

#define DAY	86400

struct opts {
	const char	*config;
	const char	*dry_run;	/* DIR, or NULL: send */
	const char	*zone;		/* --zone FILE, or NULL */
	int64_t		 begin, end;	/* -1: the default */
	int		 force;
	int		 init_db;
};

/* usage - synopsis on stderr, exit 2 */
static void
usage(void)
{
	fprintf(stderr, "usage: mxauth-report [-c config] [--begin time] "
	    "[--end time] [--force]\n"
	    "                     [--zone file] [--dry-run dir]\n"
	    "       mxauth-report [-c config] --init-db\n"
	    "time: seconds since 1970, or YYYY-MM-DD (00:00 UTC)\n");
	exit(2);
}

/* parse_time - seconds since 1970 or YYYY-MM-DD at 00:00 UTC; -1 if bad */
static int64_t
parse_time(const char *arg)
{
	struct tm tm;
	char *end;
	long long t;
	int y, m, d, n = 0;

	if (sscanf(arg, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 &&
	    arg[n] == '\0' && n == 10 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= 31) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d;
		t = (long long)timegm(&tm);
		/* 2026-02-31 is not a day */
		return tm.tm_mday == d && tm.tm_mon == m - 1 ? t : -1;
	}
	errno = 0;
	t = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || t < 0)
		return -1;
	return t;
}

/* parse_args - command line into O */
static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "begin", required_argument, NULL, 'b' },
		{ "end", required_argument, NULL, 'e' },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", required_argument, NULL, 'n' },
		{ "init-db", no_argument, NULL, 'i' },
		{ "zone", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->begin = o->end = -1;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'b':
		case 'e':
			if (parse_time(optarg) < 0) {
				fprintf(stderr, "mxauth-report: --%s %s: not "
				    "a time (seconds since 1970, or "
				    "YYYY-MM-DD)\n", ch == 'b' ? "begin" :
				    "end", optarg);
				exit(2);
			}
			*(ch == 'b' ? &o->begin : &o->end) = parse_time(optarg);
			break;
		case 'f': o->force = 1; break;
		case 'n': o->dry_run = optarg; break;
		case 'i': o->init_db = 1; break;
		case 'z': o->zone = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || (o->init_db && (o->dry_run != NULL ||
	    o->zone != NULL || o->force || o->begin >= 0 || o->end >= 0)))
		usage();
	if (o->init_db)
		return;
	/* the previous UTC day, or the day before --end, or after --begin */
	if (o->end < 0)
		o->end = o->begin >= 0 ? o->begin + DAY :
		    (int64_t)time(NULL) / DAY * DAY;
	if (o->begin < 0)
		o->begin = o->end - DAY;
	if (o->end <= o->begin) {
		fprintf(stderr, "mxauth-report: the period is empty: --end "
		    "must be after --begin\n");
		exit(2);
	}
}

/* add_row - report_store_read's callback: ROW into the aggregate */
static int
add_row(const struct report_row *row, void *arg)
{
	report_agg_add(arg, row);
	return 0;
}

/*
 * init_db - the store's schema created or migrated (report_store_open
 * does it), and which of the two, or neither; the exit status
 */
static int
init_db(const struct conf *conf)
{
	struct report_store *store;
	char err[512];
	int v;

	if ((store = report_store_open(conf->report_store, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "mxauth-report: report_store: %s\n", err);
		return 1;
	}
	v = store->found_version;
	if (v == 0)
		printf("schema=created version=%d\n", REPORT_SCHEMA_VERSION);
	else if (v < REPORT_SCHEMA_VERSION)
		printf("schema=migrated %d->%d\n", v, REPORT_SCHEMA_VERSION);
	else
		printf("schema=current version=%d\n", REPORT_SCHEMA_VERSION);
	report_store_close(store);
	return 0;
}

/*
 * purge - report_retention: the rows older than that many days, and the
 * report ids of periods that ended by then, deleted; 0 or -1
 */
static int
purge(struct report_store *store, const struct conf *conf)
{
	uint64_t rows = 0, reports = 0;
	char err[512];

	if (conf->report_retention == 0) {
		printf("purged=0 report_retention=0 (rows kept for ever)\n");
		return 0;
	}
	if (report_store_purge(store, (int64_t)time(NULL) -
	    (int64_t)conf->report_retention * DAY, &rows, &reports, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "mxauth-report: report_store: purge: %s\n",
		    err);
		return -1;
	}
	printf("purged=%" PRIu64 " purged_report_ids=%" PRIu64
	    " report_retention=%d\n", rows, reports, conf->report_retention);
	return 0;
}

/* write_file - DATA into DIR/NAME through a temporary file; 0 or -1 */
static int
write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096], tmp[4096];
	FILE *fp;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) || (size_t)snprintf(tmp, sizeof(tmp),
	    "%s/.mxauth-report.XXXXXX", dir) >= sizeof(tmp)) {
		fprintf(stderr, "mxauth-report: %s/%s: name too long\n", dir,
		    name);
		return -1;
	}
	if ((fd = mkstemp(tmp)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "mxauth-report: %s: %s\n", tmp,
		    strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -1;
	}
	if (fchmod(fd, 0644) != 0 || fwrite(data, 1, len, fp) != len ||
	    fclose(fp) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "mxauth-report: %s: %s\n", path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* gz_sink - report_xml_write's sink: into the gzip member ARG */
static int
gz_sink(void *arg, const char *data, size_t len)
{
	return report_gz_write(arg, data, len);
}

/*
 * compress - REP as its XML, gzip-compressed as it is written (never
 * whole in memory), the gzip header naming FILE less ".gz"; the bytes
 * (caller frees) and *LEN, or NULL (the reason on stderr)
 */
static unsigned char *
compress(const struct opts *o, const struct conf *conf,
    const struct report_agg_report *rep, const char *id, const char *file,
    size_t *len)
{
	struct report_meta meta = {
		.org_name = conf->report_org_name, .email = conf->report_email,
		.extra_contact_info = *conf->report_extra_contact != '\0' ?
		    conf->report_extra_contact : NULL,
		.report_id = id, .generator = "mxauth " PACKAGE_VERSION,
		.begin = o->begin, .end = o->end - 1,
	};
	struct report_gz *z;
	unsigned char *gz = NULL;
	char *inner, why[512], ignored[64];
	int xml;

	inner = xstrndup(file, strlen(file) - 3);
	z = report_gz_new(inner, (int64_t)time(NULL), why, sizeof(why));
	x_free(inner);
	if (z == NULL) {
		fprintf(stderr, "mxauth-report: %s: %s\n", id, why);
		return NULL;
	}
	xml = report_xml_write(rep, &meta, gz_sink, z, why, sizeof(why));
	if (report_gz_end(z, &gz, len, xml == 0 ? why : ignored, xml == 0 ?
	    sizeof(why) : sizeof(ignored)) != 0 || xml != 0) {
		fprintf(stderr, "mxauth-report: %s: %s\n", id, why);
		x_free(gz);
		return NULL;
	}
	return gz;
}

/*
 * message - the MIME message of report ID (FILE, GZ of GZLEN bytes) to
 * TO; caller frees, its length in *LEN
 */
static char *
message(const struct opts *o, const struct conf *conf, const char *receiver,
    const struct report_agg_report *rep, const char *id, const char *file,
    const unsigned char *gz, size_t gzlen, const char *to, size_t *len)
{
	struct report_mail m;

	memset(&m, 0, sizeof(m));
	m.from = conf->report_email;
	m.to = to;
	m.policy_domain = rep->policy_domain;
	m.receiver = receiver;
	m.report_id = id;
	m.filename = file;
	m.begin = o->begin;
	m.end = o->end - 1;
	m.date = (int64_t)time(NULL);
	m.messages = rep->messages;
	m.gz = gz;
	m.gzlen = gzlen;
	return report_mail_message(&m, len);
}

/*
 * eml_name - FILE's message file in a --dry-run directory: ".xml.gz"
 * becomes ".eml", or ".TO.eml" when the report goes to several
 * addresses (one file each); caller frees
 */
static char *
eml_name(const char *file, const char *to, size_t nto)
{
	struct vstr v = VSTR_INIT;

	vstr_ncat(&v, file, strlen(file) - strlen(".xml.gz"));
	if (nto > 1)
		vstr_catf(&v, ".%s", to);
	vstr_cat(&v, ".eml");
	return vstr_steal(&v);
}

/* what became of the reports of a run */
struct tally {
	size_t	 made;		/* written (--dry-run) or sent */
	size_t	 seen;		/* already made */
	size_t	 unverified;
	size_t	 temperror;
	size_t	 failed;
};

/*
 * deliver - MSG (MLEN bytes) to TO through report_transport; 0 or -1
 * (the reason on stderr)
 */
static int
deliver(const struct conf *conf, const char *id, const char *to,
    const char *msg, size_t mlen)
{
	char why[512];

	if (report_send(conf->report_transport, conf->report_email, to, msg,
	    mlen, why, sizeof(why)) == 0)
		return 0;
	fprintf(stderr, "mxauth-report: %s: not sent to %s: %s\n", id, to,
	    why);
	return -1;
}

/*
 * one_report - REP's destination verified, its id claimed, the report
 * made and sent (or written); counted in T; 0, or -1 for an error
 */
static int
one_report(const struct opts *o, const struct conf *conf,
    struct report_store *store, struct dns *dns, const struct org_opts *oo,
    const char *receiver, const struct report_agg_report *rep,
    struct tally *t)
{
	struct report_dest dest;
	struct report_claim c;
	unsigned char *gz;
	char err[512], *id, *msg, *file, *eml;
	size_t i, mlen, gzlen;
	int claimed, rc = 0, ok;

	switch (report_dest_verify(dns, oo, rep->policy_domain, rep->dest,
	    &dest)) {
	case REPORT_DEST_UNVERIFIED:
	case REPORT_DEST_TEMPERROR:
		/* not claimed: a later run asks the DNS again */
		printf("report=%s domain=%s rua=%s why=\"%s\"\n",
		    report_dest_status_str(dest.status), rep->policy_domain,
		    rep->dest, dest.why);
		if (dest.status == REPORT_DEST_TEMPERROR) {
			fprintf(stderr, "mxauth-report: %s: %s: %s: the next "
			    "run tries again\n", rep->policy_domain,
			    rep->dest, dest.why);
			t->temperror++;
			rc = -1;
		} else
			t->unverified++;
		report_dest_clear(&dest);
		return rc;
	default:
		break;
	}
	id = report_mail_id(rep->policy_domain, rep->dest, o->begin, o->end,
	    receiver);
	c.report_id = id;
	c.policy_domain = rep->policy_domain;
	c.destination = rep->dest;
	c.begin = o->begin;
	c.end = o->end;
	c.created = (int64_t)time(NULL);
	claimed = report_store_claim(store, &c, o->force, err, sizeof(err));
	if (claimed < 0) {
		fprintf(stderr, "mxauth-report: report_store: %s\n", err);
		rc = -1;
	} else if (claimed == 0) {
		printf("report=already_made domain=%s rua=%s id=%s\n",
		    rep->policy_domain, rep->dest, id);
		t->seen++;
	} else {
		/*
		 * one report, compressed once, to the address or where its
		 * domain's record says: a message to each
		 */
		file = report_mail_filename(receiver, rep->policy_domain,
		    o->begin, o->end - 1, id);
		gz = compress(o, conf, rep, id, file, &gzlen);
		ok = gz != NULL && (o->dry_run == NULL ||
		    write_file(o->dry_run, file, gz, gzlen) == 0);
		for (i = 0; i < dest.nto && ok; i++) {
			msg = message(o, conf, receiver, rep, id, file, gz,
			    gzlen, dest.to[i], &mlen);
			if (o->dry_run != NULL) {
				eml = eml_name(file, dest.to[i], dest.nto);
				ok = write_file(o->dry_run, eml, msg, mlen) == 0;
				x_free(eml);
			} else
				ok = deliver(conf, id, dest.to[i], msg,
				    mlen) == 0;
			x_free(msg);
		}
		x_free(file);
		x_free(gz);
		if (!ok) {
			/* not made: a later run may make it */
			if (report_store_release(store, id, err,
			    sizeof(err)) != 0)
				fprintf(stderr, "mxauth-report: report_store: "
				    "%s\n", err);
			printf("report=failed domain=%s rua=%s id=%s\n",
			    rep->policy_domain, rep->dest, id);
			t->failed++;
			rc = -1;
		} else {
			for (i = 0; i < dest.nto; i++)
				printf("report=%s domain=%s rua=%s to=%s id=%s "
				    "records=%zu messages=%" PRIu64 "\n",
				    o->dry_run != NULL ? "written" : "sent",
				    rep->policy_domain, rep->dest, dest.to[i],
				    id, rep->nrec, rep->messages);
			t->made++;
		}
	}
	x_free(id);
	report_dest_clear(&dest);
	return rc;
}

int
main(int argc, char **argv)
{
	struct report_store *store;
	struct report_agg agg;
	struct org_opts oo;
	struct tally t;
	struct conf *conf;
	struct dns *dns;
	struct opts o;
	const char *path, *receiver;
	char err[512];
	size_t i;
	int rc = 0;

	parse_args(argc, argv, &o);
	if (o.dry_run != NULL && access(o.dry_run, W_OK | X_OK) != 0) {
		fprintf(stderr, "mxauth-report: --dry-run %s: %s\n", o.dry_run,
		    strerror(errno));
		return 1;
	}
	path = o.config != NULL ? o.config : MXAUTH_DEFAULT_CONF;
	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxauth-report: %s\n", err);
		return 1;
	}
	if (o.init_db) {	/* no other option: parse_args saw to it */
		rc = init_db(conf);
		conf_release(conf);
		return rc;
	}
	if (*conf->report_org_name == '\0' || *conf->report_email == '\0') {
		fprintf(stderr, "mxauth-report: %s: report_org_name and "
		    "report_email must be set: they name the reporter in "
		    "every report\n", path);
		conf_release(conf);
		return 1;
	}
	receiver = strrchr(conf->report_email, '@') + 1;
	/* the destinations are verified through the daemon's resolver */
	dns = o.zone != NULL ? dns_new_zone(o.zone, err, sizeof(err)) :
	    conf_dns_new(conf, err, sizeof(err));
	if (dns == NULL) {
		fprintf(stderr, "mxauth-report: %s\n", err);
		conf_release(conf);
		return 1;
	}
	memset(&oo, 0, sizeof(oo));
	oo.psl = conf->dmarc_org_domain == CONF_ORG_PSL ? conf->psl : NULL;
	if ((store = report_store_open(conf->report_store, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "mxauth-report: report_store: %s\n", err);
		dns_free(dns);
		conf_release(conf);
		return 1;
	}
	memset(&t, 0, sizeof(t));
	report_agg_init(&agg);
	if (report_store_read(store, o.begin, o.end, add_row, &agg, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "mxauth-report: report_store: %s\n", err);
		rc = 1;
		goto done;
	}
	for (i = 0; i < agg.nrep; i++)
		if (one_report(&o, conf, store, dns, &oo, receiver,
		    &agg.rep[i], &t) != 0)
			rc = 1;
	printf("period=%" PRId64 "-%" PRId64 " rows=%" PRIu64 " without_rua=%"
	    PRIu64 " %s=%zu already_made=%zu unverified=%zu dest_temperror=%zu "
	    "failed=%zu\n", o.begin, o.end, agg.rows, agg.unreported,
	    o.dry_run != NULL ? "written" : "sent", t.made, t.seen,
	    t.unverified, t.temperror, t.failed);
	/* after the reports: a period is read before its rows may go */
	if (purge(store, conf) != 0)
		rc = 1;
done:
	report_agg_clear(&agg);
	report_store_close(store);
	dns_free(dns);
	conf_release(conf);
	return rc;
}
