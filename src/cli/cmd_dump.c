/*
 * cmd_dump: checkpoint a process tree into the store.
 *
 * Steps: options over [dump] config -> the tree from /proc -> an attempt
 * directory in tmp/ -> criu dump under the supervisor -> on success the
 * manifest is written and the attempt renamed into checkpoints/; on failure
 * the images are dropped, the log and report.json move to failed/, and the
 * verdict says why.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "text.h"
#include "commit.h"
#include "container.h"
#include "criu.h"
#include "fault.h"
#include "flags.h"
#include "fsutil.h"
#include "inspect.h"
#include "interrupt.h"
#include "options.h"
#include "preflight.h"
#include "proc.h"
#include "run_criu.h"

struct dump_args {
	int pid;
	const char *pidfile;
	const char *container; /* --container CID (container.h) */
	const char *name;
	const char *profile;
	int auto_flags;
	int force;
	int pre_dumps;
	int netns;	     /* the tree has a network namespace of its own */
	struct strv refused; /* flags turned off on the command line (--no-FLAG) */
	struct criu_opts opts;
};

/* dump's own options; the flags come from the flag table (flags.h). */
enum { O_TREE, O_PIDFILE, O_CONTAINER, O_NAME, O_AUTO, O_NO_AUTO, O_FORCE, O_PROFILE, O_PRE_DUMP };

static const struct cli_opt dump_opts[] = {
	{"tree", 't', "PID", "root of the tree to checkpoint", O_TREE},
	{"pidfile", 0, "FILE", "read the root pid from FILE", O_PIDFILE},
	{"container", 0, "CID", "a Kata container by its id ('criuctl containers')", O_CONTAINER},
	{"name", 'n', "NAME", "checkpoint name (default COMM-PID-UTCSTAMP)", O_NAME},
	{"flags", 0, NULL, NULL, CLI_FLAGS_HERE},
	{"auto-flags", 0, NULL, "add the flags the preflight asks for (default)", O_AUTO},
	{"no-auto-flags", 0, NULL, "do not", O_NO_AUTO},
	{"force", 0, NULL, "dump even when the preflight reports a failure", O_FORCE},
	{"profile", 0, "NAME", "use [profile.NAME] of the config on top of [dump]", O_PROFILE},
	{"pre-dump", 0, "N", "N pre-dumps first (needs dirty-memory tracking)", O_PRE_DUMP},
	{NULL, 0, NULL, NULL, 0},
};

/* --profile NAME (or --profile=NAME), found before the options are parsed:
 * the profile must lie under every command-line option. */
static const char *find_profile(int argc, char **argv)
{
	const char *name = NULL;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strncmp(argv[i], "--profile=", 10) == 0)
			name = argv[i] + 10;
	}
	return name;
}

static int dump_option(struct cli *c, int id, const char *arg, void *ctx)
{
	struct dump_args *a = ctx;
	char *end;
	long n;

	switch (id) {
	case O_TREE: return cli_parse_pid(c, "--tree", arg, &a->pid) < 0 ? CC_EXIT_USAGE : -1;
	case O_PIDFILE: a->pidfile = arg; return -1;
	case O_CONTAINER: a->container = arg; return -1;
	case O_NAME: a->name = arg; return -1;
	case O_AUTO: a->auto_flags = 1; return -1;
	case O_NO_AUTO: a->auto_flags = 0; return -1;
	case O_FORCE: a->force = 1; return -1;
	case O_PROFILE: return -1; /* applied before the options, see parse_dump() */
	case O_PRE_DUMP:
		n = strtol(arg, &end, 10);
		if (end == arg || *end || n < 0 || n > 16)
			return cli_usage(c, "dump", "--pre-dump '%s': give 0 to 16", arg);
		a->pre_dumps = (int)n;
		return -1;
	}
	return -1;
}

/* Once the configuration is read (a -c may come after "dump"): the
 * profile over [dump], under the command line. */
static int prepare_dump(struct cli *c, void *ctx)
{
	struct dump_args *a = ctx;

	if (a->profile && config_apply_profile(&c->cfg, a->profile, &c->err) < 0)
		return c->err.exit_code;
	if (criu_opts_copy(&a->opts, &c->cfg.dump) < 0)
		return cli_oom(c);
	a->auto_flags = c->cfg.auto_flags;
	return -1;
}

/* Returns -1 to go on, else an exit code. */
static int parse_dump(struct cli *c, int argc, char **argv, struct dump_args *a)
{
	int rc;

	a->profile = find_profile(argc, argv);
	rc = cli_parse_options(
		c, argc, argv,
		&(struct cli_parse){.cmd = "dump",
				    .synopsis = "criuctl dump (-t PID | --pidfile FILE) [OPTIONS]",
				    .own = dump_opts,
				    .flags = CONF_DUMP,
				    .opts = &a->opts,
				    .refused = &a->refused,
				    .fn = dump_option,
				    .ctx = a,
				    .prepare = prepare_dump});
	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_usage(c, "dump", "unexpected argument '%s'", argv[optind]);
	if (!!a->pid + !!a->pidfile + !!a->container != 1)
		return cli_usage(c, "dump",
				 "say which tree, once: --tree PID, --pidfile FILE or "
				 "--container CID");
	if (a->name && !name_valid(a->name))
		return err_set(&c->err, CC_EXIT_USAGE, "invalid-name",
			       "invalid checkpoint name '%s': use 1-64 of [A-Za-z0-9._-], starting "
			       "with a letter or digit",
			       a->name),
		       CC_EXIT_USAGE;
	if (a->pidfile && cli_read_pidfile(c, a->pidfile, &a->pid) < 0)
		return c->err.exit_code;
	return -1;
}

/* criu locks the network with iptables unless told otherwise, for
 * established connections and for a network namespace of the tree's own.
 * criuctl asks for nftables instead whenever nothing was chosen: a guest
 * may have no iptables-restore (GUEST-NOTES), and criu's nftables lock is
 * one table of its own (inet CRIU-<run id>) that criuctl finds and removes
 * when criu is killed or an unrestored checkpoint is removed. */
static void pick_network_lock(struct cli *c, struct criu_opts *o, int netns)
{
	if (!(o->tcp_established || netns) || o->network_lock[0])
		return;
	snprintf(o->network_lock, sizeof(o->network_lock), "nftables");
	cli_say(c, "network lock: nftables (criuctl removes it if criu is killed; "
		   "--network-lock iptables for criu's default)");
}

static void fill_identity(struct manifest *m)
{
	struct utsname u;

	manifest_format_time(m->created, sizeof(m->created), (long long)time(NULL));
	snprintf(m->criuctl_version, sizeof(m->criuctl_version), "%s", CRIUCTL_VERSION);
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%s %s", u.release, u.machine);
}

static void print_summary(struct cli *c, const struct manifest *m, const char *dir)
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
	if (c->json)
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
};

static int decide(void *arg)
{
	struct decision *d = arg;

	return checkpoint_decide(d->at_fd, d->m, !d->m->opts.leave_running, d->err);
}

/* Success: manifest, commit, summary. */
static int commit_dump(struct cli *c, struct attempt *at, struct manifest *m,
		       const struct criu_run *run)
{
	int sig;

	m->duration_ms = (int64_t)(run->res.duration * 1000.0);
	m->hook_wait_ms = (int64_t)(run->res.hook_wait * 1000.0);
	fault_point("commit");
	if (checkpoint_commit(&c->store, at, m, 0, &c->err) < 0) {
		store_abort(&c->store, at);
		return c->err.exit_code;
	}
	print_summary(c, m, at->dir);
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
	struct decision d = {at->fd, m, &run->precommit_err};
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

static int do_dump(struct cli *c, struct dump_args *a, struct manifest *m)
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
		code = commit_dump(c, &at, m, &run);
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

/* 1 when the user names mounts as external already (--external mnt[...]). */
static int user_names_mounts(const struct criu_opts *o)
{
	for (size_t i = 0; i < o->external.n; i++)
		if (strncmp(o->external.v[i], "mnt[", 4) == 0)
			return 1;
	return 0;
}

/* Name each mount from outside for criu (mnt[POINT]:KEY) and remember where
 * it comes from, so that restore can map it back without being told. */
static int name_external_mounts(struct dump_args *a, struct manifest *m,
				const struct target_facts *facts)
{
	if (user_names_mounts(&a->opts) || !facts->n_ext)
		return 0;
	m->ext = calloc(facts->n_ext, sizeof(*m->ext));
	if (!m->ext)
		return 0;
	memcpy(m->ext, facts->ext, facts->n_ext * sizeof(*m->ext));
	m->n_ext = facts->n_ext;
	for (size_t i = 0; i < m->n_ext; i++)
		strv_pushf(&a->opts.external, "mnt[%s]:%s", m->ext[i].point, m->ext[i].key);
	return 1;
}

/* Turn on the flag a finding asks for (the flag table's row of the key);
 * returns 1 when that changed anything. */
static int apply_flag(struct dump_args *a, struct manifest *m, const struct target_facts *facts,
		      const struct criu_flag *f)
{
	int *b, was;

	if (f->kind == FLAG_LIST && strcmp(f->key, "external") == 0)
		return name_external_mounts(a, m, facts);
	if (f->kind != FLAG_BOOL)
		return 0;
	b = flag_field(&a->opts, f);
	was = *b;
	*b = 1;
	return !was;
}

/* Say and do what preflight.h decided for each finding. */
static void follow_findings(struct cli *c, struct dump_args *a, struct manifest *m,
			    const struct target_facts *facts, const struct findings *f,
			    const struct pf_policy *p)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];
		const struct criu_flag *fl;
		enum pf_action act = preflight_action(x, p, &fl);

		if (act == PF_ADD_FLAG && apply_flag(a, m, facts, fl)) {
			strv_pushf(&m->auto_flags, "%s", fl->key);
			cli_say(c, "preflight: added --%s: %s", fl->option, x->message);
		} else if (act != PF_QUIET) {
			cli_say(c, "preflight: %s %s: %s", level_name(x->level), x->id, x->message);
		}
	}
}

/*
 * The target preflight, before anything is frozen: refuse on a failure
 * (unless --force), add the flags the tree needs (unless --no-auto-flags).
 * Returns -1 to go on, else the exit code.
 */
static int preflight(struct cli *c, struct dump_args *a, struct manifest *m)
{
	struct target_facts facts;
	struct findings f = {0};
	struct pf_policy p = {
		.auto_flags = a->auto_flags, .force = a->force, .refused = &a->refused};
	const struct finding *fatal;
	int code;

	if (inspect_target(a->pid, c->store.root, &facts, &c->err) < 0)
		return c->err.exit_code;
	if (doctor_target(&facts, &f) < 0) {
		inspect_target_free(&facts);
		return cli_oom(c);
	}
	m->own_mntns = facts.mntns_differs;
	m->own_pidns = facts.pidns_differs;
	a->netns = facts.netns_differs;
	if (!m->root_source[0]) /* --container: the spec's root.path (container.h) */
		snprintf(m->root_source, sizeof(m->root_source), "%s", facts.root_source);
	follow_findings(c, a, m, &facts, &f, &p);
	inspect_target_free(&facts);
	json_object_set_new(c->out, "preflight", cli_findings_json(&f));
	fatal = preflight_fatal(&f);
	code = preflight_exit(fatal, &p);
	if (code) {
		char pid[16];

		err_set(&c->err, code, fatal->id, "dump refused: %s", fatal->message);
		err_remedy(&c->err, "%s (--force dumps anyway)", fatal->remedy);
		snprintf(pid, sizeof(pid), "%d", a->pid);
		cli_next(c, (const char *[]){"check", "--tree", pid,
					     NULL}); /* every finding, in words */
	} else if (fatal) {
		cli_say(c, "preflight: --force: dumping despite %s", fatal->id);
	}
	findings_free(&f);
	return code ? code : -1;
}

/* --pre-dump needs dirty-memory tracking: refuse before anything is frozen
 * (criu pre-dump would abort mid-way, BUG at criu/mem.c:46). */
static int check_pre_dump(struct cli *c, const struct dump_args *a)
{
	int on = a->pre_dumps ? inspect_dirty_track(c->criu) : 1;

	if (on == 1)
		return -1;
	err_set(&c->err, CC_EXIT_REFUSED, verdict_row(V_MEM_TRACKING_UNSUPPORTED)->id,
		"dump refused: --pre-dump %d needs dirty-memory tracking, which %s (criu check "
		"--feature mem_dirty_track)",
		a->pre_dumps, on == 0 ? "this kernel does not have" : "criu could not confirm");
	err_remedy(&c->err, "Dump without --pre-dump, or use a kernel with CONFIG_MEM_SOFT_DIRTY.");
	return CC_EXIT_REFUSED;
}

int cmd_dump(struct cli *c, int argc, char **argv)
{
	struct dump_args a;
	struct manifest m;
	int code;

	memset(&a, 0, sizeof(a));
	memset(&m, 0, sizeof(m));
	code = parse_dump(c, argc, argv, &a);
	if (code < 0 && (cli_criu(c) < 0 || cli_store(c, STORE_WRITE) < 0))
		code = c->err.exit_code;
	if (code < 0 && c->store_fallback) {
		cli_say(c,
			"criuctl: store %s is in RAM (%s cannot be made: a read-only root?); "
			"the checkpoint is lost when the guest stops",
			c->store_root, STORE_DEFAULT_ROOT);
		json_object_set_new(c->out, "store_in_ram", json_true());
	}
	if (code < 0 && a.container)
		code = container_for_dump(c, a.container, &a.pid, &a.opts, &m);
	if (code < 0 && proc_tree(a.pid, &m.procs, &m.n_procs, &c->err) < 0)
		code = c->err.exit_code;
	if (code < 0) {
		m.root_pid = a.pid;
		if (a.name)
			snprintf(m.name, sizeof(m.name), "%s", a.name);
		else
			name_default(m.name, m.procs[0].comm, a.pid, time(NULL));
		fill_identity(&m);
		code = check_pre_dump(c, &a);
		if (code < 0)
			code = preflight(c, &a, &m);
	}
	if (code < 0) {
		pick_network_lock(c, &a.opts, a.netns);
		criu_opts_copy(&m.opts, &a.opts);
		code = do_dump(c, &a, &m);
	}
	criu_opts_free(&a.opts);
	strv_free(&a.refused);
	manifest_free(&m);
	return code;
}
