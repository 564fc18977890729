/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_canon - RFC 6376 3.4 simple and relaxed canonicalization.
 *
 * The body side is a small state machine over the stream: empty lines
 * are counted, not emitted, until a later non-empty line proves they
 * are not trailing (3.4.3, 3.4.4); in relaxed mode a run of white space
 * is held the same way until a character shows it is not at the end of
 * a line.  Output goes through a buffer into the digest; the l= limit
 * (3.5) cuts what is hashed, never what is counted.
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "dkim_canon.h"
#include "vstr.h"
#include "xmalloc.h"

#define IS_WSP(c)	((c) == ' ' || (c) == '\t')

/* dkim_canon_header - one field, simple (3.4.1) or relaxed (3.4.2) */
void
dkim_canon_header(struct vstr *out, int relaxed, const char *name,
    const char *value, size_t vlen, int last)
{
	size_t i, nlen = strlen(name);
	int sp = 0, started = 0;

	if (!relaxed) {
		vstr_ncat(out, name, nlen);
		vstr_catc(out, ':');
		for (i = 0; i < vlen; i++) {
			if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
				vstr_catc(out, '\r');
			vstr_catc(out, value[i]);
		}
	} else {
		while (nlen > 0 && IS_WSP(name[nlen - 1]))
			nlen--;
		for (i = 0; i < nlen; i++)
			vstr_catc(out, tolower((unsigned char)name[i]));
		vstr_catc(out, ':');
		/* Unfold, one SP for each run of WSP, none at either end. */
		for (i = 0; i < vlen; i++) {
			unsigned char c = (unsigned char)value[i];

			if (c == '\r' || c == '\n')
				continue;
			if (IS_WSP(c)) {
				sp = started;
				continue;
			}
			if (sp)
				vstr_catc(out, ' ');
			sp = 0;
			started = 1;
			vstr_catc(out, (char)c);
		}
	}
	if (!last)
		vstr_ncat(out, "\r\n", 2);
}

/* emit - N canonical bytes into the digest, as far as l= allows */
static void
emit(struct dkim_body *b, const unsigned char *p, size_t n)
{
	uint64_t take = n;

	b->total += n;
	if (b->limit >= 0) {
		uint64_t room = (uint64_t)b->limit > b->hashed ?
		    (uint64_t)b->limit - b->hashed : 0;

		if (take > room)
			take = room;
	}
	if (take > 0)
		(void)EVP_DigestUpdate(b->md, p, (size_t)take);
	b->hashed += take;
}

/* flush - the buffer into the digest */
static void
flush(struct dkim_body *b)
{
	emit(b, b->buf, b->nbuf);
	b->nbuf = 0;
}

/* put - one canonical byte */
static inline void
put(struct dkim_body *b, unsigned char c)
{
	if (b->nbuf == sizeof(b->buf))
		flush(b);
	b->buf[b->nbuf++] = c;
}

/* put_run - LEN canonical bytes; long runs skip the buffer */
static void
put_run(struct dkim_body *b, const unsigned char *p, size_t len)
{
	if (len >= 256) {
		flush(b);
		emit(b, p, len);
		return;
	}
	if (len > sizeof(b->buf) - b->nbuf)
		flush(b);
	memcpy(b->buf + b->nbuf, p, len);
	b->nbuf += len;
}

/* content - C is part of a line: what was held back is not trailing */
static inline void
content(struct dkim_body *b, unsigned char c)
{
	for (; b->crlf > 0; b->crlf--) {
		put(b, '\r');
		put(b, '\n');
	}
	if (b->wsp)
		put(b, ' ');
	b->wsp = 0;
	b->any = 1;
	put(b, c);
}

/*
 * plain_run - how many bytes from P on need no canonical change: no
 * CR or LF, and in relaxed mode no white space either
 */
static inline size_t
plain_run(const unsigned char *p, size_t len, int relaxed)
{
	size_t i = 0;

	if (relaxed)
		/* words, and single spaces between them, stay as they are */
		while (i < len && (p[i] > ' ' || (p[i] == ' ' &&
		    i + 1 < len && p[i + 1] > ' ')))
			i += p[i] == ' ' ? 2 : 1;
	else
		while (i < len && p[i] != '\r' && p[i] != '\n')
			i++;
	return i;
}

/* dkim_body_init - a body hasher */
void
dkim_body_init(struct dkim_body *b, const EVP_MD *md, int relaxed,
    int64_t limit)
{
	memset(b, 0, offsetof(struct dkim_body, buf));
	b->md = EVP_MD_CTX_new();
	if (b->md == NULL || EVP_DigestInit_ex(b->md, md, NULL) != 1)
		x_oom(0);
	b->relaxed = relaxed;
	b->limit = limit;
}

/* dkim_body_update - a chunk of the body */
void
dkim_body_update(struct dkim_body *b, const unsigned char *p, size_t len)
{
	size_t i = 0, n;
	unsigned char c;

	while (i < len) {
		c = p[i];
		if (b->cr) {
			b->cr = 0;
			if (c == '\n') {
				b->wsp = 0;	/* 3.4.4: no WSP at line end */
				b->crlf++;
				i++;
				continue;
			}
			content(b, '\r');	/* a bare CR is content */
		}
		if (c == '\r')
			b->cr = 1;
		else if (c == '\n') {		/* a bare LF ends a line too */
			b->wsp = 0;
			b->crlf++;
		} else if (b->relaxed && IS_WSP(c))
			b->wsp = 1;
		else {
			content(b, c);
			/* The rest of the line up to white space as it is. */
			n = plain_run(p + i + 1, len - i - 1, b->relaxed);
			put_run(b, p + i + 1, n);
			i += n;
		}
		i++;
	}
}

/* dkim_body_final - finish: one CRLF after the last non-empty line */
size_t
dkim_body_final(struct dkim_body *b, unsigned char *out)
{
	unsigned int n = 0;

	if (b->cr)
		content(b, '\r');
	b->cr = 0;
	/*
	 * 3.4.3: an empty body is one CRLF in simple; 3.4.4 adds a CRLF
	 * only to a non-empty body, so an empty one stays empty.
	 */
	if (b->any || !b->relaxed) {
		put(b, '\r');
		put(b, '\n');
	}
	flush(b);
	(void)EVP_DigestFinal_ex(b->md, out, &n);
	return n;
}

/* dkim_body_free - release the digest; a zeroed struct is fine */
void
dkim_body_free(struct dkim_body *b)
{
	EVP_MD_CTX_free(b->md);
	b->md = NULL;
}
