/*
 * manifest: a checkpoint's manifest.json, encoded and decoded with jansson.
 * Pure: works on structs and JSON text; the store writes the file.
 */
#ifndef CRIUCTL_MANIFEST_H
#define CRIUCTL_MANIFEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cmdline.h"
#include "criu_argv.h"
#include "mountinfo.h"
#include "name.h"
#include "proc_parse.h"
#include "stats.h"
#include "strv.h"

struct manifest_proc {
	int pid, ppid, pgid, sid;
	unsigned long long starttime; /* with pid, the task's identity (not in the JSON) */
	char comm[32];
	char cmdline[CMDLINE_MAX]; /* as /proc/PID/cmdline: NUL-ended arguments, any bytes */
	size_t cmdline_len;
};

/*
 * The manifest's format: "format" in the JSON (absent: 1, the manifests
 * written before the field).  Fields are only ever added within a format,
 * and readers ignore fields they do not know; a change that an older
 * criuctl would misread takes a new format, which it refuses to read.
 */
#define MANIFEST_FORMAT 1

/* One file of a checkpoint's images, as sealed before the commit (seal.h). */
struct image_file {
	char path[256]; /* relative to the checkpoint directory: "images/pages-1.img" */
	uint64_t size;
	unsigned char xxh128[16]; /* XXH3 128-bit hash, canonical (big-endian) bytes */
};

/* How a file differs from its sealed record. */
enum file_damage { DAMAGE_NONE, DAMAGE_MISSING, DAMAGE_SIZE, DAMAGE_HASH };

struct manifest {
	char name[NAME_MAX_LEN + 1];
	char created[32]; /* RFC 3339 UTC */
	char criuctl_version[32];
	char criu_version[64];
	char kernel[160];
	int root_pid;
	struct manifest_proc *procs; /* owned */
	size_t n_procs;
	struct criu_opts opts;	/* the effective dump flags */
	struct strv auto_flags; /* the flags the preflight added */
	/* The tree's own mount namespace, when it has one: what restore needs. */
	int own_mntns;
	int own_pidns;		/* the tree is a pid namespace's init and its children */
	char root_source[1024]; /* --root for restore; "" when unknown */
	struct ext_mount *ext;	/* owned */
	size_t n_ext;
	struct strv criu_argv;
	int64_t duration_ms;
	uint64_t images_bytes;
	struct image_file *files; /* owned; sorted by path */
	size_t n_files;
	int sealed; /* files were recorded (manifests of criuctl 0.1.0 before sealing have none) */
	struct stats stats;
	int pre_dumps;
	int64_t hook_wait_ms; /* how long criu waited at its point of no return for criuctl */
	/* Why and when an attempt found in tmp/ was committed by another
	 * criuctl than the one that ran criu; "" for a normal commit. */
	char recovered[256];
	/* The Kata container (kata.h) dumped by its id, "" for a tree. */
	char container[160];
};

/* A new JSON object for m (caller owns the reference), or NULL. */
json_t *manifest_to_json(const struct manifest *m);

/*
 * Parse manifest text into m.  Returns 0, -1 with a reason in why, or -2
 * (and why) for a format newer than MANIFEST_FORMAT.  Missing optional
 * fields are left zero (stats are not read back: `show` prints the file
 * itself); name, created and the tree are required.  What restore takes
 * from a manifest is checked: a file of the seal must be a relative path
 * below the checkpoint directory (no "..", no "." or empty component), the
 * tree's root and the sources of its external mounts absolute paths, a
 * mount's key and the cgroup and network lock modes what criuctl writes.
 * criu_argv is a record and never run.  Free with manifest_free().
 */
int manifest_from_json(const char *text, size_t len, struct manifest *m, char *why,
		       size_t why_size);

void manifest_free(struct manifest *m);

/*
 * Compare the sealed files want with the files found, got (sorted by path).
 * Returns DAMAGE_NONE when every file of want is in got with its size and
 * hash (files of got not in want do not matter); otherwise how the first
 * one differs, its index in want in *at and its found twin (or NULL) in
 * *found.
 */
enum file_damage manifest_compare_files(const struct image_file *want, size_t n_want,
					const struct image_file *got, size_t n_got, size_t *at,
					const struct image_file **found);

/* Order of image files by path (for qsort and bsearch). */
int manifest_file_cmp(const void *a, const void *b);

/* A file's hash as 32 lowercase hex digits, as xxhsum -H2 prints it. */
void manifest_hex(const unsigned char xxh128[16], char dst[33]);

/* RFC 3339 UTC ("2026-11-23T05:54:19Z") of t into dst (>= 21 bytes). */
void manifest_format_time(char *dst, size_t size, long long t);

#endif
