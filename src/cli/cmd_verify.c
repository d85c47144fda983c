/*
 * cmd_verify: check checkpoints against their seal (seal.h) without
 * restoring them: every image file there, of its size and XXH128.  Each
 * checkpoint is read under its name's lock, so a concurrent rm or dump
 * never shows as damage.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"
#include "jsonutil.h"
#include "seal.h"

/* The status word of a checkpoint that is not intact, from the error. */
static const char *status_of(const char *code)
{
	if (strcmp(code, "name-busy") == 0)
		return "busy";
	if (strcmp(code, "no-such-checkpoint") == 0 || strcmp(code, "invalid-name") == 0)
		return "missing";
	if (strcmp(code, "store-io") == 0)
		return "unreadable";
	if (strcmp(code, "manifest-too-new") == 0)
		return "newer";
	return "damaged"; /* images-damaged, manifest-invalid */
}

/* One checkpoint: its JSON row; *bad set when it is not intact. */
static json_t *verify_one(struct cli *c, const char *name, int *bad)
{
	struct cc_err e = {0};
	struct manifest m;
	const char *status = "ok";
	int lock = -2, ckfd = store_open_checkpoint(&c->store, name, &e);
	json_t *row;

	memset(&m, 0, sizeof(m));
	if (ckfd >= 0)
		lock = store_hold_name(&c->store, name, &e);
	if (ckfd >= 0 && lock != -1 && store_read_manifest(ckfd, &m, &e) < 0)
		err_prefix(&e, "checkpoint '%s'", name);
	else if (ckfd >= 0 && lock != -1 && m.sealed)
		seal_verify(ckfd, seal_dirs, m.files, m.n_files, name, &e);
	*bad = e.code[0] != '\0';
	if (*bad)
		status = status_of(e.code);
	else if (!m.sealed)
		status = "unsealed";
	row = json_pack("{s:o, s:s, s:I, s:I, s:s?, s:o}", "name", json_text(name), "status",
			status, "files", (json_int_t)m.n_files, "images_bytes",
			(json_int_t)m.images_bytes, "code", e.code[0] ? e.code : NULL, "problem",
			e.msg[0] ? json_text(e.msg) : json_null());
	if (!c->json)
		cli_print(
			stdout, "%-9s %-40s %s", status, name,
			e.msg[0] ? e.msg
			: m.sealed
				? "every sealed file is as it was"
				: "no seal in its manifest (dumped before criuctl sealed images)");
	if (*bad && !c->err.exit_code)
		c->err = e;
	manifest_free(&m);
	if (lock >= 0)
		close(lock);
	if (ckfd >= 0)
		close(ckfd);
	return row;
}

int cmd_verify(struct cli *c, int argc, char **argv)
{
	struct strv names = {0};
	json_t *rows;
	size_t damaged = 0, n;

	int rc = cli_parse_options(c, argc, argv,
				   &(struct cli_parse){.cmd = "verify",
						       .synopsis = "criuctl verify [NAME...]",
						       .about = "No NAME: every checkpoint.\n"});

	if (rc >= 0)
		return rc;
	if (cli_store(c, STORE_READ) < 0)
		return c->err.exit_code;
	for (int i = optind; i < argc; i++)
		if (strv_push(&names, argv[i]) < 0)
			return strv_free(&names), cli_oom(c);
	/* No name: every checkpoint. */
	if (optind == argc && store_names(&c->store, 0, &names, &c->err) < 0)
		return c->err.exit_code;
	if (!names.n)
		cli_say(c, "no checkpoints to verify");
	rows = json_array();
	for (size_t i = 0; i < names.n; i++) {
		int bad;

		json_array_append_new(rows, verify_one(c, names.v[i], &bad));
		damaged += (size_t)bad;
	}
	json_object_set_new(c->out, "checkpoints", rows);
	n = names.n;
	strv_free(&names);
	if (!damaged)
		return 0;
	if (n > 1)
		err_prefix(&c->err, "%zu of %zu checkpoints not intact; the first", damaged, n);
	return c->err.exit_code;
}
