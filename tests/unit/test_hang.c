/*
 * Unit tests of hang (the diagnosis) and of the /proc reads behind it
 * (proc_hang_task, proc_descendants, proc_same_task), on /proc files of a
 * real guest captured by tests/fixtures/proc/capture: $CRIUCTL_PROC_ROOT
 * points at tests/fixtures/proc/<moment>.
 *
 * hang/: criu (25) dumping the tree sh (6) -> sleep (7), vfork-hang (8)
 * -> its vfork child (10); criu seized 6, 7 and 8 and waits in wait4 for
 * 8, which sits in D state.  Also sleep 15 traced by strace 17, sleep 20
 * stopped, sleep 23 left alone, criu page-server 24 waiting in accept.
 * criu-stopped/: the same a moment later, criu 25 stopped by SIGSTOP.
 */
#include "unit.h"

#include "hang.h"
#include "proc.h"

#define C HANG_CRIU
#define K HANG_CRIU_CHILD
#define T HANG_TARGET

/* Point proc_root() at tests/fixtures/proc/<dir>. */
static void use_proc(const char *dir)
{
	const char *base = getenv("CRIUCTL_FIXTURES");
	char path[4096];

	snprintf(path, sizeof(path), "%s/proc/%s", base && *base ? base : "tests/fixtures", dir);
	assert_int_equal(setenv("CRIUCTL_PROC_ROOT", path, 1), 0);
	assert_string_equal(proc_root(), path);
}

struct ref {
	int pid; /* 0 ends the list */
	enum hang_role role;
};

static const struct {
	const char *name;
	const char *dir;
	struct ref tasks[8];
	enum phase phase;
	double idle;
	const char *id;
	int culprit;
	const char *summary[3]; /* substrings of the summary */
} diag_cases[] = {
	{"vfork parent in D state and its child",
	 "hang",
	 {{25, C}, {6, T}, {7, T}, {8, T}, {10, T}},
	 PHASE_COLLECTING,
	 9.5,
	 "task-uninterruptible",
	 8,
	 {"task 8 (vfork-hang) is in uninterruptible sleep (state D, kernel_clone)",
	  "a vfork parent waiting for its child 10 (vfork-hang, state S) to exec or exit"}},
	{"vfork parent whose child is not in the snapshot",
	 "hang",
	 {{25, C}, {8, T}},
	 PHASE_COLLECTING,
	 9.5,
	 "task-uninterruptible",
	 8,
	 {"task 8 (vfork-hang) is in uninterruptible sleep (state D, in kernel_clone, a vfork "
	  "parent), so CRIU cannot seize it"}},
	{"criu stopped wins over a D target",
	 "criu-stopped",
	 {{25, C}, {6, T}, {7, T}, {8, T}, {10, T}},
	 PHASE_COLLECTING,
	 9.5,
	 "criu-stopped",
	 25,
	 {"criu 25 (criu) is stopped (state T)"}},
	{"criu stopped wins over traced and stopped targets",
	 "criu-stopped",
	 {{25, C}, {15, T}, {20, T}},
	 PHASE_PARASITE,
	 1,
	 "criu-stopped",
	 25,
	 {"criu 25 (criu) is stopped"}},
	{"a stopped helper of criu",
	 "criu-stopped",
	 {{24, C}, {25, K}, {23, T}},
	 PHASE_MEMORY,
	 1,
	 "criu-stopped",
	 25,
	 {"criu's helper 25 (criu) is stopped (state T)"}},
	{"target traced by strace, which is outside the snapshot",
	 "hang",
	 {{25, C}, {15, T}},
	 PHASE_COLLECTING,
	 2,
	 "task-traced",
	 15,
	 {"task 15 (sleep) is traced by pid 17, not by criu"}},
	{"target traced by strace, which is in the tree",
	 "hang",
	 {{24, C}, {15, T}, {17, T}},
	 PHASE_COLLECTING,
	 2,
	 "task-traced",
	 15,
	 {"task 15 (sleep) is traced by pid 17 (strace), not by criu"}},
	{"a tracer that is not a known criu task is foreign",
	 "hang",
	 {{24, C}, {7, T}},
	 PHASE_COLLECTING,
	 2,
	 "task-traced",
	 7,
	 {"traced by pid 25, not by criu"}},
	{"targets traced by criu itself are not task-traced",
	 "hang",
	 {{25, C}, {6, T}, {7, T}},
	 PHASE_COLLECTING,
	 4,
	 "criu-blocked",
	 25,
	 {"criu 25 (criu) is blocked in do_wait, syscall wait4"}},
	{"criu blocked wins over a stopped target",
	 "hang",
	 {{25, C}, {20, T}},
	 PHASE_COLLECTING,
	 4,
	 "criu-blocked",
	 25,
	 {"blocked in do_wait"}},
	{"target stopped",
	 "hang",
	 {{24, C}, {23, T}, {20, T}},
	 PHASE_COLLECTING,
	 4,
	 "task-stopped",
	 20,
	 {"task 20 (sleep) is stopped (state T)"}},
	{"nothing special",
	 "hang",
	 {{24, C}, {23, T}},
	 PHASE_MEMORY,
	 12.5,
	 "stalled",
	 24,
	 {"criu made no progress for 12.5 s while dumping memory",
	  "(criu state S, in inet_csk_accept)"}},
	{"criu already gone",
	 "hang",
	 {{4242, C}, {23, T}},
	 PHASE_WRITING,
	 3,
	 "stalled",
	 4242,
	 {"criu made no progress for 3.0 s while writing images (criu state ?)"}},
	{"empty snapshot",
	 "hang",
	 {{0, C}},
	 PHASE_STARTING,
	 0.25,
	 "stalled",
	 0,
	 {"(criu state ?)"}},
};

static void check_diag(const char *row, const struct hang_diag *d, const char *id, int culprit,
		       const char *const *summary, size_t n_summary)
{
	check_str(row, verdict_row(d->kind)->id, id);
	check_int(row, d->culprit, culprit);
	if (!(verdict_row(d->kind)->from & VFROM_HANG))
		fail_msg("%s: %s is not a verdict of the hang report", row, id);
	for (size_t k = 0; k < n_summary && summary[k]; k++)
		if (!strstr(d->summary, summary[k]))
			fail_msg("%s: summary \"%s\" lacks \"%s\"", row, d->summary, summary[k]);
}

static void test_diagnose(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(diag_cases) / sizeof(diag_cases[0]); i++) {
		const char *row = diag_cases[i].name;
		struct hang_task tasks[8];
		struct hang_input in = {tasks, 0, diag_cases[i].phase, diag_cases[i].idle, 20};
		struct hang_diag d;

		use_proc(diag_cases[i].dir);
		for (const struct ref *r = diag_cases[i].tasks; r->pid; r++) {
			/* A pid missing from the fixture is a task that was gone. */
			int want = r->pid == 4242 ? -1 : 0;

			check_int(row, proc_hang_task(r->pid, r->role, &tasks[in.n++]), want);
		}
		hang_diagnose(&in, &d);
		check_diag(row, &d, diag_cases[i].id, diag_cases[i].culprit, diag_cases[i].summary,
			   3);
	}
}

/* What proc_hang_task reads from each file. */
static const struct {
	const char *dir;
	int pid;
	int ppid;
	const char *comm;
	char state;
	const char *wchan;
	long syscall;
	int tracer;
	const char *stack; /* a frame it must show */
} task_cases[] = {
	{"hang", 8, 6, "vfork-hang", 'D', "kernel_clone", 58, 25, "__do_sys_vfork+0x43/0x70"},
	{"hang", 10, 8, "vfork-hang", 'S', "__do_sys_pause", 34, 0, "__do_sys_pause"},
	{"hang", 6, 1, "sh", 't', "ptrace_stop", 130, 25, "ptrace_stop"},
	{"hang", 25, 2, "criu", 'S', "do_wait", 61, 0, "kernel_wait4"},
	{"hang", 15, 1, "sleep", 'S', "do_syscall_64", 219, 17, "do_syscall_64"},
	{"hang", 20, 1, "sleep", 'T', "do_signal_stop", 230, 0, "do_signal_stop"},
	{"hang", 24, 2, "criu", 'S', "inet_csk_accept", 43, 0, "__sys_accept4"},
	{"hang", 1, 0, "guest-sandbox", 'S', "do_wait", 61, 0, "do_wait"},
	{"criu-stopped", 25, 2, "criu", 'T', "do_signal_stop", 61, 0, "do_signal_stop"},
	/* wchan "0": the task was running. */
	{"criu-stopped", 2, 1, "bash", 'S', "", 61, 0, "do_wait"},
};

static void test_proc_hang_task(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(task_cases) / sizeof(task_cases[0]); i++) {
		char row[64];
		struct hang_task t;

		snprintf(row, sizeof(row), "%s/%d", task_cases[i].dir, task_cases[i].pid);
		use_proc(task_cases[i].dir);
		check_int(row, proc_hang_task(task_cases[i].pid, T, &t), 0);
		check_int(row, t.role, T);
		check_int(row, t.pid, task_cases[i].pid);
		check_int(row, t.ppid, task_cases[i].ppid);
		check_str(row, t.comm, task_cases[i].comm);
		check_int(row, t.state, task_cases[i].state);
		check_str(row, t.wchan, task_cases[i].wchan);
		check_int(row, t.syscall, task_cases[i].syscall);
		check_int(row, t.tracer_pid, task_cases[i].tracer);
		if (!strstr(t.stack, task_cases[i].stack) || strchr(t.stack, '\n'))
			fail_msg("%s: stack \"%s\" lacks \"%s\" or is not one line", row, t.stack,
				 task_cases[i].stack);
	}
}

static void test_proc_hang_task_gone(void **state)
{
	struct hang_task t;

	(void)state;
	use_proc("hang");
	assert_int_equal(proc_hang_task(4242, C, &t), -1);
	assert_int_equal(t.pid, 4242);
	assert_int_equal(t.role, C);
	assert_int_equal(t.state, '?');
	assert_int_equal(t.syscall, -2);
	assert_string_equal(t.wchan, "");
}

/*
 * The same tasks built by the pure parsers only, without /proc/PID/stack
 * (unreadable without CAP_SYS_ADMIN, absent without CONFIG_STACKTRACE):
 * the syscall number alone still shows the vfork parent.
 */
static void load_pure(const char *dir, int pid, enum hang_role role, struct hang_task *t)
{
	char rel[128];
	struct proc_stat st;
	size_t len;
	char *buf;

	memset(t, 0, sizeof(*t));
	t->role = role;
	snprintf(rel, sizeof(rel), "proc/%s/%d/stat", dir, pid);
	buf = fixture_read(rel, &len);
	check_int(rel, proc_parse_stat(buf, len, &st), 0);
	free(buf);
	t->pid = st.pid;
	t->ppid = st.ppid;
	t->state = st.state;
	snprintf(t->comm, sizeof(t->comm), "%s", st.comm);
	snprintf(rel, sizeof(rel), "proc/%s/%d/wchan", dir, pid);
	buf = fixture_read(rel, &len);
	snprintf(t->wchan, sizeof(t->wchan), "%s", strcmp(buf, "0") ? buf : "");
	free(buf);
	snprintf(rel, sizeof(rel), "proc/%s/%d/syscall", dir, pid);
	buf = fixture_read(rel, &len);
	t->syscall = proc_parse_syscall(buf, len);
	free(buf);
	snprintf(rel, sizeof(rel), "proc/%s/%d/status", dir, pid);
	buf = fixture_read(rel, &len);
	t->tracer_pid = proc_parse_tracer(buf, len);
	free(buf);
}

static void test_vfork_without_stack(void **state)
{
	static const struct ref refs[] = {{25, C}, {6, T}, {8, T}, {10, T}};
	struct hang_task tasks[4];
	struct hang_input in = {tasks, 4, PHASE_COLLECTING, 9.5, 10};
	struct hang_diag d;

	(void)state;
	use_proc("hang");
	for (size_t i = 0; i < in.n; i++) {
		struct hang_task shell;
		char row[32];

		snprintf(row, sizeof(row), "hang/%d", refs[i].pid);
		load_pure("hang", refs[i].pid, refs[i].role, &tasks[i]);
		/* The shell's reading agrees with the pure parsers'. */
		check_int(row, proc_hang_task(refs[i].pid, refs[i].role, &shell), 0);
		check_int(row, tasks[i].ppid, shell.ppid);
		check_int(row, tasks[i].state, shell.state);
		check_str(row, tasks[i].comm, shell.comm);
		check_str(row, tasks[i].wchan, shell.wchan);
		check_int(row, tasks[i].syscall, shell.syscall);
		check_int(row, tasks[i].tracer_pid, shell.tracer_pid);
		assert_string_equal(tasks[i].stack, "");
	}
	hang_diagnose(&in, &d);
	check_diag("vfork parent without a stack", &d, "task-uninterruptible", 8,
		   (const char *const[]){"a vfork parent waiting for its child 10"}, 1);
}

static const struct {
	long nr;
	const char *name; /* NULL: not in the table */
} syscall_cases[] = {
	{0, "read"},
	{1, "write"},
	{34, "pause"},
	{58, "vfork"},
	{61, "wait4"},
	{101, "ptrace"},
	{202, "futex"},
	{230, "clock_nanosleep"},
	{435, "clone3"},
	{-1, NULL},
	{-2, NULL},
	{100000, NULL},
	{548 /* unused */, NULL},
};

static void test_syscall_name(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(syscall_cases) / sizeof(syscall_cases[0]); i++) {
		char row[32];
		const char *got = hang_syscall_name(syscall_cases[i].nr);

		snprintf(row, sizeof(row), "syscall %ld", syscall_cases[i].nr);
		if (syscall_cases[i].name)
			check_str(row, got, syscall_cases[i].name);
		else if (got)
			fail_msg("%s: name \"%s\", want NULL", row, got);
	}
}

static const struct {
	int pid;
	int want[16]; /* in pid order; 0 ends */
} desc_cases[] = {
	{6, {7, 8, 10}},   {8, {10}},
	{2, {17, 24, 25}}, {1, {2, 6, 7, 8, 10, 15, 17, 20, 23, 24, 25}},
	{10, {0}},	   {4242, {0}},
};

static void test_descendants(void **state)
{
	(void)state;
	use_proc("hang");
	for (size_t i = 0; i < sizeof(desc_cases) / sizeof(desc_cases[0]); i++) {
		char row[32];
		int *pids = NULL;
		size_t n = 0, n_want = 0;

		snprintf(row, sizeof(row), "descendants of %d", desc_cases[i].pid);
		check_int(row, proc_descendants(desc_cases[i].pid, &pids, &n), 0);
		while (desc_cases[i].want[n_want])
			n_want++;
		check_int(row, n, n_want);
		for (size_t k = 0; k < n; k++)
			check_int(row, pids[k], desc_cases[i].want[k]);
		free(pids);
	}
}

static void test_same_task(void **state)
{
	struct proc_stat sh, criu, st;

	(void)state;
	use_proc("hang");
	assert_int_equal(proc_stat(6, &sh), 0);
	assert_int_equal(proc_stat(25, &criu), 0);
	assert_true(sh.starttime != criu.starttime);
	assert_int_equal(proc_same_task(6, sh.starttime, &st), 1);
	assert_int_equal(st.pid, 6);
	assert_string_equal(st.comm, "sh");
	assert_int_equal(st.ppid, 1);
	assert_int_equal(proc_same_task(6, 0, &st), 1);
	/* The same pid with another start time: a reused pid, not our task. */
	assert_int_equal(proc_same_task(6, criu.starttime, &st), 0);
	assert_int_equal(proc_same_task(6, sh.starttime + 1, &st), 0);
	assert_int_equal(proc_same_task(4242, 0, &st), 0);
	assert_int_equal(proc_same_task(4242, sh.starttime, &st), 0);
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("CRIUCTL_PROC_ROOT");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_diagnose, teardown),
		cmocka_unit_test_teardown(test_proc_hang_task, teardown),
		cmocka_unit_test_teardown(test_proc_hang_task_gone, teardown),
		cmocka_unit_test_teardown(test_vfork_without_stack, teardown),
		cmocka_unit_test(test_syscall_name),
		cmocka_unit_test_teardown(test_descendants, teardown),
		cmocka_unit_test_teardown(test_same_task, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
