/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict - the one log line per message an admin reads.
 *
 *   QUEUEID: ingress=... [upstream=...] ip=... [origin=...] helo=...
 *            mailfrom=... from=... spf=... dkim=... [dkim_ignored=N]
 *            dmarc=... [policy=...] [forged_ar=N] action=... reason=...
 *            [dkim_reason=...]
 *
 * Values are written bare when they are plain, else double-quoted with
 * backslash escapes (control and 8-bit bytes as \xHH), so the line is
 * 7-bit and splits reliably on spaces.
 */
#ifndef MXAUTH_VERDICT_H
#define MXAUTH_VERDICT_H

struct eval;
struct vstr;

/* verdict_format - append the line (no newline) for a decided message */
void	 verdict_format(struct vstr *, const struct eval *);
/* verdict_log - log it at info level */
void	 verdict_log(const struct eval *);

#endif
