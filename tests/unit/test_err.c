/* Unit tests of err: filling, prefixing and truncating struct cc_err. */
#include "unit.h"

#include "err.h"

static void test_set_replaces_everything(void **state)
{
	struct cc_err e;

	(void)state;
	err_set(&e, CC_EXIT_STORE, "old", "old message");
	err_remedy(&e, "old remedy");
	snprintf(e.log, sizeof(e.log), "/var/log/x");
	assert_int_equal(err_set(&e, CC_EXIT_USAGE, "name-exists", "checkpoint '%s' exists", "a"),
			 -1);
	assert_int_equal(e.exit_code, CC_EXIT_USAGE);
	assert_string_equal(e.code, "name-exists");
	assert_string_equal(e.msg, "checkpoint 'a' exists");
	assert_string_equal(e.remedy, "");
	assert_string_equal(e.log, "");
}

static void test_prefix_chains(void **state)
{
	struct cc_err e;

	(void)state;
	err_set(&e, CC_EXIT_STORE, "store-io", "open images dir");
	assert_int_equal(err_prefix(&e, "dump pid %d", 42), -1);
	assert_string_equal(e.msg, "dump pid 42: open images dir");
	err_prefix(&e, "checkpoint %s", "web");
	assert_string_equal(e.msg, "checkpoint web: dump pid 42: open images dir");
	/* Prefixing changes the message only. */
	assert_int_equal(e.exit_code, CC_EXIT_STORE);
	assert_string_equal(e.code, "store-io");
}

static void test_prefix_empty_message(void **state)
{
	struct cc_err e;

	(void)state;
	err_set(&e, CC_EXIT_ENV, "x", "%s", "");
	err_prefix(&e, "ctx");
	assert_string_equal(e.msg, "ctx: ");
}

static void test_sys_appends_strerror(void **state)
{
	struct cc_err e;

	(void)state;
	assert_int_equal(err_sys(&e, CC_EXIT_STORE, "store-io", ENOENT, "open %s", "/x/images"),
			 -1);
	assert_string_equal(e.msg, "open /x/images: No such file or directory");
	assert_int_equal(e.exit_code, CC_EXIT_STORE);
	assert_string_equal(e.code, "store-io");
	err_prefix(&e, "dump pid 42");
	assert_string_equal(e.msg, "dump pid 42: open /x/images: No such file or directory");
}

static void test_remedy(void **state)
{
	struct cc_err e;

	(void)state;
	err_set(&e, CC_EXIT_REFUSED, "locked", "store locked");
	err_remedy(&e, "wait for pid %d", 7);
	assert_string_equal(e.remedy, "wait for pid 7");
	assert_string_equal(e.msg, "store locked");
}

static void test_long_messages_truncate(void **state)
{
	char big[3000];
	struct cc_err e;

	(void)state;
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	err_set(&e, CC_EXIT_ENV, big, "%s", big);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	assert_int_equal(strlen(e.code), sizeof(e.code) - 1);

	/* strerror no longer fits: the message stays terminated and full. */
	err_sys(&e, CC_EXIT_ENV, "x", EACCES, "%s", big);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	assert_int_equal(e.msg[0], 'm');

	/* A prefix in front of a full message drops the message's tail. */
	err_set(&e, CC_EXIT_ENV, "x", "%s", big);
	err_prefix(&e, "ctx");
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	assert_memory_equal(e.msg, "ctx: mmm", 8);

	/* A prefix longer than the prefix buffer is cut, still followed by ": ". */
	err_set(&e, CC_EXIT_ENV, "x", "tail");
	err_prefix(&e, "%s", big);
	assert_true(strlen(e.msg) < sizeof(e.msg));
	assert_non_null(strstr(e.msg, "m: tail"));
	assert_int_equal(strspn(e.msg, "m"), strlen(e.msg) - strlen(": tail"));

	err_remedy(&e, "%s", big);
	assert_int_equal(strlen(e.remedy), sizeof(e.remedy) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_replaces_everything),
		cmocka_unit_test(test_prefix_chains),
		cmocka_unit_test(test_prefix_empty_message),
		cmocka_unit_test(test_sys_appends_strerror),
		cmocka_unit_test(test_remedy),
		cmocka_unit_test(test_long_messages_truncate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
