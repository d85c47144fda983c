/*
 * Unit tests of escalate: sequences of events into the actions of every
 * step, then the final state, reason and signal.
 */
#include "unit.h"

#include <signal.h>

#include "escalate.h"

#define BEGIN                                                                                      \
	(ESC_ACT_SNAPSHOT | ESC_ACT_FREEZE | ESC_ACT_TERM | ESC_ACT_ARM_GRACE | ESC_ACT_DISARM)
#define MAX_STEPS 6

struct step {
	enum esc_event ev;
	int signum;
	unsigned want; /* ESC_ACT_* */
};

static const struct {
	const char *name;
	struct step steps[MAX_STEPS];
	size_t n;
	enum esc_state state;
	enum esc_reason reason;
	int signum;
} cases[] = {
	{"deadline, grace over, exit",
	 {{ESC_DEADLINE, 0, BEGIN},
	  {ESC_GRACE_OVER, 0, ESC_ACT_KILL},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM | ESC_ACT_REAP}},
	 3,
	 ESC_EXITED,
	 ESC_BY_DEADLINE,
	 0},
	{"stall, exit before the grace period ends",
	 {{ESC_STALL, 0, BEGIN},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM | ESC_ACT_REAP},
	  {ESC_GRACE_OVER, 0, 0}},
	 3,
	 ESC_EXITED,
	 ESC_BY_STALL,
	 0},
	{"signal, second signal kills at once",
	 {{ESC_SIGNAL, SIGINT, BEGIN},
	  {ESC_SIGNAL, SIGTERM, ESC_ACT_KILL},
	  {ESC_GRACE_OVER, 0, 0},
	  {ESC_SIGNAL, SIGHUP, 0},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM | ESC_ACT_REAP}},
	 5,
	 ESC_EXITED,
	 ESC_BY_SIGNAL,
	 SIGINT},
	{"signal, killed, not yet exited",
	 {{ESC_SIGNAL, SIGTERM, BEGIN}, {ESC_GRACE_OVER, 0, ESC_ACT_KILL}, {ESC_DEADLINE, 0, 0}},
	 3,
	 ESC_KILLED,
	 ESC_BY_SIGNAL,
	 SIGTERM},
	{"exit first, then late deadline, grace, stall and signal",
	 {{ESC_CHILD_EXIT, 0, ESC_ACT_DISARM},
	  {ESC_DEADLINE, 0, 0},
	  {ESC_GRACE_OVER, 0, 0},
	  {ESC_STALL, 0, 0},
	  {ESC_SIGNAL, SIGINT, 0}},
	 5,
	 ESC_EXITED,
	 ESC_NONE,
	 0},
	{"deadline and stall while stopping",
	 {{ESC_STALL, 0, BEGIN}, {ESC_DEADLINE, 0, 0}, {ESC_STALL, 0, 0}},
	 3,
	 ESC_STOPPING,
	 ESC_BY_STALL,
	 0},
	{"deadline while stopping for a signal keeps the signal",
	 {{ESC_SIGNAL, SIGHUP, BEGIN}, {ESC_DEADLINE, 0, 0}},
	 2,
	 ESC_STOPPING,
	 ESC_BY_SIGNAL,
	 SIGHUP},
	{"a grace timer without a stop does nothing",
	 {{ESC_GRACE_OVER, 0, 0}, {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM}},
	 2,
	 ESC_EXITED,
	 ESC_NONE,
	 0},
	{"normal exit", {{ESC_CHILD_EXIT, 0, ESC_ACT_DISARM}}, 1, ESC_EXITED, ESC_NONE, 0},
};

static void test_sequences(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct escalation e = {ESC_RUNNING, ESC_NONE, 0};
		char row[160];

		for (size_t k = 0; k < cases[i].n; k++) {
			const struct step *s = &cases[i].steps[k];

			snprintf(row, sizeof(row), "%s, step %zu", cases[i].name, k + 1);
			check_int(row, esc_step(&e, s->ev, s->signum), s->want);
		}
		check_int(cases[i].name, e.state, cases[i].state);
		check_int(cases[i].name, e.reason, cases[i].reason);
		check_int(cases[i].name, e.signum, cases[i].signum);
	}
}

static void test_reason_ids(void **state)
{
	(void)state;
	assert_string_equal(esc_reason_id(ESC_NONE), "none");
	assert_string_equal(esc_reason_id(ESC_BY_DEADLINE), "deadline");
	assert_string_equal(esc_reason_id(ESC_BY_STALL), "stall");
	assert_string_equal(esc_reason_id(ESC_BY_SIGNAL), "signal");
	assert_string_equal(esc_reason_id((enum esc_reason)42), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_reason_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
