/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_headers - libFuzzer harness for the parsers of header fields a
 * sender controls: From (hdr_parse, author domain with IDN), incoming
 * Authentication-Results (authres), Received (received) and DMARC
 * records (dmarc_record, from anyone's DNS).  The first byte picks the
 * target.  Build and run with fuzz/run.sh.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "authres.h"
#include "dmarc_record.h"
#include "hdr_parse.h"
#include "received.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authres_parsed a;
	struct dmarc_record rec;
	struct received_client rc;
	struct hdr_addresses addrs;
	char why[256], *d = NULL, *s;

	if (size < 1)
		return 0;
	s = xstrndup((const char *)data + 1, size - 1);
	switch (data[0] % 4) {
	case 0:
		if (hdr_parse_addresses(s, &addrs, why, sizeof(why)) == 0)
			hdr_addresses_free(&addrs);
		(void)hdr_author_domain(s, &d, why, sizeof(why));
		x_free(d);
		break;
	case 1:
		(void)authres_parse(s, &a);
		break;
	case 2:
		(void)received_parse(s, &rc);
		break;
	default:
		if (dmarc_record_parse(s, strlen(s), &rec, why, sizeof(why)) == 0)
			dmarc_record_clear(&rec);
		break;
	}
	x_free(s);
	return 0;
}
