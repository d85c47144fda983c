/*
 * cmd_show: a checkpoint's whole manifest (process tree, options, criu's
 * statistics), as stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"
#include "fsutil.h"

int cmd_show(struct cli *c, int argc, char **argv)
{
	json_error_t jerr;
	json_t *manifest;
	char *text;
	size_t len;
	int fd;

	int rc = cli_parse_options(
		c, argc, argv, &(struct cli_parse){.cmd = "show", .synopsis = "criuctl show NAME"});

	if (rc >= 0)
		return rc;
	if (optind + 1 != argc)
		return cli_usage(c, "show", "which checkpoint? (criuctl show NAME)");
	argv += optind - 1;
	if (cli_store(c, STORE_READ) < 0)
		return c->err.exit_code;
	fd = store_open_checkpoint(&c->store, argv[1], &c->err);
	if (fd < 0)
		return c->err.exit_code;
	if (fs_read_at(fd, "manifest.json", 16u << 20, &text, &len) < 0) {
		err_sys(&c->err, CC_EXIT_STORE, "manifest-invalid", errno,
			"checkpoint '%s': manifest.json", argv[1]);
		close(fd);
		return CC_EXIT_STORE;
	}
	close(fd);
	manifest = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!manifest) {
		err_set(&c->err, CC_EXIT_STORE, "manifest-invalid",
			"checkpoint '%s': manifest.json line %d: %s", argv[1], jerr.line,
			jerr.text);
		return CC_EXIT_STORE;
	}
	if (!c->json) {
		json_dumpf(manifest, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	}
	json_object_set_new(c->out, "manifest", manifest);
	return 0;
}
