/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dkim - libFuzzer harness for the DKIM parsers and canonicalizer:
 * untrusted bytes from any sender reach all of them.  The first byte
 * picks the target; the rest is the input.  Build and run with
 * fuzz/run.sh (clang, ASan+UBSan).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "dkim_canon.h"
#include "dkim_key.h"
#include "dkim_sig.h"
#include "vstr.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* body - the body canonicalizer, in chunks the input chooses */
static void
body(const uint8_t *p, size_t len, int relaxed)
{
	unsigned char out[EVP_MAX_MD_SIZE];
	struct dkim_body b;
	size_t i = 0, n;

	dkim_body_init(&b, EVP_sha256(), relaxed, len % 3 == 0 ? -1 :
	    (int64_t)(len / 2));
	while (i < len) {
		n = 1 + p[i] % 17;
		if (n > len - i)
			n = len - i;
		dkim_body_update(&b, p + i, n);
		i += n;
	}
	(void)dkim_body_final(&b, out);
	dkim_body_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_sig *sig;
	struct dkim_key key;
	struct vstr out = VSTR_INIT;
	char why[128], *s;

	if (size < 1)
		return 0;
	s = xstrndup((const char *)data + 1, size - 1);	/* as C strings */
	switch (data[0] % 5) {
	case 0:
		dkim_sig_free(dkim_sig_parse(s, strlen(s), why, sizeof(why)));
		break;
	case 1:
		if (dkim_key_parse(s, strlen(s), (enum dkim_alg)(size % 3),
		    &key, why, sizeof(why)) == 0)
			dkim_key_release(&key);
		break;
	case 2:
	case 3:
		body(data + 1, size - 1, data[0] % 5 == 3);
		break;
	default:
		dkim_canon_header(&out, size % 2, "Name", s, strlen(s), 0);
		if ((sig = dkim_sig_parse(s, strlen(s), why, sizeof(why)))
		    != NULL && sig->b_end <= strlen(s))
			dkim_canon_header(&out, 1, "DKIM-Signature", s,
			    sig->b_off, 1);
		dkim_sig_free(sig);
		break;
	}
	vstr_free(&out);
	x_free(s);
	return 0;
}
