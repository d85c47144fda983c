/*
 * fuzz: what the libFuzzer targets share.  Each target is one file,
 * fuzz_<name>.c, linked against the pure core only (build/fuzz/libcore.a).
 * A target hands libFuzzer's buffer as it is to parsers that take a length,
 * so that AddressSanitizer sees any read past its end; parsers that want a
 * C string get a copy.  fuzz_check() turns a broken invariant into a crash,
 * so that the fuzzer reports it like a memory error.
 */
#ifndef CRIUCTL_FUZZ_H
#define CRIUCTL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libFuzzer's entry point; declared here for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_check(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A NUL-terminated copy of the input (the caller frees it). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	fuzz_check(s != NULL);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* 1 when s holds no control character but tab: text bound for terminals and JSON. */
static inline int fuzz_printable(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return 0;
	return 1;
}

#endif
