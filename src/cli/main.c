/*
 * main: criuctl's entry point, read as a list of steps: global options,
 * configuration, the command table (whose flags say what each command
 * needs: the store, criu), the command, then the one place that prints a
 * fatal error and picks the exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "criu.h"
#include "interrupt.h"
#include "jsonutil.h"
#include "options.h"
#include "progress.h"

enum { NEEDS_CRIU = 1, HIDDEN = 2 };

struct command {
	const char *name;
	cmd_fn fn;
	unsigned needs;
	const char *summary;
};

static const struct command commands[] = {
	{"run", cmd_run, 0, "start a workload so that it can be checkpointed"},
	{"dump", cmd_dump, NEEDS_CRIU, "checkpoint a process tree into the store"},
	{"restore", cmd_restore, NEEDS_CRIU, "restore a checkpoint"},
	{"list", cmd_list, 0, "list checkpoints (--failed: failed attempts)"},
	{"show", cmd_show, 0, "print a checkpoint's manifest"},
	{"verify", cmd_verify, 0, "check checkpoints against their seal (XXH128)"},
	{"log", cmd_log, 0, "print a checkpoint's criu log"},
	{"export", cmd_export, 0, "write a checkpoint as an archive (podman's layout)"},
	{"import", cmd_import, 0, "make a checkpoint of an archive (criuctl, podman, CRI-O)"},
	{"migrate", cmd_migrate, NEEDS_CRIU, "move a running tree to 'criuctl receive' elsewhere"},
	{"receive", cmd_receive, NEEDS_CRIU, "take a migrating tree: page server, images, restore"},
	{"rm", cmd_rm, 0, "remove checkpoints or failed attempts"},
	{"prune", cmd_prune, 0, "apply retention: --keep N, --older-than DURATION"},
	{"recover", cmd_recover, 0, "resolve what ended criuctls left in tmp/"},
	{"check", cmd_check, 0, "the doctor: environment, a tree (--tree), a selftest"},
	{"explain", cmd_explain, 0, "classify any CRIU log: verdict, decisive lines, remedy"},
	{"config", cmd_config, 0, "the effective configuration and where each value came from"},
	{"containers", cmd_containers, 0,
	 "the containers of a Kata guest, their init and preflight"},
	/* The selftest's canary process; not for users. */
	{"__canary", cmd_canary, HIDDEN, NULL},
};

#define USAGE_SHORT "criuctl [OPTIONS] COMMAND [ARGS...]; see criuctl(1)"

/* The global options, one table: main takes them before the command, every
 * command's parser after it too (options.h), and both --help list them. */
enum {
	G_CONFIG,
	G_STORE,
	G_CRIU,
	G_KATA_ROOT,
	G_JSON,
	G_PROGRESS,
	G_QUIET,
	G_VERBOSE,
	G_HELP,
	G_VERSION
};

const struct cli_global cli_globals[] = {
	[G_CONFIG] = {"config", 'c', "FILE",
		      "configuration file (default $CRIUCTL_CONFIG, else " CONFIG_DEFAULT_PATH ")",
		      1},
	[G_STORE] = {"store", 0, "DIR",
		     "checkpoint store (default [store] root, " STORE_DEFAULT_ROOT ")", 1},
	[G_CRIU] = {"criu", 0, "PATH", "criu binary (default [criu] path, else criu on PATH)", 1},
	[G_KATA_ROOT] = {"kata-root", 0, "DIR",
			 "Kata containers' bundles (default [kata] root, " KATA_DEFAULT_ROOT ")",
			 1},
	[G_JSON] = {"json", 0, NULL, "one JSON document on stdout, errors included", 1},
	[G_PROGRESS] = {"progress", 0, "WHEN",
			"auto, always or never: live phase line on stderr (auto: when a tty)", 1},
	[G_QUIET] = {"quiet", 'q', NULL, "fewer messages on stderr", 1},
	[G_VERBOSE] = {"verbose", 'v', NULL, "more messages on stderr", 1},
	[G_HELP] = {"help", 'h', NULL, "this help; 'criuctl COMMAND --help' for a command", 0},
	[G_VERSION] = {"version", 'V', NULL, "criuctl's version and the criu it would use", 0},
	{NULL, 0, NULL, NULL, 0},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: criuctl [OPTIONS] COMMAND [ARGS...]\n\n"
		   "Run CRIU checkpoint/restore inside VM guests, and explain its failures.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!(commands[i].needs & HIDDEN))
			fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nOptions (all but -h and -V also after the command):\n");
	for (size_t i = 0; cli_globals[i].name; i++)
		cli_help_line(f, cli_globals[i].short_opt, cli_globals[i].name, cli_globals[i].arg,
			      cli_globals[i].help);
	fprintf(f, "\nExit codes: 0 ok, 1 criu failed, 2 usage or config, 3 refused, 4 timed out,\n"
		   "5 store, 6 environment, 128+N ended by signal N.  See criuctl(1).\n");
}

static void print_version(struct cli *c)
{
	char path[PATH_MAX], version[64];
	struct cc_err e;
	int have = criu_resolve(c->criu_want, path, sizeof(path), &e) == 0 &&
		   criu_version(path, version, sizeof(version), &e) == 0;

	json_object_set_new(c->out, "version", json_string(CRIUCTL_VERSION));
	json_object_set_new(c->out, "criu",
			    have ? json_pack("{s:o, s:o}", "path", json_text(path), "version",
					     json_text(version))
				 : json_pack("{s:n, s:o}", "path", "error", json_text(e.msg)));
	if (c->json)
		return;
	printf("criuctl %s\n", CRIUCTL_VERSION);
	if (have)
		printf("criu %s (%s)\n", version, path);
	else
		printf("criu: %s\n", e.msg);
}

static void print_error(const struct cli *c)
{
	cli_print(stderr, "criuctl: %s", c->err.msg);
	if (c->evidence.n) {
		/* A stopped run's evidence is where criu was, not what it said went wrong. */
		fprintf(stderr, "  %s\n",
			c->err.exit_code == CC_EXIT_TIMEOUT || c->err.exit_code >= 128
				? "criu's last log lines:"
				: "criu said:");
		for (size_t i = 0; i < c->evidence.n; i++)
			cli_print(stderr, "    %s", c->evidence.v[i]);
	}
	if (c->err.remedy[0])
		cli_print(stderr, "  remedy: %s", c->err.remedy);
	if (c->err.log[0])
		cli_print(stderr, "  log: %s", c->err.log);
	if (c->next && !c->quiet)
		cli_print(stderr, "  next: %s", c->next);
}

static void print_json(struct cli *c, int code)
{
	json_object_set_new(c->out, "ok", json_boolean(code == 0));
	if (code != 0) {
		json_object_set_new(c->out, "exit_code", json_integer(code));
		json_object_set_new(c->out, "error",
				    json_pack("{s:s, s:o, s:s?, s:o?}", "code",
					      c->err.code[0] ? c->err.code : "failed", "message",
					      json_text(c->err.msg), "remedy",
					      c->err.remedy[0] ? c->err.remedy : NULL, "log",
					      c->err.log[0] ? json_text(c->err.log) : NULL));
	}
	json_dumpf(c->out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int cli_global_take(struct cli *c, size_t i, const char *arg)
{
	switch (i) {
	case G_CONFIG: c->config_arg = arg; break;
	case G_STORE: c->store_root = arg, c->store_given = 1; break;
	case G_CRIU: c->criu_want = arg, c->criu_given = 1; break;
	case G_KATA_ROOT: c->kata_root = arg; break;
	case G_JSON: c->json = 1; break;
	case G_PROGRESS:
		if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never"))
			return cli_usage(c, "criuctl", "--progress '%s': use auto, always or never",
					 arg);
		c->progress_arg = arg;
		break;
	case G_QUIET: c->quiet = 1; break;
	case G_VERBOSE: c->verbose = 1; break;
	case G_HELP:
		if (c->json)
			json_object_set_new(c->out, "usage", json_string(USAGE_SHORT));
		else
			usage(stdout);
		return 0;
	case G_VERSION: c->version = 1; break;
	}
	return -1;
}

int cli_globals_done(struct cli *c)
{
	if (c->globals_done)
		return -1;
	c->globals_done = 1;
	c->progress =
		progress_mode_for(c->progress_arg ? c->progress_arg : "auto", c->json, c->quiet);
	if (cli_load_config(c, c->config_arg) < 0)
		return c->err.exit_code;
	if (!c->criu_want && c->cfg.criu_path[0])
		c->criu_want = c->cfg.criu_path;
	if (!c->kata_root)
		c->kata_root = c->cfg.kata_root;
	return -1;
}

/* The global options before the command; returns -1 to go on with a
 * command, else an exit code.  A short option is its letter, a long one
 * 256 + its row. */
static int parse_globals(struct cli *c, int argc, char **argv)
{
	struct option longopts[sizeof(cli_globals) / sizeof(cli_globals[0])];
	char shortopts[2 * sizeof(cli_globals) / sizeof(cli_globals[0]) + 3] = "+:";
	size_t n = 0, k = 2;
	int opt, rc;

	for (; cli_globals[n].name; n++) {
		const struct cli_global *g = &cli_globals[n];

		longopts[n] = (struct option){g->name, g->arg ? required_argument : no_argument,
					      NULL, g->short_opt ? g->short_opt : 256 + (int)n};
		if (g->short_opt)
			shortopts[k++] = g->short_opt;
		if (g->short_opt && g->arg)
			shortopts[k++] = ':';
	}
	longopts[n] = (struct option){NULL, 0, NULL, 0};
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		size_t i = opt >= 256 ? (size_t)(opt - 256) : n;

		if (opt == ':')
			return cli_usage(c, "criuctl", "option '%s' needs an argument",
					 cli_refused(argc, argv));
		for (size_t j = 0; opt < 256 && j < n; j++)
			if (cli_globals[j].short_opt == opt)
				i = j;
		if (i == n)
			return cli_usage(c, "criuctl", "unknown option '%s'",
					 cli_refused(argc, argv));
		rc = cli_global_take(c, i, optarg);
		if (rc >= 0)
			return rc;
	}
	return -1;
}

/* Whether --json is among the global options before the command, so that
 * even a usage error there comes out as JSON.  (After the command, the
 * command's parser takes it first: a --json after "--" or as an option's
 * value, as in "dump --criu-opt --json", is not criuctl's.) */
static int json_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0; i++) {
		const char *w = argv[i];

		if (strcmp(w, "--json") == 0)
			return 1;
		for (size_t k = 0; cli_globals[k].name; k++)
			if (cli_globals[k].arg && !strchr(w, '=') &&
			    ((w[1] == '-' && strcmp(w + 2, cli_globals[k].name) == 0) ||
			     (w[1] == cli_globals[k].short_opt && !w[2])))
				i++; /* its value */
	}
	return 0;
}

static int run_command(struct cli *c, const struct command *cmd, int argc, char **argv)
{
	/* A command that runs criu must not die between two of its steps
	 * (interrupt.h): signals are recorded from here on. */
	if ((cmd->needs & NEEDS_CRIU) && intr_install() < 0)
		return err_sys(&c->err, CC_EXIT_ENV, "signals", errno, "signal handlers"),
		       CC_EXIT_ENV;
	return cmd->fn(c, argc, argv);
}

static int dispatch(struct cli *c, int argc, char **argv)
{
	const struct command *cmd;
	int code = parse_globals(c, argc, argv);

	if (code >= 0)
		return code;
	/* The command's parser takes the global options after it and then
	 * reads the configuration (cli_globals_done()); without one, here. */
	if ((c->version || optind >= argc) && (code = cli_globals_done(c)) >= 0)
		return code;
	if (c->version) {
		print_version(c);
		return 0;
	}
	if (optind >= argc) {
		if (!c->json)
			usage(stderr);
		return cli_usage(c, "criuctl", "no command given");
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return cli_usage(c, "criuctl", "unknown command '%s'", argv[optind]);
	json_object_set_new(c->out, "command", json_string(cmd->name));
	optind++;
	return run_command(c, cmd, argc - optind + 1, argv + optind - 1);
}

int main(int argc, char **argv)
{
	struct cli c;
	int code;

	memset(&c, 0, sizeof(c));
	c.store.fd = c.store.ck_fd = c.store.failed_fd = c.store.tmp_fd = c.store.locks_fd = -1;
	config_defaults(&c.cfg);
	signal(SIGPIPE, SIG_IGN);
	c.out = json_object();
	if (!c.out)
		return CC_EXIT_ENV;
	c.json = json_wanted(argc, argv);
	code = dispatch(&c, argc, argv);
	if (c.passthrough) {
		/* restore --wait: the restored workload's own exit status. */
		if (c.json)
			print_json(&c, 0);
		goto out;
	}
	if (code != 0 && !c.err.msg[0])
		err_set(&c.err, code, "failed", "failed");
	if (c.json)
		print_json(&c, code);
	else if (code != 0)
		print_error(&c);
	else if (c.next && !c.quiet)
		cli_print(stderr, "next: %s", c.next);
out:
	store_close(&c.store);
	config_free(&c.cfg);
	strv_free(&c.evidence);
	json_decref(c.out);
	free(c.next);
	return code;
}
