/*
 * cmd_restore: restore a checkpoint with the flags it was dumped with.
 *
 * criu always runs with --restore-detached: it returns once the tree runs.
 * For --wait, criuctl first becomes a child subreaper, so the restored root
 * is reparented to criuctl when criu exits; criuctl then waits for that one
 * pid (after the libuv loop is closed: libuv must not see the status) and
 * exits with its status, forwarding termination signals to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "flags.h"
#include "fsutil.h"
#include "interrupt.h"
#include "options.h"
#include "proc.h"
#include "restore_lazy.h"
#include "run_criu.h"
#include "seal.h"

struct restore_args {
	const char *name;
	const char *pidfile;
	const char *root;
	int wait;
	int force;
	int verify;
	struct criu_opts opts; /* external, criu_opt, timeouts; flags from the manifest */
};

/* restore's own options; the flags come from the flag table (flags.h). */
enum { R_PIDFILE, R_WAIT, R_NO_WAIT, R_ROOT, R_FORCE, R_VERIFY, R_NO_VERIFY };

static const struct cli_opt restore_opts[] = {
	{"pidfile", 0, "FILE", "write the restored root's pid to FILE", R_PIDFILE},
	{"wait", 0, NULL, "wait for the restored root to exit, with its status", R_WAIT},
	{"no-wait", 0, NULL, "do not ([restore] wait = true in the configuration)", R_NO_WAIT},
	{"root", 0, "DIR", "the root of a tree with a mount namespace of its own", R_ROOT},
	{"flags", 0, NULL, NULL, CLI_FLAGS_HERE},
	{"force", 0, NULL, "run criu over a taken pid or a missing mount source", R_FORCE},
	{"no-verify", 0, NULL, "do not check the images against their seal first", R_NO_VERIFY},
	{"verify", 0, NULL, "do ([restore] verify = false in the configuration)", R_VERIFY},
	{NULL, 0, NULL, NULL, 0},
};

static int restore_option(struct cli *c, int id, const char *arg, void *ctx)
{
	struct restore_args *a = ctx;

	(void)c;
	switch (id) {
	case R_PIDFILE: a->pidfile = arg; return -1;
	case R_WAIT: a->wait = 1; return -1;
	case R_NO_WAIT: a->wait = 0; return -1;
	case R_ROOT: a->root = arg; return -1;
	case R_FORCE: a->force = 1; return -1;
	case R_VERIFY: a->verify = 1; return -1;
	case R_NO_VERIFY: a->verify = 0; return -1;
	}
	return -1;
}

/* [restore] of the configuration, under the command line. */
static int prepare_restore(struct cli *c, void *ctx)
{
	struct restore_args *a = ctx;

	if (criu_opts_copy(&a->opts, &c->cfg.restore) < 0)
		return cli_oom(c);
	a->wait = c->cfg.restore_wait;
	a->verify = c->cfg.restore_verify;
	return -1;
}

static int parse_restore(struct cli *c, int argc, char **argv, struct restore_args *a)
{
	int rc;

	rc = cli_parse_options(c, argc, argv,
			       &(struct cli_parse){.cmd = "restore",
						   .synopsis = "criuctl restore NAME [OPTIONS]",
						   .own = restore_opts,
						   .flags = CONF_RESTORE,
						   .opts = &a->opts,
						   .fn = restore_option,
						   .ctx = a,
						   .prepare = prepare_restore});
	if (rc >= 0)
		return rc;
	if (optind + 1 != argc)
		return cli_usage(c, "restore",
				 optind >= argc ? "which checkpoint? (criuctl "
						  "restore NAME)"
						: "one checkpoint at a time");
	a->name = argv[optind];
	return -1;
}

/* Refuse before criu runs when a pid the checkpoint needs is taken (with
 * --force, only say so: criu's own refusal is then explained).  A tree that
 * is a pid namespace of its own gets a new namespace: its pids inside are
 * free by construction, its outer pids are not restored. */
static int check_pids_free(struct cli *c, const struct manifest *m, int force)
{
	for (size_t i = 0; !m->own_pidns && i < m->n_procs; i++) {
		struct proc_stat st;
		char holder[256];

		if (proc_holder(m->procs[i].pid, &st, holder, sizeof(holder)) < 0)
			continue;
		if (force) {
			cli_say(c, "criuctl: pid %d is held by %s; --force: restoring anyway",
				st.pid, holder);
			continue;
		}
		err_set(&c->err, CC_EXIT_REFUSED, verdict_row(V_PID_IN_USE)->id,
			"pid %d, which checkpoint '%s' needs, is held by %s", st.pid, m->name,
			holder);
		err_remedy(&c->err,
			   st.state == 'Z'
				   ? "Its parent (pid %d) has not reaped it: end or signal the "
				     "parent."
				   : "Stop that process first (is the original still running? "
				     "dumped with --leave-running?); pid %d is its parent.",
			   st.ppid);
		return -1;
	}
	return 0;
}

/* 1 when the user maps key already (--external mnt[KEY]:...). */
static int user_maps(const struct criu_opts *o, const char *key)
{
	char prefix[80];

	snprintf(prefix, sizeof(prefix), "mnt[%s]:", key);
	for (size_t i = 0; i < o->external.n; i++)
		if (strncmp(o->external.v[i], prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

/*
 * A tree with a mount namespace of its own needs its root (--root) and every
 * external mount mapped back to where its files are (GUEST-NOTES: without
 * --root criu crashes, without a mapping "No mapping for N:(null)
 * mountpoint").  Both come from the manifest unless given; with --force a
 * mount whose source is gone is left unmapped for criu to refuse.  Returns
 * 0, or -1 with c->err set (refused before criu runs).
 */
static int map_mounts(struct cli *c, struct restore_args *a, const struct manifest *m)
{
	struct stat st;

	if (!m->own_mntns)
		return 0;
	/* [restore] root is for trees with a mount namespace of their own only. */
	if (!a->root && c->cfg.restore_root[0])
		a->root = c->cfg.restore_root;
	if (!a->root && !m->root_source[0]) {
		err_set(&c->err, CC_EXIT_REFUSED, "root-needed",
			"checkpoint '%s' has a mount namespace of its own and its root is unknown",
			m->name);
		err_remedy(&c->err, "Restore with --root DIR, the directory the tree's / was.");
		return -1;
	}
	if (!a->root)
		a->root = m->root_source;
	for (size_t i = 0; i < m->n_ext; i++) {
		const struct ext_mount *x = &m->ext[i];

		if (user_maps(&a->opts, x->key))
			continue;
		if (!x->source[0] || stat(x->source, &st) < 0) {
			if (a->force) {
				cli_say(c,
					"criuctl: mount %s (key %s) came from %s, which is not "
					"there; --force: leaving it unmapped",
					x->point, x->key,
					x->source[0] ? x->source : "an unknown place");
				continue;
			}
			err_set(&c->err, CC_EXIT_REFUSED,
				verdict_row(V_EXTERNAL_MOUNT_UNMAPPED)->id,
				"mount %s of checkpoint '%s' (key %s) came from %s, which is not "
				"there",
				x->point, m->name, x->key,
				x->source[0] ? x->source : "an unknown place");
			err_remedy(&c->err, "Map it: --external 'mnt[%s]:PATH'.", x->key);
			return -1;
		}
		if (strv_pushf(&a->opts.external, "mnt[%s]:%s", x->key, x->source) < 0)
			return cli_oom(c), -1;
	}
	return 0;
}

static volatile sig_atomic_t waited_pid;

static void forward_signal(int sig)
{
	if (waited_pid > 0)
		kill((pid_t)waited_pid, sig);
}

/* --wait: the restored root is our child now (subreaper). */
static int wait_root(struct cli *c, int pid)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa = {.sa_handler = forward_signal};
	int status;

	waited_pid = pid;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	/* A signal that came while criu finished the restore was kept for
	 * now: with --wait, signals are the workload's. */
	if (intr_signal())
		kill(pid, intr_signal());
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			err_sys(&c->err, CC_EXIT_ENV, "wait-failed", errno,
				"wait for restored pid %d", pid);
			return CC_EXIT_ENV;
		}
	}
	c->passthrough = 1;
	if (WIFSIGNALED(status)) {
		json_object_set_new(c->out, "term_signal", json_integer(WTERMSIG(status)));
		return 128 + WTERMSIG(status);
	}
	json_object_set_new(c->out, "exit_status", json_integer(WEXITSTATUS(status)));
	return WEXITSTATUS(status);
}

/* A log of the attempt (restore.log; with --lazy lazy-pages.log too) is
 * kept with the checkpoint, replacing the last restore's. */
static void keep_log(struct cli *c, const struct attempt *at, int ckfd, const char *name)
{
	if (renameat(at->fd, name, ckfd, name) < 0)
		cli_say(c, "criuctl: cannot keep %s: %s", name, strerror(errno));
}

/* After success: keep the log with the checkpoint, report the pid. */
static int finish_restore(struct cli *c, struct restore_args *a, struct attempt *at, int ckfd,
			  const struct criu_run *run, int *restored)
{
	int pid;

	keep_log(c, at, ckfd, "restore.log");
	if (cli_read_pidfile(c, run->pidfile, &pid) < 0)
		return c->err.exit_code;
	json_object_set_new(c->out, "name", json_string(a->name));
	json_object_set_new(c->out, "pid", json_integer(pid));
	json_object_set_new(c->out, "duration_ms",
			    json_integer((json_int_t)(run->res.duration * 1000)));
	if (a->pidfile && cli_write_pidfile(c, a->pidfile, pid) < 0)
		return c->err.exit_code;
	cli_say(c, "restored '%s': pid %d (%.0f ms)", a->name, pid, run->res.duration * 1000);
	*restored = pid;
	if (intr_signal() && !a->wait) {
		cli_say(c,
			"criuctl: signal %d (%s) came after criu had started resuming the tree: "
			"the "
			"restore was finished, not undone",
			intr_signal(), strsignal(intr_signal()));
		json_object_set_new(c->out, "deferred_signal", json_integer(intr_signal()));
	}
	if (!a->wait && !c->json)
		printf("%d\n", pid);
	return 0;
}

/* criu restore's command line, and with --lazy criu lazy-pages beside it;
 * the run's limits.  0, or an exit code. */
static int build_run(struct cli *c, struct restore_args *a, const struct manifest *m,
		     const struct attempt *at, struct criu_run *run, struct lazy_restore *lz)
{
	struct restore_req req = {.criu = c->criu,
				  .images_dir = run->images_dir,
				  .work_dir = at->dir,
				  .log_name = run->log_name,
				  .pidfile = run->pidfile,
				  .root = a->root,
				  .detach = 1,
				  .action_script = run->hook_path,
				  .opts = &a->opts};

	run->timeout = a->opts.timeout;
	run->stall_timeout = a->opts.stall_timeout;
	run->own_pidns = m->own_pidns;
	run->needs = m->procs;
	run->needs_n = m->n_procs;
	if (criu_argv_restore(&req, &run->argv) < 0)
		return cli_oom(c);
	if (a->opts.lazy_pages)
		return lazy_restore_prepare(c, &req, run, a->pidfile, lz);
	return 0;
}

static int do_restore(struct cli *c, struct restore_args *a, int ckfd, const struct manifest *m)
{
	struct attempt at;
	struct criu_run run;
	struct lazy_restore lz = {0};
	char images[PATH_MAX + NAME_MAX_LEN + 32];
	int code, pid = 0;

	if (store_begin(&c->store, a->name, ATTEMPT_RESTORE, &at, &c->err) < 0)
		return c->err.exit_code;
	/* Under the name lock: nobody removes the checkpoint while it is read.
	 * Verified or not, criu must find no link out of the checkpoint. */
	if ((a->verify && m->sealed
		     ? seal_verify(ckfd, seal_dirs, m->files, m->n_files, a->name, &c->err)
		     : seal_check_links(ckfd, seal_dirs, a->name, &c->err)) < 0) {
		store_abort(&c->store, &at);
		return c->err.exit_code;
	}
	snprintf(images, sizeof(images), "%s/checkpoints/%s/images", c->store.root, a->name);
	code = run_criu_prepare(c, &at, "restore", images, &run);
	/* Past post-restore the tree runs: criuctl decides when. */
	if (code == 0)
		code = run_criu_ask(c, &run, "post-restore", NULL, NULL);
	if (code == 0)
		code = build_run(c, a, m, &at, &run, &lz);
	if (code == 0 && a->wait && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		err_sys(&c->err, CC_EXIT_ENV, "subreaper", errno, "restore --wait: subreaper");
		code = CC_EXIT_ENV;
	}
	if (code == 0)
		code = run_criu(c, &at, &run, !m->opts.shell_job);
	if (code == 0 && a->opts.lazy_pages && (code = lazy_restore_finish(c, &lz)) == 0)
		keep_log(c, &at, ckfd, LAZY_LOG);
	if (code == 0)
		code = finish_restore(c, a, &at, ckfd, &run, &pid);
	if (run.failed)
		run_criu_keep_failed(c, &at, &run);
	else
		store_abort(&c->store, &at);
	run_criu_free(&run);
	lazy_restore_free(&lz);
	/* Waiting may last as long as the workload: hold nothing of the store. */
	if (code == 0 && a->wait)
		code = wait_root(c, pid);
	return code;
}

/* What restore checks before criu runs: an exit code with c->err set, or
 * -1 to go on. */
static int before_criu(struct cli *c, struct restore_args *a, struct manifest *m, int ckfd)
{
	if (store_read_manifest(ckfd, m, &c->err) < 0) {
		err_prefix(&c->err, "checkpoint '%s'", a->name);
		return c->err.exit_code;
	}
	if (check_pids_free(c, m, a->force) < 0 || map_mounts(c, a, m) < 0)
		return c->err.exit_code;
	return -1;
}

int cmd_restore(struct cli *c, int argc, char **argv)
{
	struct restore_args a;
	struct manifest m;
	int ckfd = -1, code;

	memset(&a, 0, sizeof(a));
	memset(&m, 0, sizeof(m));
	code = parse_restore(c, argc, argv, &a);
	if (code < 0 && (cli_criu(c) < 0 || cli_store(c, STORE_WRITE) < 0))
		code = c->err.exit_code;
	if (code < 0 && (ckfd = store_open_checkpoint(&c->store, a.name, &c->err)) < 0)
		code = c->err.exit_code;
	if (code < 0)
		code = before_criu(c, &a, &m, ckfd);
	if (code < 0) {
		/* The flags the dump used that restore must repeat (flags.h). */
		code = flags_replay(&a.opts, &m.opts) < 0 ? cli_oom(c)
							  : do_restore(c, &a, ckfd, &m);
	}
	if (ckfd >= 0)
		close(ckfd);
	criu_opts_free(&a.opts);
	manifest_free(&m);
	return code;
}
