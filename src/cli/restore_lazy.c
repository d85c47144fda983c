/*
 * restore_lazy: restore --lazy, the tree running before its memory is in.
 *
 * criu lazy-pages runs as the supervisor's companion (supervisor.h): it
 * starts first, criu restore --lazy-pages starts once it listens, and it
 * goes on serving the restored tree's pages after the restore has ended,
 * under the run's deadline and its own stall limit.  When the restore ends
 * well the tree runs: criuctl says so at once and writes --pidfile.  When
 * the daemon ends, lazy_judge() (lazy.h) decides: every page in, the
 * restore is done; otherwise the tree, which would fault on pages that
 * never come, is ended and the attempt kept in failed/ with both logs.
 */
#include "restore_lazy.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "run_criu_int.h"
#include "tidy.h"

#define LAZY_READY "uffd: Waiting for incoming connections"

static void on_line(void *arg, const char *line, size_t len)
{
	struct lazy_restore *lz = arg;

	lazy_take_line(&lz->progress, line, len);
}

/* criu restore ended well: the tree runs, its memory still coming in. */
static void on_child_done(void *arg, const struct sup_result *res)
{
	struct lazy_restore *lz = arg;
	struct cli *c = lz->cli;

	(void)res;
	if (cli_read_pidfile(c, lz->run->pidfile, &lz->pid) < 0) {
		lz->pid = 0;
		return;
	}
	lz->running_ms = res->companion.child_done_at * 1000;
	if (lz->user_pidfile)
		cli_write_pidfile(c, lz->user_pidfile, lz->pid);
	/* The daemon learns how many pages a task has once it connects: often
	 * just after this. */
	if (lz->progress.pages_total)
		cli_say(c,
			"running: pid %d after %.0f ms; its memory comes in behind it (%llu of "
			"%llu pages so far)",
			lz->pid, lz->running_ms, (unsigned long long)lz->progress.pages_copied,
			(unsigned long long)lz->progress.pages_total);
	else
		cli_say(c, "running: pid %d after %.0f ms; its memory comes in behind it", lz->pid,
			lz->running_ms);
}

int lazy_restore_prepare(struct cli *c, const struct restore_req *req, struct criu_run *run,
			 const char *user_pidfile, struct lazy_restore *lz)
{
	memset(lz, 0, sizeof(*lz));
	lz->cli = c;
	lz->run = run;
	lz->user_pidfile = user_pidfile;
	if (criu_argv_lazy_pages(req, LAZY_LOG, &lz->argv) < 0)
		return cli_oom(c);
	lz->comp = (struct sup_companion){.argv = lz->argv.v,
					  .log_name = LAZY_LOG,
					  .ready = LAZY_READY,
					  .stall_timeout = run->stall_timeout,
					  .on_line = on_line,
					  .on_child_done = on_child_done,
					  .arg = lz};
	run->companion = &lz->comp;
	return 0;
}

static enum lazy_stop stop_of(enum sup_comp_stop s)
{
	switch (s) {
	case SUP_COMP_STALL: return LAZY_STOP_STALL;
	case SUP_COMP_DEADLINE: return LAZY_STOP_DEADLINE;
	case SUP_COMP_SIGNAL: return LAZY_STOP_SIGNAL;
	default: return LAZY_STOP_NONE;
	}
}

/* The restored tree, without its pages, is ended: the root and what it
 * made, each only while it is still the same task. */
static size_t end_tree(int root)
{
	struct manifest_proc *procs = NULL;
	int *pids = NULL, *all;
	size_t n = 0, ended;
	struct tidy_result t;

	if (root <= 0)
		return 0;
	if (proc_descendants(root, &pids, &n) < 0)
		n = 0;
	all = realloc(pids, (n + 1) * sizeof(*all));
	if (all)
		all[n] = root;
	if (!all || proc_identities(all, n + 1, &procs, &n) < 0) {
		free(all ? all : pids);
		kill(root, SIGKILL);
		return 1;
	}
	free(all);
	tidy_restored(procs, &n, &t);
	ended = t.killed.n;
	tidy_result_free(&t);
	free(procs);
	return ended;
}

static json_t *figures(const struct lazy_restore *lz, const struct sup_companion_result *cr)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:i}", "running_ms", (json_int_t)lz->running_ms,
			 "last_page_ms", (json_int_t)(cr->ended_at * 1000), "pages_total",
			 (json_int_t)lz->progress.pages_total, "pages_copied",
			 (json_int_t)lz->progress.pages_copied, "daemon_pid", cr->pid);
}

int lazy_restore_finish(struct cli *c, struct lazy_restore *lz)
{
	struct criu_run *r = lz->run;
	const struct sup_companion_result *cr = &r->res.companion;
	struct lazy_end end = {.complete = lazy_complete(&lz->progress),
			       .exited_ok = cr->end.exited && cr->end.exit_status == 0,
			       .stopped = stop_of(cr->stopped),
			       .signal = cr->signal};
	struct lazy_judgement j;
	struct verdict v = {0};
	char log[PATH_MAX + 32];
	size_t ended;

	lazy_judge(&end, &j);
	json_object_set_new(c->out, "lazy", figures(lz, cr));
	if (j.ok) {
		lz->last_page_ms = cr->ended_at * 1000;
		cli_say(c, "memory in: %llu pages after %.0f ms (the tree ran after %.0f ms)",
			(unsigned long long)lz->progress.pages_total, lz->last_page_ms,
			lz->running_ms);
		return 0;
	}
	ended = j.kill_tree ? end_tree(lz->pid) : 0;
	verdict_set(&v, j.kind);
	if (j.kind != V_LAZY_PAGES_LOST)
		v.title =
			j.kind == V_INTERRUPTED
				? "criuctl was signalled while criu lazy-pages still served the "
				  "restored tree's memory."
			: j.kind == V_STALLED
				? "criu lazy-pages made no progress for the stall limit while the "
				  "restored tree waited for its memory."
				: "The deadline passed before criu lazy-pages had served all of "
				  "the "
				  "restored tree's memory.";
	strv_pushf(&v.evidence, "criu lazy-pages (pid %d) %s %d; %llu of %llu pages were in",
		   cr->pid, cr->end.exited ? "exited with status" : "was killed by signal",
		   cr->end.exited ? cr->end.exit_status : cr->end.term_signal,
		   (unsigned long long)lz->progress.pages_copied,
		   (unsigned long long)lz->progress.pages_total);
	if (ended)
		strv_pushf(&v.evidence, "the restored tree (pid %d, %zu task%s) was ended", lz->pid,
			   ended, ended == 1 ? "" : "s");
	r->failed = 1;
	run_write_report(r, &v);
	snprintf(log, sizeof(log), "%s/%s", r->at->dir, LAZY_LOG);
	cli_verdict(c, j.exit_code, &v, log);
	err_prefix(&c->err, "restore failed");
	verdict_free(&v);
	return j.exit_code;
}

void lazy_restore_free(struct lazy_restore *lz)
{
	strv_free(&lz->argv);
}
