/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rfc5322 - the lexical tokens of RFC 5322 3.2 that every header parser
 * needs: white space, folding white space (FWS), comments, CFWS, atext.
 *
 * Each parser reads them a little differently, and must go on doing so
 * (a reader that ends a comment where another does not is how forged
 * fields slip through), so the differences are flags, not copies:
 *
 *   RFC5322_LOOSE    white space is any of SP, HTAB, CR, LF, bare CR and
 *                    LF included (authres); without it, WSP and folds:
 *                    CRLF or LF followed by WSP (hdr_parse).
 *   RFC5322_FLAT     a comment ends at its first ')': no nesting, no
 *                    quoted-pairs (what a naive reader does; authres's
 *                    lenient reading tries it).
 *   RFC5322_BOUNDED  comments nest at most RFC5322_DEPTH deep; a deeper
 *                    one is refused like an unclosed one (hdr_parse).
 *                    Without it any depth is read (the scan is a loop
 *                    and a counter, never recursion).
 *   RFC5322_TO_END   rfc5322_cfws: a comment it cannot skip (unclosed,
 *                    or too deep) runs to the end of the string
 *                    (authres); without it CFWS stops at its '(' and the
 *                    caller decides.
 *
 * Strings are NUL-terminated; nothing is allocated.  Pure.
 */
#ifndef MXAUTH_RFC5322_H
#define MXAUTH_RFC5322_H

#define RFC5322_LOOSE	0x01
#define RFC5322_FLAT	0x02
#define RFC5322_BOUNDED	0x04
#define RFC5322_TO_END	0x08

#define RFC5322_DEPTH	17	/* RFC5322_BOUNDED: the outer comment counts */

/* rfc5322_is_wsp - WSP (RFC 5234): SP or HTAB */
static inline int
rfc5322_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* rfc5322_is_fws - a byte FWS may be made of: SP, HTAB, CR, LF */
static inline int
rfc5322_is_fws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* rfc5322_is_atext - RFC 5322 3.2.3 atext, and UTF-8 bytes (RFC 6532) */
int	 rfc5322_is_atext(int c);
/* rfc5322_fws - past the white space at P (RFC5322_LOOSE or folds only) */
const char *rfc5322_fws(const char *p, int flags);
/*
 * rfc5322_comment - past the comment at P (at its '('; RFC 5322 3.2.2:
 * nested comments, quoted-pairs), or NULL when P is no '(', the comment
 * never closes, or (RFC5322_BOUNDED) it nests deeper than RFC5322_DEPTH
 */
const char *rfc5322_comment(const char *p, int flags);
/*
 * rfc5322_cfws - past the CFWS at P (RFC 5322 3.2.2, optional): white
 * space and comments.  At a comment rfc5322_comment refuses, it stops
 * at that '(' (the caller can tell: a '(' is never left otherwise), or
 * with RFC5322_TO_END goes to the end of the string.
 */
const char *rfc5322_cfws(const char *p, int flags);

#endif
