/*
 * seal: the integrity of a checkpoint's image files.
 *
 * criu writes its images 0644, never fsyncs them and keeps no checksum: a
 * flipped byte restores "fine" and a truncated pages image can make restore
 * loop.  Before a dump is committed, criuctl seals every file below
 * images/ and pre/ (size and XXH128 into the manifest; making them durable
 * is the commit's, commit.h); before a restore it reads them again and
 * compares.  Never follows a symlink
 * (criu's "parent" link of a dump after pre-dumps is skipped: its target is sealed where it lives).
 */
#ifndef CRIUCTL_SEAL_H
#define CRIUCTL_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "manifest.h"

/* The directories of a checkpoint that hold images: {"images", "pre", NULL}. */
extern const char *const seal_dirs[];

/* How seal_files() treats each file besides hashing it. */
enum {
	SEAL_KICK = 1,	/* start its writeback (sync_file_range) before hashing it */
	SEAL_FSYNC = 2, /* fsync it, and each directory after its files */
};

/*
 * Seal the files below the directories dirs (NULL-terminated, relative to
 * the checkpoint directory ckfd; a missing one is skipped), with how (0 or
 * SEAL_* ored): the list goes into a new array *files (caller frees), sorted
 * by path, and the sum of the sizes into *bytes.  Returns 0, or -1 with e
 * set (exit 5, store-io).
 */
int seal_files(int ckfd, const char *const *dirs, unsigned how, struct image_file **files,
	       size_t *n, uint64_t *bytes, struct cc_err *e);

/*
 * Read the files of dirs below ckfd again, without changing anything, and
 * compare them with the sealed list want.  Returns 0 when every sealed file
 * is there, of its size and hash; -1 with e set otherwise (exit 5,
 * images-damaged, naming the first file that differs and how, or a link as
 * seal_check_links() refuses it).
 */
int seal_verify(int ckfd, const char *const *dirs, const struct image_file *want, size_t n,
		const char *name, struct cc_err *e);

/*
 * Without reading any file: that criu, given the images, can follow no link
 * out of the checkpoint.  Each of dirs below ckfd must be a directory, not
 * a link, and the only links in them criu's "parent" links to the pre-dump
 * before (../pre/N, ../N).  Returns 0, or -1 with e set (exit 5,
 * images-damaged, naming the link and its target).
 */
int seal_check_links(int ckfd, const char *const *dirs, const char *name, struct cc_err *e);

#endif
