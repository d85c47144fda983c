/*
 * run_criu: the part of dump and restore that is the same.  A criu that
 * exits 0 but whose log lacks CRIU's own "finished successfully" line is
 * still a failure: the log is the evidence, and a truncated log means
 * something went wrong.  Undoing what a stopped criu left on the tree is
 * run_tidy.c's, judging a run that ended run_judge.c's.
 */
#include "run_criu.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "criu.h"
#include "fault.h"
#include "fsutil.h"
#include "log_digest.h"
#include "guardian.h"
#include "interrupt.h"
#include "jsonutil.h"
#include "proc.h"
#include "run_criu_int.h"
#include "tidy.h"

int run_criu_prepare(struct cli *c, const struct attempt *at, const char *action,
		     const char *images_dir, struct criu_run *r)
{
	memset(r, 0, sizeof(*r));
	r->guard_fd = -1;
	r->action = action;
	r->cli = c;
	r->at = at;
	snprintf(r->log_name, sizeof(r->log_name), "%s.log", action);
	snprintf(r->pidfile, sizeof(r->pidfile), "%s/%s.pid", at->dir, action);
	if (images_dir)
		snprintf(r->images_dir, sizeof(r->images_dir), "%s", images_dir);
	else
		snprintf(r->images_dir, sizeof(r->images_dir), "%s/images", at->dir);
	if (criu_environ(&c->cfg.criu_env, &r->env) < 0)
		return cli_oom(c);
	return 0;
}

int run_criu_ask(struct cli *c, struct criu_run *r, const char *action, int (*work)(void *arg),
		 void *arg)
{
	if (criu_helper_path("criuctl-hook", r->hook_path, sizeof(r->hook_path), &c->err) < 0)
		return c->err.exit_code;
	r->hook_ask = action;
	r->precommit = work;
	r->precommit_arg = arg;
	if (strv_pushf(&r->env, "CRIUCTL_HOOK_DIR=%s", r->at->dir) < 0 ||
	    strv_pushf(&r->env, "CRIUCTL_HOOK_ASK=%s", action) < 0)
		return cli_oom(c);
	return 0;
}

/* The socket criuctl-hook asks on: hook.sock in the attempt directory,
 * bound through the directory's fd (sun_path holds only 108 bytes). */
static int hook_listen(int dirfd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int sk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/hook.sock", dirfd);
	unlinkat(dirfd, "hook.sock", 0);
	if (sk >= 0 && bind(sk, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(sk);
		sk = -1;
	}
	return sk;
}

/* ---- the hang report: /proc before anything is signalled ---- */

static json_t *task_json(const struct hang_task *t)
{
	static const char *const roles[] = {"criu", "criu-child", "target"};
	const char *sc = t->syscall >= 0 ? hang_syscall_name(t->syscall) : NULL;
	char state[2] = {t->state, 0};

	return json_pack("{s:i, s:s, s:o, s:s, s:o, s:I, s:s?, s:i, s:o}", "pid", t->pid, "role",
			 roles[t->role], "comm", json_text(t->comm), "state", state, "wchan",
			 json_text(t->wchan), "syscall", (json_int_t)t->syscall, "syscall_name", sc,
			 "tracer_pid", t->tracer_pid, "stack", json_text(t->stack));
}

/* criu, its helpers and the target tree (tasks whose pid was reused are skipped). */
static size_t snapshot_tasks(const struct criu_run *r, int criu_pid, struct hang_task **out)
{
	int *kids = NULL;
	size_t n_kids = 0, n = 0;
	struct hang_task *t;

	proc_descendants(criu_pid, &kids, &n_kids);
	t = calloc(1 + n_kids + r->tree_n, sizeof(*t));
	if (t) {
		proc_hang_task(criu_pid, HANG_CRIU, &t[n++]);
		for (size_t i = 0; i < n_kids; i++)
			if (proc_hang_task(kids[i], HANG_CRIU_CHILD, &t[n]) == 0)
				n++;
		for (size_t i = 0; i < r->tree_n; i++) {
			struct proc_stat st;

			if (proc_same_task(r->tree[i].pid, r->tree[i].starttime, &st) &&
			    proc_hang_task(r->tree[i].pid, HANG_TARGET, &t[n]) == 0)
				n++;
		}
	}
	free(kids);
	*out = t;
	return t ? n : 0;
}

static void on_snapshot(void *arg, const struct sup_status *st)
{
	struct criu_run *r = arg;
	struct hang_task *tasks = NULL;
	size_t n = snapshot_tasks(r, st->pid, &tasks);
	struct hang_input in = {tasks, n, st->phase, st->idle, st->elapsed};
	json_t *list = json_array();

	r->criu_pid = st->pid;
	hang_diagnose(&in, &r->diag);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, task_json(&tasks[i]));
	free(tasks);
	r->hang = json_pack("{s:s, s:i, s:s, s:b, s:f, s:f, s:{s:s, s:o, s:s, s:i}, s:o, s:o}",
			    "reason", esc_reason_id(st->esc->reason), "signal", st->esc->signum,
			    "phase", phase_id(st->phase), "asking", st->asking, "elapsed_s",
			    st->elapsed, "idle_s", st->idle, "diagnosis", "id",
			    verdict_row(r->diag.kind)->id, "summary", json_text(r->diag.summary),
			    "remedy", verdict_row(r->diag.kind)->remedy, "culprit_pid",
			    r->diag.culprit, "tasks", list, "last_log_lines",
			    json_strv(st->last_lines));
	progress_end(&r->progress, NULL);
	cli_say(r->cli, "criuctl: %s: %s after %.1f s (%s): %s", r->action,
		st->esc->reason == ESC_BY_STALL	     ? "no progress"
		: st->esc->reason == ESC_BY_DEADLINE ? "deadline passed"
						     : verdict_row(V_INTERRUPTED)->id,
		st->elapsed, phase_name(st->phase),
		st->asking ? "criu waits at its point of no return: telling it not to go on"
			   : r->diag.summary);
	if (st->esc->state == ESC_PENDING)
		cli_say(r->cli,
			"criuctl: %s: letting criu run to its point of no return, where it is told "
			"not to go on and undoes its work (signal again to stop it at once)",
			r->action);
	else if (!st->asking)
		cli_say(r->cli, "criuctl: %s: stopping criu", r->action);
	/* Written now too: if criuctl itself is killed during the stop, the
	 * report is already there. */
	run_write_report(r, NULL);
}

/* criu runs: its guard learns its pid at once. */
static void on_spawn(void *arg, int pid)
{
	struct criu_run *r = arg;

	guard_tell_criu(r->guard_fd, pid);
}

/* The guard that stops criu should criuctl die while criu is stuck
 * (guardian.h): started before criu, with the limits criuctl enforces. */
static int start_guard(struct cli *c, const struct attempt *at, struct criu_run *r)
{
	char path[PATH_MAX];
	struct guard_spec g = {.action = r->action,
			       .log_name = r->log_name,
			       .timeout = r->timeout,
			       .stall_timeout = r->stall_timeout,
			       .tree = r->tree,
			       .tree_n = r->tree_n,
			       .iptables = strv_contains(&r->argv, "--network-lock=iptables")};

	if (criu_helper_path("criuctl-guard", path, sizeof(path), &c->err) < 0)
		return -1;
	r->guard_fd = guard_start(path, at->fd, &g, &c->err);
	return r->guard_fd < 0 ? -1 : 0;
}

static void on_tick(void *arg, const struct sup_status *st)
{
	struct criu_run *r = arg;

	progress_tick(&r->progress, st);
}

static int open_output(const struct attempt *at)
{
	return openat(at->fd, "criu.out", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		      0600);
}

/* The caller's pre-commit work, in the supervisor's worker thread. */
static int run_precommit(void *arg)
{
	struct criu_run *r = arg;

	return r->precommit(r->precommit_arg);
}

/* A signal before criu starts: nothing is frozen yet, criu never runs. */
static int interrupted_before(struct cli *c, const struct criu_run *r, int sig)
{
	err_set(&c->err, 128 + sig, verdict_row(V_INTERRUPTED)->id,
		"%s interrupted by signal %d (%s) before criu started: nothing was frozen",
		r->action, sig, strsignal(sig));
	err_remedy(&c->err, "Run the command again.");
	return 128 + sig;
}

/* criu's log, as much of it as judging the run reads (log_digest.h): a
 * -v4 log of a big tree runs to hundreds of MiB. */
static void read_log(const struct attempt *at, struct criu_run *r)
{
	struct log_digest d;
	int fd = openat(at->fd, r->log_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	log_digest_init(&d);
	if (fd >= 0 && fs_digest_fd(fd, &d) == 0) {
		r->log = d.text;
		r->log_len = d.len;
		d.text = NULL;
	}
	if (fd >= 0)
		close(fd);
	log_digest_free(&d);
}

/* After criu: the outcome, or the verdict of a failure. */
static int after_run(struct cli *c, const struct attempt *at, struct criu_run *r)
{
	read_log(at, r);
	r->outcome = run_outcome(r);
	if (r->res.hook_wait > 0)
		json_object_set_new(c->out, "hook_wait_ms",
				    json_integer((json_int_t)(r->res.hook_wait * 1000)));
	if (r->outcome == OUTCOME_UNFINISHED) {
		/* Past the point of no return criu ended without its last line
		 * (stopped, or killed by someone else): the images are whole. */
		cli_say(c, "criuctl: criu ended after it was told to go on, without finishing; "
			   "its images are complete");
		run_tidy_dumped(r);
		r->target = run_check_target(r);
	}
	if (r->outcome != OUTCOME_FAILED)
		return 0;
	r->failed = 1;
	return run_judge(c, r);
}

int run_criu(struct cli *c, const struct attempt *at, struct criu_run *r, int new_session)
{
	struct sup_spec spec = {.argv = r->argv.v,
				.env = r->env.v,
				.timeout = r->timeout,
				.stall_timeout = r->stall_timeout,
				.new_session = new_session,
				.output_fd = open_output(at),
				.keep_fd = at->fd,
				.log_dirfd = at->fd,
				.log_name = r->log_name,
				.hook_fd = r->hook_ask ? hook_listen(at->fd) : -1,
				.hook_work = r->precommit ? run_precommit : NULL,
				.on_snapshot = on_snapshot,
				.on_freeze = run_on_freeze,
				.on_spawn = on_spawn,
				.on_tick = c->progress != PROGRESS_NEVER ? on_tick : NULL,
				.companion = r->companion,
				.arg = r};
	int rc;

	fault_point("before-criu");
	if (intr_signal()) {
		if (spec.output_fd >= 0)
			close(spec.output_fd);
		if (spec.hook_fd >= 0)
			close(spec.hook_fd);
		return interrupted_before(c, r, intr_signal());
	}
	if (start_guard(c, at, r) < 0) {
		if (spec.output_fd >= 0)
			close(spec.output_fd);
		if (spec.hook_fd >= 0)
			close(spec.hook_fd);
		return c->err.exit_code;
	}
	r->progress = (struct progress){
		.mode = c->progress,
		.action = r->action,
		.expected = r->expected_bytes,
		.images_fd = open(r->images_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
	if (c->verbose)
		for (size_t i = 0; i < r->argv.n; i++)
			fprintf(stderr, "%s%s", r->argv.v[i], i + 1 < r->argv.n ? " " : "\n");
	r->started = proc_boot_ticks();
	rc = supervisor_run(&spec, &r->res, &c->err);
	guard_done(r->guard_fd); /* criu has ended under criuctl's eyes */
	r->guard_fd = -1;
	progress_end(&r->progress, rc == 0 ? &r->res : NULL);
	if (r->progress.images_fd >= 0)
		close(r->progress.images_fd);
	if (spec.output_fd >= 0)
		close(spec.output_fd);
	if (r->hook_ask)
		unlinkat(at->fd, "hook.sock", 0);
	if (rc < 0)
		return c->err.exit_code;
	return after_run(c, at, r);
}

void run_criu_keep_failed(struct cli *c, struct attempt *at, const struct criu_run *r)
{
	struct cc_err e;

	if (store_keep_failed(&c->store, at, &e) < 0) {
		cli_say(c, "criuctl: %s", e.msg);
		c->err.log[0] = '\0';
		return;
	}
	snprintf(c->err.log, sizeof(c->err.log), "%s/%s", at->dir, r->log_name);
	json_object_set_new(c->out, "log", json_string(c->err.log));
	store_release(at);
}

void run_criu_free(struct criu_run *r)
{
	strv_free(&r->argv);
	strv_free(&r->env);
	sup_result_free(&r->res);
	free(r->log);
	r->log = NULL;
	json_decref(r->hang);
	json_decref(r->target);
	json_decref(r->tidy);
	r->hang = r->target = r->tidy = NULL;
	free(r->spawned);
	r->spawned = NULL;
	r->spawned_n = 0;
}
