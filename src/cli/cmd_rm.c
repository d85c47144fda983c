/*
 * cmd_rm: remove checkpoints or failed attempts.  Every name is tried; the
 * exit code is that of the first failure.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_rm(struct cli *c, int argc, char **argv)
{
	json_t *removed;
	int code = 0;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		return cli_help(c, "usage: criuctl rm NAME...\n");
	if (argc < 2)
		return cli_usage(c, "rm", "which checkpoint? (criuctl rm NAME...)");
	removed = json_array();
	for (int i = 1; i < argc; i++) {
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
