/*
 * cmd_prune: retention by hand: keep the newest N checkpoints, drop those
 * older than a duration, and keep [store] keep_failed failed attempts.
 * The same rule runs after every dump with the [store] settings.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "jsonutil.h"

enum { PRUNE_KEEP, PRUNE_OLDER };

static const struct cli_opt prune_opts[] = {
	{"keep", 0, "N", "keep the newest N checkpoints (default [store] keep; 0: all)",
	 PRUNE_KEEP},
	{"older-than", 0, "DURATION", "remove checkpoints older than this (30m, 12h, 7d)",
	 PRUNE_OLDER},
	{NULL, 0, NULL, NULL, 0},
};

struct prune_args {
	int keep;
	double older;
};

static int prune_option(struct cli *c, int id, const char *arg, void *ctx)
{
	struct prune_args *a = ctx;
	double n;

	if (id == PRUNE_KEEP) {
		if (config_parse_age(arg, &n) < 0 || n != (int)n || strpbrk(arg, "smhd."))
			return cli_usage(c, "prune", "--keep '%s' is not a count", arg);
		a->keep = (int)n;
		return -1;
	}
	if (config_parse_age(arg, &a->older) < 0 || a->older <= 0)
		return cli_usage(c, "prune", "--older-than '%s' is not a duration (30m, 12h, 7d)",
				 arg);
	return -1;
}

/* [store] keep, under --keep. */
static int prepare_prune(struct cli *c, void *ctx)
{
	((struct prune_args *)ctx)->keep = c->cfg.keep;
	return -1;
}

int cmd_prune(struct cli *c, int argc, char **argv)
{
	struct prune_args a = {0};
	struct strv removed = {0};
	int rc = cli_parse_options(
		c, argc, argv,
		&(struct cli_parse){.cmd = "prune",
				    .synopsis = "criuctl prune [OPTIONS]",
				    .about = "Failed attempts beyond [store] keep_failed are "
					     "removed too.\n",
				    .own = prune_opts,
				    .fn = prune_option,
				    .ctx = &a,
				    .prepare = prepare_prune});

	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_usage(c, "prune", "unexpected argument '%s'", argv[optind]);
	if (cli_store(c, STORE_WRITE) < 0)
		return c->err.exit_code;
	store_prune(&c->store, a.keep, a.older, c->cfg.keep_failed, NULL, &removed, &c->err);
	for (size_t i = 0; i < removed.n; i++)
		cli_say(c, "removed %s", removed.v[i]);
	if (!removed.n)
		cli_say(c, "nothing to remove");
	json_object_set_new(c->out, "removed", json_strv(&removed));
	strv_free(&removed);
	cli_unlocked(c);
	return 0;
}
