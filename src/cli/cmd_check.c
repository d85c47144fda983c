/*
 * cmd_check: the doctor.  Without --tree: the environment (criu and its
 * version, known criu/kernel incompatibilities, `criu check`, the kernel
 * config, privileges, the store).  With --tree: the target tree, as dump's
 * preflight sees it.  With --selftest: a real dump and restore of small
 * canaries.  Exit 0 when no finding is "fail", 3 otherwise.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "inspect.h"
#include "jsonutil.h"
#include "kconfig.h"
#include "selftest.h"

struct check_args {
	int tree;
	int selftest;
	const char *kconfig;
};

enum { CHECK_TREE, CHECK_SELFTEST, CHECK_KCONFIG };

static const struct cli_opt check_opts[] = {
	{"tree", 't', "PID", "the target tree, as dump's preflight sees it", CHECK_TREE},
	{"selftest", 0, NULL, "dump and restore small canaries with this criu and kernel",
	 CHECK_SELFTEST},
	{"kernel-config", 0, "FILE", "check this kernel config (full or fragment)", CHECK_KCONFIG},
	{NULL, 0, NULL, NULL, 0},
};

static int check_option(struct cli *c, int id, const char *arg, void *ctx)
{
	struct check_args *a = ctx;

	if (id == CHECK_TREE)
		return cli_parse_pid(c, "--tree", arg, &a->tree) < 0 ? CC_EXIT_USAGE : -1;
	if (id == CHECK_SELFTEST)
		a->selftest = 1;
	else
		a->kconfig = arg;
	return -1;
}

static int parse_check(struct cli *c, int argc, char **argv, struct check_args *a)
{
	int rc = cli_parse_options(
		c, argc, argv,
		&(struct cli_parse){.cmd = "check",
				    .synopsis = "criuctl check [OPTIONS]",
				    .about =
					    "No option: the environment (criu, kernel, privileges, "
					    "store).\n",
				    .own = check_opts,
				    .fn = check_option,
				    .ctx = a});

	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_usage(c, "check", "unexpected argument '%s'", argv[optind]);
	if (!!a->tree + !!a->selftest + !!a->kconfig > 1)
		return cli_usage(c, "check",
				 "--tree, --selftest and --kernel-config are separate "
				 "checks: give one");
	return -1;
}

/* Human lines: every finding, except ok kernel options unless --verbose. */
static void print_findings(const struct cli *c, const struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];

		if (x->level == LEVEL_OK && !c->verbose && strncmp(x->id, "kconfig-", 8) == 0)
			continue;
		cli_print(stdout, "%-5s %-28s %s", level_name(x->level), x->id, x->message);
		if (x->level != LEVEL_OK && x->remedy[0])
			cli_print(stdout, "      %-28s remedy: %s", "", x->remedy);
	}
}

json_t *cli_findings_json(const struct findings *f)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < f->n; i++) {
		const struct finding *x = &f->v[i];

		/* The message may name a comm or a path: any bytes (jsonutil.h). */
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:s?, s:s?}", "id", x->id,
						   "level", level_name(x->level), "message",
						   json_text(x->message), "remedy",
						   x->remedy[0] ? x->remedy : NULL, "flag",
						   x->flag[0] ? x->flag : NULL));
	}
	return a;
}

static int check_kernel(struct cli *c, const char *path, struct findings *f)
{
	char source[300];
	char *text = NULL;
	size_t len;
	int rc = inspect_kconfig(path, &text, &len, source, sizeof(source), &c->err);

	if (rc < 0)
		return -1;
	if (rc > 0)
		return findings_add(f, "kernel-config", LEVEL_WARN,
				    "Pass the guest kernel's config with --kernel-config FILE.",
				    "no kernel config found (/proc/config.gz, /boot/config-*)");
	rc = kconfig_check(text, len, source, f);
	free(text);
	return rc;
}

static int check_env(struct cli *c, const struct check_args *a, struct findings *f)
{
	struct env_facts facts;
	int rc;

	inspect_env(&facts, c->criu_want, cli_store_root(c), 1);
	facts.store_fallback = c->store_fallback;
	rc = doctor_env(&facts, f);
	if (facts.criu_check_len)
		free((char *)facts.criu_check_out);
	return rc < 0 ? cli_oom(c) : check_kernel(c, a->kconfig, f) < 0 ? -1 : 0;
}

static int check_tree(struct cli *c, int pid, struct findings *f)
{
	struct target_facts facts;
	int rc;

	if (inspect_target(pid, cli_store_root(c), &facts, &c->err) < 0)
		return -1;
	rc = doctor_target(&facts, f);
	inspect_target_free(&facts);
	return rc < 0 ? cli_oom(c) : 0;
}

int cmd_check(struct cli *c, int argc, char **argv)
{
	struct check_args a = {0};
	struct findings f = {0};
	int code = parse_check(c, argc, argv, &a), rc;

	if (code >= 0)
		return code;
	if (a.tree)
		rc = check_tree(c, a.tree, &f);
	else if (a.selftest)
		rc = selftest_run(c, &f);
	else
		rc = check_env(c, &a, &f);
	if (rc < 0) {
		findings_free(&f);
		return c->err.exit_code ? c->err.exit_code : CC_EXIT_ENV;
	}
	if (!c->json)
		print_findings(c, &f);
	json_object_set_new(c->out, "findings", cli_findings_json(&f));
	code = findings_worst(&f) == LEVEL_FAIL ? CC_EXIT_REFUSED : 0;
	if (code) {
		const struct finding *worst = NULL;

		for (size_t i = 0; i < f.n && !worst; i++)
			if (f.v[i].level == LEVEL_FAIL)
				worst = &f.v[i];
		err_set(&c->err, CC_EXIT_REFUSED, worst->id, "check found a problem: %s",
			worst->message);
		err_remedy(&c->err, "%s", worst->remedy);
	}
	findings_free(&f);
	return code;
}
