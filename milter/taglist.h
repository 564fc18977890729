/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * taglist - tag=value lists (RFC 6376 3.2), the grammar DKIM-Signature
 * fields, DKIM key records and DMARC records (RFC 9989 4.7) share:
 *
 *   tag-list = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *
 * One lexer, two readings of it (TAGLIST_STRICT, TAGLIST_LENIENT below);
 * what a tag means, whether a repeat is an error and whether names
 * compare with case are the caller's.  Nothing is copied: a tag points
 * into the caller's string.  Pure: no DNS, no logging, no global state.
 */
#ifndef MXAUTH_TAGLIST_H
#define MXAUTH_TAGLIST_H

#include <stddef.h>

#define TAGLIST_MAX	64	/* taglist_split: more tags is an error */

/*
 * TAGLIST_STRICT, RFC 6376 3.2 as DKIM needs it: FWS is any of SP,
 * HTAB, CR, LF; tag-name = ALPHA *(ALPHA / DIGIT / "_"); a value holds
 * only VALCHAR (%x21-3A / %x3C-7E, '=' included) and FWS; a tag-spec
 * without '=' or an empty one (";;") is an error.
 *
 * TAGLIST_LENIENT, RFC 9989 4.7 as DMARC reads it: white space is SP and
 * HTAB only; the list is cut at every ';', each piece at its first '=';
 * names and values are whatever stands there, trimmed; no byte and no
 * piece is an error.  A piece without '=' (an empty one included) comes
 * back with VAL NULL, so that the caller sees what stands first; white
 * space after a last ';' ends the list.
 */
enum taglist_mode {
	TAGLIST_STRICT,
	TAGLIST_LENIENT
};

struct taglist_tag {
	const char	*name;		/* into the lexed string */
	size_t		 nlen;
	const char	*val;		/* trimmed; NULL: no '=' (lenient) */
	size_t		 vlen;
	size_t		 voff;		/* offset just after '=' */
	size_t		 vend;		/* offset of the ';' or the end */
};

/* A lexer over one string; fill with taglist_start(). */
struct taglist_lexer {
	const char	*s;
	size_t		 len, pos;
	enum taglist_mode mode;
};

/* Every tag of a strict list, each name once (taglist_split). */
struct taglist {
	struct taglist_tag tag[TAGLIST_MAX];
	size_t		 n;
};

/* taglist_start - lex S (LEN bytes, borrowed while lexing) under MODE */
void	 taglist_start(struct taglist_lexer *, const char *s, size_t len,
	    enum taglist_mode mode);
/*
 * taglist_next - the next tag into T: 1, or 0 at the end of the list,
 * or (strict only) -1 with the reason in WHY: "malformed tag list" or
 * "illegal character in NAME= value".  After -1 the lexer stays there.
 */
int	 taglist_next(struct taglist_lexer *, struct taglist_tag *t,
	    char *why, size_t whylen);
/*
 * taglist_split - every tag of the strict list S (LEN bytes) into TAGS,
 * DKIM's rules (RFC 6376 3.2): 0, or -1 with the reason in WHY for what
 * taglist_next refuses, a name given twice ("duplicate NAME= tag", names
 * compared with case) or more than TAGLIST_MAX tags
 */
int	 taglist_split(const char *s, size_t len, struct taglist *tags,
	    char *why, size_t whylen);
/* taglist_get - the tag named NAME (compared with case), or NULL */
const struct taglist_tag *taglist_get(const struct taglist *tags,
	    const char *name);
/*
 * taglist_has - whether T's value, a colon-separated list with FWS
 * around its items (RFC 6376 3.6.1 h=, s=, t=; 3.5 q=), holds ITEM,
 * compared without case
 */
int	 taglist_has(const struct taglist_tag *t, const char *item);
/* taglist_copy_nows - T's value without its FWS; caller frees with x_free */
char	*taglist_copy_nows(const struct taglist_tag *t);

#endif
