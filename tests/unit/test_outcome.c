/*
 * Unit tests of outcome: the facts of a criu run (as criuctl watched it, or
 * as an attempt left in tmp/ shows them) into what it came to.
 */
#include "unit.h"

#include "outcome.h"

static const struct {
	const char *name;
	struct run_facts f;
	enum outcome want;
} cases[] = {
	/* exited_ok, stopped, committed, complete_at_ask, log_succeeded, log_failed */
	{"a run without a hook that finished", {1, 0, 0, 0, 1, 0}, OUTCOME_DONE},
	{"a run without a hook, exit 0 but no success line", {1, 0, 0, 0, 0, 0}, OUTCOME_FAILED},
	{"a run without a hook that failed", {0, 0, 0, 0, 0, 1}, OUTCOME_FAILED},
	{"a run without a hook, stopped after its success line",
	 {1, 1, 0, 0, 1, 0},
	 OUTCOME_FAILED},
	{"a dump told to go on that finished", {1, 0, 1, 1, 1, 0}, OUTCOME_DONE},
	{"a dump told to go on, then killed before its last line",
	 {0, 1, 1, 1, 0, 0},
	 OUTCOME_UNFINISHED},
	{"a dump told to go on whose answer was lost: criu aborted",
	 {0, 0, 1, 1, 0, 1},
	 OUTCOME_FAILED},
	{"a dump refused at its hook: criu aborted", {0, 0, 0, 1, 0, 1}, OUTCOME_FAILED},
	{"a dump stopped before its hook", {0, 1, 0, 1, 0, 0}, OUTCOME_FAILED},
	{"an attempt in tmp/ with a decision and criu's success line",
	 {0, 0, 1, 1, 1, 0},
	 OUTCOME_DONE},
	{"an attempt in tmp/ with a decision, criu killed after it",
	 {0, 0, 1, 1, 0, 0},
	 OUTCOME_UNFINISHED},
	{"an attempt in tmp/ without a decision", {0, 0, 0, 1, 0, 0}, OUTCOME_FAILED},
	{"a restore told to go on that finished", {1, 0, 1, 0, 1, 0}, OUTCOME_DONE},
	{"a restore told to go on, then killed: nothing is complete",
	 {0, 1, 1, 0, 0, 0},
	 OUTCOME_FAILED},
	{"a restore that aborted after the answer", {0, 0, 1, 0, 0, 1}, OUTCOME_FAILED},
};

static void test_outcomes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_str(cases[i].name, outcome_id(outcome_of(&cases[i].f)),
			  outcome_id(cases[i].want));
}

static void test_ids(void **state)
{
	(void)state;
	assert_string_equal(outcome_id(OUTCOME_DONE), "done");
	assert_string_equal(outcome_id(OUTCOME_UNFINISHED), "unfinished");
	assert_string_equal(outcome_id(OUTCOME_FAILED), "failed");
	assert_string_equal(outcome_id((enum outcome)42), "failed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
