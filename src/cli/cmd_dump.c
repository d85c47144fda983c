/*
 * cmd_dump: checkpoint a process tree into the store.
 *
 * Steps: options over [dump] config -> the tree from /proc -> an attempt
 * directory in tmp/ -> criu dump under the supervisor -> on success the
 * manifest is written and the attempt renamed into checkpoints/; on failure
 * the images are dropped, the log and report.json move to failed/, and the
 * verdict says why.  This file holds the options and the order of the
 * steps; the preflight is dump_preflight.c, the criu runs and the commit
 * dump_run.c (dump.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "container.h"
#include "dump.h"
#include "flags.h"
#include "name.h"
#include "options.h"
#include "proc.h"

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

static void fill_identity(struct manifest *m)
{
	struct utsname u;

	manifest_format_time(m->created, sizeof(m->created), (long long)time(NULL));
	snprintf(m->criuctl_version, sizeof(m->criuctl_version), "%s", CRIUCTL_VERSION);
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%s %s", u.release, u.machine);
}

/* migrate's flags on top of the command line's: the tree runs on, its
 * memory goes to the page server. */
static int add_extra(struct cli *c, struct criu_opts *o, const struct criu_opts *extra)
{
	o->leave_running |= extra->leave_running;
	o->page_server |= extra->page_server;
	if (strv_extend(&o->page_server_address, &extra->page_server_address) < 0 ||
	    strv_extend(&o->page_server_port, &extra->page_server_port) < 0)
		return cli_oom(c);
	return -1;
}

int cmd_dump(struct cli *c, int argc, char **argv)
{
	return dump_main(c, argc, argv, NULL);
}

int dump_main(struct cli *c, int argc, char **argv, const struct criu_opts *extra)
{
	struct dump_args a;
	struct manifest m;
	int code;

	memset(&a, 0, sizeof(a));
	memset(&m, 0, sizeof(m));
	code = parse_dump(c, argc, argv, &a);
	if (code < 0 && extra) {
		a.no_summary = 1;
		code = add_extra(c, &a.opts, extra);
	}
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
		code = dump_check_pre_dump(c, &a);
		if (code < 0)
			code = dump_preflight(c, &a, &m);
	}
	if (code < 0) {
		dump_pick_network_lock(c, &a.opts, a.netns);
		criu_opts_copy(&m.opts, &a.opts);
		code = dump_run(c, &a, &m);
	}
	criu_opts_free(&a.opts);
	strv_free(&a.refused);
	manifest_free(&m);
	return code;
}
