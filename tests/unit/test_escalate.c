/*
 * Unit tests of escalate: sequences of events into the actions of every
 * step, then the final state, reason and signal.
 */
#include "unit.h"

#include <signal.h>

#include "escalate.h"

#define BEGIN                                                                                      \
	(ESC_ACT_SNAPSHOT | ESC_ACT_FREEZE | ESC_ACT_TERM | ESC_ACT_ARM_GRACE | ESC_ACT_DISARM)
#define REFUSE	  (ESC_ACT_REFUSE | ESC_ACT_ARM_GRACE | ESC_ACT_DISARM)
#define STOP	  (ESC_ACT_FREEZE | ESC_ACT_TERM | ESC_ACT_ARM_GRACE | ESC_ACT_DISARM)
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
	int committed, deferred;
} cases[] = {
	{"deadline, grace over, exit",
	 {{ESC_DEADLINE, 0, BEGIN},
	  {ESC_GRACE_OVER, 0, ESC_ACT_KILL},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM | ESC_ACT_REAP}},
	 3,
	 ESC_EXITED,
	 ESC_BY_DEADLINE,
	 0,
	 0,
	 0},
	{"stall, exit before the grace period ends",
	 {{ESC_STALL, 0, BEGIN},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM | ESC_ACT_REAP},
	  {ESC_GRACE_OVER, 0, 0}},
	 3,
	 ESC_EXITED,
	 ESC_BY_STALL,
	 0,
	 0,
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
	 SIGINT,
	 0,
	 0},
	{"signal, killed, not yet exited",
	 {{ESC_SIGNAL, SIGTERM, BEGIN}, {ESC_GRACE_OVER, 0, ESC_ACT_KILL}, {ESC_DEADLINE, 0, 0}},
	 3,
	 ESC_KILLED,
	 ESC_BY_SIGNAL,
	 SIGTERM,
	 0,
	 0},
	{"exit first, then late deadline, grace, stall and signal",
	 {{ESC_CHILD_EXIT, 0, ESC_ACT_DISARM},
	  {ESC_DEADLINE, 0, 0},
	  {ESC_GRACE_OVER, 0, 0},
	  {ESC_STALL, 0, 0},
	  {ESC_SIGNAL, SIGINT, 0}},
	 5,
	 ESC_EXITED,
	 ESC_NONE,
	 0,
	 0,
	 0},
	{"deadline and stall while stopping",
	 {{ESC_STALL, 0, BEGIN}, {ESC_DEADLINE, 0, 0}, {ESC_STALL, 0, 0}},
	 3,
	 ESC_STOPPING,
	 ESC_BY_STALL,
	 0,
	 0,
	 0},
	{"deadline while stopping for a signal keeps the signal",
	 {{ESC_SIGNAL, SIGHUP, BEGIN}, {ESC_DEADLINE, 0, 0}},
	 2,
	 ESC_STOPPING,
	 ESC_BY_SIGNAL,
	 SIGHUP,
	 0,
	 0},
	{"a grace timer without a stop does nothing",
	 {{ESC_GRACE_OVER, 0, 0}, {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM}},
	 2,
	 ESC_EXITED,
	 ESC_NONE,
	 0,
	 0,
	 0},
	{"normal exit", {{ESC_CHILD_EXIT, 0, ESC_ACT_DISARM}}, 1, ESC_EXITED, ESC_NONE, 0, 0, 0},
	/* The point of no return: criu asks through its post-dump hook. */
	{"hook, work done: committed, later signals deferred and never acted on",
	 {{ESC_HOOK, 0, ESC_ACT_WORK},
	  {ESC_WORK_OK, 0, ESC_ACT_ALLOW},
	  {ESC_SIGNAL, SIGTERM, 0},
	  {ESC_SIGNAL, SIGINT, 0},
	  {ESC_GRACE_OVER, 0, 0},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM}},
	 6,
	 ESC_EXITED,
	 ESC_NONE,
	 0,
	 1,
	 SIGTERM},
	{"signal while deciding: criu is refused and ends by itself; the late work is ignored",
	 {{ESC_HOOK, 0, ESC_ACT_WORK},
	  {ESC_SIGNAL, SIGINT, ESC_ACT_SNAPSHOT | REFUSE},
	  {ESC_WORK_OK, 0, 0},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM | ESC_ACT_REAP}},
	 4,
	 ESC_EXITED,
	 ESC_BY_SIGNAL,
	 SIGINT,
	 0,
	 0},
	{"deadline while deciding, criu does not end: refused, then stopped, then killed",
	 {{ESC_HOOK, 0, ESC_ACT_WORK},
	  {ESC_DEADLINE, 0, ESC_ACT_SNAPSHOT | REFUSE},
	  {ESC_GRACE_OVER, 0, STOP},
	  {ESC_GRACE_OVER, 0, ESC_ACT_KILL},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM | ESC_ACT_REAP}},
	 5,
	 ESC_EXITED,
	 ESC_BY_DEADLINE,
	 0,
	 0,
	 0},
	{"stall while deciding: refused",
	 {{ESC_HOOK, 0, ESC_ACT_WORK}, {ESC_STALL, 0, ESC_ACT_SNAPSHOT | REFUSE}},
	 2,
	 ESC_REFUSING,
	 ESC_BY_STALL,
	 0,
	 0,
	 0},
	{"work failed: refused; the user insists twice: stopped, then killed",
	 {{ESC_HOOK, 0, ESC_ACT_WORK},
	  {ESC_WORK_FAILED, 0, REFUSE},
	  {ESC_SIGNAL, SIGTERM, STOP},
	  {ESC_SIGNAL, SIGTERM, ESC_ACT_KILL}},
	 4,
	 ESC_KILLED,
	 ESC_BY_WORK,
	 0,
	 0,
	 0},
	{"committed, then the deadline: the full stop, and the commit stands",
	 {{ESC_HOOK, 0, ESC_ACT_WORK},
	  {ESC_WORK_OK, 0, ESC_ACT_ALLOW},
	  {ESC_DEADLINE, 0, BEGIN},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM | ESC_ACT_REAP}},
	 4,
	 ESC_EXITED,
	 ESC_BY_DEADLINE,
	 0,
	 1,
	 0},
	{"a second hook while deciding is refused, one after the commit allowed",
	 {{ESC_HOOK, 0, ESC_ACT_WORK},
	  {ESC_HOOK, 0, ESC_ACT_REFUSE},
	  {ESC_WORK_OK, 0, ESC_ACT_ALLOW},
	  {ESC_HOOK, 0, ESC_ACT_ALLOW}},
	 4,
	 ESC_COMMITTED,
	 ESC_NONE,
	 0,
	 1,
	 0},
	{"a hook while stopping, killed or exited is refused",
	 {{ESC_SIGNAL, SIGHUP, BEGIN},
	  {ESC_HOOK, 0, ESC_ACT_REFUSE},
	  {ESC_SIGNAL, SIGHUP, ESC_ACT_KILL},
	  {ESC_HOOK, 0, ESC_ACT_REFUSE},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM | ESC_ACT_REAP},
	  {ESC_HOOK, 0, ESC_ACT_REFUSE}},
	 6,
	 ESC_EXITED,
	 ESC_BY_SIGNAL,
	 SIGHUP,
	 0,
	 0},
	{"work results without a hook do nothing",
	 {{ESC_WORK_OK, 0, 0}, {ESC_WORK_FAILED, 0, 0}},
	 2,
	 ESC_RUNNING,
	 ESC_NONE,
	 0,
	 0,
	 0},
};

/* Feed the steps to e, checking the actions of each. */
static void play(const char *name, struct escalation *e, const struct step *steps, size_t n)
{
	char row[160];

	for (size_t k = 0; k < n; k++) {
		snprintf(row, sizeof(row), "%s, step %zu", name, k + 1);
		check_int(row, esc_step(e, steps[k].ev, steps[k].signum), steps[k].want);
	}
}

static void test_sequences(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct escalation e = {.state = ESC_RUNNING};

		play(cases[i].name, &e, cases[i].steps, cases[i].n);
		check_int(cases[i].name, e.state, cases[i].state);
		check_int(cases[i].name, e.reason, cases[i].reason);
		check_int(cases[i].name, e.signum, cases[i].signum);
		check_int(cases[i].name, e.committed, cases[i].committed);
		check_int(cases[i].name, e.deferred, cases[i].deferred);
	}
}

/* A run that asks at its point of no return (soft): a signal lets criu run
 * on to its question, where it is told no. */
static const struct {
	const char *name;
	struct step steps[MAX_STEPS];
	size_t n;
	enum esc_state state;
	int hard;
} soft_cases[] = {
	{"signal, then a stall: the hard stop",
	 {{ESC_SIGNAL, SIGINT, ESC_ACT_SNAPSHOT},
	  {ESC_STALL, 0, STOP},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM | ESC_ACT_REAP}},
	 3,
	 ESC_EXITED,
	 1},
	{"signal, criu asks, is refused and ends",
	 {{ESC_SIGNAL, SIGTERM, ESC_ACT_SNAPSHOT},
	  {ESC_HOOK, 0, REFUSE},
	  {ESC_WORK_OK, 0, 0},
	  {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM | ESC_ACT_REAP}},
	 4,
	 ESC_EXITED,
	 0},
	{"signal, then a second one: the hard stop, then SIGKILL",
	 {{ESC_SIGNAL, SIGINT, ESC_ACT_SNAPSHOT},
	  {ESC_SIGNAL, SIGINT, STOP},
	  {ESC_SIGNAL, SIGINT, ESC_ACT_KILL}},
	 3,
	 ESC_KILLED,
	 1},
	{"signal, then the deadline: the hard stop",
	 {{ESC_SIGNAL, SIGHUP, ESC_ACT_SNAPSHOT}, {ESC_DEADLINE, 0, STOP}},
	 2,
	 ESC_STOPPING,
	 1},
	{"signal, criu ends by itself before it asks",
	 {{ESC_SIGNAL, SIGHUP, ESC_ACT_SNAPSHOT}, {ESC_CHILD_EXIT, 0, ESC_ACT_DISARM}},
	 2,
	 ESC_EXITED,
	 0},
	{"the deadline is a hard stop in a soft run too",
	 {{ESC_DEADLINE, 0, BEGIN}, {ESC_HOOK, 0, ESC_ACT_REFUSE}},
	 2,
	 ESC_STOPPING,
	 1},
};

static void test_soft(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(soft_cases) / sizeof(soft_cases[0]); i++) {
		struct escalation e = {.soft = 1, .state = ESC_RUNNING};

		play(soft_cases[i].name, &e, soft_cases[i].steps, soft_cases[i].n);
		check_int(soft_cases[i].name, e.state, soft_cases[i].state);
		check_int(soft_cases[i].name, e.hard, soft_cases[i].hard);
		check_int(soft_cases[i].name, e.committed, 0);
	}
}

static void test_reason_ids(void **state)
{
	(void)state;
	assert_string_equal(esc_reason_id(ESC_NONE), "none");
	assert_string_equal(esc_reason_id(ESC_BY_DEADLINE), "deadline");
	assert_string_equal(esc_reason_id(ESC_BY_STALL), "stall");
	assert_string_equal(esc_reason_id(ESC_BY_SIGNAL), "signal");
	assert_string_equal(esc_reason_id(ESC_BY_WORK), "commit-failed");
	assert_string_equal(esc_reason_id((enum esc_reason)42), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_soft),
		cmocka_unit_test(test_reason_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
