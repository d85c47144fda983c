/*
 * run_criu: the part of dump and restore that is the same.  A criu that
 * exits 0 but whose log lacks CRIU's own "finished successfully" line is
 * still a failure: the log is the evidence, and a truncated log means
 * something went wrong.
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

/* Append the entries of sv to the array key of r->tidy. */
static void tidy_record(struct criu_run *r, const char *key, const struct strv *sv)
{
	json_t *a;

	if (!sv->n)
		return;
	if (!r->tidy)
		r->tidy = json_pack("{s:[], s:[], s:[], s:[]}", "repaired", "unlocked", "killed",
				    "failed");
	a = json_object_get(r->tidy, key);
	for (size_t i = 0; a && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
}

/* Say what was undone, and record it in r->tidy. */
static void tidy_report(struct criu_run *r, const struct tidy_result *t)
{
	if (t->repaired.n)
		cli_say(r->cli,
			"criuctl: criu left %zu TCP socket%s of the tree in repair mode (%s%s): "
			"took %s out of it",
			t->repaired.n, t->repaired.n == 1 ? "" : "s", t->repaired.v[0],
			t->repaired.n > 1 ? ", ..." : "", t->repaired.n == 1 ? "it" : "them");
	for (size_t i = 0; i < t->unlocked.n; i++)
		cli_say(r->cli, "criuctl: criu left its network lock (%s%s): removed it",
			strncmp(t->unlocked.v[i], "iptables", 8) ? "nftables table " : "",
			t->unlocked.v[i]);
	if (t->killed.n)
		cli_say(r->cli, "criuctl: criu left %zu half-restored task%s (%s%s): killed %s",
			t->killed.n, t->killed.n == 1 ? "" : "s", t->killed.v[0],
			t->killed.n > 1 ? ", ..." : "", t->killed.n == 1 ? "it" : "them");
	for (size_t i = 0; i < t->failed.n; i++)
		cli_say(r->cli, "criuctl: could not undo what criu left: %s", t->failed.v[i]);
	tidy_record(r, "repaired", &t->repaired);
	tidy_record(r, "unlocked", &t->unlocked);
	tidy_record(r, "killed", &t->killed);
	tidy_record(r, "failed", &t->failed);
}

/* Undo what criu left on the dumped tree (tidy.h).  The run id comes from
 * the head of criu's log, read from the file: criu may still hold it. */
static void tidy_dumped(struct criu_run *r)
{
	char run_id[64];
	struct tidy_result t;

	tidy_run_id_at(r->at->fd, r->log_name, run_id, sizeof(run_id));
	tidy_tree(r->tree, r->tree_n, run_id, strv_contains(&r->argv, "--network-lock=iptables"),
		  &t);
	tidy_report(r, &t);
	tidy_result_free(&t);
}

/* A restore stopped half-way: the tasks criu was making (its descendants)
 * are killed while criu still holds them, before they run a moment on half
 * their memory; those that could not be signalled are looked at again once
 * criu has ended (tidy_restored() keeps only them). */
static void end_spawned(struct criu_run *r)
{
	struct tidy_result t;
	int *kids = NULL;
	size_t n = 0;

	if (r->criu_pid <= 0 || proc_descendants(r->criu_pid, &kids, &n) < 0 || !n) {
		free(kids);
		return;
	}
	r->spawned = calloc(n, sizeof(*r->spawned));
	for (size_t i = 0; r->spawned && i < n; i++) {
		struct proc_stat st;

		if (proc_stat(kids[i], &st) == 0)
			r->spawned[r->spawned_n++] =
				(struct manifest_proc){.pid = st.pid, .starttime = st.starttime};
	}
	free(kids);
	tidy_restored(r->spawned, &r->spawned_n, &t);
	tidy_report(r, &t);
	tidy_result_free(&t);
}

/* A restore whose criu ended by itself without finishing: killed from
 * outside (SIGKILL, the OOM killer) or crashed, it leaves the tasks it was
 * making running its restorer, forever asleep and holding the checkpoint's
 * pids; they are no longer its descendants.  Every task that holds a pid
 * of the checkpoint and was created after criu started is one of them (a
 * holder from before, with --force, is not). */
static void end_leftovers(struct criu_run *r)
{
	struct manifest_proc *made = calloc(r->needs_n ? r->needs_n : 1, sizeof(*made));
	size_t n = 0;
	struct tidy_result t;

	for (size_t i = 0; made && !r->own_pidns && r->started && i < r->needs_n; i++) {
		struct proc_stat st;

		if (proc_stat(r->needs[i].pid, &st) == 0 && st.starttime >= r->started)
			made[n++] =
				(struct manifest_proc){.pid = st.pid, .starttime = st.starttime};
	}
	if (n) {
		tidy_restored(made, &n, &t);
		tidy_report(r, &t);
		tidy_result_free(&t);
	}
	free(made);
}

void run_tidy_after(struct criu_run *r)
{
	if (strcmp(r->action, "restore") != 0) {
		tidy_dumped(r);
	} else if (r->res.esc.reason == ESC_NONE) {
		end_leftovers(r);
	} else if (r->spawned_n) {
		struct tidy_result t;

		tidy_restored(r->spawned, &r->spawned_n, &t);
		tidy_report(r, &t);
		tidy_result_free(&t);
	}
}

/* criu is stopped (SIGSTOP) and still holds the tree: tidy before it ends,
 * so that no task of the tree runs a moment with a socket in repair mode. */
static void on_freeze(void *arg)
{
	struct criu_run *r = arg;

	if (strcmp(r->action, "restore") == 0)
		end_spawned(r);
	else
		tidy_dumped(r);
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

/* After criu: the outcome, or the verdict of a failure. */
static int after_run(struct cli *c, const struct attempt *at, struct criu_run *r)
{
	if (fs_read_at(at->fd, r->log_name, 256u << 20, &r->log, &r->log_len) < 0) {
		r->log = NULL;
		r->log_len = 0;
	}
	r->outcome = run_outcome(r);
	if (r->res.hook_wait > 0)
		json_object_set_new(c->out, "hook_wait_ms",
				    json_integer((json_int_t)(r->res.hook_wait * 1000)));
	if (r->outcome == OUTCOME_UNFINISHED) {
		/* Past the point of no return criu ended without its last line
		 * (stopped, or killed by someone else): the images are whole. */
		cli_say(c, "criuctl: criu ended after it was told to go on, without finishing; "
			   "its images are complete");
		tidy_dumped(r);
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
				.on_freeze = on_freeze,
				.on_spawn = on_spawn,
				.on_tick = c->progress != PROGRESS_NEVER ? on_tick : NULL,
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
