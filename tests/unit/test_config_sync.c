/* Unit tests of [store] sync: the commit's durability policy (commit.h). */
#include "config_util.h"

static const struct {
	const char *name;
	const char *text;
	const char *want; /* the value parsed, or NULL for an error */
	int none;	  /* config_sync_none() */
	const char *msg;  /* the error, when want is NULL */
} cases[] = {
	{"default", "", "full", 0, NULL},
	{"full", "[store]\nsync = full\n", "full", 0, NULL},
	{"none", "[store]\nsync = none\n", "none", 1, NULL},
	{"none, spaced", "[store]\n  sync=none  \n", "none", 1, NULL},
	{"a boolean is no policy", "[store]\nsync = no\n", NULL, 0,
	 "criuctl.conf:2: sync: 'no' is not a valid mode"},
	{"case matters", "[store]\nsync = Full\n", NULL, 0,
	 "criuctl.conf:2: sync: 'Full' is not a valid mode"},
	{"empty", "[store]\nsync =\n", NULL, 0, "criuctl.conf:2: sync: '' is not a valid mode"},
	{"twice", "[store]\nsync = none\nsync = full\n", NULL, 0, NULL},
	{"not in [dump]", "[dump]\nsync = none\n", NULL, 0, NULL},
};

static void test_sync_key(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		struct cc_err e;
		int rc = parse(&c, cases[i].text, &e);

		check_int(cases[i].name, rc, cases[i].want ? 0 : -1);
		if (cases[i].want) {
			check_str(cases[i].name, c.store_sync, cases[i].want);
			check_int(cases[i].name, config_sync_none(&c), cases[i].none);
		} else {
			check_str(cases[i].name, e.code, "config-invalid");
			if (cases[i].msg)
				check_str(cases[i].name, e.msg, cases[i].msg);
		}
		config_free(&c);
	}
}

/* `criuctl config` shows it, at its default, after keep_failed. */
static void test_sync_listed(void **state)
{
	struct config c;
	struct cc_err e;
	size_t i;
	char value[64] = "";

	(void)state;
	assert_int_equal(parse(&c, "", &e), 0);
	for (i = 0; config_key_name(i); i++)
		if (strcmp(config_key_section(i), "store") == 0 &&
		    strcmp(config_key_name(i), "sync") == 0)
			break;
	assert_non_null(config_key_name(i));
	assert_string_equal(config_key_name(i - 1), "keep_failed");
	config_key_value(&c, i, value, sizeof(value));
	assert_string_equal(value, "full");
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_key),
		cmocka_unit_test(test_sync_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
