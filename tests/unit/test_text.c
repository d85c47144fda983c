/* Unit tests of text: escaping for terminals and JSON, base64, shell words. */
#include "unit.h"

#include "text.h"

static const struct {
	const char *in;
	const char *out;
} escape_cases[] = {
	{"", ""},
	{"web-1", "web-1"},
	{"a b'c", "a b'c"},
	{"a\nb", "a\\nb"},
	{"a\tb\r", "a\\tb\\r"},
	{"a\\nb", "a\\\\nb"},
	{"\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"},
	{"\x07\x7f", "\\x07\\x7f"},
	{"caf\xc3\xa9", "caf\xc3\xa9"}, /* UTF-8 stays */
	{"\xe2\x82\xac \xf0\x9f\x98\x80", "\xe2\x82\xac \xf0\x9f\x98\x80"},
	{"a\xff-b", "a\\xff-b"}, /* not UTF-8 */
	{"\xc3", "\\xc3"},	 /* a cut sequence */
	{"\xc3(", "\\xc3("},
	{"\xc0\xaf", "\\xc0\\xaf"},		      /* overlong '/' */
	{"\xe0\x80\xaf", "\\xe0\\x80\\xaf"},	      /* overlong, 3 bytes */
	{"\xed\xa0\x80", "\\xed\\xa0\\x80"},	      /* a surrogate */
	{"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"}, /* past U+10FFFF */
	{"\xc2\x9b[2J", "\\xc2\\x9b[2J"},	      /* C1 CSI as UTF-8 */
	{"\xc2\xa0", "\xc2\xa0"},		      /* U+00A0 is text */
};

static void test_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]); i++) {
		char dst[64];

		check_str(escape_cases[i].out, text_escape(escape_cases[i].in, dst, sizeof(dst)),
			  escape_cases[i].out);
	}
}

/* Cut to size, never inside an escape or a UTF-8 sequence. */
static void test_escape_cut(void **state)
{
	char dst[6];

	(void)state;
	check_str("cut before \\n", text_escape("abcd\n", dst, sizeof(dst)), "abcd");
	check_str("cut before \\xff", text_escape("ab\xff", dst, sizeof(dst)), "ab");
	check_str("cut before UTF-8", text_escape("abcd\xc3\xa9", dst, sizeof(dst)), "abcd");
	check_str("fits", text_escape("ab\n", dst, sizeof(dst)), "ab\\n");
	check_str("size 1", text_escape("abc", dst, 1), "");
}

/* For JSON: only the bytes that are not UTF-8 are escaped. */
static const struct {
	const char *in;
	size_t len;
	const char *out;
	int utf8;
} bytes_cases[] = {
	{"", 0, "", 1},
	{"a\nb\t\x1b[0m\\", 9, "a\nb\t\x1b[0m\\", 1},
	{"caf\xc3\xa9", 5, "caf\xc3\xa9", 1},
	{"\xc2\x9b", 2, "\xc2\x9b", 1}, /* C1 is UTF-8, JSON escapes it */
	{"a\xff", 2, "a\\xff", 0},
	{"\xc3", 1, "\\xc3", 0},
	{"\xed\xa0\x80", 3, "\\xed\\xa0\\x80", 0},
	{"\xc0\xaf", 2, "\\xc0\\xaf", 0},
	{"a\0b", 3, "a", 0}, /* a NUL is no JSON text (and ends dst) */
};

static void test_escape_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bytes_cases) / sizeof(bytes_cases[0]); i++) {
		char dst[64];

		text_escape_bytes(bytes_cases[i].in, bytes_cases[i].len, dst, sizeof(dst));
		check_str(bytes_cases[i].out, dst, bytes_cases[i].out);
		if (text_is_utf8(bytes_cases[i].in, bytes_cases[i].len) != bytes_cases[i].utf8)
			fail_msg("text_is_utf8(%s) is not %d", bytes_cases[i].out,
				 bytes_cases[i].utf8);
	}
}

static const struct {
	const char *raw;
	size_t len;
	const char *b64;
} base64_cases[] = {
	{"", 0, ""},	    {"f", 1, "Zg=="},	       {"fo", 2, "Zm8="},
	{"foo", 3, "Zm9v"}, {"foobar", 6, "Zm9vYmFy"}, {"a\0\xff\n", 4, "YQD/Cg=="},
};

static void test_base64(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(base64_cases) / sizeof(base64_cases[0]); i++) {
		char b64[32], raw[32];

		assert_int_equal(
			text_base64(base64_cases[i].raw, base64_cases[i].len, b64, sizeof(b64)),
			strlen(base64_cases[i].b64));
		check_str(base64_cases[i].b64, b64, base64_cases[i].b64);
		assert_int_equal(text_unbase64(b64, raw, sizeof(raw)), (long)base64_cases[i].len);
		assert_memory_equal(raw, base64_cases[i].raw, base64_cases[i].len);
	}
}

static void test_base64_refused(void **state)
{
	static const char *const bad[] = {"Zg=", "Z===", "Zg==Zm8=", "Zm9v!", "Zm=v", "=Zm9"};
	char raw[8], small[4];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (text_unbase64(bad[i], raw, sizeof(raw)) != -1)
			fail_msg("'%s' was taken as base64", bad[i]);
	assert_int_equal(text_unbase64("Zm9vYmFy", small, sizeof(small)), -1);
	assert_int_equal(text_base64("foobar", 6, small, sizeof(small)), 0);
}

static const struct {
	const char *in;
	const char *out;
} quote_cases[] = {
	{"web-1", "web-1"},
	{"/var/lib/criuctl", "/var/lib/criuctl"},
	{"", "''"},
	{"a b", "'a b'"},
	{"it's", "'it'\\''s'"},
	{"$HOME", "'$HOME'"},
	{"a\nb", "'a\nb'"},
	{"*", "'*'"},
};

static void test_shell_quote(void **state)
{
	char dst[32];

	(void)state;
	for (size_t i = 0; i < sizeof(quote_cases) / sizeof(quote_cases[0]); i++)
		check_str(quote_cases[i].in, text_shell_quote(quote_cases[i].in, dst, sizeof(dst)),
			  quote_cases[i].out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),	       cmocka_unit_test(test_escape_cut),
		cmocka_unit_test(test_escape_bytes),   cmocka_unit_test(test_base64),
		cmocka_unit_test(test_base64_refused), cmocka_unit_test(test_shell_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
