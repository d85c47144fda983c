/* Unit tests of strv: growable NULL-terminated string vectors. */
#include "unit.h"

#include "strv.h"

static void test_push_terminates(void **state)
{
	struct strv sv = {0};
	char word[] = "dump";

	(void)state;
	assert_int_equal(strv_push(&sv, word), 0);
	word[0] = 'X'; /* push copies */
	assert_int_equal(sv.n, 1);
	assert_string_equal(sv.v[0], "dump");
	assert_null(sv.v[1]);
	strv_free(&sv);
}

static void test_push_grows_in_order(void **state)
{
	struct strv sv = {0};

	(void)state;
	for (int i = 0; i < 100; i++)
		assert_int_equal(strv_pushf(&sv, "arg%d", i), 0);
	assert_int_equal(sv.n, 100);
	assert_true(sv.cap > sv.n);
	for (int i = 0; i < 100; i++) {
		char want[16];

		snprintf(want, sizeof(want), "arg%d", i);
		assert_string_equal(sv.v[i], want);
	}
	assert_null(sv.v[100]);
	strv_free(&sv);
}

static void test_pushf_formats(void **state)
{
	struct strv sv = {0};

	(void)state;
	assert_int_equal(strv_pushf(&sv, "--tree=%d", 42), 0);
	assert_int_equal(strv_pushf(&sv, "%.*s", 3, "abcdef"), 0);
	assert_string_equal(sv.v[0], "--tree=42");
	assert_string_equal(sv.v[1], "abc");
	strv_free(&sv);
}

static void test_extend_copies(void **state)
{
	struct strv a = {0}, b = {0}, empty = {0};

	(void)state;
	strv_push(&a, "-D");
	strv_push(&b, "--external");
	strv_push(&b, "mnt[/a]:a");
	assert_int_equal(strv_extend(&a, &b), 0);
	strv_free(&b);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.v[0], "-D");
	assert_string_equal(a.v[1], "--external");
	assert_string_equal(a.v[2], "mnt[/a]:a");
	assert_null(a.v[3]);

	assert_int_equal(strv_extend(&a, &empty), 0);
	assert_int_equal(a.n, 3);
	assert_int_equal(strv_extend(&empty, &empty), 0);
	assert_null(empty.v);
	assert_int_equal(empty.n, 0);
	strv_free(&a);
}

static void test_contains(void **state)
{
	struct strv sv = {0};

	(void)state;
	assert_int_equal(strv_contains(&sv, "x"), 0);
	strv_push(&sv, "a");
	strv_push(&sv, "");
	strv_push(&sv, "bc");
	assert_int_equal(strv_contains(&sv, "a"), 1);
	assert_int_equal(strv_contains(&sv, ""), 1);
	assert_int_equal(strv_contains(&sv, "bc"), 1);
	assert_int_equal(strv_contains(&sv, "b"), 0);
	assert_int_equal(strv_contains(&sv, "bcd"), 0);
	strv_free(&sv);
}

static void test_free_leaves_reusable(void **state)
{
	struct strv sv = {0};

	(void)state;
	strv_free(&sv); /* freeing an empty vector is fine */
	strv_push(&sv, "one");
	strv_free(&sv);
	assert_null(sv.v);
	assert_int_equal(sv.n, 0);
	assert_int_equal(sv.cap, 0);
	assert_int_equal(strv_push(&sv, "two"), 0);
	assert_int_equal(sv.n, 1);
	assert_string_equal(sv.v[0], "two");
	strv_free(&sv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_terminates), cmocka_unit_test(test_push_grows_in_order),
		cmocka_unit_test(test_pushf_formats),	cmocka_unit_test(test_extend_copies),
		cmocka_unit_test(test_contains),	cmocka_unit_test(test_free_leaves_reusable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
