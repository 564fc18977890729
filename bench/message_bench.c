/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * message_bench - whole messages per second on one core through the
 * core API: SPF, DKIM and DMARC, the A-R and the verdict, exactly the
 * calls the milter glue makes (eval_*).
 *
 *   message_bench (--zone FILE | --server IP:PORT) MESSAGE [SECONDS]
 *
 * MESSAGE (CRLF, one DKIM signature by bench.example) is judged as sent
 * by 192.0.2.10 with MAIL FROM bench@bench.example; the zone must make
 * SPF, DKIM and DMARC pass (bench/dkim_bench.sh writes it).  With
 * --server every answer is in the resolver's cache after the first
 * message.  Prints messages per second.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "conf.h"
#include "dns.h"
#include "eval.h"
#include "vstr.h"
#include "xmalloc.h"

/* header, body - bench_feed's callbacks into eval */
static void
header(void *e, const char *name, const char *value)
{
	eval_header(e, name, value);
}

static void
body(void *e, const unsigned char *buf, size_t len)
{
	eval_body(e, buf, len);
}

/* judge_once - one message through eval; its DMARC result */
static enum dmarc_res
judge_once(struct conf *c, struct dns *d, const char *msg, size_t len)
{
	struct eval *e = eval_new(c, d);
	const struct eval_result *r;
	enum dmarc_res res = DMARC_RES_NONE;

	eval_set_queue_id(e, "BENCH");
	eval_set_client(e, "192.0.2.10", NULL);
	eval_set_helo(e, "mail.bench.example");
	eval_set_mail_from(e, "bench@bench.example");
	(void)eval_envelope(e);
	bench_feed(msg, len, header, body, e);
	eval_end(e);
	r = eval_result(e);
	if (r->dmarc != NULL && r->spf != NULL && r->spf->result ==
	    SPF_RES_PASS && r->ndkim == 1 && r->dkim[0].result == DKIM_RES_PASS)
		res = r->dmarc->result;
	eval_free(e);
	return res;
}

int
main(int argc, char **argv)
{
	struct vstr msg = VSTR_INIT;
	struct conf *c;
	struct dns *d;
	double secs = 3, t0, t;
	long n = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: message_bench (--zone FILE | --server "
		    "IP:PORT) MESSAGE [SECONDS]\n");
		return 2;
	}
	if (argc > 4)
		secs = atof(argv[4]);
	d = bench_dns("message_bench", argv[1], argv[2]);
	bench_read("message_bench", argv[3], &msg);
	c = conf_defaults();
	if (judge_once(c, d, msg.buf, msg.len) != DMARC_RES_PASS) {
		fprintf(stderr, "message_bench: SPF, DKIM and DMARC do not all "
		    "pass for the message\n");
		return 1;
	}
	t0 = bench_now();
	do {
		judge_once(c, d, msg.buf, msg.len);
		n++;
	} while ((t = bench_now() - t0) < secs);
	printf("message (%s): %ld whole messages (SPF + DKIM + DMARC, %zu "
	    "bytes) in %.2f s: %.0f/s, %.1f us each\n",
	    strcmp(argv[1], "--zone") == 0 ? "zone layer" : "warm cache",
	    n, msg.len, t, (double)n / t, t * 1e6 / (double)n);
	conf_release(c);
	vstr_free(&msg);
	dns_free(d);
	return 0;
}
