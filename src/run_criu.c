/*
 * run_criu: the part of dump and restore that is the same: spawn criu under
 * the supervisor, read its log, decide.  A criu that exits 0 but whose log
 * lacks CRIU's own "finished successfully" line is still a failure: the
 * log is the evidence, and a truncated log means something went wrong.
 */
#include "run_criu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "criu.h"
#include "criu_log.h"
#include "fsutil.h"

int run_criu_prepare(struct cli *c, const struct attempt *at, const char *action,
		     const char *images_dir, struct criu_run *r)
{
	memset(r, 0, sizeof(*r));
	r->action = action;
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

static void write_report(const struct attempt *at, const struct criu_run *r,
			 const struct verdict *v)
{
	json_t *report = json_pack(
		"{s:s, s:s, s:{s:s, s:s, s:s, s:o}, s:o, s:{s:b, s:i, s:i}, s:b, s:i, s:I, s:s}",
		"name", at->name, "action", r->action, "verdict", "id", v->id, "title", v->title,
		"remedy", v->remedy, "evidence", cli_json_strv(&v->evidence), "criu_argv",
		cli_json_strv(&r->argv), "criu_end", "exited", r->res.end.exited, "exit_status",
		r->res.end.exit_status, "term_signal", r->res.end.term_signal, "timed_out",
		r->res.timed_out, "signal_received", r->res.got_signal, "duration_ms",
		(json_int_t)(r->res.duration * 1000), "criu_output",
		r->res.output ? r->res.output : "");
	char *text = report ? json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	if (text)
		fs_write_at(at->fd, "report.json", text, strlen(text), 0600);
	free(text);
	json_decref(report);
}

static int succeeded(const struct criu_run *r)
{
	return r->res.end.exited && r->res.end.exit_status == 0 && !r->res.timed_out &&
	       !r->res.got_signal && criu_log_succeeded(r->log, r->log_len);
}

/* The verdict of a run that did not succeed, and the exit code it means. */
static int judge(struct cli *c, const struct attempt *at, struct criu_run *r)
{
	struct verdict v;
	char log_path[PATH_MAX + 64];
	int code = CC_EXIT_CRIU_FAILED;

	if (verdict_classify(r->log ? r->log : "", r->log_len, &r->res.end, &v) < 0)
		return cli_oom(c);
	if (r->res.timed_out) {
		v.id = "timeout";
		v.title = "criu did not finish before the deadline and was stopped.";
		v.remedy = "See the last log lines; raise --timeout if the tree is just large.";
		code = CC_EXIT_TIMEOUT;
	} else if (r->res.got_signal) {
		v.id = "interrupted";
		v.title = "criuctl was interrupted; criu was stopped.";
		v.remedy = "Run the command again.";
		code = 128 + r->res.got_signal;
	}
	write_report(at, r, &v);
	snprintf(log_path, sizeof(log_path), "%s/%s", at->dir, r->log_name);
	cli_verdict(c, code, &v, log_path);
	err_prefix(&c->err, "%s failed", r->action);
	verdict_free(&v);
	return code;
}

int run_criu(struct cli *c, const struct attempt *at, struct criu_run *r, double timeout,
	     int new_session)
{
	struct sup_spec spec = {
		.argv = r->argv.v, .env = r->env.v, .timeout = timeout, .new_session = new_session};

	if (c->verbose)
		for (size_t i = 0; i < r->argv.n; i++)
			fprintf(stderr, "%s%s", r->argv.v[i], i + 1 < r->argv.n ? " " : "\n");
	if (supervisor_run(&spec, &r->res, &c->err) < 0)
		return c->err.exit_code;
	if (fs_read_at(at->fd, r->log_name, 256u << 20, &r->log, &r->log_len) < 0) {
		r->log = NULL;
		r->log_len = 0;
	}
	if (succeeded(r))
		return 0;
	r->failed = 1;
	return judge(c, at, r);
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
	store_release(at);
}

void run_criu_free(struct criu_run *r)
{
	strv_free(&r->argv);
	strv_free(&r->env);
	sup_result_free(&r->res);
	free(r->log);
	r->log = NULL;
}
