/*
 * tarfile: checkpoint archives on disk, read and written with libarchive
 * (never a tar program).  The layout and the judgement of every entry are
 * the core's (tarball.h); this file only moves bytes.
 *
 * Export writes the archive beside its final name as an unnamed file
 * (O_TMPFILE; else a hidden temporary name) and links it into place only
 * when complete and on disk, never over an existing file: FILE is either
 * whole or not there.  Import writes into a directory the caller made (the
 * attempt of store.h), creating every directory itself and opening each
 * component without following links, so no entry can land outside it.
 */
#ifndef CRIUCTL_TARFILE_H
#define CRIUCTL_TARFILE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strv.h"
#include "tarball.h"

/* What an export wrote. */
struct tarfile_out {
	uint64_t bytes; /* the archive's size */
	size_t entries; /* entries written */
};

/*
 * Write the checkpoint directory ckfd to file, compressed as kind:
 * images/ as checkpoint/, pre/, the config and spec dumps given as text,
 * stats-dump, manifest.json and the logs.  Returns 0, or -1 with e set:
 * exit 2 "file-exists" when file exists, exit 5 "archive-io" when it
 * cannot be written (nothing is left at file then).
 */
int tarfile_export(int ckfd, const char *file, enum tarball_kind kind, const char *config_dump,
		   const char *spec_dump, struct tarfile_out *out, struct cc_err *e);

/* What an import took. */
struct tarfile_in {
	struct tarball_totals totals; /* every entry read, left out ones too */
	size_t image_files;	      /* files (and hard links) below images/ and pre/ */
	int has_manifest;	      /* manifest.json was there */
	struct strv left_out;	      /* archive paths left out (podman's extras) */
};

/*
 * Read the archive file into the directory at_fd (which holds an empty
 * images/), judging every entry with tarball_judge() against b.  Returns
 * 0, or -1 with e set (exit 2): "archive-unreadable" (file cannot be
 * opened), "archive-invalid" (not a tar archive, or cut short),
 * "archive-unsafe" (an entry refused: its path and why), "archive-too-large"
 * (a bound of b passed).  What was written stays for the caller to remove.
 * r->left_out is the caller's to free (also on failure).
 */
int tarfile_import(const char *file, int at_fd, const struct tarball_bounds *b,
		   struct tarfile_in *r, struct cc_err *e);

#endif
