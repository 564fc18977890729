/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay - main() for a libFuzzer harness built with the normal compiler
 * (no clang, no libFuzzer): the kept corpus becomes a regression test.
 *
 *   fuzz_TARGET DIR-OR-FILE...
 *
 * Every regular file named, or found in a named directory (in name
 * order), goes once through LLVMFuzzerTestOneInput; a crash, a sanitizer
 * report (in the ASan+UBSan build) or a harness abort() fails the run.
 * Prints how many inputs ran.  Exit status: 0 all ran; 1 an argument
 * could not be read or a directory held no input (a corpus that
 * vanished must not pass as an empty success).
 */
#include "config.h"

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vstr.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* replay_file - one input from PATH; 0, or -1 when it cannot be read */
static int
replay_file(const char *path)
{
	struct vstr in = VSTR_INIT;
	char buf[8192];
	uint8_t *copy;
	FILE *fp;
	size_t n, len;
	int err;

	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		vstr_ncat(&in, buf, n);
	err = ferror(fp);
	fclose(fp);
	if (err) {
		fprintf(stderr, "%s: read error\n", path);
		vstr_free(&in);
		return -1;
	}
	/* a copy of exactly the input's size, so ASan sees any overread */
	len = in.len;
	copy = xmalloc(len > 0 ? len : 1);
	memcpy(copy, vstr_str(&in), len);
	vstr_free(&in);
	(void)LLVMFuzzerTestOneInput(copy, len);
	x_free(copy);
	return 0;
}

/* replay_dir - every regular file in DIR; the count, or -1 */
static long
replay_dir(const char *dir)
{
	struct dirent **ent;
	struct stat st;
	struct vstr path = VSTR_INIT;
	long count = 0;
	int i, n;

	if ((n = scandir(dir, &ent, NULL, alphasort)) < 0) {
		perror(dir);
		return -1;
	}
	for (i = 0; i < n; i++) {
		vstr_reset(&path);
		vstr_catf(&path, "%s/%s", dir, ent[i]->d_name);
		if (count >= 0 && stat(vstr_str(&path), &st) == 0 &&
		    S_ISREG(st.st_mode))
			count = replay_file(vstr_str(&path)) == 0 ? count + 1 :
			    -1;
		free(ent[i]);
	}
	free(ent);
	vstr_free(&path);
	return count;
}

int
main(int argc, char **argv)
{
	struct stat st;
	long n, total = 0;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		n = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) :
		    replay_file(argv[i]) == 0 ? 1 : -1;
		if (n <= 0) {
			fprintf(stderr, "%s: %s\n", argv[i], n == 0 ?
			    "no input" : "cannot be replayed");
			return 1;
		}
		total += n;
	}
	printf("%s: %ld inputs replayed\n", argv[0], total);
	return 0;
}
