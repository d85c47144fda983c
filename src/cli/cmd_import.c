/*
 * cmd_import: an archive of criuctl export, podman or CRI-O becomes a
 * checkpoint.  The archive is hostile until proven otherwise: every entry
 * is judged by the core (tarball.h) before a byte of it is written, into
 * an attempt under tmp/ (store.h) whose directories import makes itself;
 * then the seal is verified (criuctl's archives) or made (the others), and
 * the attempt is committed by the path a dump takes (commit.h).  On any
 * failure the attempt is removed: nothing partial is ever listed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commit.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "options.h"
#include "seal.h"
#include "tarball.h"
#include "tarfile.h"
#include "text.h"

#define MAX_FILES_DEFAULT 100000

enum { IMP_NAME, IMP_MAX_BYTES, IMP_MAX_FILES };

static const struct cli_opt import_opts[] = {
	{"name", 'n', "NAME", "the checkpoint's name (default: FILE's name without its ending)",
	 IMP_NAME},
	{"max-bytes", 0, "SIZE",
	 "refuse more file data than this (default: the store's free space)", IMP_MAX_BYTES},
	{"max-files", 0, "N", "refuse more entries than this (default 100000)", IMP_MAX_FILES},
	{NULL, 0, NULL, NULL, 0},
};

struct import_args {
	const char *name;
	struct tarball_bounds b;
	int max_bytes_given;
};

static int import_option(struct cli *c, int id, const char *arg, void *ctx)
{
	struct import_args *a = ctx;
	char *end;

	switch (id) {
	case IMP_NAME: a->name = arg; break;
	case IMP_MAX_BYTES:
		if (tarball_parse_size(arg, &a->b.max_bytes) < 0 || !a->b.max_bytes)
			return cli_usage(c, "import",
					 "--max-bytes '%s' is not a size (4096, 64M, 2G)", arg);
		a->max_bytes_given = 1;
		break;
	case IMP_MAX_FILES:
		errno = 0;
		a->b.max_files = strtoull(arg, &end, 10);
		if (errno || *end || !*arg || arg[0] == '-' || !a->b.max_files)
			return cli_usage(c, "import", "--max-files '%s' is not a count", arg);
		break;
	}
	return -1;
}

/* The manifest of an archive made by podman or CRI-O: no tree, no seal
 * yet, and a mount namespace of its own whose root restore must be told. */
static void foreign_manifest(int at_fd, const char *name, struct manifest *m)
{
	char *text;
	size_t len;

	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->criuctl_version, sizeof(m->criuctl_version), "%s", CRIUCTL_VERSION);
	if (fs_read_at(at_fd, "config.dump", 1 << 20, &text, &len) == 0) {
		tarball_config_time(text, len, m->created, sizeof(m->created));
		free(text);
	}
	if (!m->created[0])
		manifest_format_time(m->created, sizeof(m->created), (long long)time(NULL));
	m->own_mntns = 1;
}

/* The archive's manifest (staged, tarball.h) into m.  0, or -1 with c->err. */
static int read_staged(struct cli *c, int at_fd, const char *file, struct manifest *m)
{
	char why[256], *text;
	size_t len;
	int rc;

	if (fs_read_at(at_fd, TARBALL_STAGED "manifest.json", 16u << 20, &text, &len) < 0)
		return err_sys(&c->err, CC_EXIT_STORE, "manifest-invalid", errno,
			       "%s: manifest.json", file);
	rc = manifest_from_json(text, len, m, why, sizeof(why));
	free(text);
	if (rc == -2)
		return err_set(&c->err, CC_EXIT_STORE, "manifest-too-new", "%s: manifest.json: %s",
			       file, why);
	if (rc < 0)
		return err_set(&c->err, CC_EXIT_STORE, "manifest-invalid", "%s: manifest.json: %s",
			       file, why);
	return 0;
}

/* The imported checkpoint's manifest: criuctl's own, checked against the
 * images it seals (no file more, none less), or one for a foreign archive.
 * Then the staged files take their names. */
static int settle_manifest(struct cli *c, int at_fd, const char *file, const char *name,
			   const struct tarfile_in *in, struct manifest *m)
{
	if (!in->has_manifest)
		foreign_manifest(at_fd, name, m);
	else if (read_staged(c, at_fd, file, m) < 0)
		return -1;
	snprintf(m->name, sizeof(m->name), "%s", name);
	if (m->sealed && seal_verify(at_fd, seal_dirs, m->files, m->n_files, name, &c->err) < 0)
		return err_prefix(&c->err, "%s", file);
	if (m->sealed && in->image_files != m->n_files) {
		err_set(&c->err, CC_EXIT_STORE, "images-damaged",
			"%s: %zu image files, but its seal lists %zu; nothing imported", file,
			in->image_files, m->n_files);
		return -1;
	}
	unlinkat(at_fd, TARBALL_STAGED "manifest.json", 0);
	if (renameat(at_fd, TARBALL_STAGED "dump.log", at_fd, "dump.log") < 0 && errno != ENOENT)
		return err_sys(&c->err, CC_EXIT_STORE, "store-io", errno, "import %s: dump.log",
			       file);
	return 0;
}

static void report(struct cli *c, const char *file, const struct attempt *at,
		   const struct manifest *m, const struct tarfile_in *in)
{
	json_t *left = json_array();
	char size[32];
	int needs_root = m->own_mntns && !m->root_source[0];

	for (size_t i = 0; i < in->left_out.n; i++)
		json_array_append_new(left, json_text(in->left_out.v[i]));
	json_object_set_new(c->out, "name", json_text(m->name));
	json_object_set_new(c->out, "file", json_text(file));
	json_object_set_new(c->out, "compression",
			    json_string(tarball_kind_name(tarball_kind_of(file))));
	json_object_set_new(c->out, "checkpoint", json_text(at->dir));
	json_object_set_new(c->out, "from", json_string(in->has_manifest ? "criuctl" : "foreign"));
	json_object_set_new(c->out, "files", json_integer((json_int_t)m->n_files));
	json_object_set_new(c->out, "images_bytes", json_integer((json_int_t)m->images_bytes));
	json_object_set_new(c->out, "left_out", left);
	json_object_set_new(c->out, "needs_root", json_boolean(needs_root));
	text_human_size(size, sizeof(size), m->images_bytes);
	if (!c->quiet && !c->json) {
		cli_print(stderr, "imported %s from %s (%zu image files, %s, sealed)", m->name,
			  file, m->n_files, size);
		if (in->left_out.n)
			cli_print(stderr, "left out %zu entries criuctl has no use for (first: %s)",
				  in->left_out.n, in->left_out.v[0]);
	}
	if (needs_root)
		cli_next(c, (const char *[]){"restore", m->name, "--root", "DIR", NULL});
	else
		cli_next(c, (const char *[]){"restore", m->name, NULL});
}

/* The default bound of the data: what the store's filesystem can take. */
static uint64_t store_free(struct cli *c)
{
	struct statvfs sv;

	if (fstatvfs(c->store.fd, &sv) < 0)
		return UINT64_MAX;
	return (uint64_t)sv.f_bavail * sv.f_frsize;
}

static int import_into(struct cli *c, const char *file, const char *name, struct import_args *a)
{
	struct tarfile_in in;
	struct manifest m;
	struct attempt at;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	if (store_begin(&c->store, name, ATTEMPT_DUMP, &at, &c->err) < 0)
		return c->err.exit_code;
	if (!a->max_bytes_given)
		a->b.max_bytes = store_free(c);
	if (tarfile_import(file, at.fd, &a->b, &in, &c->err) == 0 &&
	    settle_manifest(c, at.fd, file, name, &in, &m) == 0 &&
	    seal_check_links(at.fd, seal_dirs, name, &c->err) == 0) {
		if (in.image_files == 0)
			err_set(&c->err, CC_EXIT_USAGE, "archive-invalid",
				"%s: no images under checkpoint/; nothing imported", file);
		else
			rc = checkpoint_commit(&c->store, &at, &m, 0, &c->err);
	}
	if (rc == 0) {
		store_release(&at);
		report(c, file, &at, &m, &in);
	} else {
		store_abort(&c->store, &at);
	}
	strv_free(&in.left_out);
	manifest_free(&m);
	return rc == 0 ? 0 : c->err.exit_code;
}

int cmd_import(struct cli *c, int argc, char **argv)
{
	struct import_args a = {.b = {.max_files = MAX_FILES_DEFAULT}};
	char name[NAME_MAX_LEN + 1];
	const char *file;
	int rc = cli_parse_options(
		c, argc, argv,
		&(struct cli_parse){.cmd = "import",
				    .synopsis = "criuctl import FILE [--name NAME]",
				    .about = "FILE: an archive of criuctl export, podman or CRI-O "
					     "(.tar, .tar.gz, .tgz, .tar.zst).\n",
				    .own = import_opts,
				    .fn = import_option,
				    .ctx = &a});

	if (rc >= 0)
		return rc;
	if (argc - optind != 1)
		return cli_usage(c, "import", "%s (criuctl import FILE [--name NAME])",
				 argc == optind ? "which archive?" : "too many arguments");
	file = argv[optind];
	if (a.name && !name_valid(a.name))
		return cli_usage(c, "import",
				 "invalid checkpoint name '%s': use 1-64 of [A-Za-z0-9._-], "
				 "starting with a letter or digit",
				 a.name);
	if (a.name)
		snprintf(name, sizeof(name), "%s", a.name);
	else
		tarball_default_name(name, file);
	if (tarball_kind_of(file) == TARBALL_UNKNOWN) {
		err_set(&c->err, CC_EXIT_USAGE, "archive-name",
			"import %s: unknown archive type; a checkpoint archive is named .tar, "
			".tar.gz, .tgz or .tar.zst",
			file);
		return CC_EXIT_USAGE;
	}
	if (access(file, R_OK) < 0)
		return err_sys(&c->err, CC_EXIT_USAGE, "archive-unreadable", errno, "import %s",
			       file),
		       CC_EXIT_USAGE;
	if (cli_store(c, STORE_WRITE) < 0)
		return c->err.exit_code;
	return import_into(c, file, name, &a);
}
