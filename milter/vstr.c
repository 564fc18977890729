/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vstr - length-counted growing strings.
 *
 * Growth doubles the capacity, so appending N bytes costs O(N) amortised.
 * Nothing here is shared between threads; a vstr belongs to whoever
 * embeds it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vstr.h"
#include "xmalloc.h"

/* vstr_init - start an empty string */
void
vstr_init(struct vstr *v)
{
	v->buf = NULL;
	v->len = 0;
	v->cap = 0;
}

/* vstr_free - release the buffer; the vstr is empty and reusable after */
void
vstr_free(struct vstr *v)
{
	x_free(v->buf);
	vstr_init(v);
}

/* vstr_reset - make the string empty, keeping the buffer */
void
vstr_reset(struct vstr *v)
{
	v->len = 0;
	if (v->buf != NULL)
		v->buf[0] = '\0';
}

/* vstr_drop - remove the first N bytes (all of them when N >= len) */
void
vstr_drop(struct vstr *v, size_t n)
{
	if (n >= v->len) {
		vstr_reset(v);
		return;
	}
	memmove(v->buf, v->buf + n, v->len - n + 1);
	v->len -= n;
}

/* vstr_grow - make room for N more bytes plus the terminator */
static void
vstr_grow(struct vstr *v, size_t n)
{
	size_t need;

	need = v->len + n + 1;
	if (need <= v->cap)
		return;
	if (v->cap == 0)
		v->cap = 64;
	while (v->cap < need)
		v->cap *= 2;
	v->buf = xrealloc(v->buf, v->cap);
}

/* vstr_ncat - append LEN bytes of S */
void
vstr_ncat(struct vstr *v, const char *s, size_t len)
{
	vstr_grow(v, len);
	memcpy(v->buf + v->len, s, len);
	v->len += len;
	v->buf[v->len] = '\0';
}

/* vstr_cat - append a NUL-terminated string */
void
vstr_cat(struct vstr *v, const char *s)
{
	vstr_ncat(v, s, strlen(s));
}

/* vstr_catc - append one byte */
void
vstr_catc(struct vstr *v, int c)
{
	char ch = (char)c;

	vstr_ncat(v, &ch, 1);
}

/* vstr_vcatf - append printf-formatted text */
void
vstr_vcatf(struct vstr *v, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n <= 0)
		return;
	vstr_grow(v, (size_t)n);
	vsnprintf(v->buf + v->len, (size_t)n + 1, fmt, ap);
	v->len += (size_t)n;
}

/* vstr_catf - append printf-formatted text */
void
vstr_catf(struct vstr *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vstr_vcatf(v, fmt, ap);
	va_end(ap);
}

/*
 * utf8_seq - the length of the well-formed UTF-8 sequence at P (Unicode
 * 15.0 table 3-7: no overlong forms, no surrogates, nothing past
 * U+10FFFF), or 0 with *BAD set to the length of the ill-formed part to
 * replace: its maximal subpart, at least one byte (Unicode 3.9, U+FFFD
 * substitution).  Reads no further than the first byte that does not fit,
 * so a NUL ends any sequence.
 */
static size_t
utf8_seq(const unsigned char *p, size_t *bad)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t i, n;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else {
		*bad = 1;	/* continuation, C0/C1 (overlong), F5..FF */
		return 0;
	}
	if (*p == 0xe0)
		lo = 0xa0;	/* overlong below U+0800 */
	else if (*p == 0xed)
		hi = 0x9f;	/* surrogates U+D800..U+DFFF */
	else if (*p == 0xf0)
		lo = 0x90;	/* overlong below U+10000 */
	else if (*p == 0xf4)
		hi = 0x8f;	/* past U+10FFFF */
	for (i = 1; i < n; i++, lo = 0x80, hi = 0xbf)
		if (p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
	return n;
}

/*
 * vstr_json - append S as a JSON string literal (RFC 8259 7), quotes
 * included: always valid JSON, whatever bytes S holds.  Well-formed
 * UTF-8 is copied; each ill-formed sequence (a raw 8-bit byte, an
 * overlong form, a surrogate, a truncated sequence, a code point past
 * U+10FFFF) becomes one \ufffd; controls, DEL and U+2028/U+2029 are
 * escaped, so the text also survives JavaScript and terminals.
 */
void
vstr_json(struct vstr *v, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, bad;

	vstr_catc(v, '"');
	while (*p != '\0') {
		n = 1;
		switch (*p) {
		case '"':
			vstr_cat(v, "\\\"");
			break;
		case '\\':
			vstr_cat(v, "\\\\");
			break;
		case '\n':
			vstr_cat(v, "\\n");
			break;
		case '\r':
			vstr_cat(v, "\\r");
			break;
		case '\t':
			vstr_cat(v, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				vstr_catf(v, "\\u%04x", *p);
			else if ((n = utf8_seq(p, &bad)) == 0) {
				vstr_cat(v, "\\ufffd");
				n = bad;
			} else if (n == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
			    (p[2] == 0xa8 || p[2] == 0xa9))
				vstr_cat(v, p[2] == 0xa8 ? "\\u2028" :
				    "\\u2029");
			else
				vstr_ncat(v, (const char *)p, n);
		}
		p += n;
	}
	vstr_catc(v, '"');
}

/* vstr_str - the string's text; "" when nothing was appended */
const char *
vstr_str(const struct vstr *v)
{
	return v->buf != NULL ? v->buf : "";
}

/* vstr_steal - hand the buffer to the caller (frees with x_free) */
char *
vstr_steal(struct vstr *v)
{
	char *p;

	p = v->buf != NULL ? v->buf : xstrdup("");
	vstr_init(v);
	return p;
}
