/*
 * Unit tests of guard: sequences of events (with the run's elapsed and idle
 * seconds) into the actions of every step, then the final state and why
 * criu was stopped; and when the tree is tidied after criu ended alone.
 */
#include "unit.h"

#include "guard.h"

#define STOP	  (ESC_ACT_FREEZE | ESC_ACT_TERM | ESC_ACT_ARM_GRACE)
#define RELEASE	  (GUARD_ACT_RELEASE | GUARD_ACT_EXIT)
#define MAX_STEPS 6
/* The limits of every case: a deadline of 60 s, a stall limit of 10 s. */
#define TIMEOUT 60.0
#define STALL	10.0

struct step {
	enum guard_event ev;
	double elapsed, idle;
	unsigned want; /* ESC_ACT_* | GUARD_ACT_* */
};

static const struct {
	const char *name;
	struct step steps[MAX_STEPS];
	size_t n;
	enum guard_state state;
	enum esc_reason reason;
} cases[] = {
	{"criuctl lives and says done: the guard only watched",
	 {{GUARD_CRIU_STARTED, 0, 0, 0},
	  {GUARD_TICK, 100, 50, 0},
	  {GUARD_CRIU_EXIT, 0, 0, 0},
	  {GUARD_CTL_DONE, 0, 0, GUARD_ACT_EXIT}},
	 4,
	 GUARD_DONE,
	 ESC_NONE},
	{"criuctl gone before criu started: nothing to guard",
	 {{GUARD_CTL_GONE, 0, 0, GUARD_ACT_EXIT}, {GUARD_TICK, 100, 100, 0}},
	 2,
	 GUARD_DONE,
	 ESC_NONE},
	{"criuctl gone after criu ended: the next criuctl resolves the attempt",
	 {{GUARD_CRIU_STARTED, 0, 0, 0},
	  {GUARD_CRIU_EXIT, 0, 0, 0},
	  {GUARD_CTL_GONE, 0, 0, GUARD_ACT_EXIT}},
	 3,
	 GUARD_DONE,
	 ESC_NONE},
	{"criuctl gone, criu moves on and ends by itself: released, not stopped",
	 {{GUARD_CRIU_STARTED, 0, 0, 0},
	  {GUARD_CTL_GONE, 0, 0, 0},
	  {GUARD_TICK, 5, 1, 0},
	  {GUARD_CRIU_EXIT, 0, 0, RELEASE}},
	 4,
	 GUARD_DONE,
	 ESC_NONE},
	{"criuctl gone, criu stalls: stopped as criuctl stops it, killed after the grace",
	 {{GUARD_CRIU_STARTED, 0, 0, 0},
	  {GUARD_CTL_GONE, 0, 0, 0},
	  {GUARD_TICK, 12, 9.9, 0},
	  {GUARD_TICK, 13, 10, STOP},
	  {GUARD_GRACE_OVER, 0, 0, ESC_ACT_KILL},
	  {GUARD_CRIU_EXIT, 0, 0, ESC_ACT_REAP | RELEASE}},
	 6,
	 GUARD_DONE,
	 ESC_BY_STALL},
	{"criuctl gone, the deadline passes: stopped; criu ends within the grace",
	 {{GUARD_CRIU_STARTED, 0, 0, 0},
	  {GUARD_CTL_GONE, 0, 0, 0},
	  {GUARD_TICK, 60, 0.1, STOP},
	  {GUARD_TICK, 70, 10, 0},
	  {GUARD_CRIU_EXIT, 0, 0, ESC_ACT_REAP | RELEASE}},
	 5,
	 GUARD_DONE,
	 ESC_BY_DEADLINE},
	{"while criuctl lives the limits are criuctl's, not the guard's",
	 {{GUARD_CRIU_STARTED, 0, 0, 0}, {GUARD_TICK, 600, 600, 0}, {GUARD_GRACE_OVER, 0, 0, 0}},
	 3,
	 GUARD_WATCHING,
	 ESC_NONE},
	{"alone, criu gets no grace event before a stop, and done means nothing any more",
	 {{GUARD_CRIU_STARTED, 0, 0, 0},
	  {GUARD_CTL_GONE, 0, 0, 0},
	  {GUARD_GRACE_OVER, 0, 0, 0},
	  {GUARD_CTL_DONE, 0, 0, 0}},
	 4,
	 GUARD_ALONE,
	 ESC_NONE},
	{"after the end, nothing",
	 {{GUARD_CTL_DONE, 0, 0, GUARD_ACT_EXIT},
	  {GUARD_CTL_GONE, 0, 0, 0},
	  {GUARD_TICK, 600, 600, 0},
	  {GUARD_CRIU_EXIT, 0, 0, 0}},
	 4,
	 GUARD_DONE,
	 ESC_NONE},
};

static void test_sequences(void **state)
{
	char row[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct guard g = {.timeout = TIMEOUT, .stall_timeout = STALL};

		for (size_t k = 0; k < cases[i].n; k++) {
			const struct step *s = &cases[i].steps[k];

			snprintf(row, sizeof(row), "%s, step %zu", cases[i].name, k + 1);
			check_int(row, guard_step(&g, s->ev, s->elapsed, s->idle), s->want);
		}
		check_int(cases[i].name, g.state, cases[i].state);
		check_int(cases[i].name, g.esc.reason, cases[i].reason);
	}
}

/* No limit configured (0): the guard never stops criu. */
static void test_no_limits(void **state)
{
	struct guard g = {0};

	(void)state;
	guard_step(&g, GUARD_CRIU_STARTED, 0, 0);
	guard_step(&g, GUARD_CTL_GONE, 0, 0);
	check_int("no limits", guard_step(&g, GUARD_TICK, 1e9, 1e9), 0);
	check_int("no limits", g.state, GUARD_ALONE);
}

static const struct {
	const char *name;
	enum esc_reason stopped;
	int log_succeeded, want;
} tidy_cases[] = {
	{"criu ended alone without its last line (killed, crashed)", ESC_NONE, 0, 1},
	{"criu finished alone: a dump keeps its network lock until the restore", ESC_NONE, 1, 0},
	{"the guard stopped criu", ESC_BY_STALL, 0, 1},
	{"the guard stopped criu after it finished its log", ESC_BY_DEADLINE, 1, 1},
};

static void test_must_tidy(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tidy_cases) / sizeof(tidy_cases[0]); i++) {
		struct guard g = {.esc.reason = tidy_cases[i].stopped};

		check_int(tidy_cases[i].name, guard_must_tidy(&g, tidy_cases[i].log_succeeded),
			  tidy_cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_no_limits),
		cmocka_unit_test(test_must_tidy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
