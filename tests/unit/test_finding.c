/*
 * Unit tests of finding: the growable list the doctor and the preflight
 * fill (add, worst level, lookup by id, level names, free).
 */
#include "unit.h"

#include "finding.h"

static void test_add_and_get(void **state)
{
	struct findings f = {0};
	const struct finding *x;

	(void)state;
	assert_int_equal(
		findings_add(&f, "tree", LEVEL_OK, NULL, "tree %d: %zu process", 42, (size_t)1), 0);
	assert_int_equal(findings_add(&f, "file-locks", LEVEL_WARN, "Dump with --file-locks.",
				      "%d file lock%s held", 2, "s"),
			 0);
	assert_int_equal(f.n, 2);
	x = findings_get(&f, "tree");
	assert_non_null(x);
	assert_string_equal(x->message, "tree 42: 1 process");
	assert_int_equal(x->level, LEVEL_OK);
	/* A NULL remedy reads as empty, and no flag of the table helps "tree". */
	assert_string_equal(x->remedy, "");
	assert_string_equal(x->flag, "");
	x = findings_get(&f, "file-locks");
	assert_non_null(x);
	assert_string_equal(x->message, "2 file locks held");
	assert_string_equal(x->remedy, "Dump with --file-locks.");
	assert_string_equal(x->flag, "file_locks");
	assert_null(findings_get(&f, "file-lock"));
	assert_null(findings_get(&f, ""));
	findings_free(&f);
	assert_null(f.v);
	assert_int_equal(f.n, 0);
	assert_int_equal(f.cap, 0);
	/* Free twice, and free an empty list: harmless. */
	findings_free(&f);
}

/* The first finding with an id wins a lookup: rules may add one twice. */
static void test_get_first(void **state)
{
	struct findings f = {0};

	(void)state;
	assert_int_equal(findings_add(&f, "store", LEVEL_WARN, NULL, "first"), 0);
	assert_int_equal(findings_add(&f, "store", LEVEL_FAIL, NULL, "second"), 0);
	assert_string_equal(findings_get(&f, "store")->message, "first");
	findings_free(&f);
}

static void test_worst(void **state)
{
	static const struct {
		const char *row;
		enum level levels[4];
		size_t n;
		enum level want;
	} cases[] = {
		{"empty", {LEVEL_OK}, 0, LEVEL_OK},
		{"ok", {LEVEL_OK, LEVEL_OK}, 2, LEVEL_OK},
		{"warn last", {LEVEL_OK, LEVEL_WARN}, 2, LEVEL_WARN},
		{"fail first", {LEVEL_FAIL, LEVEL_OK, LEVEL_WARN}, 3, LEVEL_FAIL},
		{"fail in the middle", {LEVEL_WARN, LEVEL_FAIL, LEVEL_OK}, 3, LEVEL_FAIL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct findings f = {0};

		for (size_t k = 0; k < cases[i].n; k++)
			check_int(cases[i].row,
				  findings_add(&f, "x", cases[i].levels[k], NULL, "%zu", k), 0);
		check_int(cases[i].row, findings_worst(&f), cases[i].want);
		findings_free(&f);
	}
}

/* Past the initial capacity the list grows and keeps every entry. */
static void test_grows(void **state)
{
	struct findings f = {0};
	char id[16];

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(id, sizeof(id), "f%d", i);
		assert_int_equal(findings_add(&f, id, LEVEL_OK, NULL, "message %d", i), 0);
	}
	assert_int_equal(f.n, 100);
	assert_true(f.cap >= 100);
	for (int i = 0; i < 100; i++) {
		char want[32];

		snprintf(id, sizeof(id), "f%d", i);
		snprintf(want, sizeof(want), "message %d", i);
		assert_non_null(findings_get(&f, id));
		assert_string_equal(findings_get(&f, id)->message, want);
	}
	findings_free(&f);
}

/* Over-long fields are cut, NUL-terminated. */
static void test_truncates(void **state)
{
	struct findings f = {0};
	char long_text[2000];
	const struct finding *x;

	(void)state;
	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	assert_int_equal(findings_add(&f, long_text, LEVEL_WARN, long_text, "%s", long_text), 0);
	x = &f.v[0];
	assert_int_equal(strlen(x->id), sizeof(x->id) - 1);
	assert_string_equal(x->flag, ""); /* no flag of the table deals with it */
	assert_int_equal(strlen(x->remedy), sizeof(x->remedy) - 1);
	assert_int_equal(strlen(x->message), sizeof(x->message) - 1);
	findings_free(&f);
}

static void test_level_name(void **state)
{
	(void)state;
	assert_string_equal(level_name(LEVEL_OK), "ok");
	assert_string_equal(level_name(LEVEL_WARN), "warn");
	assert_string_equal(level_name(LEVEL_FAIL), "fail");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_get), cmocka_unit_test(test_get_first),
		cmocka_unit_test(test_worst),	    cmocka_unit_test(test_grows),
		cmocka_unit_test(test_truncates),   cmocka_unit_test(test_level_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
