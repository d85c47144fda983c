/*
 * cmd_export: a checkpoint as an archive in podman's layout (tarball.h),
 * compressed as FILE's name says.  The checkpoint is read under its
 * name's lock and checked against its seal first, so a damaged one is
 * never handed on; FILE appears whole or not at all (tarfile.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "jsonutil.h"
#include "options.h"
#include "seal.h"
#include "tarball.h"
#include "tarfile.h"
#include "text.h"

static char *dump_text(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	json_decref(j);
	return s;
}

/* The checkpoint's manifest, checked against its seal and its links. */
static int read_checked(struct cli *c, int ckfd, const char *name, struct manifest *m)
{
	if (store_read_manifest(ckfd, m, &c->err) < 0)
		return err_prefix(&c->err, "checkpoint '%s'", name);
	if (m->sealed && seal_verify(ckfd, seal_dirs, m->files, m->n_files, name, &c->err) < 0)
		return -1;
	return seal_check_links(ckfd, seal_dirs, name, &c->err);
}

static int write_out(struct cli *c, int ckfd, const char *file, enum tarball_kind kind,
		     const struct manifest *m)
{
	char *config = dump_text(tarball_config_dump(m));
	char *spec = dump_text(tarball_spec_dump(m));
	struct tarfile_out out;
	char size[32];
	int rc;

	if (!config || !spec) {
		free(config);
		free(spec);
		return cli_oom(c);
	}
	rc = tarfile_export(ckfd, file, kind, config, spec, &out, &c->err);
	free(config);
	free(spec);
	if (rc < 0)
		return c->err.exit_code;
	json_object_set_new(c->out, "name", json_text(m->name));
	json_object_set_new(c->out, "file", json_text(file));
	json_object_set_new(c->out, "compression", json_string(tarball_kind_name(kind)));
	json_object_set_new(c->out, "entries", json_integer((json_int_t)out.entries));
	json_object_set_new(c->out, "bytes", json_integer((json_int_t)out.bytes));
	json_object_set_new(c->out, "images_bytes", json_integer((json_int_t)m->images_bytes));
	json_object_set_new(c->out, "sealed", json_boolean(m->sealed));
	text_human_size(size, sizeof(size), out.bytes);
	if (!c->quiet && !c->json)
		cli_print(stderr, "exported %s to %s (%s, %zu entries, %s)", m->name, file,
			  tarball_kind_name(kind), out.entries, size);
	return 0;
}

int cmd_export(struct cli *c, int argc, char **argv)
{
	enum tarball_kind kind;
	struct manifest m;
	const char *name, *file;
	int ckfd, lock, rc;

	rc = cli_parse_options(
		c, argc, argv,
		&(struct cli_parse){.cmd = "export",
				    .synopsis = "criuctl export NAME FILE",
				    .about = "FILE's ending picks the compression: .tar, "
					     ".tar.gz (.tgz) or .tar.zst.\n"});
	if (rc >= 0)
		return rc;
	if (argc - optind != 2)
		return cli_usage(c, "export", "%s (criuctl export NAME FILE)",
				 argc - optind < 2 ? "which checkpoint, to which file?"
						   : "too many arguments");
	name = argv[optind];
	file = argv[optind + 1];
	kind = tarball_kind_of(file);
	if (kind == TARBALL_UNKNOWN) {
		err_set(&c->err, CC_EXIT_USAGE, "archive-name",
			"export to %s: unknown archive type; name it .tar, .tar.gz or .tar.zst",
			file);
		return CC_EXIT_USAGE;
	}
	if (cli_store(c, STORE_READ) < 0)
		return c->err.exit_code;
	ckfd = store_open_checkpoint(&c->store, name, &c->err);
	if (ckfd < 0)
		return c->err.exit_code;
	memset(&m, 0, sizeof(m));
	/* Under the name's lock, as verify: a concurrent rm never shows. */
	lock = store_hold_name(&c->store, name, &c->err);
	if (lock == -1)
		rc = c->err.exit_code;
	else if (read_checked(c, ckfd, name, &m) < 0)
		rc = c->err.exit_code;
	else
		rc = write_out(c, ckfd, file, kind, &m);
	manifest_free(&m);
	if (lock >= 0)
		close(lock);
	close(ckfd);
	return rc;
}
