/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * overrides - per-domain site policy (policy_overrides = file:PATH).
 *
 * Each line of the file is "DOMAIN key=value ...": the DMARC keys of
 * struct conf_site (dmarc_reject_action, dmarc_quarantine_action,
 * dmarc_temperror_action, dry_run) plus dmarc_policy = published | none
 * | quarantine | reject, which replaces what the domain publishes.  A
 * line applies to DOMAIN and every name below it; the longest match
 * wins.  '#' starts a comment.  Loaded with the configuration (errors
 * are FILE:LINE: message), read-only afterwards.
 */
#ifndef MXAUTH_OVERRIDES_H
#define MXAUTH_OVERRIDES_H

#include <stddef.h>
#include <stdio.h>

struct conf_site;
struct overrides;

/*
 * overrides_load - PATH's lines on top of BASE (the global settings);
 * NULL with "PATH:LINE: message" in ERR.  Free with overrides_free.
 */
struct overrides *overrides_load(const char *path,
	    const struct conf_site *base, char *err, size_t errlen);
/* overrides_read - the same from FP, opened by the caller (conf_fopen) */
struct overrides *overrides_read(FILE *fp, const char *path,
	    const struct conf_site *base, char *err, size_t errlen);
/* overrides_find - the settings for DOMAIN: an override's, or NULL */
const struct conf_site *overrides_find(const struct overrides *,
	    const char *domain, const char **matched);
size_t	 overrides_count(const struct overrides *);
void	 overrides_free(struct overrides *);

#endif
