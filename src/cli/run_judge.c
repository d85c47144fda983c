/*
 * run_judge: after criu ended, for dump and restore alike: the state of the
 * target tree, report.json, the outcome, and the verdict of a run that did
 * not succeed (classified from criu's log and output, or judged by the core
 * when criuctl stopped criu, judge.h).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "criu_log.h"
#include "fsutil.h"
#include "judge.h"
#include "jsonutil.h"
#include "proc.h"
#include "run_criu_int.h"

#define EVIDENCE_TAIL 5

/* The target tree now: alive, not left stopped (continued if it was). */
json_t *run_check_target(struct criu_run *r)
{
	json_t *list = json_array();
	size_t alive = 0;

	for (size_t i = 0; i < r->tree_n; i++) {
		const struct manifest_proc *p = &r->tree[i];
		struct proc_stat st;
		struct hang_task t;
		int is_alive = proc_same_task(p->pid, p->starttime, &st) && st.state != 'Z';
		int continued = 0;

		if (is_alive && st.state == 'T') {
			continued = kill(p->pid, SIGCONT) == 0;
			cli_say(r->cli, "criuctl: pid %d (%s) was left stopped: continued it",
				p->pid, st.comm);
		}
		if (is_alive)
			proc_hang_task(p->pid, HANG_TARGET, &t);
		alive += is_alive;
		json_array_append_new(list, json_pack("{s:i, s:b, s:s, s:b, s:i}", "pid", p->pid,
						      "alive", is_alive, "state",
						      is_alive ? (char[2]){st.state, 0} : "-",
						      "continued", continued, "tracer_pid",
						      is_alive ? t.tracer_pid : 0));
	}
	if (r->tree_n)
		cli_say(r->cli, "criuctl: the tree: %zu of %zu process%s alive", alive, r->tree_n,
			r->tree_n == 1 ? "" : "es");
	return list;
}

void run_write_report(const struct criu_run *r, const struct verdict *v)
{
	const struct sup_result *res = &r->res;
	cleanup_json json_t *report = json_pack(
		"{s:s, s:s, s:o, s:o, s:{s:b, s:i, s:i}, s:s, s:f, s:f, s:s, s:I, s:O?, s:O?, "
		"s:O?}",
		"name", r->at->name, "action", r->action, "verdict",
		v ? json_pack("{s:s, s:o, s:s, s:o}", "id", v->id, "title", json_text(v->title),
			      "remedy", v->remedy, "evidence", json_strv(&v->evidence))
		  : json_null(),
		"criu_argv", json_strv(&r->argv), "criu_end", "exited", res->end.exited,
		"exit_status", res->end.exit_status, "term_signal", res->end.term_signal,
		"stopped_by", esc_reason_id(res->esc.reason), "timeout_s", r->timeout,
		"stall_timeout_s", r->stall_timeout, "phase", phase_id(res->phase), "duration_ms",
		(json_int_t)(res->duration * 1000), "hang", r->hang, "target", r->target, "tidy",
		r->tidy);
	cleanup_free char *text =
		report ? json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	if (text)
		fs_write_at(r->at->fd, "report.json", text, strlen(text), 0600);
}

enum outcome run_outcome(const struct criu_run *r)
{
	const struct sup_result *res = &r->res;
	struct run_facts f = {.exited_ok = res->end.exited && res->end.exit_status == 0,
			      .stopped = res->esc.reason != ESC_NONE,
			      .committed = res->esc.committed,
			      .complete_at_ask =
				      r->hook_ask && strcmp(r->hook_ask, "post-dump") == 0,
			      .log_succeeded = r->log && criu_log_succeeded(r->log, r->log_len),
			      .log_failed = r->log && criu_log_failed(r->log, r->log_len)};

	return outcome_of(&f);
}

/* A stopped run: the core judges it; its evidence is criu's last lines. */
static int stopped_verdict(struct criu_run *r, struct verdict *v, char *title, size_t size)
{
	const struct sup_result *res = &r->res;
	struct stop_facts f = {.reason = res->esc.reason,
			       .signum = res->esc.signum,
			       .hard = res->esc.hard,
			       .refused = res->hook_refused,
			       .phase = res->phase,
			       .diag = &r->diag,
			       .work_error = r->precommit_err.msg};

	strv_free(&v->evidence);
	for (size_t i = res->last_lines.n > EVIDENCE_TAIL ? res->last_lines.n - EVIDENCE_TAIL : 0;
	     i < res->last_lines.n; i++)
		strv_push(&v->evidence, res->last_lines.v[i]);
	return judge_stopped(&f, v, title, size);
}

/* Classify the log and what criu printed: some hints ("Task attached to
 * shell terminal. Consider using --shell-job") never reach the -o log. */
static int classify(const struct criu_run *r, struct verdict *v)
{
	char *out = NULL, *all;
	size_t out_len = 0;
	int rc;

	if (fs_read_at(r->at->fd, "criu.out", 1 << 16, &out, &out_len) < 0 || !out_len) {
		free(out);
		return verdict_classify(r->log ? r->log : "", r->log_len, &r->res.end, v);
	}
	all = malloc(r->log_len + out_len + 2);
	if (!all) {
		free(out);
		return -1;
	}
	memcpy(all, r->log ? r->log : "", r->log_len);
	all[r->log_len] = '\n';
	memcpy(all + r->log_len + 1, out, out_len);
	all[r->log_len + 1 + out_len] = '\0';
	rc = verdict_classify(all, r->log_len + 1 + out_len, &r->res.end, v);
	free(all);
	free(out);
	return rc;
}

/* pid-in-use: the words name the pid (verdict_words), and who holds it
 * now, while it still does (a pid of a new pid namespace is not one of
 * ours: nothing to look up). */
static void name_holder(const struct criu_run *r, struct verdict *v, char *title, size_t size)
{
	struct proc_stat st;
	char holder[256], words[160];
	int pid = r->own_pidns ? 0 : verdict_pid(v);

	verdict_words(v, words, sizeof(words));
	if (pid > 0 && proc_holder(pid, &st, holder, sizeof(holder)) == 0)
		snprintf(title, size, "%s It is held by %s, child of pid %d.", v->title, holder,
			 st.ppid);
	else
		snprintf(title, size, "%s", v->title);
	v->title = title;
}

/* The verdict of a run that did not succeed, and the exit code it means. */
int run_judge(struct cli *c, struct criu_run *r)
{
	struct verdict v;
	char title[768], log_path[PATH_MAX + 160];
	int code = CC_EXIT_CRIU_FAILED;

	if (classify(r, &v) < 0)
		return cli_oom(c);
	if (r->res.esc.reason != ESC_NONE)
		code = stopped_verdict(r, &v, title, sizeof(title));
	else
		name_holder(r, &v, title, sizeof(title));
	run_tidy_after(r);
	r->target = run_check_target(r);
	if (r->tidy)
		json_object_set(c->out, "tidy", r->tidy);
	/* A failed attempt keeps no images; dropping them first also makes room
	 * for the report when the failure was a full disk. */
	fs_rmtree_at(r->at->fd, "images");
	fs_rmtree_at(r->at->fd, "pre");
	run_write_report(r, &v);
	snprintf(log_path, sizeof(log_path), "%s/%s", r->at->dir, r->log_name);
	cli_verdict(c, code, &v, log_path);
	err_prefix(&c->err, "%s failed", r->action);
	verdict_free(&v);
	return code;
}
