/*
 * Unit tests of verdict: real CRIU failure logs (tests/fixtures) and a few
 * synthetic ones are classified into the expected verdict, with the
 * deciding line first in the evidence.
 */
#include "unit.h"

#include <signal.h>

#include "verdict.h"

#define EXITED(status)                                                                             \
	{                                                                                          \
		.exited = 1, .exit_status = (status)                                               \
	}
#define KILLED(sig)                                                                                \
	{                                                                                          \
		.exited = 0, .exit_status = 0, .term_signal = (sig)                                \
	}

static const struct {
	const char *file; /* under tests/fixtures, or NULL for an empty log */
	struct criu_end end;
	const char *id;
	const char *evidence[8]; /* the first lines of the evidence, in order */
} fixture_cases[] = {
	{"criu-4.2.1/dump-session-leader.log",
	 EXITED(1),
	 "session-leader-outside-pidns",
	 {"A session leader of 14(14) is outside of its pid namespace", NULL}},
	/* A log's signature wins over the signal that ended criu. */
	{"criu-4.2.1/dump-session-leader.log",
	 KILLED(SIGKILL),
	 "session-leader-outside-pidns",
	 {"A session leader of 14(14) is outside of its pid namespace", NULL}},
	{"criu-4.2.1/dump-tcp-no-established.log",
	 EXITED(1),
	 "tcp-established-needed",
	 {"inet: Connected TCP socket, consider using --tcp-established option.",
	  "Dump files (pid: 14) failed with -1", NULL}},
	{"criu-4.2.1/restore-pid-in-use.log",
	 EXITED(1),
	 "pid-in-use",
	 {"Can't fork for 14: File exists", NULL}},
	{"criu-4.2.1/dump-tcp-iptables.log",
	 EXITED(1),
	 "tcp-lock-failed",
	 {"Iptables configuration failed", "exited, status=127",
	  "tcp: Failed to lock TCP connection 5387", "Dump files (pid: 14) failed with -1", NULL}},
	/* Each further real failure (tests/fixtures/capture reproduces them). */
	{"criu-4.2.1/dump-ext-unix-sk.log",
	 EXITED(1),
	 "ext-unix-sk-needed",
	 {"unix: External socket is used. Consider using --ext-unix-sk option.", NULL}},
	{"criu-4.2.1/dump-file-locks.log",
	 EXITED(1),
	 "file-locks-needed",
	 {"Some file locks are hold by dumping tasks! You can try --file-locks to dump them.",
	  NULL}},
	{"criu-4.2.1/dump-shell-job.log",
	 EXITED(1),
	 "shell-job-needed",
	 {"The root process 17 is not a session leader. Consider using --shell-job option", NULL}},
	{"criu-4.2.1/dump-shell-job-pty.log",
	 EXITED(1),
	 "shell-job-needed",
	 {"tty: Found dangling tty with sid 14 pgid 17 (pts) on peer fd 0.", NULL}},
	/* The root was gone: its seize failed, but no tracer is to blame. */
	{"criu-4.2.1/dump-task-exited.log",
	 EXITED(1),
	 "task-exited",
	 {"Unable to interrupt task: 14 (No such process)",
	  "Unable to detach from 14: No such process", NULL}},
	{"criu-4.2.1/dump-traced.log",
	 EXITED(1),
	 "task-traced",
	 {"Unable to interrupt task: 14 (Operation not permitted)", NULL}},
	{"criu-4.2.1/dump-criu-traced.log",
	 EXITED(1),
	 "ptrace-not-permitted",
	 {"ptrace(PTRACE_TRACEME): Operation not permitted",
	  "Child didn't stop as expected: status=100", NULL}},
	{"criu-4.2.1/dump-no-space.log",
	 EXITED(1),
	 "no-space",
	 {"page-xfer: Unable to spice data: No space left on device", NULL}},
	{"criu-4.2.1/dump-rlimit-uid.log",
	 EXITED(1),
	 "rlimit-not-permitted",
	 {"Can't get rlimit 0: Operation not permitted", NULL}},
	{"criu-4.2.1/predump-no-dirty-track.log",
	 KILLED(SIGABRT),
	 "mem-tracking-unsupported",
	 {"BUG at criu/mem.c:46", NULL}},
	{"criu-4.2.1/dump-no-root-mount.log",
	 EXITED(1),
	 "external-mount",
	 {"mnt: 56:./etc/hosts doesn't have a proper root mount", NULL}},
	{"criu-4.2.1/dump-external-mount-fd.log",
	 EXITED(1),
	 "external-fd",
	 {"Can't lookup mount=66 for fd=0 path=/dev/null", NULL}},
	{"criu-4.2.1/restore-no-mapping.log",
	 EXITED(1),
	 "external-mount-unmapped",
	 {"mnt: No mapping for 56:(null) mountpoint", NULL}},
	{"criu-3.17/dump-vdso.log",
	 EXITED(1),
	 "criu-too-old-for-kernel",
	 {"vdso: Unexpected rt vDSO area bounds", NULL}},
	/* The D-state task causes the collection timeout logged before it. */
	{"criu-4.2.1/dump-vfork-dstate.log",
	 EXITED(1),
	 "task-uninterruptible",
	 {"Unseizable non-zombie 15 found, state D, err -1/4",
	  "Timeout reached. Try to interrupt: 0", "Unable to detach from 15: No such process",
	  NULL}},
	/* No D-state task: criu's alarm fired while it seized a big tree. */
	{"criu-4.2.1/dump-collect-timeout.log",
	 EXITED(1),
	 "collect-timeout",
	 {"Timeout reached. Try to interrupt: 0", NULL}},
	/* A BUG wins over the collection timeouts logged before it. */
	{"criu-4.2.1/dump-bug.log",
	 KILLED(SIGABRT),
	 "criu-bug",
	 {"BUG at criu/cr-dump.c:1662", NULL}},
	{"criu-4.2.1/dump-fault-detach.log",
	 KILLED(SIGKILL),
	 "criu-killed",
	 {"criu was killed by signal 9 (Killed)", "pie: 14: Daemon waits for command", NULL}},
	{"criu-4.2.1/dump-fault-detach.log",
	 EXITED(1),
	 "criu-failed",
	 {"pie: 14: Daemon waits for command", NULL}},
	{"criu-3.17/check-vdso.log",
	 EXITED(1),
	 "criu-too-old-for-kernel",
	 {"vdso: Unexpected rt vDSO area bounds", "exited, status=1",
	  "vdso: Failed to fill self vdso symtable", NULL}},
	/* Harmless probe errors never decide a verdict. */
	{"criu-4.2.1/dump-ok.log", EXITED(1), "criu-failed", {NULL}},
	{NULL, EXITED(1), "criu-failed", {NULL}},
	{NULL, KILLED(SIGKILL), "criu-killed", {"criu was killed by signal 9 (Killed)", NULL}},
	{NULL, KILLED(SIGTERM), "criu-killed", {"criu was killed by signal 15 (Terminated)", NULL}},
	/* A fatal signal of criu's own without a BUG() line: a crash, not a kill. */
	{NULL, KILLED(SIGABRT), "criu-crashed", {"criu was killed by signal 6 (Aborted)", NULL}},
	{NULL,
	 KILLED(SIGSEGV),
	 "criu-crashed",
	 {"criu was killed by signal 11 (Segmentation fault)", NULL}},
};

static void check_evidence(const char *row, const struct verdict *v, const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++)
		check_str(row, n < v->evidence.n ? v->evidence.v[n] : NULL, want[n]);
	for (size_t i = 0; i < v->evidence.n; i++)
		for (size_t k = i + 1; k < v->evidence.n; k++)
			if (strcmp(v->evidence.v[i], v->evidence.v[k]) == 0)
				fail_msg("%s: evidence \"%s\" twice", row, v->evidence.v[i]);
	if (v->evidence.n && v->evidence.v[v->evidence.n] != NULL)
		fail_msg("%s: evidence not NULL-terminated", row);
}

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixture_cases) / sizeof(fixture_cases[0]); i++) {
		const char *row = fixture_cases[i].file ? fixture_cases[i].file : "(empty log)";
		struct verdict v;
		size_t len = 0;
		char *log = fixture_cases[i].file ? fixture_read(fixture_cases[i].file, &len)
						  : calloc(1, 1);

		assert_non_null(log);
		check_int(row, verdict_classify(log, len, &fixture_cases[i].end, &v), 0);
		check_str(row, v.id, fixture_cases[i].id);
		if (!v.title || !v.title[0] || !v.remedy || !v.remedy[0])
			fail_msg("%s: verdict %s has no title or remedy", row, v.id);
		check_evidence(row, &v, fixture_cases[i].evidence);
		if (!fixture_cases[i].file && fixture_cases[i].end.exited)
			check_int(row, v.evidence.n, 0);
		verdict_free(&v);
		free(log);
	}
}

/*
 * Synthetic logs: one line carrying the pattern of each signature the
 * fixtures do not cover, and the rules of the table's order.
 */
static const struct {
	const char *log;
	struct criu_end end;
	const char *id;
} synthetic_cases[] = {
	{"(10.0) Error (criu/cr-dump.c:1655): Timeout reached. Try to interrupt: 0\n", EXITED(1),
	 "collect-timeout"},
	{"(0.1) Error (criu/kerndat.c:1): Can't get 1:16 opt\n", EXITED(1),
	 "criu-too-old-for-kernel"},
	{"(0.1) Error (criu/mount.c:1): mnt: Can't lookup mount=42 for fd=3 path=/x\n", EXITED(1),
	 "external-fd"},
	{"(0.1) Error (criu/sk-unix.c:1): unix: Connected socket: consider --ext-unix-sk\n",
	 EXITED(1), "ext-unix-sk-needed"},
	{"(0.1) Error (criu/file-lock.c:1): Some file locks are hold, use --file-locks\n",
	 EXITED(1), "file-locks-needed"},
	{"(0.1) Error (criu/tty.c:1): tty: Found dangling tty, use --shell-job\n", EXITED(1),
	 "shell-job-needed"},
	{"(0.1) Error (criu/proc_parse.c:1): Can't get rlimit: Operation not permitted\n",
	 EXITED(1), "rlimit-not-permitted"},
	{"(0.1) Error (criu/image.c:1): Can't write: No space left on device\n", EXITED(1),
	 "no-space"},
	{"(0.1) Error (criu/pstree.c:1): BUG at criu/pstree.c:1\n", KILLED(SIGABRT), "criu-bug"},
	{"(0.1)      1: Error (criu/cr-restore.c:1): Can't fork for 7: File exists\n", EXITED(1),
	 "pid-in-use"},
	/* An earlier line of a later signature loses to a later line of an earlier one. */
	{"Error (a.c:1): Can't fork for 7: File exists\nError (b.c:2): A session leader of 1(1) is "
	 "outside of its pid namespace\n",
	 EXITED(1), "session-leader-outside-pidns"},
	/* A task caught running when criu's alarm fired is no D-state task. */
	{"Error (criu/seize.c:1): Unseizable non-zombie 15 found, state R, err -1/4\n"
	 "Error (criu/cr-dump.c:1655): Timeout reached. Try to interrupt: 0\n",
	 EXITED(1), "collect-timeout"},
	/* A harmless probe never matches, even if it mentions a signature. */
	{"Error (criu/tun.c:85): tun: Unable to create tun: No space left on device\n", EXITED(1),
	 "criu-failed"},
};

static void test_synthetic(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(synthetic_cases) / sizeof(synthetic_cases[0]); i++) {
		const char *row = synthetic_cases[i].log;
		struct verdict v;

		check_int(row, verdict_classify(row, strlen(row), &synthetic_cases[i].end, &v), 0);
		check_str(row, v.id, synthetic_cases[i].id);
		check_evidence(row, &v, (const char *const[]){NULL});
		verdict_free(&v);
	}
}

/* Every decisive line is evidence, once, even when the log repeats it. */
static void test_evidence_deduplicated(void **state)
{
	static const char log[] = "Error (a.c:1): Can't fork for 7: File exists\n"
				  "Error (b.c:1): same\n"
				  "Error (b.c:1): same\n"
				  "Error (c.c:1): Restoring FAILED.\n";
	const struct criu_end end = EXITED(1);
	struct verdict v;

	(void)state;
	assert_int_equal(verdict_classify(log, strlen(log), &end, &v), 0);
	assert_string_equal(v.id, "pid-in-use");
	assert_int_equal(v.evidence.n, 2);
	assert_string_equal(v.evidence.v[0], "Can't fork for 7: File exists");
	assert_string_equal(v.evidence.v[1], "same");
	verdict_free(&v);
}

/* A file of the repository, read as a fixture is (relative to
 * tests/fixtures); NULL when it cannot be read. */
static char *repo_read(const char *rel, size_t *len)
{
	const char *dir = getenv("CRIUCTL_FIXTURES");
	char path[512];
	char *text = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/../../%s", dir && *dir ? dir : "tests/fixtures", rel);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	text = calloc(1, 1 << 20);
	*len = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	return text;
}

static int lower_dash(const char *id)
{
	return id[0] && strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(id);
}

/* A row's fixture is real: a log row's log is classified as that row; any
 * other fixture (a log, a /proc snapshot) is there. */
static void check_fixture(const struct verdict_row *row)
{
	const struct criu_end end = EXITED(1);
	size_t len;
	char *text;
	struct verdict v;

	if (!row->fixture) {
		if (row->from & VFROM_LOG)
			fail_msg("%s: a log row without a real log under tests/fixtures", row->id);
		return;
	}
	if (!(row->from & VFROM_LOG)) {
		char rel[256];

		snprintf(rel, sizeof(rel), "tests/fixtures/%s%s", row->fixture,
			 strstr(row->fixture, ".log") ? "" : "/pids.txt");
		text = repo_read(rel, &len);
		if (!text)
			fail_msg("%s: fixture %s is missing", row->id, row->fixture);
		free(text);
		return;
	}
	text = fixture_read(row->fixture, &len);
	check_int(row->id, verdict_classify(text, len, &end, &v), 0);
	check_str(row->fixture, v.id, row->id);
	verdict_free(&v);
	free(text);
}

/* The registry: one row per verdict, every id once and well formed, every
 * row's words, exit status and sources consistent, and each shown by real
 * material (a captured log or /proc snapshot) or a test with a real run. */
static void test_registry(void **state)
{
	(void)state;
	for (size_t k = 0; k < V_COUNT; k++) {
		const struct verdict_row *row = verdict_row(k);
		int log_row = k < VERDICT_LOG_ROWS;

		assert_non_null(row);
		assert_non_null(row->id);
		if (!lower_dash(row->id))
			fail_msg("id \"%s\" is not a lowercase-dash id", row->id);
		if (verdict_find(row->id) != k)
			fail_msg("id \"%s\" is in the registry twice", row->id);
		if (!row->title || !row->title[0] || !row->remedy || !row->remedy[0])
			fail_msg("%s: no title or remedy", row->id);
		if (!row->from)
			fail_msg("%s: nothing decides it", row->id);
		if (log_row != !!(row->from & VFROM_LOG) || log_row != (row->log[0] != NULL))
			fail_msg("%s: log signatures only in the ranked log rows", row->id);
		if ((row->exit_code == VERDICT_EXIT_SIGNAL) != (k == V_INTERRUPTED) ||
		    (row->exit_code == VERDICT_EXIT_NONE) != (row->from == VFROM_STORE) ||
		    (row->exit_code >= 0 && (row->exit_code < 1 || row->exit_code > 6)))
			fail_msg("%s: exit status %d", row->id, row->exit_code);
		if (!row->fixture && !row->shown_by)
			fail_msg("%s: neither real material nor a test shows it", row->id);
		check_fixture(row);
		if (row->shown_by) {
			size_t len;
			char *text = repo_read(row->shown_by, &len);

			if (!text || !strstr(text, row->id))
				fail_msg("%s: %s does not show it", row->id, row->shown_by);
			free(text);
		}
	}
	assert_null(verdict_row(V_COUNT));
	assert_int_equal(verdict_find("no-such-verdict"), V_COUNT);
}

/* The pid of a pid-in-use verdict, from a real log and from odd lines. */
static void test_pid(void **state)
{
	static const struct {
		const char *log;
		int pid;
	} cases[] = {
		{"Error (a.c:1): Can't fork for 4194304: File exists\n", 4194304},
		{"Error (a.c:1): Can't fork for 0: File exists\n", 0},
		{"Error (a.c:1): Can't fork for 99999999999: File exists\n", 0},
		{"Error (a.c:1): Can't fork for 12x: File exists\n", 0},
		{"Error (b.c:2): A session leader of 7(7) is outside of its pid namespace\n", 0},
	};
	const struct criu_end end = EXITED(1);
	size_t len;
	char *log = fixture_read("criu-4.2.1/restore-pid-in-use.log", &len);
	struct verdict v;

	(void)state;
	assert_non_null(log);
	assert_int_equal(verdict_classify(log, len, &end, &v), 0);
	assert_int_equal(verdict_pid(&v), 14);
	verdict_free(&v);
	free(log);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(verdict_classify(cases[i].log, strlen(cases[i].log), &end, &v), 0);
		check_int(cases[i].log, verdict_pid(&v), cases[i].pid);
		verdict_free(&v);
	}
}

/* The words of a run's verdict: pid-in-use names the pid of its evidence;
 * every other verdict, or one without a pid, keeps the row's title. */
static void test_words(void **state)
{
	static const struct {
		const char *log;
		struct criu_end end;
		const char *title; /* NULL: the row's */
	} cases[] = {
		{"(0.1)      1: Error (criu/cr-restore.c:1237): Can't fork for 14: File exists\n"
		 "(0.1) Error (criu/cr-restore.c:2331): Restoring FAILED.\n",
		 EXITED(1), "Pid 14, which the checkpoint needs, is already in use."},
		{"Error (a.c:1): Can't fork for 4194304: File exists\n", EXITED(1),
		 "Pid 4194304, which the checkpoint needs, is already in use."},
		{"Error (a.c:1): Can't fork for 12x: File exists\n", EXITED(1), NULL},
		{"Error (b.c:2): A session leader of 7(7) is outside of its pid namespace\n",
		 EXITED(1), NULL},
		{"", KILLED(SIGKILL), NULL},
	};
	size_t len;
	char *log = fixture_read("criu-4.2.1/restore-pid-in-use.log", &len);
	const struct criu_end end = EXITED(1);
	struct verdict v;
	char title[160];

	(void)state;
	assert_non_null(log);
	assert_int_equal(verdict_classify(log, len, &end, &v), 0);
	verdict_words(&v, title, sizeof(title));
	assert_string_equal(v.title, "Pid 14, which the checkpoint needs, is already in use.");
	verdict_free(&v);
	free(log);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *row = cases[i].log;

		check_int(row, verdict_classify(row, strlen(row), &cases[i].end, &v), 0);
		strcpy(title, "untouched");
		verdict_words(&v, title, sizeof(title));
		check_str(row, v.title,
			  cases[i].title ? cases[i].title : verdict_row(v.kind)->title);
		if (!cases[i].title)
			check_str(row, title, "untouched");
		verdict_free(&v);
	}
	/* A small buffer cuts the words, never overflows. */
	assert_int_equal(verdict_classify(cases[0].log, strlen(cases[0].log), &end, &v), 0);
	verdict_words(&v, title, 8);
	assert_string_equal(v.title, "Pid 14,");
	verdict_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_evidence_deduplicated),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_pid),
		cmocka_unit_test(test_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
