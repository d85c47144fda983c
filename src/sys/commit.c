/* commit: see commit.h. */
#include "commit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "criu_log.h"
#include "fsutil.h"
#include "seal.h"

static int write_manifest(int at_fd, const struct manifest *m, int durable, struct cc_err *e)
{
	json_t *json = manifest_to_json(m);
	char *text = json ? json_dumps(json, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	int rc = !text	   ? -1
		 : durable ? fs_write_at(at_fd, "manifest.json", text, strlen(text), 0600)
			   : fs_put_at(at_fd, "manifest.json", text, strlen(text), 0600);

	if (rc < 0)
		err_sys(e, CC_EXIT_STORE, "store-io", text ? errno : ENOMEM, "write manifest of %s",
			m->name);
	free(text);
	json_decref(json);
	return rc;
}

/*
 * Durability with sync=full.  The rename of the attempt into checkpoints/
 * is the commit: whatever it publishes must be on disk before it, the
 * images' data and inodes, the directory entries of images/, pre/ and of
 * the attempt itself, the logs and the manifest.  One syncfs(2) of the
 * store's file system, after the last write into the attempt and before
 * the rename, gives exactly that: it writes back every dirty page and
 * inode of the file system, waits for them, and makes the file system
 * commit its journal with a cache flush (ext4, xfs), which carries the
 * directory entries.  An fsync of every file and directory gave the same
 * at the price of one journal commit and one cache flush each (about 40
 * for a small tree).  The rename itself is made durable by store_commit's
 * fsync of checkpoints/; a crash before that leaves a complete, decided
 * attempt in tmp/, which recovery commits.
 *
 * A write-back error must not be lost: since Linux 5.8 syncfs reports one
 * that happened on the file system since the fd it is given was opened
 * (at_fd, opened before criu wrote anything), as fsync does for its file.
 * Older kernels return 0 regardless, so there criuctl keeps the per-file
 * fsync.
 */
static int syncfs_reports_errors(void)
{
	static int known = -1;
	struct utsname u;
	int major = 0, minor = 0;

	if (known < 0)
		known = uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
			(major > 5 || (major == 5 && minor >= 8));
	return known;
}

/* criu writes images and stats 0644; they hold process memory.  With
 * sync, each file's writeback starts before it is hashed, so the disk
 * works while the rest is hashed (or, where syncfs cannot be trusted,
 * each file is fsynced). */
static int seal(int at_fd, struct manifest *m, int sync, struct cc_err *e)
{
	unsigned how = !sync ? 0 : syncfs_reports_errors() ? SEAL_KICK : SEAL_FSYNC;

	fs_chmod_tree_at(at_fd, ".", 0600);
	free(m->files);
	m->files = NULL;
	m->n_files = 0;
	if (seal_files(at_fd, seal_dirs, how, &m->files, &m->n_files, &m->images_bytes, e) < 0)
		return -1;
	m->sealed = 1;
	return 0;
}

/* Everything written into the attempt on disk (see above), or nothing to
 * do without sync. */
static int make_durable(int at_fd, int sync, const char *name, struct cc_err *e)
{
	if (!sync || !syncfs_reports_errors() || syncfs(at_fd) == 0)
		return 0;
	return err_sys(e, CC_EXIT_STORE, "store-io", errno, "sync checkpoint %s to disk", name);
}

int checkpoint_decide(int at_fd, struct manifest *m, int seal_now, int sync, struct cc_err *e)
{
	if (seal_now && seal(at_fd, m, sync, e) < 0)
		return -1;
	if (write_manifest(at_fd, m, 0, e) < 0)
		return -1;
	/* The tree's end waits for its checkpoint to be on disk. */
	return seal_now ? make_durable(at_fd, sync, m->name, e) : 0;
}

/* What criu wrote after it asked: its statistics (in the work directory,
 * not the images) and its version (the head of its log). */
static void read_criu_results(int at_fd, struct manifest *m)
{
	char head[4096];
	ssize_t n = fs_read_head_at(at_fd, "dump.log", head, sizeof(head));
	char *buf;
	size_t len;

	memset(&m->stats, 0, sizeof(m->stats));
	if (fs_read_at(at_fd, "stats-dump", 1 << 16, &buf, &len) == 0) {
		stats_decode((const unsigned char *)buf, len, &m->stats);
		free(buf);
	}
	if (n > 0 && !m->criu_version[0])
		criu_log_version(head, (size_t)n, m->criu_version, sizeof(m->criu_version));
}

/* Another name for a recovered checkpoint whose name was taken meanwhile:
 * "NAME.recovered", then "NAME.recovered-2", ..., cut to fit. */
static void next_name(char *dst, size_t size, const char *base, int i)
{
	char tail[24];

	if (i == 1)
		snprintf(tail, sizeof(tail), ".recovered");
	else
		snprintf(tail, sizeof(tail), ".recovered-%d", i);
	snprintf(dst, size, "%.*s%s", (int)(NAME_MAX_LEN - strlen(tail)), base, tail);
}

int checkpoint_commit(struct store *s, struct attempt *at, struct manifest *m, int alt_name,
		      struct cc_err *e)
{
	char name[NAME_MAX_LEN + 1];
	int sync = !s->sync_none;
	/* Where syncfs cannot be trusted, the manifest is fsynced by itself. */
	int fsync_manifest = sync && !syncfs_reports_errors();

	read_criu_results(at->fd, m);
	if (!m->sealed && seal(at->fd, m, sync, e) < 0)
		return -1;
	/* stats-dump came after the seal: private too. */
	fs_chmod_tree_at(at->fd, ".", 0600);
	snprintf(name, sizeof(name), "%s", m->name);
	for (int i = 1;; i++) {
		if (write_manifest(at->fd, m, fsync_manifest, e) < 0 ||
		    make_durable(at->fd, sync, m->name, e) < 0)
			return -1;
		snprintf(at->name, sizeof(at->name), "%s", m->name);
		if (store_commit(s, at, e) == 0)
			return 0;
		if (!alt_name || strcmp(e->code, "name-exists") != 0 || i > 99)
			return -1;
		next_name(m->name, sizeof(m->name), name, i);
	}
}
