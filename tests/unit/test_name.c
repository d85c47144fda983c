/* Unit tests of name: checkpoint name validation and default names. */
#include "unit.h"

#include "name.h"

#define S64 "a123456789012345678901234567890123456789012345678901234567890123"

static const struct {
	const char *name;
	int valid;
} valid_cases[] = {
	{"a", 1},
	{"Z", 1},
	{"0", 1},
	{"web-1", 1},
	{"a.b_c-d", 1},
	{"a..b", 1}, /* dots inside a name cannot escape the store: no '/' */
	{"sleep-42-20261123T055419", 1},
	{S64, 1},
	{S64 "4", 0},
	{"", 0},
	{".", 0},
	{"..", 0},
	{".hidden", 0},
	{"-rf", 0},
	{"_x", 0},
	{"/etc", 0},
	{"a/b", 0},
	{"a/../b", 0},
	{"a b", 0},
	{" a", 0},
	{"a ", 0},
	{"a\tb", 0},
	{"a:b", 0},
	{"a\\b", 0},
	{"caf\xc3\xa9", 0},
	{"\xc3\xa9t\xc3\xa9", 0},
	{"a\x7f", 0},
};

static void test_name_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++)
		check_int(valid_cases[i].name, name_valid(valid_cases[i].name),
			  valid_cases[i].valid);
}

/* 2026-11-23T05:54:19Z */
#define WHEN ((time_t)1795413259)

static const struct {
	const char *comm;
	int pid;
	const char *want;
} default_cases[] = {
	{"sleep", 42, "sleep-42-20261123T055419"},
	{"my prog", 7, "my_prog-7-20261123T055419"},
	{"kworker/0:1", 3, "kworker_0_1-3-20261123T055419"},
	{"a/b", 15, "a_b-15-20261123T055419"},
	{".hidden", 14, "phidden-14-20261123T055419"},
	{"/bin/sh", 14, "pbin_sh-14-20261123T055419"},
	{"-bash", 1, "pbash-1-20261123T055419"},
	{"_x", 1, "px-1-20261123T055419"},
	{"", 99, "p-99-20261123T055419"},
	{"caf\xc3\xa9", 5, "caf__-5-20261123T055419"},
	{"python3.12", 4194304, "python3.12-4194304-20261123T055419"},
};

static void test_name_default_exact(void **state)
{
	char dst[NAME_MAX_LEN + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(default_cases) / sizeof(default_cases[0]); i++) {
		name_default(dst, default_cases[i].comm, default_cases[i].pid, WHEN);
		check_str(default_cases[i].comm, dst, default_cases[i].want);
		check_int(default_cases[i].comm, name_valid(dst), 1);
	}
}

static void test_name_default_epoch(void **state)
{
	char dst[NAME_MAX_LEN + 1];

	(void)state;
	name_default(dst, "init", 1, 0);
	assert_string_equal(dst, "init-1-19700101T000000");
}

/* A long comm is shortened so the whole name fits and the suffix survives. */
static void test_name_default_long_comm(void **state)
{
	static const int pids[] = {1, 42, 4194304, 2147483647};
	char comm[200];
	char dst[NAME_MAX_LEN + 1];

	(void)state;
	memset(comm, 'x', sizeof(comm) - 1);
	comm[sizeof(comm) - 1] = '\0';
	comm[10] = ' ';
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		char suffix[48];

		memset(dst, '#', sizeof(dst));
		name_default(dst, comm, pids[i], WHEN);
		snprintf(suffix, sizeof(suffix), "-%d-20261123T055419", pids[i]);
		assert_int_equal(strlen(dst), NAME_MAX_LEN);
		assert_true(name_valid(dst));
		assert_string_equal(dst + NAME_MAX_LEN - strlen(suffix), suffix);
		assert_memory_equal(dst, "xxxxxxxxxx_x", 12);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_name_default_exact),
		cmocka_unit_test(test_name_default_epoch),
		cmocka_unit_test(test_name_default_long_comm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
