/*
 * tarball: the checkpoint archive of `criuctl export` and `criuctl import`,
 * decided without touching a file.
 *
 * The layout is the one podman and CRI-O write and checkpointctl reads:
 *
 *   checkpoint/          criu's images (the checkpoint's images/), with
 *                        its own directory entry
 *   config.dump          JSON: id, name, times (RFC 3339)
 *   spec.dump            JSON: an OCI spec (process, root, annotations)
 *   stats-dump           criu's statistics, as criu wrote them
 *   manifest.json        criuctl's manifest (its seal names images/...)
 *   dump.log, restore.log  criu's logs
 *   pre/N/               criuctl's pre-dumps, when there were any
 *
 * Import reads archives from anywhere, so every entry is judged before a
 * byte of it is written: tarball_judge() takes the entry (its path, type,
 * mode, link target and size) and the running totals, and says whether it
 * is taken (and where it goes below the new checkpoint's directory), left
 * out (podman's rootfs-diff.tar and other files criuctl has no use for),
 * or whether the whole archive is refused, and why.
 */
#ifndef CRIUCTL_TARBALL_H
#define CRIUCTL_TARBALL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

/* What import writes manifest.json and dump.log as until it has checked
 * the archive (so that an import cut short is never taken for a dump that
 * was decided, recover.h): "archive.manifest.json", "archive.dump.log". */
#define TARBALL_STAGED "archive."

/* Compression, chosen by the archive's file name. */
enum tarball_kind {
	TARBALL_UNKNOWN,
	TARBALL_TAR,  /* .tar: CRI-O's and the kubelet's */
	TARBALL_GZIP, /* .tar.gz, .tgz */
	TARBALL_ZSTD, /* .tar.zst: podman's default */
};

/* The kind of archive file names (by its ending), or TARBALL_UNKNOWN. */
enum tarball_kind tarball_kind_of(const char *file);

/* The word for a kind: "tar", "gzip", "zstd" ("unknown"). */
const char *tarball_kind_name(enum tarball_kind k);

/* An entry's type as the archive says it. */
enum tarball_type {
	TB_FILE,
	TB_DIR,
	TB_SYMLINK,
	TB_HARDLINK,
	TB_OTHER, /* device node, fifo, socket */
};

/* One archive entry, as read from its header. */
struct tarball_entry {
	const char *path; /* as in the archive: "./checkpoint/pages-1.img" */
	enum tarball_type type;
	unsigned mode;	  /* permission bits, setuid/setgid/sticky included */
	const char *link; /* symlink target or hard link's path; NULL otherwise */
	int64_t size;	  /* bytes of data (0 for all but files) */
};

/* What an import may take in all. */
struct tarball_bounds {
	uint64_t max_bytes; /* sum of the sizes of the files */
	uint64_t max_files; /* entries of any kind */
};

/* What the entries judged so far took (updated for every entry but a
 * refused one). */
struct tarball_totals {
	uint64_t bytes;
	uint64_t files;
};

enum tarball_action {
	TB_TAKE,   /* write it at dest */
	TB_LEAVE,  /* not part of a checkpoint: left out (reason says what) */
	TB_REFUSE, /* the whole archive is refused (reason says why) */
	TB_BOUND,  /* refused: a bound of struct tarball_bounds was passed */
};

struct tarball_plan {
	enum tarball_action action;
	char dest[256]; /* relative to the checkpoint directory: "images/pages-1.img" */
	char link[256]; /* TB_SYMLINK: the target as given; TB_HARDLINK: its dest */
	char reason[160];
};

/*
 * Judge entry e against bounds b and the totals t (which it updates) into
 * plan p.  Refused: an absolute path or link target, a ".." or "."
 * component (a leading "./" is the tar custom and dropped), an empty, too
 * long (255), too deep (8) or control-character path, a symbolic link whose
 * target leaves the archive's root, a hard link to anything but a file it
 * takes, a device node, fifo or socket, a setuid or setgid bit, a file
 * where a directory belongs or the other way round.  Returns p->action.
 */
enum tarball_action tarball_judge(const struct tarball_bounds *b, struct tarball_totals *t,
				  const struct tarball_entry *e, struct tarball_plan *p);

/*
 * The name an archive imports as when no --name is given and it has no
 * manifest: its file name without directories and ending, characters
 * outside the name alphabet as '_', cut to NAME_MAX_LEN; "imported" when
 * nothing is left.  dst holds NAME_MAX_LEN + 1 bytes.
 */
void tarball_default_name(char *dst, const char *file);

/* config.dump for m (new reference, or NULL when out of memory): what
 * checkpointctl shows of a podman checkpoint (id, name, runtime, times). */
json_t *tarball_config_dump(const struct manifest *m);

/* spec.dump for m (new reference, or NULL): an OCI spec with the root
 * task's argv, the root (when known) and the annotations checkpointctl
 * picks the engine by. */
json_t *tarball_spec_dump(const struct manifest *m);

/* The checkpoint time in config.dump (podman's "checkpointedTime", else
 * "createdTime") when it is an RFC 3339 time, into dst (>= 32 bytes);
 * "" when there is none.  text/len: the file. */
void tarball_config_time(const char *text, size_t len, char *dst, size_t size);

/* A size as --max-bytes takes it: digits and an optional K, M, G or T
 * (binary: 1K is 1024).  Returns 0 with *bytes set, or -1. */
int tarball_parse_size(const char *s, uint64_t *bytes);

#endif
