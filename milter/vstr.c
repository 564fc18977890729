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

/* vstr_json - append S as a JSON string literal, quotes included */
void
vstr_json(struct vstr *v, const char *s)
{
	const unsigned char *p;

	vstr_catc(v, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
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
			else
				vstr_catc(v, *p);
		}
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
