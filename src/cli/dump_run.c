/*
 * dump_run: the criu runs of `criuctl dump` and their end.  An attempt
 * directory in tmp/, the pre-dumps (each in pre/K, after the previous one),
 * then the dump, which asks criuctl at post-dump before the tree ends; on
 * success the manifest is written and the attempt committed into
 * checkpoints/, on failure the images are dropped and the log and
 * report.json kept under failed/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commit.h"
#include "criu.h"
#include "dump.h"
#include "fault.h"
#include "interrupt.h"
#include "proc.h"
#include "run_criu.h"
#include "text.h"

static void print_summary(struct cli *c, const struct manifest *m, const char *dir, int text)
{
	char size[32];

	json_object_set_new(c->out, "name", json_string(m->name));
	json_object_set_new(c->out, "path", json_string(dir));
	json_object_set_new(c->out, "root_pid", json_integer(m->root_pid));
	json_object_set_new(c->out, "processes", json_integer((json_int_t)m->n_procs));
	json_object_set_new(c->out, "duration_ms", json_integer(m->duration_ms));
	json_object_set_new(c->out, "frozen_time_us",
			    json_integer((json_int_t)stats_get(&m->stats, "frozen_time_us", 0)));
	json_object_set_new(c->out, "pages_written",
			    json_integer((json_int_t)stats_get(&m->stats, "pages_written", 0)));
	json_object_set_new(c->out, "images_bytes", json_integer((json_int_t)m->images_bytes));
	json_object_set_new(c->out, "leave_running", json_boolean(m->opts.leave_running));
	if (c->json || !text)
		return;
	text_human_size(size, sizeof(size), m->images_bytes);
	printf("checkpoint %s\n", m->name);
	cli_print(stdout, "  tree      %d (%s), %zu process%s, %s", m->root_pid, m->procs[0].comm,
		  m->n_procs, m->n_procs == 1 ? "" : "es",
		  m->opts.leave_running ? "left running" : "stopped");
	printf("  duration  %lld ms (frozen %.1f ms)\n", (long long)m->duration_ms,
	       (double)stats_get(&m->stats, "frozen_time_us", 0) / 1000.0);
	printf("  pages     %llu written\n",
	       (unsigned long long)stats_get(&m->stats, "pages_written", 0));
	printf("  images    %s in %s\n", size, dir);
}

/* What criuctl does while criu waits at post-dump (a worker thread): a tree
 * that is to end gets its checkpoint sealed now, so that a failing disk
 * leaves it running; one that runs on is sealed after, not in its frozen
 * time.  The written manifest is the decision (commit.h). */
struct decision {
	int at_fd;
	struct manifest *m;
	struct cc_err *err;
	int sync; /* [store] sync=full */
};

static int decide(void *arg)
{
	struct decision *d = arg;

	return checkpoint_decide(d->at_fd, d->m, !d->m->opts.leave_running, d->sync, d->err);
}

/* Success: manifest, commit, summary. */
static int commit_dump(struct cli *c, struct attempt *at, struct manifest *m,
		       const struct criu_run *run, int text)
{
	int sig;

	m->duration_ms = (int64_t)(run->res.duration * 1000.0);
	m->hook_wait_ms = (int64_t)(run->res.hook_wait * 1000.0);
	fault_point("commit");
	if (checkpoint_commit(&c->store, at, m, 0, &c->err) < 0) {
		store_abort(&c->store, at);
		return c->err.exit_code;
	}
	print_summary(c, m, at->dir, text);
	store_release(at);
	sig = intr_signal();
	if (sig) {
		/* Too late to stop: criu had checkpointed (and, unless -R, ended)
		 * the tree; the checkpoint is all there is of it. */
		cli_say(c,
			"criuctl: signal %d (%s) came after criu had checkpointed the tree: the "
			"checkpoint was committed, not dropped",
			sig, strsignal(sig));
		json_object_set_new(c->out, "deferred_signal", json_integer(sig));
	}
	return 0;
}

/* The manifest's criu_argv, with the attempt's tmp/ path replaced by where
 * the checkpoint will live once committed. */
static int record_argv(struct manifest *m, const struct strv *argv, const char *tmpdir,
		       const char *root)
{
	size_t n = strlen(tmpdir);

	for (size_t i = 0; i < argv->n; i++) {
		const char *a = argv->v[i];
		int rc = strncmp(a, tmpdir, n) == 0
				 ? strv_pushf(&m->criu_argv, "%s/checkpoints/%s%s", root, m->name,
					      a + n)
				 : strv_push(&m->criu_argv, a);

		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * One criu run of the dump: pre-dump number k (1..pre_dumps, images in
 * pre/k, each after the previous one) or, with k == 0, the final dump
 * (after the last pre-dump when there were any).  Leaves run to the caller.
 */
static int run_step(struct cli *c, struct dump_args *a, struct manifest *m, struct attempt *at,
		    int k, struct criu_run *run)
{
	char images[PATH_MAX + 160], rel[32], prev[32];
	struct decision d = {at->fd, m, &run->precommit_err, !c->store.sync_none};
	int code;

	memset(run, 0, sizeof(*run)); /* the caller frees it whatever happens */
	images[0] = '\0';	      /* unused when k == 0; gcc -fsanitize cannot tell */
	if (k > 0) {
		snprintf(rel, sizeof(rel), "pre/%d", k);
		if ((mkdirat(at->fd, "pre", 0700) < 0 && errno != EEXIST) ||
		    mkdirat(at->fd, rel, 0700) < 0)
			return err_sys(&c->err, CC_EXIT_STORE, "store-io", errno, "mkdir %s/%s",
				       at->dir, rel),
			       CC_EXIT_STORE;
		snprintf(images, sizeof(images), "%s/%s", at->dir, rel);
	}
	code = run_criu_prepare(c, at, k ? "pre-dump" : "dump", k ? images : NULL, run);
	/* The final dump ends the tree: criuctl decides when. */
	if (code == 0 && k == 0)
		code = run_criu_ask(c, run, "post-dump", decide, &d);
	if (k > 0)
		snprintf(run->log_name, sizeof(run->log_name), "pre-dump-%d.log", k);
	/* --prev-images-dir is relative to the images directory. */
	snprintf(prev, sizeof(prev), k ? "../%d" : "../pre/%d", k ? k - 1 : a->pre_dumps);
	if (code == 0) {
		struct dump_req req = {.criu = c->criu,
				       .action = k ? "pre-dump" : "dump",
				       .track_mem = a->pre_dumps > 0,
				       .prev_images_dir =
					       (k ? k > 1 : a->pre_dumps > 0) ? prev : NULL,
				       .pid = a->pid,
				       .images_dir = run->images_dir,
				       .work_dir = at->dir,
				       .log_name = run->log_name,
				       .action_script = run->hook_ask ? run->hook_path : NULL,
				       .opts = &a->opts};

		if (criu_argv_dump(&req, &run->argv) < 0 ||
		    (k == 0 && record_argv(m, &run->argv, at->dir, c->store.root) < 0))
			code = cli_oom(c);
	}
	run->timeout = a->opts.timeout;
	run->stall_timeout = a->opts.stall_timeout;
	run->tree = m->procs;
	run->tree_n = m->n_procs;
	run->expected_bytes = proc_tree_rss(m->procs, m->n_procs);
	return code ? code : run_criu(c, at, run, 1);
}

int dump_run(struct cli *c, struct dump_args *a, struct manifest *m)
{
	struct attempt at;
	struct criu_run run;
	int code = 0;

	if (store_begin(&c->store, m->name, ATTEMPT_DUMP, &at, &c->err) < 0)
		return c->err.exit_code;
	/* Said once the store took the attempt: a read-only or full store
	 * fails before, and nothing is dumped. */
	cli_say(c, "dumping tree %d (%s, %zu process%s) as '%s'", m->root_pid, m->procs[0].comm,
		m->n_procs, m->n_procs == 1 ? "" : "es", m->name);
	for (int k = 1; k <= a->pre_dumps && code == 0; k++) {
		cli_say(c, "pre-dump %d of %d", k, a->pre_dumps);
		code = run_step(c, a, m, &at, k, &run);
		if (code == 0)
			run_criu_free(&run);
	}
	m->pre_dumps = a->pre_dumps;
	if (code == 0)
		code = run_step(c, a, m, &at, 0, &run);
	if (code == 0)
		code = commit_dump(c, &at, m, &run, !a->no_summary);
	else if (run.failed)
		run_criu_keep_failed(c, &at, &run); /* criu ran and failed: keep its log */
	else
		store_abort(&c->store, &at);
	if (code == 0)
		cli_next(c, (const char *[]){"restore", m->name, NULL});
	else if (run.failed && c->err.log[0]) /* kept in failed/, which log reads */
		cli_next(c, (const char *[]){"log", strrchr(at.dir, '/') + 1, "--errors", NULL});
	run_criu_free(&run);
	cli_retention(c, code == 0 ? m->name : NULL);
	return code;
}
