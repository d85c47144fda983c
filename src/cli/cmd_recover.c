/*
 * cmd_recover: resolve what criuctl processes that ended (killed, crashed)
 * left in the store's tmp/, as every writing command does before its work
 * (src/sys/recover.h): a complete dump criuctl had decided to commit is
 * committed, a restore criu finished leaves its log with the checkpoint,
 * any other attempt with a log is kept under failed/ as abandoned.
 */
#include "cli.h"
#include "options.h"

int cmd_recover(struct cli *c, int argc, char **argv)
{
	int rc = cli_parse_options(
		c, argc, argv,
		&(struct cli_parse){
			.cmd = "recover",
			.synopsis = "criuctl recover",
			.about = "dump, restore, rm and prune do this first; list, show, "
				 "log and verify\nonly say what is pending.\n"});

	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_usage(c, "recover", "unexpected argument '%s'", argv[optind]);
	if (cli_store(c, STORE_WRITE) < 0)
		return c->err.exit_code;
	if (!c->store.recovered.n)
		cli_say(c, "nothing to recover in %s/tmp", c->store.root);
	if (!json_object_get(c->out, "recovered"))
		json_object_set_new(c->out, "recovered", json_array());
	return 0;
}
