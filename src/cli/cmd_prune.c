/*
 * cmd_prune: retention by hand: keep the newest N checkpoints, drop those
 * older than a duration, and keep [store] keep_failed failed attempts.
 * The same rule runs after every dump with the [store] settings.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "jsonutil.h"

static const char prune_usage[] =
	"usage: criuctl prune [--keep N] [--older-than DURATION]\n"
	"  --keep N               keep the newest N checkpoints (default [store] keep; 0: all)\n"
	"  --older-than DURATION  remove checkpoints older than this (30m, 12h, 7d)\n"
	"Failed attempts beyond [store] keep_failed are removed too.\n";

int cmd_prune(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"keep", required_argument, NULL, 'k'},
		{"older-than", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct strv removed = {0};
	int keep = c->cfg.keep, opt;
	double older = 0, n;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			if (config_parse_age(optarg, &n) < 0 || n != (int)n ||
			    strpbrk(optarg, "smhd."))
				return cli_usage(c, "prune", "--keep '%s' is not a count", optarg);
			keep = (int)n;
			break;
		case 'o':
			if (config_parse_age(optarg, &older) < 0 || older <= 0)
				return cli_usage(
					c, "prune",
					"--older-than '%s' is not a duration (30m, 12h, 7d)",
					optarg);
			break;
		case 'h': return cli_help(c, prune_usage);
		default:
			return cli_usage(c, "prune", "unknown option or missing value '%s'",
					 cli_refused(argc, argv));
		}
	}
	if (optind < argc)
		return cli_usage(c, "prune", "unexpected argument '%s'", argv[optind]);
	store_prune(&c->store, keep, older, c->cfg.keep_failed, NULL, &removed, &c->err);
	for (size_t i = 0; i < removed.n; i++)
		cli_say(c, "removed %s", removed.v[i]);
	if (!removed.n)
		cli_say(c, "nothing to remove");
	json_object_set_new(c->out, "removed", json_strv(&removed));
	strv_free(&removed);
	cli_unlocked(c);
	return 0;
}
