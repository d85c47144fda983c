/*
 * Tests of supervisor, the libuv shell, against real child processes
 * (/bin/sh, sleep): how a child ended, its output, the log it writes
 * (lines, phase, stall), the deadline and the step-by-step stop, signals
 * to criuctl itself, and what the child inherits.  Each test takes well
 * under 2 s, also under valgrind.  No result depends on how fast the
 * machine is: a duration is only checked from below (a deadline was not
 * hit early); that something did not wait is shown by how the child ended.
 */
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "fsutil.h"
#include "interrupt.h"
#include "proc.h"
#include "supervisor.h"

#define LOG_NAME "criu.log"

/* argv for /bin/sh -c script, with $1 = arg (may be NULL). */
struct cmd {
	char *argv[6];
};

static char **sh(struct cmd *c, const char *script, const char *arg)
{
	c->argv[0] = (char *)"/bin/sh";
	c->argv[1] = (char *)"-c";
	c->argv[2] = (char *)script;
	c->argv[3] = (char *)"sh";
	c->argv[4] = (char *)arg;
	c->argv[5] = NULL;
	return c->argv;
}

/* What the callbacks saw. */
struct seen {
	int snapshots, ticks;
	int snap_alive;	  /* kill(pid, 0) == 0 at the snapshot */
	char snap_state;  /* the child's state then */
	int snap_pending; /* a signal was pending then */
	struct escalation snap_esc;
	uint64_t snap_lines;
	int sid, pgid; /* from /proc in on_tick */
	int raise_at;  /* on_tick raises SIGINT at these ticks (1-based) */
	int raise_again_at;
	int phases;	/* bit per phase seen by on_tick */
	int grandchild; /* the child's child, seen at the snapshot */
	int freezes;
	int snapshots_at_freeze;
	char freeze_state; /* the child's state in on_freeze */
	int freeze_pid;
	/* The pre-commit work, in the worker thread. */
	int work_calls;
	int work_rc;	   /* what it returns */
	int work_ms;	   /* how long it takes */
	int raise_in_work; /* it raises SIGINT first (a Ctrl-C while criu waits) */
};

static int work(void *arg)
{
	struct seen *s = arg;
	const struct timespec t = {s->work_ms / 1000, (long)(s->work_ms % 1000) * 1000000L};

	s->work_calls++;
	if (s->raise_in_work)
		kill(getpid(), SIGINT);
	nanosleep(&t, NULL);
	return s->work_rc;
}

/* 1 when /proc/PID/status shows a pending signal (thread or process). */
static int signal_pending(int pid)
{
	char path[64], *buf = NULL, *p;
	size_t len;
	int pending = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (fs_read_at(AT_FDCWD, path, 1 << 16, &buf, &len) < 0)
		return -1;
	for (const char *key = "SigPnd:"; key; key = strcmp(key, "SigPnd:") ? NULL : "ShdPnd:")
		if ((p = strstr(buf, key)) && strtoull(p + strlen(key), NULL, 16) != 0)
			pending = 1;
	free(buf);
	return pending;
}

static void on_snapshot(void *arg, const struct sup_status *st)
{
	struct seen *s = arg;
	struct proc_stat ps;
	int *kids = NULL;
	size_t n = 0;

	s->snapshots++;
	s->snap_alive = kill(st->pid, 0) == 0;
	s->snap_state = proc_stat(st->pid, &ps) == 0 ? ps.state : '?';
	s->snap_pending = signal_pending(st->pid);
	s->snap_esc = *st->esc;
	s->snap_lines = st->log_lines;
	s->freeze_pid = st->pid;
	if (proc_descendants(st->pid, &kids, &n) == 0 && n > 0)
		s->grandchild = kids[0];
	free(kids);
}

static void on_freeze(void *arg)
{
	struct seen *s = arg;
	struct proc_stat ps;

	s->freezes++;
	s->snapshots_at_freeze = s->snapshots;
	s->freeze_state = s->freeze_pid > 0 && proc_stat(s->freeze_pid, &ps) == 0 ? ps.state : '?';
}

static void on_tick(void *arg, const struct sup_status *st)
{
	struct seen *s = arg;
	struct proc_stat ps;

	s->ticks++;
	s->phases |= 1 << st->phase;
	if (proc_stat(st->pid, &ps) == 0) {
		s->sid = ps.sid;
		s->pgid = ps.pgid;
	}
	if (s->ticks == s->raise_at || s->ticks == s->raise_again_at)
		raise(SIGINT);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Run the spec to its end; checks that no fd leaked. */
static void run(struct sup_spec *spec, struct seen *s, struct sup_result *res)
{
	struct cc_err e;
	int fds = count_fds();

	memset(&e, 0, sizeof(e));
	spec->on_snapshot = on_snapshot;
	spec->on_freeze = on_freeze;
	spec->on_tick = on_tick;
	spec->arg = s;
	if (supervisor_run(spec, res, &e) != 0)
		fail_msg("supervisor_run: %s", e.msg);
	/* The hook's socket is the supervisor's to close. */
	assert_int_equal(count_fds(), fds - (spec->hook_fd > 2));
	assert_true(res->pid > 0);
	assert_true(res->duration > 0);
}

/* A private temp directory with an open fd; removed by rm_dir(). */
static int make_dir(char *path, size_t size)
{
	int fd;

	snprintf(path, size, "/tmp/criuctl-test-supervisor.XXXXXX");
	assert_non_null(mkdtemp(path));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd > 2);
	return fd;
}

static void rm_dir(const char *path, int fd)
{
	close(fd);
	assert_int_equal(fs_rmtree_at(AT_FDCWD, path), 0);
}

/* A listening socket hook.sock in the directory dirfd, as run_criu makes. */
static int hook_socket(int dirfd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int sk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(sk > 2);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/hook.sock", dirfd);
	assert_int_equal(bind(sk, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return sk;
}

static const struct {
	const char *script;
	int exited, status, term_signal;
	const char *output; /* what the captured output must contain */
} end_cases[] = {
	{"exit 3", 1, 3, 0, ""},
	{"exit 0", 1, 0, 0, ""},
	/* No core file in the working directory. */
	{"ulimit -c 0; kill -SEGV $$", 0, 0, SIGSEGV, ""},
	{"kill -KILL $$", 0, 0, SIGKILL, ""},
	{"echo to-stdout; echo to-stderr >&2; exit 1", 1, 1, 0, "to-stdout\n"},
	{"echo to-stdout; echo to-stderr >&2; exit 1", 1, 1, 0, "to-stderr\n"},
	/* A grandchild that holds the pipes does not hold the run. */
	{"sleep 1 & echo done", 1, 0, 0, "done\n"},
};

static void test_end(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(end_cases) / sizeof(end_cases[0]); i++) {
		const char *row = end_cases[i].script;
		struct cmd c;
		struct sup_spec spec = {.argv = sh(&c, row, NULL)};
		struct seen s = {0};
		struct sup_result res;

		run(&spec, &s, &res);
		check_int(row, res.end.exited, end_cases[i].exited);
		check_int(row, res.end.exit_status, end_cases[i].status);
		check_int(row, res.end.term_signal, end_cases[i].term_signal);
		check_int(row, res.esc.state, ESC_EXITED);
		check_int(row, res.esc.reason, ESC_NONE);
		check_int(row, s.snapshots, 0);
		check_int(row, s.freezes, 0);
		if (end_cases[i].output[0] &&
		    (!res.output || !strstr(res.output, end_cases[i].output)))
			fail_msg("%s: output \"%s\" lacks \"%s\"", row,
				 res.output ? res.output : "(null)", end_cases[i].output);
		if (res.output)
			check_int(row, strlen(res.output), res.output_len);
		sup_result_free(&res);
	}
}

/* More than output_max bytes: the rest is read and dropped, the child never blocks. */
static void test_output_max(void **state)
{
	static const struct {
		const char *script;
		size_t max, want;
	} cases[] = {
		{"head -c 200000 /dev/zero", 0, 64 * 1024},
		{"printf 0123456789abcdef; printf ghij >&2", 10, 10},
		{"printf 0123456789", 100, 10},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cmd c;
		struct sup_spec spec = {.argv = sh(&c, cases[i].script, NULL),
					.output_max = cases[i].max};
		struct seen s = {0};
		struct sup_result res;

		run(&spec, &s, &res);
		check_int(cases[i].script, res.end.exit_status, 0);
		check_int(cases[i].script, res.output_len, cases[i].want);
		if (cases[i].max == 100)
			check_str(cases[i].script, res.output, "0123456789");
		sup_result_free(&res);
	}
}

static void test_output_fd(void **state)
{
	char dir[64];
	int dfd = make_dir(dir, sizeof(dir));
	int fd = openat(dfd, "out", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	struct cmd c;
	struct sup_spec spec = {.argv = sh(&c, "echo to-stdout; echo to-stderr >&2", NULL),
				.output_fd = fd};
	struct seen s = {0};
	struct sup_result res;
	char *buf;
	size_t len;

	(void)state;
	assert_true(fd > 2);
	run(&spec, &s, &res);
	close(fd);
	assert_int_equal(res.end.exit_status, 0);
	assert_null(res.output);
	assert_int_equal(res.output_len, 0);
	assert_int_equal(fs_read_at(dfd, "out", 1 << 16, &buf, &len), 0);
	assert_string_equal(buf, "to-stdout\nto-stderr\n");
	free(buf);
	sup_result_free(&res);
	rm_dir(dir, dfd);
}

/* The deadline: snapshot first, while the child runs untouched; then SIGTERM. */
static void test_deadline(void **state)
{
	char *argv[] = {(char *)"sleep", (char *)"10", NULL};
	struct sup_spec spec = {.argv = argv, .timeout = 0.3, .grace = 1};
	struct seen s = {0};
	struct sup_result res;

	(void)state;
	run(&spec, &s, &res);
	assert_int_equal(res.esc.reason, ESC_BY_DEADLINE);
	assert_int_equal(res.esc.state, ESC_EXITED);
	assert_int_equal(s.snapshots, 1);
	assert_int_equal(s.snap_alive, 1);
	assert_int_equal(s.snap_state, 'S');
	assert_int_equal(s.snap_pending, 0);
	assert_int_equal(s.snap_esc.state, ESC_STOPPING);
	assert_int_equal(s.snap_esc.reason, ESC_BY_DEADLINE);
	/* Then criu is stopped, and only then does the caller tidy: criu can
	 * no longer act on the tree. */
	assert_int_equal(s.freezes, 1);
	assert_int_equal(s.snapshots_at_freeze, 1);
	assert_int_equal(s.freeze_state, 'T');
	/* SIGTERM (with SIGCONT) still ends it. */
	assert_int_equal(res.end.exited, 0);
	assert_int_equal(res.end.term_signal, SIGTERM);
	assert_true(res.duration >= 0.25);
	assert_true(res.idle_at_stop >= 0.25);
	sup_result_free(&res);
}

/* criu ends on SIGTERM but a helper of its process group lives on: the
 * helper is killed once criu has exited, not left behind. */
static void test_helpers_reaped(void **state)
{
	struct cmd c;
	struct sup_spec spec = {.argv = sh(&c, "sh -c 'trap \"\" TERM; sleep 10' & sleep 10", NULL),
				.timeout = 0.3,
				.grace = 5,
				.new_session = 1};
	struct seen s = {0};
	struct sup_result res;
	struct proc_stat ps;
	int gone = 0;

	(void)state;
	run(&spec, &s, &res);
	assert_int_equal(res.end.term_signal, SIGTERM);
	assert_true(s.grandchild > 0);
	for (int i = 0; i < 100 && !gone; i++) {
		gone = !proc_same_task(s.grandchild, 0, &ps) || ps.state == 'Z';
		if (!gone)
			usleep(10000);
	}
	assert_int_equal(gone, 1);
	sup_result_free(&res);
}

/* A child that ignores SIGTERM is killed when the grace period is over,
 * with its process group (its sleep ignores SIGTERM too). */
static void test_grace(void **state)
{
	struct cmd c;
	struct sup_spec spec = {.argv = sh(&c, "trap '' TERM; sleep 10; exit 0", NULL),
				.timeout = 0.3,
				.grace = 0.3,
				.new_session = 1};
	struct seen s = {0};
	struct sup_result res;
	struct proc_stat ps;
	int gone = 0;

	(void)state;
	run(&spec, &s, &res);
	assert_int_equal(res.esc.reason, ESC_BY_DEADLINE);
	assert_int_equal(s.snapshots, 1);
	assert_int_equal(res.end.exited, 0);
	assert_int_equal(res.end.term_signal, SIGKILL);
	assert_true(res.duration >= 0.5);
	/* The sleep died with the group (a zombie until its new parent reaps it). */
	assert_true(s.grandchild > 0);
	for (int i = 0; i < 100 && !gone; i++) {
		gone = !proc_same_task(s.grandchild, 0, &ps) || ps.state == 'Z' ||
		       strcmp(ps.comm, "sleep") != 0;
		if (!gone)
			usleep(10000);
	}
	assert_int_equal(gone, 1);
	sup_result_free(&res);
}

static void check_lines(const char *row, const struct strv *got, const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++)
		check_str(row, n < got->n ? got->v[n] : NULL, want[n]);
	check_int(row, got->n, n);
}

static void test_stall(void **state)
{
	char dir[64];
	int dfd = make_dir(dir, sizeof(dir));
	struct cmd c;
	struct sup_spec spec = {
		.argv = sh(&c, "cd \"$1\" && printf 'a\\nb\\nc\\n' >>" LOG_NAME " && exec sleep 10",
			   dir),
		.stall_timeout = 0.4,
		.grace = 1,
		.log_dirfd = dfd,
		.log_name = LOG_NAME};
	struct seen s = {0};
	struct sup_result res;

	(void)state;
	run(&spec, &s, &res);
	assert_int_equal(res.esc.reason, ESC_BY_STALL);
	assert_int_equal(s.snapshots, 1);
	assert_int_equal(s.snap_alive, 1);
	assert_int_equal(s.snap_state, 'S');
	assert_int_equal(s.snap_lines, 3);
	assert_int_equal(res.end.term_signal, SIGTERM);
	check_lines("stall", &res.last_lines, (const char *const[]){"a", "b", "c", NULL});
	assert_true(res.idle_at_stop >= 0.35);
	assert_true(res.duration >= 0.4);
	sup_result_free(&res);
	rm_dir(dir, dfd);
}

/* A line every 50 ms for 1 s never looks stalled with a 0.5 s stall timeout. */
static void test_no_stall(void **state)
{
	char dir[64];
	int dfd = make_dir(dir, sizeof(dir));
	struct cmd c;
	struct sup_spec spec = {.argv = sh(&c,
					   "cd \"$1\" || exit 9; i=0; while [ $i -lt 20 ]; do "
					   "echo \"line $i\" >>" LOG_NAME "; sleep 0.05; "
					   "i=$((i + 1)); done",
					   dir),
				.stall_timeout = 0.5,
				.log_dirfd = dfd,
				.log_name = LOG_NAME};
	struct seen s = {0};
	struct sup_result res;

	(void)state;
	run(&spec, &s, &res);
	assert_int_equal(res.esc.reason, ESC_NONE);
	assert_int_equal(s.snapshots, 0);
	assert_int_equal(res.end.exited, 1);
	assert_int_equal(res.end.exit_status, 0);
	assert_true(res.duration >= 0.9);
	assert_int_equal(res.last_lines.n, SUP_LAST_LINES);
	assert_string_equal(res.last_lines.v[0], "line 0");
	assert_string_equal(res.last_lines.v[SUP_LAST_LINES - 1], "line 19");
	sup_result_free(&res);
	rm_dir(dir, dfd);
}

static const struct {
	const char *name;
	const char *script; /* writes the log in $1 */
	enum phase phase;
	int seen; /* phases on_tick must have seen (bits) */
} phase_cases[] = {
	{"dump finished",
	 "cd \"$1\" && printf '(00.000001) Dumping processes (pid: 1 comm: x)\\n' >>" LOG_NAME
	 " && sleep 0.4 && printf '(00.100000) Dumping finished successfully\\n' >>" LOG_NAME,
	 PHASE_FINISHED, 1 << PHASE_COLLECTING},
	{"restore failed",
	 "cd \"$1\" && printf '(00.004)      1: Forking task with 14 pid (flags 0x0)\\n' "
	 ">>" LOG_NAME
	 " && sleep 0.4 && printf '(00.005) Error (criu/cr-restore.c:2): Restoring FAILED.\\n"
	 "(00.006) Dumping finished successfully\\n' >>" LOG_NAME "; exit 1",
	 PHASE_FAILED, 1 << PHASE_RESTORING},
	/* criu died mid-line: the last line still counts. */
	{"last line without a newline",
	 "cd \"$1\" && printf 'Dumping processes (pid: 1 comm: x)\\nDumping finished "
	 "successfully' >>" LOG_NAME,
	 PHASE_FINISHED, 0},
	{"no log at all", "exit 0", PHASE_STARTING, 0},
};

static void test_phase(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(phase_cases) / sizeof(phase_cases[0]); i++) {
		const char *row = phase_cases[i].name;
		char dir[64];
		int dfd = make_dir(dir, sizeof(dir));
		struct cmd c;
		struct sup_spec spec = {.argv = sh(&c, phase_cases[i].script, dir),
					.log_dirfd = dfd,
					.log_name = LOG_NAME};
		struct seen s = {0};
		struct sup_result res;

		run(&spec, &s, &res);
		check_str(row, phase_id(res.phase), phase_id(phase_cases[i].phase));
		if ((s.phases & phase_cases[i].seen) != phase_cases[i].seen)
			fail_msg("%s: on_tick saw phases 0x%x, want 0x%x among them", row,
				 (unsigned)s.phases, (unsigned)phase_cases[i].seen);
		sup_result_free(&res);
		rm_dir(dir, dfd);
	}
}

static void test_spawn_fails(void **state)
{
	char *argv[] = {(char *)"/nonexistent/criu", (char *)"dump", NULL};
	struct sup_spec spec = {.argv = argv, .timeout = 1, .log_dirfd = -1};
	struct sup_result res;
	struct cc_err e;
	int fds = count_fds();

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(supervisor_run(&spec, &res, &e), -1);
	assert_int_equal(e.exit_code, CC_EXIT_ENV);
	assert_int_equal(e.exit_code, 6);
	assert_string_equal(e.code, "criu-not-executable");
	assert_non_null(strstr(e.msg, "/nonexistent/criu"));
	assert_null(res.output);
	assert_int_equal(count_fds(), fds);
	sup_result_free(&res);
}

static void test_keep_fd(void **state)
{
	char dir[64];
	int dfd = make_dir(dir, sizeof(dir));
	int fd = openat(dfd, "kept", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	struct cmd c;
	struct sup_spec spec = {.argv = sh(&c, "test -e /proc/self/fd/3 && echo kept >&3", NULL),
				.keep_fd = fd};
	struct seen s = {0};
	struct sup_result res;
	char *buf;
	size_t len;

	(void)state;
	assert_true(fd > 3);
	run(&spec, &s, &res);
	close(fd);
	assert_int_equal(res.end.exited, 1);
	assert_int_equal(res.end.exit_status, 0);
	assert_int_equal(fs_read_at(dfd, "kept", 1 << 16, &buf, &len), 0);
	assert_string_equal(buf, "kept\n");
	free(buf);
	sup_result_free(&res);
	rm_dir(dir, dfd);
}

static void test_new_session(void **state)
{
	(void)state;
	for (int new_session = 0; new_session <= 1; new_session++) {
		char *argv[] = {(char *)"sleep", (char *)"0.5", NULL};
		struct sup_spec spec = {.argv = argv, .new_session = new_session};
		struct seen s = {0};
		struct sup_result res;
		const char *row = new_session ? "new_session=1" : "new_session=0";

		run(&spec, &s, &res);
		check_int(row, res.end.exit_status, 0);
		if (s.ticks == 0)
			fail_msg("%s: no tick", row);
		if (new_session) {
			check_int(row, s.sid, res.pid);
			check_int(row, s.pgid, res.pid);
		} else {
			check_int(row, s.sid, getsid(0));
			check_int(row, s.pgid, getpgrp());
		}
		sup_result_free(&res);
	}
}

/* SIGINT to criuctl: snapshot, SIGTERM to the child. */
static void test_sigint(void **state)
{
	char *argv[] = {(char *)"sleep", (char *)"10", NULL};
	struct sup_spec spec = {.argv = argv, .grace = 1};
	struct seen s = {.raise_at = 1};
	struct sup_result res;

	(void)state;
	run(&spec, &s, &res);
	assert_int_equal(res.esc.reason, ESC_BY_SIGNAL);
	assert_int_equal(res.esc.signum, SIGINT);
	assert_int_equal(s.snapshots, 1);
	assert_int_equal(s.snap_alive, 1);
	assert_int_equal(s.snap_state, 'S');
	assert_int_equal(s.snap_pending, 0);
	assert_int_equal(s.snap_esc.signum, SIGINT);
	assert_int_equal(res.end.exited, 0);
	assert_int_equal(res.end.term_signal, SIGTERM);
	sup_result_free(&res);
}

/* A second SIGINT kills at once: the grace is far longer than the child
 * lives, so only the second signal can have sent its SIGKILL. */
static void test_second_sigint(void **state)
{
	struct cmd c;
	struct sup_spec spec = {.argv = sh(&c, "trap '' TERM; sleep 10; exit 0", NULL),
				.grace = 600,
				.new_session = 1};
	struct seen s = {.raise_at = 1, .raise_again_at = 3};
	struct sup_result res;

	(void)state;
	run(&spec, &s, &res);
	assert_int_equal(res.esc.reason, ESC_BY_SIGNAL);
	assert_int_equal(res.esc.signum, SIGINT);
	assert_int_equal(s.snapshots, 1);
	assert_int_equal(res.end.exited, 0);
	assert_int_equal(res.end.term_signal, SIGKILL);
	sup_result_free(&res);
}

/*
 * criu's point of no return, with the real criuctl-hook: the child is criu,
 * running the hook at "post-dump" (and, first, at a step that is not asked)
 * and exiting with its status; then it goes on a while, as criu does.
 */
#define HOOK_CHILD                                                                                 \
	"sleep $1; CRTOOLS_SCRIPT_ACTION=pre-dump \"$HOOK\" || exit 9; "                           \
	"CRTOOLS_SCRIPT_ACTION=post-dump \"$HOOK\"; rc=$?; sleep 0.3; exit $rc"

/* HOOK=the criuctl-hook of this build: beside the unit test's directory. */
static void hook_env(char *dst, size_t size)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	assert_true(n > 0);
	self[n] = '\0';
	slash = strrchr(self, '/');
	assert_non_null(slash);
	*slash = '\0';
	snprintf(dst, size, "HOOK=%s/../criuctl-hook", self);
}

static const struct {
	const char *name;
	const char *delay; /* seconds before the child runs the hook */
	struct seen s;
	int work_calls; /* the pre-commit work ran (not when criu is refused at once) */
	int status;	/* the hook's, through the child */
	int committed;	/* criuctl let criu go on */
	int refused;	/* criuctl said no */
	enum esc_reason reason;
	int deferred;
} hook_cases[] = {
	{"work done: go on", "0", {.work_rc = 0}, 1, 0, 1, 0, ESC_NONE, 0},
	{"work failed: no", "0", {.work_rc = -1}, 1, 1, 0, 1, ESC_BY_WORK, 0},
	{"Ctrl-C while the work runs: no, and the work's late result is ignored",
	 "0",
	 {.work_rc = 0, .work_ms = 300, .raise_in_work = 1},
	 1,
	 1,
	 0,
	 1,
	 ESC_BY_SIGNAL,
	 0},
	{"Ctrl-C once criu was told to go on: kept for later, criu runs to its end",
	 "0",
	 {.work_rc = 0, .raise_at = 2},
	 1,
	 0,
	 1,
	 0,
	 ESC_NONE,
	 SIGINT},
	{"Ctrl-C before criu asks: criu is not signalled, runs on to its question, is told no",
	 "0.4",
	 {.work_rc = 0, .raise_at = 1},
	 0,
	 1,
	 0,
	 1,
	 ESC_BY_SIGNAL,
	 0},
};

static void test_hook(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hook_cases) / sizeof(hook_cases[0]); i++) {
		char dir[64], env_dir[96], env_hook[4200];
		int dfd = make_dir(dir, sizeof(dir));
		char *env[] = {env_dir, env_hook, (char *)"CRIUCTL_HOOK_ASK=post-dump",
			       (char *)"PATH=/usr/bin:/bin", NULL};
		struct cmd c;
		struct sup_spec spec = {.argv = sh(&c, HOOK_CHILD, hook_cases[i].delay),
					.env = env,
					.grace = 1,
					/* A loaded machine may keep the child from
					 * its question for long: only its answer
					 * may end a pending stop here. */
					.pending_idle = 600,
					.hook_fd = hook_socket(dfd),
					.hook_work = work};
		struct seen s = hook_cases[i].s;
		struct sup_result res;
		const char *row = hook_cases[i].name;

		snprintf(env_dir, sizeof(env_dir), "CRIUCTL_HOOK_DIR=%s", dir);
		hook_env(env_hook, sizeof(env_hook));
		run(&spec, &s, &res);
		check_int(row, res.end.exited, 1);
		check_int(row, res.end.exit_status, hook_cases[i].status);
		check_int(row, s.work_calls, hook_cases[i].work_calls);
		check_int(row, res.esc.hard, 0);
		check_int(row, res.esc.committed, hook_cases[i].committed);
		check_int(row, res.hook_refused, hook_cases[i].refused);
		check_int(row, res.esc.reason, hook_cases[i].reason);
		check_int(row, res.esc.deferred, hook_cases[i].deferred);
		/* criu waited for the answer. */
		check_int(row, res.hook_wait > 0, 1);
		sup_result_free(&res);
		rm_dir(dir, dfd);
	}
}

/* Nobody answers (criuctl is gone): the hook says no, whatever the step. */
static void test_hook_alone(void **state)
{
	char dir[64], env_dir[96], env_hook[4200];
	int dfd = make_dir(dir, sizeof(dir));
	char *env[] = {env_dir, env_hook, (char *)"CRIUCTL_HOOK_ASK=post-dump",
		       (char *)"PATH=/usr/bin:/bin", NULL};
	struct cmd c;
	struct sup_spec spec = {.argv = sh(&c, HOOK_CHILD, "0"), .env = env, .hook_work = work};
	struct seen s = {0};
	struct sup_result res;

	(void)state;
	snprintf(env_dir, sizeof(env_dir), "CRIUCTL_HOOK_DIR=%s", dir);
	hook_env(env_hook, sizeof(env_hook));
	run(&spec, &s, &res);
	assert_int_equal(res.end.exit_status, 1);
	assert_int_equal(s.work_calls, 0);
	assert_int_equal(res.esc.committed, 0);
	assert_true(res.output && strstr(res.output, "criuctl is gone"));
	sup_result_free(&res);
	rm_dir(dir, dfd);
}

static int setup(void **state)
{
	struct cmd c;
	struct sup_spec spec = {.argv = sh(&c, "exit 0", NULL)};
	struct sup_result res;
	struct cc_err e;
	int rc;

	(void)state;
	/* As dump and restore do: signals are recorded, not fatal. */
	if (intr_install() < 0)
		return -1;
	/* The children's /proc, not a fixture tree. */
	unsetenv("CRIUCTL_PROC_ROOT");
	/* libuv opens one process-wide pipe for signals on first use and keeps
	 * it: open it now, so that the fd counts of the tests compare runs. */
	rc = supervisor_run(&spec, &res, &e);
	sup_result_free(&res);
	return rc;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_end),	  cmocka_unit_test(test_output_max),
		cmocka_unit_test(test_output_fd), cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_grace),	  cmocka_unit_test(test_helpers_reaped),
		cmocka_unit_test(test_stall),	  cmocka_unit_test(test_no_stall),
		cmocka_unit_test(test_phase),	  cmocka_unit_test(test_spawn_fails),
		cmocka_unit_test(test_keep_fd),	  cmocka_unit_test(test_new_session),
		cmocka_unit_test(test_sigint),	  cmocka_unit_test(test_second_sigint),
		cmocka_unit_test(test_hook),	  cmocka_unit_test(test_hook_alone),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
