/*
 * Unit tests of judge: what a run criuctl stopped is called, and the exit
 * status it means, for each way a stop begins.
 */
#include "unit.h"

#include <signal.h>

#include "judge.h"

static const struct hang_diag none = {V_STALLED, "criu made no progress for 5.0 s", 0};
static const struct hang_diag d_state = {V_TASK_UNINTERRUPTIBLE,
					 "task 8 (vfork-hang) is in uninterruptible sleep", 8};
static const struct hang_diag stopped = {V_CRIU_STOPPED, "criu 25 (criu) is stopped", 25};

static const struct {
	const char *name;
	struct stop_facts f;
	const char *id;
	int exit_code;
	const char *title; /* a part of it */
} cases[] = {
	{"Ctrl-C at criu's question: told no",
	 {ESC_BY_SIGNAL, SIGINT, 0, 1, PHASE_RESUMING, &none, NULL},
	 "interrupted",
	 128 + SIGINT,
	 "at criu's point of no return; criu was told not to go on"},
	{"SIGTERM, then stopped hard while dumping memory",
	 {ESC_BY_SIGNAL, SIGTERM, 1, 0, PHASE_MEMORY, &none, NULL},
	 "interrupted",
	 128 + SIGTERM,
	 "criu was stopped while dumping memory"},
	{"SIGHUP, and criu failed by itself before its question",
	 {ESC_BY_SIGNAL, SIGHUP, 0, 0, PHASE_COLLECTING, &none, NULL},
	 "interrupted",
	 128 + SIGHUP,
	 "criu ended by itself before its point of no return"},
	{"a signal wins over any culprit the hang report found",
	 {ESC_BY_SIGNAL, SIGINT, 1, 0, PHASE_COLLECTING, &d_state, NULL},
	 "interrupted",
	 128 + SIGINT,
	 "signal 2"},
	{"the pre-commit work failed",
	 {ESC_BY_WORK, 0, 0, 1, PHASE_RESUMING, &none, "write manifest of x: No space left"},
	 "commit-failed",
	 5,
	 "could not make the checkpoint safe (write manifest of x: No space left)"},
	{"the deadline, no culprit",
	 {ESC_BY_DEADLINE, 0, 1, 0, PHASE_MEMORY, &none, NULL},
	 "timeout",
	 4,
	 "deadline passed: criu made no progress"},
	{"the watchdog, no culprit",
	 {ESC_BY_STALL, 0, 1, 0, PHASE_MEMORY, &none, NULL},
	 "stalled",
	 4,
	 "criu stalled: criu made no progress"},
	{"the deadline, a D-state task",
	 {ESC_BY_DEADLINE, 0, 1, 0, PHASE_COLLECTING, &d_state, NULL},
	 "task-uninterruptible",
	 4,
	 "deadline passed: task 8 (vfork-hang)"},
	{"the watchdog, criu stopped",
	 {ESC_BY_STALL, 0, 1, 0, PHASE_MEMORY, &stopped, NULL},
	 "criu-stopped",
	 4,
	 "criu stalled: criu 25 (criu) is stopped"},
};

static void test_stopped(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *row = cases[i].name;
		struct verdict v = {0};
		char title[512];
		int code = judge_stopped(&cases[i].f, &v, title, sizeof(title));

		check_int(row, code, cases[i].exit_code);
		check_str(row, v.id, cases[i].id);
		check_int(row, v.kind, verdict_find(cases[i].id));
		if (!strstr(v.title, cases[i].title))
			fail_msg("%s: title \"%s\" lacks \"%s\"", row, v.title, cases[i].title);
		check_str(row, v.remedy, verdict_row(v.kind)->remedy);
		check_int(row, v.evidence.n, 0);
	}
}

/* A title longer than the buffer is cut, never overrun. */
static void test_small_buffer(void **state)
{
	struct verdict v = {0};
	char title[16];

	(void)state;
	assert_int_equal(judge_stopped(&cases[0].f, &v, title, sizeof(title)), 128 + SIGINT);
	assert_int_equal(strlen(v.title), sizeof(title) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stopped),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
