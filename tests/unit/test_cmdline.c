/* Unit tests of cmdline: command lines through JSON, byte for byte. */
#include "unit.h"

#include "cmdline.h"

static const struct {
	const char *name;
	const char *raw;
	size_t len;
	const char *line; /* the "cmdline" text */
	int base64;	  /* an "argv_base64" twin is needed */
} cases[] = {
	{"plain",
	 "sleep\0"
	 "100\0",
	 10, "sleep 100", 0},
	{"control characters", "sh\0-c\0a\nb\tc\x1b[0m\0", 17, "sh -c a\nb\tc\x1b[0m", 0},
	{"UTF-8", "echo\0caf\xc3\xa9\0", 11, "echo caf\xc3\xa9", 0},
	{"not UTF-8", "echo\0\xff\n\0", 8, "echo \\xff\n", 1},
	{"empty argument", "a\0\0b\0", 5, "a  b", 0},
	{"no final NUL", "a\0b", 3, "a b", 0},
	{"empty", "", 0, "", 0},
};

static void test_roundtrip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *o = json_object();
		char *text, back[64];
		json_t *again;
		size_t n;

		assert_int_equal(cmdline_to_json(o, "cmdline", cases[i].raw, cases[i].len), 0);
		check_str(cases[i].name, json_string_value(json_object_get(o, "cmdline")),
			  cases[i].line);
		if (!json_object_get(o, "argv_base64") != !cases[i].base64)
			fail_msg("%s: argv_base64 %s", cases[i].name,
				 cases[i].base64 ? "missing" : "not wanted");
		/* Through the text, as a reader of the manifest gets it. */
		text = json_dumps(o, 0);
		again = json_loads(text, 0, NULL);
		n = cmdline_from_json(again, "cmdline", back, sizeof(back));
		/* A line without a final NUL comes back with one, from "argv". */
		if (strcmp(cases[i].name, "no final NUL") == 0)
			assert_memory_equal(back, "a\0b\0", n), assert_int_equal(n, 4);
		else if (n != cases[i].len || memcmp(back, cases[i].raw, n) != 0)
			fail_msg("%s: %zu bytes back, want %zu", cases[i].name, n, cases[i].len);
		free(text);
		json_decref(again);
		json_decref(o);
	}
}

static void test_argv(void **state)
{
	json_t *o = json_object(), *argv;

	(void)state;
	assert_int_equal(cmdline_to_json(o, NULL, "sh\0-c\0a\nb\0", 10), 0);
	assert_null(json_object_get(o, "cmdline"));
	argv = json_object_get(o, "argv");
	assert_int_equal(json_array_size(argv), 3);
	assert_string_equal(json_string_value(json_array_get(argv, 2)), "a\nb");
	json_decref(o);
}

/* Manifests written before "argv": the line, as one argument. */
static void test_old_manifest(void **state)
{
	json_t *o = json_pack("{s:s}", "cmdline", "sleep 1");
	char back[16];

	(void)state;
	assert_int_equal(cmdline_from_json(o, "cmdline", back, sizeof(back)), 8);
	assert_memory_equal(back, "sleep 1", 8);
	json_decref(o);
	o = json_object();
	assert_int_equal(cmdline_from_json(o, "cmdline", back, sizeof(back)), 0);
	json_decref(o);
}

/* Cut to the room given, never past it. */
static void test_cut(void **state)
{
	json_t *o = json_object();
	char back[8];

	(void)state;
	memset(back, '#', sizeof(back));
	cmdline_to_json(o, "cmdline",
			"sleep\0"
			"100\0",
			10);
	assert_int_equal(cmdline_from_json(o, "cmdline", back, 7), 7);
	assert_int_equal(back[7], '#');
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_old_manifest),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
