/*
 * cmd_rm: remove checkpoints or failed attempts.  Every name is tried; the
 * exit code is that of the first failure.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"

int cmd_rm(struct cli *c, int argc, char **argv)
{
	json_t *removed;
	int code = cli_parse_options(
		c, argc, argv, &(struct cli_parse){.cmd = "rm", .synopsis = "criuctl rm NAME..."});

	if (code >= 0)
		return code;
	code = 0;
	if (optind >= argc)
		return cli_usage(c, "rm", "which checkpoint? (criuctl rm NAME...)");
	if (cli_store(c, STORE_WRITE) < 0)
		return c->err.exit_code;
	removed = json_array();
	for (int i = optind; i < argc; i++) {
		struct cc_err e;

		if (store_remove(&c->store, argv[i], &e) == 0) {
			json_array_append_new(removed, json_string(argv[i]));
			cli_say(c, "removed %s", argv[i]);
		} else if (code == 0) {
			c->err = e;
			code = e.exit_code;
		} else {
			cli_say(c, "criuctl: %s", e.msg);
		}
	}
	json_object_set_new(c->out, "removed", removed);
	cli_unlocked(c);
	return code;
}
