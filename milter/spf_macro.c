/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_macro - macro expansion, RFC 7208 section 7.
 *
 *   %{LETTER DIGITS r DELIMITERS}  the letter's value, split on the
 *   delimiters (default "."), reversed with "r", the DIGITS rightmost
 *   parts kept, joined with "."; an upper-case letter URL-escapes the
 *   result (7.3).  "%%", "%_" and "%-" stand for "%", " " and "%20".
 *
 * Syntax was checked by spf_record_macro_ok; anything else here is still
 * refused (-1) rather than guessed.  Bounds: SPF_MACRO_MAX_EXPANDS
 * %{...} per string, SPF_MACRO_MAX_OUT bytes of output; DIGIT
 * transformers larger than any value's part count mean "all parts".
 * Pure and thread-safe; the caller owns OUT.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "spf_macro.h"
#include "vstr.h"
#include "xmalloc.h"

/* letter_value - the value of macro letter C; NULL if unknown */
static const char *
letter_value(const struct spf_macro_env *env, int c)
{
	switch (tolower(c)) {
	case 's': return env->sender;
	case 'l': return env->local;
	case 'o': return env->sender_domain;
	case 'd': return env->domain;
	case 'i': return env->ip_dotted;
	case 'c': return env->ip_text;
	case 'p': return env->ptr != NULL ? env->ptr : "unknown";
	case 'v': return env->v;
	case 'h': return env->helo;
	case 'r': return env->receiver != NULL ? env->receiver : "unknown";
	case 't': return env->timestamp;
	}
	return NULL;
}

/* url_escape - RFC 3986 percent-encoding of all but unreserved bytes */
static void
url_escape(struct vstr *out, const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (isalnum(c) || strchr("-._~", c) != NULL)
			vstr_catc(out, c);
		else
			vstr_catf(out, "%%%02X", c);
	}
}

struct part {
	const char	*p;
	size_t		 len;
};

/*
 * transform - split VALUE on DELIMS, reverse if REV, keep the rightmost
 * KEEP parts (0 = all), join with '.' into OUT (RFC 7208 7.3).  The part
 * array is sized by VALUE, so any number of delimiters is handled.
 */
static void
transform(const char *value, const char *delims, int rev, size_t keep,
    struct vstr *out)
{
	struct part *part, tp;
	const char *p, *q;
	size_t n = 1, i, first;

	for (p = value; *p != '\0'; p++)
		if (strchr(delims, *p) != NULL)
			n++;
	part = xcalloc(n, sizeof(*part));
	for (i = 0, p = value; i < n; i++, p = q + 1) {
		q = p + strcspn(p, delims);
		part[i].p = p;
		part[i].len = (size_t)(q - p);
	}
	for (i = 0; rev && i < n / 2; i++) {
		tp = part[i];
		part[i] = part[n - 1 - i];
		part[n - 1 - i] = tp;
	}
	first = keep > 0 && keep < n ? n - keep : 0;
	for (i = first; i < n; i++) {
		if (i > first)
			vstr_catc(out, '.');
		vstr_ncat(out, part[i].p, part[i].len);
	}
	x_free(part);
}

/*
 * expand_one - one "%{" macro-letter transformers *delimiter "}" at P
 * (after "%{"); returns the end, or NULL when malformed (permerror)
 */
static const char *
expand_one(const char *p, const struct spf_macro_env *env, struct vstr *out)
{
	struct vstr tmp = VSTR_INIT;
	char delims[8];
	const char *value;
	int letter = (unsigned char)*p++, rev = 0, digits = 0;
	size_t nd = 0, keep = 0;

	if ((value = letter_value(env, letter)) == NULL)
		return NULL;
	for (; isdigit((unsigned char)*p); p++, digits = 1)
		if (keep <= 1000)		/* more than any value has */
			keep = keep * 10 + (size_t)(*p - '0');
	/* RFC 7208 7.1: a DIGIT transformer must be nonzero. */
	if (digits && keep == 0)
		return NULL;
	if (*p == 'r' || *p == 'R') {
		rev = 1;
		p++;
	}
	delims[0] = '\0';
	for (; *p != '\0' && strchr(".-+,/_=", *p) != NULL; p++)
		if (nd < sizeof(delims) - 1 && strchr(delims, *p) == NULL) {
			delims[nd++] = *p;
			delims[nd] = '\0';
		}
	if (*p != '}')
		return NULL;
	/* RFC 7208 7.3: "." is the default delimiter. */
	transform(value, nd == 0 ? "." : delims, rev, keep, &tmp);
	/* RFC 7208 7.3: upper-case letters URL-escape the result. */
	if (isupper(letter))
		url_escape(out, vstr_str(&tmp), tmp.len);
	else
		vstr_ncat(out, vstr_str(&tmp), tmp.len);
	vstr_free(&tmp);
	return p + 1;
}

/*
 * spf_macro_expand - expand macro-string S into OUT; -1 (permerror) when
 * it is malformed, uses more than SPF_MACRO_MAX_EXPANDS macros or grows
 * past SPF_MACRO_MAX_OUT bytes
 */
int
spf_macro_expand(const char *s, const struct spf_macro_env *env,
    struct vstr *out)
{
	const char *p = s;
	int expands = 0;

	vstr_reset(out);
	vstr_cat(out, "");
	while (*p != '\0') {
		if (out->len > SPF_MACRO_MAX_OUT)
			return -1;
		if (*p != '%') {
			vstr_catc(out, *p++);
			continue;
		}
		switch (p[1]) {
		case '%':
			vstr_catc(out, '%');
			p += 2;
			break;
		case '_':
			vstr_catc(out, ' ');
			p += 2;
			break;
		case '-':
			vstr_cat(out, "%20");
			p += 2;
			break;
		case '{':
			if (++expands > SPF_MACRO_MAX_EXPANDS ||
			    (p = expand_one(p + 2, env, out)) == NULL)
				return -1;
			break;
		default:
			return -1;
		}
	}
	return out->len > SPF_MACRO_MAX_OUT ? -1 : 0;
}

/* spf_macro_uses - whether S contains %{C...} for letter C */
int
spf_macro_uses(const char *s, int c)
{
	const char *p;

	for (p = s; (p = strchr(p, '%')) != NULL; p++) {
		if (p[1] == '%') {
			p++;
			continue;
		}
		if (p[1] == '{' && tolower((unsigned char)p[2]) == c)
			return 1;
	}
	return 0;
}

/* spf_macro_truncate - RFC 7208 7.3: left labels go until <= 253 bytes */
void
spf_macro_truncate(struct vstr *v)
{
	const char *p;

	if (v->len <= 253)
		return;
	for (p = v->buf; (size_t)(v->buf + v->len - p) > 253;) {
		if ((p = strchr(p, '.')) == NULL) {
			vstr_reset(v);
			return;
		}
		p++;
	}
	vstr_drop(v, (size_t)(p - v->buf));
}
