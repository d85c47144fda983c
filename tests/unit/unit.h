/*
 * unit: what the unit tests share.  Fixtures are read by a path relative to
 * $CRIUCTL_FIXTURES (default "tests/fixtures": the tests run from the repo
 * root).  The check_* macros name the table row they check, because
 * cmocka's own assertions report only the line of the loop.
 */
#ifndef CRIUCTL_TEST_UNIT_H
#define CRIUCTL_TEST_UNIT_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define check_int(row, got, want)                                                                  \
	do {                                                                                       \
		long long got_ = (long long)(got), want_ = (long long)(want);                      \
		if (got_ != want_)                                                                 \
			fail_msg("%s: %s is %lld, want %lld", (row), #got, got_, want_);           \
	} while (0)

#define check_str(row, got, want)                                                                  \
	do {                                                                                       \
		const char *got_ = (got), *want_ = (want);                                         \
		if (!got_ || strcmp(got_, want_) != 0)                                             \
			fail_msg("%s: %s is \"%s\", want \"%s\"", (row), #got,                     \
				 got_ ? got_ : "(null)", want_);                                   \
	} while (0)

/* Read tests/fixtures/<rel> (NUL-terminated); the caller frees it.  Fails the test if unreadable.
 */
static inline char *fixture_read(const char *rel, size_t *len)
{
	const char *dir = getenv("CRIUCTL_FIXTURES");
	char path[4096];
	char *buf = NULL;
	size_t cap = 0, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "tests/fixtures", rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s: %s", path, strerror(errno));
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
	}
	assert_int_equal(ferror(f), 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

#endif
