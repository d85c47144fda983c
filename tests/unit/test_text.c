/* Unit tests of text: escaping for terminals. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
