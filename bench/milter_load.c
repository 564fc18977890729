/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_load - a load generator that speaks the MTA side of the milter
 * protocol (version 6) itself: no Postfix, no libmilter.  It drives any
 * milter (mxauth, opendkim, opendmarc) the way Postfix's smtpd and
 * cleanup do, and prints messages a second, latency and the CPU both
 * sides spent per message.
 *
 *   milter_load [-c CONNS] [-n MSGS] [-m MSGS_PER_CONN] [-f FILE]
 *               [-i IP] [-N NAME] [-H HELO] [-F FROM] [-R RCPT]
 *               [-p PID] [-t SECONDS] [-l LABEL] [-I IDLE] [-o] [-v]
 *               SOCKET
 *
 * SOCKET is unix:/path, inet:PORT@HOST or inet:HOST:PORT.
 *
 * The wire protocol, as Postfix's src/milter/milter8.c speaks it (the
 * constants are libmilter's mfdef.h): every packet is a 4-byte
 * big-endian length (command byte included), a command byte and its
 * data.  One connection: OPTNEG (version, actions, steps offered; the
 * milter answers with what it wants, perhaps followed by macro lists,
 * which are not honoured here), then per message MAIL, RCPT, DATA, one
 * HEADER per field (name and value, NUL-terminated; the value keeps its
 * leading space only with SMFIP_HDR_LEADSPC; folds are "\n"), EOH, BODY
 * chunks of at most 65535 bytes with CRLF line ends, BODYEOB, and ABORT
 * after the final reply (Postfix's smtpd resets the milter after every
 * transaction that got past MAIL, a successful one too); QUIT at the
 * end.  Each event is
 * preceded by a MACRO packet with Postfix's default macros for it
 * (even when the milter asked to skip the event, as Postfix does).
 * Steps the milter asked to skip are not sent; steps it marked no-reply
 * get no wait (their packets go out with the next one that needs a
 * reply, in one write); SMFIR_SKIP ends the body; SMFIR_PROGRESS and the
 * modification replies before the final one at end of message are read
 * and counted.  A reject or tempfail before end of message ends that
 * message (refused), one at connect or HELO the connection.
 *
 * -o is an old MTA: protocol version 4, no no-reply, skip or leading
 * space flags offered.  -I opens IDLE more connections first (through
 * HELO) and holds them, idle, for the whole run, printing the milter's
 * RSS and descriptors with them open: sessions whose clients are slow.  Latency is per message, from connect (or from
 * MAIL on a reused connection) to the final reply.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Commands, MTA to milter (mfdef.h SMFIC_*) */
#define C_ABORT		'A'
#define C_BODY		'B'
#define C_CONNECT	'C'
#define C_MACRO		'D'
#define C_BODYEOB	'E'
#define C_HELO		'H'
#define C_HEADER	'L'
#define C_MAIL		'M'
#define C_EOH		'N'
#define C_OPTNEG	'O'
#define C_QUIT		'Q'
#define C_RCPT		'R'
#define C_DATA		'T'

/* Replies, milter to MTA (SMFIR_*) */
#define R_ADDRCPT	'+'
#define R_DELRCPT	'-'
#define R_ADDRCPT_PAR	'2'
#define R_SHUTDOWN	'4'
#define R_ACCEPT	'a'
#define R_REPLBODY	'b'
#define R_CONTINUE	'c'
#define R_DISCARD	'd'
#define R_CHGFROM	'e'
#define R_CONN_FAIL	'f'
#define R_ADDHEADER	'h'
#define R_INSHEADER	'i'
#define R_CHGHEADER	'm'
#define R_PROGRESS	'p'
#define R_QUARANTINE	'q'
#define R_REJECT	'r'
#define R_SKIP		's'
#define R_TEMPFAIL	't'
#define R_REPLYCODE	'y'

/* Actions (SMFIF_*): all nine, as Postfix offers them */
#define ALL_ACTIONS	0x1ffu

/* Steps (SMFIP_*) */
#define P_NOCONNECT	0x000001u
#define P_NOHELO	0x000002u
#define P_NOMAIL	0x000004u
#define P_NORCPT	0x000008u
#define P_NOBODY	0x000010u
#define P_NOHDRS	0x000020u
#define P_NOEOH		0x000040u
#define P_NR_HDR	0x000080u
#define P_NOUNKNOWN	0x000100u
#define P_NODATA	0x000200u
#define P_SKIP		0x000400u
#define P_RCPT_REJ	0x000800u
#define P_NR_CONN	0x001000u
#define P_NR_HELO	0x002000u
#define P_NR_MAIL	0x004000u
#define P_NR_RCPT	0x008000u
#define P_NR_DATA	0x010000u
#define P_NR_UNKN	0x020000u
#define P_NR_EOH	0x040000u
#define P_NR_BODY	0x080000u
#define P_HDR_LEADSPC	0x100000u
/* what a version 4 MTA can be asked to skip */
#define V4_STEPS	(P_NOCONNECT | P_NOHELO | P_NOMAIL | P_NORCPT | \
    P_NOBODY | P_NOHDRS | P_NOEOH | P_NOUNKNOWN | P_NODATA)
/* version 6: no-reply steps, SMFIR_SKIP, leading space, rejected RCPTs */
#define V6_STEPS	(V4_STEPS | P_SKIP | P_RCPT_REJ | P_NR_CONN | \
    P_NR_HELO | P_NR_MAIL | P_NR_RCPT | P_NR_DATA | P_NR_UNKN | P_NR_HDR | \
    P_NR_EOH | P_NR_BODY | P_HDR_LEADSPC)

#define CHUNK		65535		/* Postfix's MILTER_CHUNK_SIZE */
#define MAX_PACKET	(1 << 24)	/* a longer reply is a broken milter */

/* The steps whose replies are counted, in output order */
enum step { S_CONN, S_HELO, S_MAIL, S_RCPT, S_DATA, S_HDR, S_EOH, S_BODY,
	S_EOM, S_NSTEPS };
static const char *const step_name[S_NSTEPS] = { "conn", "helo", "mail",
	"rcpt", "data", "hdr", "eoh", "body", "eom" };

/* How a message ended */
enum outcome { O_ACCEPT, O_REJECT, O_TEMPFAIL, O_DISCARD, O_ERROR, O_N };
static const char *const outcome_name[O_N] = { "accept", "reject",
	"tempfail", "discard", "error" };

struct field {
	char	*name;
	char	*value;			/* after the colon, folds as "\n" */
};

/* Everything the workers share, read-only once they run */
static struct {
	const char *label;		/* -l, or the socket */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int	 conns;
	int	 idle;			/* -I: connections held open, idle */
	long	 msgs;
	long	 per_conn;
	int	 old_mta;
	int	 verbose;
	int	 timeout;
	const char *client_ip;
	const char *client_name;
	const char *helo;
	const char *from;
	const char *rcpt;
	struct field *fields;
	size_t	 nfields;
	char	*body;			/* CRLF lines */
	size_t	 bodylen;
	unsigned qid_base;
} cfg;

static atomic_long next_msg;
static double *latency;			/* ms per message index; < 0: none */
static atomic_int negotiation_shown;
static atomic_int errors_shown;

/* complain - the first few errors go to stderr, with errno's text */
static void
complain(const char *what, const char *qid)
{
	int e = errno;

	if (atomic_fetch_add(&errors_shown, 1) < 5)
		fprintf(stderr, "milter_load: %s: %s (message %s)\n", what,
		    e != 0 ? strerror(e) : "protocol error", qid);
}

/* Per worker results, summed at the end */
struct stats {
	long	 outcome[O_N];
	long	 refused_early;		/* reject/tempfail before EOM */
	long	 replies[S_NSTEPS];	/* replies read, per step */
	long	 mods;			/* modification replies at EOM */
	long	 progress;
	long	 connections;
};

/* Output buffer of one connection: packets wait here for one write */
struct obuf {
	char	*p;
	size_t	 len, cap;
};

/* One milter connection */
struct conn {
	int	 fd;
	struct obuf out;
	unsigned char *in;		/* input buffer */
	size_t	 inpos, inlen, incap;
	uint32_t version, actions, steps;	/* what the milter answered */
	int	 skip_event;		/* after SMFIR_SKIP: skip these */
	char	 qid[24];
	struct stats *st;
	int	 show;			/* print this message's replies */
};

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("milter_load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		die("out of memory");
	return p;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *p = xrealloc(NULL, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* --- the message file ---------------------------------------------------- */

/* load_message - PATH split into header fields and a CRLF body */
static void
load_message(const char *path)
{
	FILE *fp;
	char *data = NULL, *p, *end, *eol, *line_end;
	size_t len = 0, cap = 0, n;
	int in_body = 0;

	if ((fp = fopen(path, "rb")) == NULL)
		die("%s: %s", path, strerror(errno));
	for (;;) {
		if (cap - len < 65536)
			data = xrealloc(data, cap = cap * 2 + 65536);
		if ((n = fread(data + len, 1, cap - len, fp)) == 0)
			break;
		len += n;
	}
	fclose(fp);
	cfg.body = xrealloc(NULL, len * 2 + 3);
	for (p = data, end = data + len; p < end; p = eol) {
		line_end = memchr(p, '\n', (size_t)(end - p));
		eol = line_end != NULL ? line_end + 1 : end;
		if (line_end == NULL)
			line_end = end;
		if (line_end > p && line_end[-1] == '\r')
			line_end--;
		if (in_body) {
			memcpy(cfg.body + cfg.bodylen, p, (size_t)(line_end - p));
			cfg.bodylen += (size_t)(line_end - p);
			memcpy(cfg.body + cfg.bodylen, "\r\n", 2);
			cfg.bodylen += 2;
		} else if (line_end == p) {
			in_body = 1;
		} else if ((*p == ' ' || *p == '\t') && cfg.nfields > 0) {
			/* a fold: Postfix passes it on as "\n" + the line */
			struct field *f = &cfg.fields[cfg.nfields - 1];
			size_t old = strlen(f->value), add;

			add = (size_t)(line_end - p);
			f->value = xrealloc(f->value, old + add + 2);
			f->value[old] = '\n';
			memcpy(f->value + old + 1, p, add);
			f->value[old + 1 + add] = '\0';
		} else {
			char *colon = memchr(p, ':', (size_t)(line_end - p));
			char *ne;

			if (colon == NULL || colon == p)
				die("%s: not a header field: %.*s", path,
				    (int)(line_end - p), p);
			for (ne = colon; ne > p && (ne[-1] == ' ' ||
			    ne[-1] == '\t'); ne--)
				;
			cfg.fields = xrealloc(cfg.fields,
			    (cfg.nfields + 1) * sizeof(*cfg.fields));
			cfg.fields[cfg.nfields].name = xstrndup(p,
			    (size_t)(ne - p));
			cfg.fields[cfg.nfields].value = xstrndup(colon + 1,
			    (size_t)(line_end - colon - 1));
			cfg.nfields++;
		}
	}
	free(data);
	if (cfg.nfields == 0)
		die("%s: no header fields", path);
}

/* --- packets --------------------------------------------------------------- */

static void
ob_put(struct obuf *b, const void *p, size_t n)
{
	if (b->cap - b->len < n) {
		b->cap = (b->cap + n) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
ob_str(struct obuf *b, const char *s)
{
	ob_put(b, s, strlen(s) + 1);
}

static void
ob_u32(struct obuf *b, uint32_t v)
{
	uint32_t n = htonl(v);

	ob_put(b, &n, 4);
}

/* pkt_begin - start a packet; returns where its length goes */
static size_t
pkt_begin(struct obuf *b, int cmd)
{
	size_t at = b->len;
	char c = (char)cmd;

	ob_u32(b, 0);
	ob_put(b, &c, 1);
	return at;
}

static void
pkt_end(struct obuf *b, size_t at)
{
	uint32_t n = htonl((uint32_t)(b->len - at - 4));

	memcpy(b->p + at, &n, 4);
}

/* flush - write everything waiting; -1 on error */
static int
flush(struct conn *c)
{
	size_t off = 0;
	ssize_t w;

	while (off < c->out.len) {
		w = send(c->fd, c->out.p + off, c->out.len - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	c->out.len = 0;
	return 0;
}

/* fill - at least N bytes in the input buffer; -1 on EOF or error */
static int
fill(struct conn *c, size_t n)
{
	ssize_t r;

	if (c->inpos > 0 && c->inlen - c->inpos < n) {
		memmove(c->in, c->in + c->inpos, c->inlen - c->inpos);
		c->inlen -= c->inpos;
		c->inpos = 0;
	}
	if (c->incap < n) {
		c->incap = n < 8192 ? 8192 : n;
		c->in = xrealloc(c->in, c->incap);
	}
	while (c->inlen - c->inpos < n) {
		r = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c->inlen += (size_t)r;
	}
	return 0;
}

/* read_reply - the next packet: its command, data and data length */
static int
read_reply(struct conn *c, int *cmd, unsigned char **data, size_t *len)
{
	uint32_t n;

	if (c->out.len > 0 && flush(c) != 0)
		return -1;
	if (fill(c, 4) != 0)
		return -1;
	memcpy(&n, c->in + c->inpos, 4);
	n = ntohl(n);
	if (n < 1 || n > MAX_PACKET || fill(c, 4 + (size_t)n) != 0)
		return -1;
	*cmd = c->in[c->inpos + 4];
	*data = c->in + c->inpos + 5;
	*len = n - 1;
	c->inpos += 4 + (size_t)n;
	return 0;
}

/* --- one milter connection ------------------------------------------------ */

/* macro - a MACRO packet for event CMD: NULL-terminated name, value pairs */
static void
macro(struct conn *c, int cmd, ...)
{
	va_list ap;
	const char *s;
	char cc = (char)cmd;
	size_t at = pkt_begin(&c->out, C_MACRO);

	ob_put(&c->out, &cc, 1);
	va_start(ap, cmd);
	while ((s = va_arg(ap, const char *)) != NULL)
		ob_str(&c->out, s);
	va_end(ap);
	pkt_end(&c->out, at);
}

static void
describe(uint32_t steps, char *buf, size_t size)
{
	static const struct { uint32_t bit; const char *name; } n[] = {
		{ P_NOCONNECT, "NOCONNECT" }, { P_NOHELO, "NOHELO" },
		{ P_NOMAIL, "NOMAIL" }, { P_NORCPT, "NORCPT" },
		{ P_NOBODY, "NOBODY" }, { P_NOHDRS, "NOHDRS" },
		{ P_NOEOH, "NOEOH" }, { P_NR_HDR, "NR_HDR" },
		{ P_NOUNKNOWN, "NOUNKNOWN" }, { P_NODATA, "NODATA" },
		{ P_SKIP, "SKIP" }, { P_RCPT_REJ, "RCPT_REJ" },
		{ P_NR_CONN, "NR_CONN" }, { P_NR_HELO, "NR_HELO" },
		{ P_NR_MAIL, "NR_MAIL" }, { P_NR_RCPT, "NR_RCPT" },
		{ P_NR_DATA, "NR_DATA" }, { P_NR_UNKN, "NR_UNKN" },
		{ P_NR_EOH, "NR_EOH" }, { P_NR_BODY, "NR_BODY" },
		{ P_HDR_LEADSPC, "HDR_LEADSPC" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(n) / sizeof(n[0]) && used + 16 < size; i++)
		if (steps & n[i].bit)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
			    used > 0 ? "," : "", n[i].name);
	if (used == 0)
		snprintf(buf, size, "none");
}

/* conn_open - connect and negotiate; -1 on error */
static int
conn_open(struct conn *c)
{
	struct timeval tv = { cfg.timeout, 0 };
	int cmd;
	unsigned char *d;
	size_t len, at;
	uint32_t v[3];

	c->fd = socket(cfg.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (struct sockaddr *)&cfg.addr, cfg.addrlen) != 0) {
		complain("connect", c->qid);
		goto fail;
	}
	c->st->connections++;
	c->inpos = c->inlen = 0;
	c->out.len = 0;
	c->skip_event = 0;
	at = pkt_begin(&c->out, C_OPTNEG);
	ob_u32(&c->out, cfg.old_mta ? 4 : 6);
	ob_u32(&c->out, ALL_ACTIONS);
	ob_u32(&c->out, cfg.old_mta ? V4_STEPS : V6_STEPS);
	pkt_end(&c->out, at);
	if (read_reply(c, &cmd, &d, &len) != 0 || cmd != C_OPTNEG ||
	    len < 12) {
		complain("option negotiation", c->qid);
		goto fail;
	}
	memcpy(v, d, 12);
	c->version = ntohl(v[0]);
	c->actions = ntohl(v[1]);
	c->steps = ntohl(v[2]);
	/* macro lists may follow (smfi_setsymlist): not honoured */
	if (atomic_fetch_add(&negotiation_shown, 1) == 0) {
		char buf[512];

		describe(c->steps, buf, sizeof(buf));
		printf("milter_load_negotiated label=%s version=%u "
		    "actions=0x%x steps=0x%x (%s) symlists=%s\n",
		    cfg.label, c->version, c->actions, c->steps, buf,
		    len > 12 ? "yes" : "no");
		fflush(stdout);
	}
	return 0;
fail:
	close(c->fd);
	c->fd = -1;
	return -1;
}

static void
conn_close(struct conn *c, int polite)
{
	if (c->fd < 0)
		return;
	if (polite) {
		size_t at = pkt_begin(&c->out, C_QUIT);

		pkt_end(&c->out, at);
		(void)flush(c);
	}
	close(c->fd);
	c->fd = -1;
	c->out.len = 0;
}

/* Result of one event */
enum ev { EV_CONTINUE, EV_ACCEPT, EV_REJECT, EV_TEMPFAIL, EV_DISCARD,
	EV_SHUTDOWN, EV_ERROR };

static void
show_reply(struct conn *c, int cmd, const unsigned char *d, size_t len)
{
	size_t i;

	printf("milter_load_reply qid=%s cmd=%c", c->qid, cmd);
	if (len > 0) {
		fputs(" data=\"", stdout);
		for (i = 0; i < len; i++) {
			if (d[i] == '\0')
				fputs("\\0", stdout);
			else if (d[i] == '\n')
				fputs("\\n", stdout);
			else if (d[i] < 0x20 || d[i] >= 0x7f || d[i] == '"')
				printf("\\x%02x", d[i]);
			else
				putchar(d[i]);
		}
		putchar('"');
	}
	putchar('\n');
}

/*
 * await - the milter's answer to the event just sent for STEP: its
 * decision, after any progress notes and (at end of message only)
 * modification requests
 */
static enum ev
await(struct conn *c, enum step step, int event)
{
	int cmd;
	unsigned char *d;
	size_t len;

	for (;;) {
		errno = 0;
		if (read_reply(c, &cmd, &d, &len) != 0) {
			complain(errno == EAGAIN ? "reply (timed out)" :
			    "reply", c->qid);
			return EV_ERROR;
		}
		c->st->replies[step]++;
		if (c->show)
			show_reply(c, cmd, d, len);
		switch (cmd) {
		case R_PROGRESS:
			c->st->progress++;
			continue;
		case R_CONTINUE:
			return EV_CONTINUE;
		case R_ACCEPT:
			return EV_ACCEPT;
		case R_REJECT:
			return EV_REJECT;
		case R_TEMPFAIL:
			return EV_TEMPFAIL;
		case R_DISCARD:
			return step == S_CONN || step == S_HELO ? EV_CONTINUE :
			    EV_DISCARD;
		case R_REPLYCODE:
			if (len < 4 || (d[0] != '4' && d[0] != '5'))
				goto bad;
			return d[0] == '5' ? EV_REJECT : EV_TEMPFAIL;
		case R_SHUTDOWN:
		case R_CONN_FAIL:
			return EV_SHUTDOWN;
		case R_SKIP:
			c->skip_event = event;
			return EV_CONTINUE;
		case R_QUARANTINE:
			c->st->mods++;
			continue;
		case R_ADDHEADER: case R_INSHEADER: case R_CHGHEADER:
		case R_ADDRCPT: case R_DELRCPT: case R_ADDRCPT_PAR:
		case R_CHGFROM: case R_REPLBODY:
			if (step != S_EOM)
				goto bad;
			c->st->mods++;
			continue;
		default:
			goto bad;
		}
	}
bad:
	{
		char what[80];

		errno = 0;
		snprintf(what, sizeof(what), "unexpected reply '%c' to %s",
		    cmd, step_name[step]);
		complain(what, c->qid);
	}
	return EV_ERROR;
}

/*
 * event - the MACRO packet is already queued; send event CMD with DATA
 * unless the milter asked to skip it (NOFLAG) or skipped its kind
 * (SMFIR_SKIP), and wait for the reply unless it is a no-reply step
 * (NRFLAG; 0: always wait)
 */
static enum ev
event(struct conn *c, enum step step, int cmd, uint32_t noflag,
    uint32_t nrflag, const void *data, size_t len)
{
	size_t at;

	if (noflag != 0 && (c->steps & noflag) != 0)
		return EV_CONTINUE;
	at = pkt_begin(&c->out, cmd);
	ob_put(&c->out, data, len);
	pkt_end(&c->out, at);
	if (nrflag != 0 && (c->steps & nrflag) != 0)
		return EV_CONTINUE;
	return await(c, step, cmd);
}

/* skipped - after SMFIR_SKIP, events of that kind are not sent at all */
static int
skipped(struct conn *c, int cmd)
{
	if (c->skip_event == 0)
		return 0;
	if (c->skip_event == cmd)
		return 1;
	c->skip_event = 0;
	return 0;
}

static enum outcome
ev_outcome(enum ev e)
{
	switch (e) {
	case EV_CONTINUE:
	case EV_ACCEPT:
		return O_ACCEPT;
	case EV_REJECT:
		return O_REJECT;
	case EV_TEMPFAIL:
	case EV_SHUTDOWN:
		return O_TEMPFAIL;
	case EV_DISCARD:
		return O_DISCARD;
	default:
		return O_ERROR;
	}
}

/*
 * session - the connect and HELO events of a new connection; EV_CONTINUE
 * or how the milter ended the connection
 */
static enum ev
session(struct conn *c, unsigned short port)
{
	struct obuf b = { NULL, 0, 0 };
	char under[256];
	uint16_t nport = htons(port);
	enum ev e;

	/* Postfix's "_": "NAME [ADDR]", NAME "unknown" without a name */
	snprintf(under, sizeof(under), "%s [%s]", cfg.client_name[0] == '[' ?
	    "unknown" : cfg.client_name, cfg.client_ip);
	macro(c, C_CONNECT, "j", "mx.example", "{daemon_name}", "mx.example",
	    "{daemon_addr}", "127.0.0.1", "v", "Postfix 3.7.11", "_", under,
	    "{client_addr}", cfg.client_ip, (char *)NULL);
	ob_str(&b, cfg.client_name);
	ob_put(&b, "4", 1);
	ob_put(&b, &nport, 2);
	ob_str(&b, cfg.client_ip);
	e = event(c, S_CONN, C_CONNECT, P_NOCONNECT, P_NR_CONN, b.p, b.len);
	if (e == EV_CONTINUE)
		e = event(c, S_HELO, C_HELO, P_NOHELO, P_NR_HELO, cfg.helo,
		    strlen(cfg.helo) + 1);
	free(b.p);
	return e;
}

/*
 * message - one transaction; *keep is cleared when the connection is
 * done, *in_tx set once MAIL was accepted (only then does Postfix's smtpd
 * have a transaction to reset, with SMFIC_ABORT)
 */
static enum outcome
message(struct conn *c, int *keep, int *in_tx)
{
	char from[512], rcpt[512];
	const char *at;
	struct obuf b = { NULL, 0, 0 };
	enum ev e;
	size_t i, off, n;
	int leadspc = (c->steps & P_HDR_LEADSPC) != 0;

	snprintf(from, sizeof(from), "<%s>", cfg.from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", cfg.rcpt);
	/*
	 * No {i} at MAIL and the first RCPT: Postfix opens the queue file
	 * after the first valid recipient (smtpd_delay_open_until_valid_rcpt)
	 */
	at = strchr(cfg.from, '@');
	macro(c, C_MAIL, "{mail_addr}", cfg.from, "{mail_host}",
	    at != NULL ? at + 1 : "", "{mail_mailer}", "smtp", (char *)NULL);
	e = event(c, S_MAIL, C_MAIL, P_NOMAIL, P_NR_MAIL, from,
	    strlen(from) + 1);
	if (e != EV_CONTINUE)
		goto done;
	*in_tx = 1;
	at = strchr(cfg.rcpt, '@');
	macro(c, C_RCPT, "{rcpt_addr}", cfg.rcpt, "{rcpt_host}",
	    at != NULL ? at + 1 : "", "{rcpt_mailer}", "smtp", (char *)NULL);
	e = event(c, S_RCPT, C_RCPT, P_NORCPT, P_NR_RCPT, rcpt,
	    strlen(rcpt) + 1);
	if (e != EV_CONTINUE)
		goto done;
	macro(c, C_DATA, "i", c->qid, (char *)NULL);
	e = event(c, S_DATA, C_DATA, P_NODATA, P_NR_DATA, "", 0);
	if (e != EV_CONTINUE)
		goto done;
	/* Postfix's cleanup: no callbacks at all for skipped content */
	for (i = 0; i < cfg.nfields && !(c->steps & P_NOHDRS); i++) {
		const char *v = cfg.fields[i].value;

		if (skipped(c, C_HEADER))
			continue;
		if (!leadspc && *v == ' ')
			v++;
		b.len = 0;
		ob_str(&b, cfg.fields[i].name);
		ob_str(&b, v);
		macro(c, C_HEADER, "i", c->qid, (char *)NULL);
		e = event(c, S_HDR, C_HEADER, P_NOHDRS, P_NR_HDR, b.p, b.len);
		if (e != EV_CONTINUE)
			goto done;
	}
	if (!(c->steps & P_NOEOH) && !skipped(c, C_EOH)) {
		macro(c, C_EOH, "i", c->qid, (char *)NULL);
		e = event(c, S_EOH, C_EOH, P_NOEOH, P_NR_EOH, "", 0);
		if (e != EV_CONTINUE)
			goto done;
	}
	for (off = 0; off < cfg.bodylen && !(c->steps & P_NOBODY); off += n) {
		n = cfg.bodylen - off < CHUNK ? cfg.bodylen - off : CHUNK;
		if (skipped(c, C_BODY))
			break;
		macro(c, C_BODY, "i", c->qid, (char *)NULL);
		e = event(c, S_BODY, C_BODY, P_NOBODY, P_NR_BODY,
		    cfg.body + off, n);
		if (e != EV_CONTINUE)
			goto done;
	}
	(void)skipped(c, C_BODYEOB);
	macro(c, C_BODYEOB, "i", c->qid, (char *)NULL);
	e = event(c, S_EOM, C_BODYEOB, 0, 0, "", 0);
	free(b.p);
	if (e == EV_ERROR || e == EV_SHUTDOWN)
		*keep = 0;
	return ev_outcome(e);
done:
	free(b.p);
	if (e == EV_ERROR || e == EV_SHUTDOWN)
		*keep = 0;
	else if (e == EV_REJECT || e == EV_TEMPFAIL)
		c->st->refused_early++;
	return ev_outcome(e);
}

/* abort_message - Postfix's smtpd resets the milter after a transaction */
static void
abort_message(struct conn *c)
{
	size_t at = pkt_begin(&c->out, C_ABORT);

	pkt_end(&c->out, at);
}

static void *
worker(void *arg)
{
	struct stats *st = arg;
	struct conn c;
	long idx, used = 0;
	double t0;
	int keep, in_tx;
	enum outcome o;
	enum ev e;

	memset(&c, 0, sizeof(c));
	c.fd = -1;
	c.st = st;
	while ((idx = atomic_fetch_add(&next_msg, 1)) < cfg.msgs) {
		t0 = now_ms();
		snprintf(c.qid, sizeof(c.qid), "%02X%08lX", cfg.qid_base & 0xff,
		    (unsigned long)idx);
		c.show = cfg.verbose && idx == 0;
		keep = 1;
		if (c.fd < 0) {
			used = 0;
			if (conn_open(&c) != 0) {
				st->outcome[O_ERROR]++;
				continue;
			}
			e = session(&c, (unsigned short)(10000 + idx % 50000));
			if (e != EV_CONTINUE) {
				/* refused (or accepted) for the whole connection */
				o = ev_outcome(e);
				st->outcome[o]++;
				if (o != O_ERROR)
					latency[idx] = now_ms() - t0;
				conn_close(&c, 0);
				continue;
			}
		}
		in_tx = 0;
		o = message(&c, &keep, &in_tx);
		st->outcome[o]++;
		if (o != O_ERROR)
			latency[idx] = now_ms() - t0;
		if (c.show)
			printf("milter_load_final qid=%s outcome=%s\n", c.qid,
			    outcome_name[o]);
		if (keep && in_tx)
			abort_message(&c);
		c.skip_event = 0;
		if (!keep || ++used >= cfg.per_conn)
			conn_close(&c, keep);
	}
	conn_close(&c, 1);
	free(c.out.p);
	free(c.in);
	return NULL;
}

/* --- the milter process --------------------------------------------------- */

/* proc_cpu - utime + stime of PID in seconds; < 0 if unknown */
static double
proc_cpu(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, stm;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* the command name may hold blanks and parentheses: skip to the last ')' */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &stm) != 2)
		return -1;
	return (double)(ut + stm) / (double)sysconf(_SC_CLK_TCK);
}

/* proc_rss - VmRSS of PID in kB, -1 if unknown */
static long
proc_rss(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

/* proc_fds - open descriptors of PID, -1 if unknown */
static long
proc_fds(long pid)
{
	char path[64];
	struct dirent *de;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* --- main ------------------------------------------------------------------ */

static void
parse_socket(const char *s)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&cfg.addr;
	struct sockaddr_in *in = (struct sockaddr_in *)&cfg.addr;
	char host[256];
	const char *p, *port;
	size_t hl;

	memset(&cfg.addr, 0, sizeof(cfg.addr));
	if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0) {
		p = strchr(s, ':') + 1;
		if (strlen(p) >= sizeof(un->sun_path))
			die("%s: path too long", s);
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, p);
		cfg.addrlen = sizeof(*un);
		return;
	}
	if (strncmp(s, "inet:", 5) != 0)
		die("%s: want unix:/path, inet:PORT@HOST or inet:HOST:PORT", s);
	p = s + 5;
	if ((port = strchr(p, '@')) != NULL) {		/* PORT@HOST */
		snprintf(host, sizeof(host), "%s", port + 1);
		port = p;
	} else if ((port = strrchr(p, ':')) != NULL) {	/* HOST:PORT */
		hl = (size_t)(port - p);
		if (hl >= sizeof(host))
			die("%s: host too long", s);
		memcpy(host, p, hl);
		host[hl] = '\0';
		port++;
	} else
		die("%s: no port", s);
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		die("%s: want an IPv4 address", s);
	cfg.addrlen = sizeof(*in);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * hold_idle - open cfg.idle connections (negotiation, connect, HELO) and
 * leave them idle for the run, as an MTA's sessions whose clients are
 * slow; print the milter's RSS and descriptors with them all open
 */
static struct conn *
hold_idle(long pid, struct stats *st)
{
	struct conn *c;
	int k, open = 0;

	memset(st, 0, sizeof(*st));
	c = calloc((size_t)cfg.idle + 1, sizeof(*c));
	if (c == NULL)
		die("out of memory");
	for (k = 0; k < cfg.idle; k++) {
		c[k].fd = -1;
		c[k].st = st;
		snprintf(c[k].qid, sizeof(c[k].qid), "IDLE%05d", k);
		if (conn_open(&c[k]) != 0 ||
		    session(&c[k], (unsigned short)(1000 + k)) != EV_CONTINUE)
			conn_close(&c[k], 0);
		else
			open++;
	}
	if (cfg.idle > 0) {
		usleep(200000);		/* let the milter settle */
		printf("milter_load_idle label=%s idle=%d open=%d "
		    "milter_rss_kb=%ld milter_fds=%ld\n", cfg.label, cfg.idle,
		    open, pid > 0 ? proc_rss(pid) : -1,
		    pid > 0 ? proc_fds(pid) : -1);
		fflush(stdout);
	}
	return c;
}

static void
usage(void)
{
	fputs("usage: milter_load [-c CONNS] [-n MSGS] [-m PER_CONN] "
	    "[-f FILE] [-i IP] [-N NAME]\n"
	    "       [-H HELO] [-F FROM] [-R RCPT] [-p PID] [-t SECS] "
	    "[-l LABEL] [-I IDLE] [-o] [-v] SOCKET\n", stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *file = NULL, *label = NULL;
	long pid = 0, rss = -1, fds = -1, i, done = 0;
	double cpu0 = -1, cpu1 = -1, t0, t1, *lat;
	struct rusage ru;
	struct stats *st, tot, idle_stats;
	struct conn *idle;
	pthread_t *th;
	int opt, k;
	char mcpu[32] = "-";

	cfg.conns = 1;
	cfg.msgs = 1000;
	cfg.per_conn = 1;
	cfg.timeout = 30;
	cfg.client_ip = "192.0.2.1";
	cfg.client_name = NULL;
	cfg.helo = "mail.bench.example";
	cfg.from = "sender@bench.example";
	cfg.rcpt = "user@dest.example";
	while ((opt = getopt(argc, argv, "c:n:m:f:i:N:H:F:R:p:t:l:I:ov")) != -1) {
		switch (opt) {
		case 'c': cfg.conns = atoi(optarg); break;
		case 'I': cfg.idle = atoi(optarg); break;
		case 'n': cfg.msgs = atol(optarg); break;
		case 'm': cfg.per_conn = atol(optarg); break;
		case 'f': file = optarg; break;
		case 'i': cfg.client_ip = optarg; break;
		case 'N': cfg.client_name = optarg; break;
		case 'H': cfg.helo = optarg; break;
		case 'F': cfg.from = optarg; break;
		case 'R': cfg.rcpt = optarg; break;
		case 'p': pid = atol(optarg); break;
		case 't': cfg.timeout = atoi(optarg); break;
		case 'l': label = optarg; break;
		case 'o': cfg.old_mta = 1; break;
		case 'v': cfg.verbose = 1; break;
		default: usage();
		}
	}
	if (optind + 1 != argc || file == NULL || cfg.conns < 1 ||
	    cfg.msgs < 1 || cfg.per_conn < 1 || cfg.timeout < 1 ||
	    cfg.idle < 0)
		usage();
	cfg.label = label != NULL ? label : argv[optind];
	parse_socket(argv[optind]);
	{
		struct in_addr a;

		if (inet_pton(AF_INET, cfg.client_ip, &a) != 1)
			die("-i %s: want an IPv4 address", cfg.client_ip);
	}
	if (cfg.client_name == NULL) {
		/* no reverse name: Postfix passes "[address]" */
		static char name[64];

		snprintf(name, sizeof(name), "[%s]", cfg.client_ip);
		cfg.client_name = name;
	}
	load_message(file);
	cfg.qid_base = (unsigned)time(NULL);
	signal(SIGPIPE, SIG_IGN);
	latency = xrealloc(NULL, (size_t)cfg.msgs * sizeof(*latency));
	for (i = 0; i < cfg.msgs; i++)
		latency[i] = -1;
	st = calloc((size_t)cfg.conns, sizeof(*st));
	th = calloc((size_t)cfg.conns, sizeof(*th));
	if (st == NULL || th == NULL)
		die("out of memory");
	if (pid > 0 && (cpu0 = proc_cpu(pid)) < 0)
		die("-p %ld: no such process", pid);
	idle = hold_idle(pid, &idle_stats);
	t0 = now_ms();
	for (k = 0; k < cfg.conns; k++)
		if (pthread_create(&th[k], NULL, worker, &st[k]) != 0)
			die("pthread_create failed");
	for (k = 0; k < cfg.conns; k++)
		pthread_join(th[k], NULL);
	t1 = now_ms();
	getrusage(RUSAGE_SELF, &ru);
	if (pid > 0) {
		usleep(100000);		/* let the milter finish its closes */
		cpu1 = proc_cpu(pid);
		rss = proc_rss(pid);
		fds = proc_fds(pid);
	}

	for (k = 0; k < cfg.idle; k++)
		conn_close(&idle[k], 1);
	free(idle);
	memset(&tot, 0, sizeof(tot));
	for (k = 0; k < cfg.conns; k++) {
		for (i = 0; i < O_N; i++)
			tot.outcome[i] += st[k].outcome[i];
		for (i = 0; i < S_NSTEPS; i++)
			tot.replies[i] += st[k].replies[i];
		tot.refused_early += st[k].refused_early;
		tot.mods += st[k].mods;
		tot.progress += st[k].progress;
		tot.connections += st[k].connections;
	}
	lat = latency;
	for (i = 0; i < cfg.msgs; i++)
		if (latency[i] >= 0)
			lat[done++] = latency[i];
	qsort(lat, (size_t)done, sizeof(*lat), cmp_double);
	if (cpu0 >= 0 && cpu1 >= 0)
		snprintf(mcpu, sizeof(mcpu), "%.0f",
		    (cpu1 - cpu0) * 1e3 * 1000.0 / (double)cfg.msgs);
	{
		double gen = (double)ru.ru_utime.tv_sec * 1e3 +
		    (double)ru.ru_utime.tv_usec / 1e3 +
		    (double)ru.ru_stime.tv_sec * 1e3 +
		    (double)ru.ru_stime.tv_usec / 1e3;

		printf("milter_load label=%s mta=v%d conns=%d msgs=%ld "
		    "per_conn=%ld msgs_per_s=%.0f p50_ms=%.2f p99_ms=%.2f "
		    "accept=%ld reject=%ld tempfail=%ld discard=%ld "
		    "error=%ld refused_early=%ld gen_cpu_ms_per_1k=%.1f "
		    "milter_cpu_ms_per_1k=%s milter_rss_kb=%ld milter_fds=%ld\n",
		    cfg.label, cfg.old_mta ? 4 : 6, cfg.conns, cfg.msgs,
		    cfg.per_conn, (double)cfg.msgs * 1e3 / (t1 - t0),
		    done > 0 ? lat[(done - 1) / 2] : 0.0,
		    done > 0 ? lat[(size_t)((double)(done - 1) * 0.99)] : 0.0,
		    tot.outcome[O_ACCEPT], tot.outcome[O_REJECT],
		    tot.outcome[O_TEMPFAIL], tot.outcome[O_DISCARD],
		    tot.outcome[O_ERROR], tot.refused_early,
		    gen * 1000.0 / (double)cfg.msgs, mcpu, rss, fds);
	}
	printf("milter_load_replies label=%s", cfg.label);
	for (i = 0; i < S_NSTEPS; i++)
		printf(" %s=%.2f", step_name[i],
		    (double)tot.replies[i] / (double)cfg.msgs);
	printf(" mods=%.2f progress=%ld connections=%ld (replies per message)\n",
	    (double)tot.mods / (double)cfg.msgs, tot.progress,
	    tot.connections);
	for (i = 0; i < (long)cfg.nfields; i++) {
		free(cfg.fields[i].name);
		free(cfg.fields[i].value);
	}
	free(cfg.fields);
	free(cfg.body);
	free(latency);
	free(st);
	free(th);
	return tot.outcome[O_ERROR] > 0 ? 1 : 0;
}
