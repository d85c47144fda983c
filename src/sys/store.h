/*
 * store: the checkpoint store on disk.
 *
 *   <root>/checkpoints/<name>/   committed checkpoints (renamed into place last)
 *   <root>/failed/<name>.<UTC>/  logs and report.json of failed attempts
 *   <root>/tmp/                  attempts in progress
 *   <root>/locks/<name>          the flock() of a name, while it has a
 *                                checkpoint or an attempt (removed under
 *                                the lock with the last of them)
 *
 * Everything is reached through directory fds and *at() calls without
 * following symlinks; directories are 0700 and files 0600.  An attempt in
 * tmp/ is flock()ed by the criuctl that owns it, so a later criuctl can
 * tell a leftover of a killed run (lock free) from a running dump.
 */
#ifndef CRIUCTL_STORE_H
#define CRIUCTL_STORE_H

#include <limits.h>

#include "err.h"
#include "manifest.h"
#include "name.h"
#include "strv.h"

struct store {
	char root[PATH_MAX]; /* absolute */
	int fd;		     /* root */
	int ck_fd;	     /* checkpoints/ */
	int failed_fd;	     /* failed/ */
	int tmp_fd;	     /* tmp/ */
	int locks_fd;	     /* locks/: one lock file per checkpoint name */
	int sync_none;	     /* [store] sync=none: commits skip every sync (commit.h) */
	/* "NAME: inet CRIU-...": the network locks criu kept for removed
	 * checkpoints that were never restored, released with them. */
	struct strv unlocked;
	/* "NAME: ...": what the start-up found in tmp/ and did (recover.h). */
	struct strv recovered;
	/* Opened for reading (store_open_read): tmp/ entries left by a
	 * criuctl that ended, which the next writing command resolves. */
	struct strv pending;
};

enum attempt_kind { ATTEMPT_DUMP, ATTEMPT_RESTORE };

struct attempt {
	enum attempt_kind kind;
	char name[NAME_MAX_LEN + 1];
	char tmpname[NAME_MAX_LEN + 32]; /* entry under tmp/ */
	char dir[PATH_MAX + 128];	 /* absolute path of the attempt directory */
	int fd;				 /* the attempt directory, flock()ed */
	int name_lock;			 /* locks/<name>, flock()ed, or -1 */
};

/*
 * Open the store at root, creating it (0700) and its subdirectories when
 * missing, and resolve what killed runs left in tmp/ (recover.h: a complete
 * dump is committed, the logs of the rest kept under failed/).  Returns 0,
 * or -1 with e set (exit 5).
 */
int store_open(struct store *s, const char *root, struct cc_err *e);

/*
 * Open the store at root for reading only: nothing is created or changed.
 * A missing store, or a missing subdirectory, reads as empty (its fd -1);
 * what killed runs left in tmp/ is named in s->pending, not resolved.
 * Returns 0, or -1 with e set (exit 5: the store exists but cannot be
 * read, or one of its directories is a symbolic link).
 */
int store_open_read(struct store *s, const char *root, struct cc_err *e);
void store_close(struct store *s);

/*
 * Start an attempt for name: takes the name's lock (exit 5, "name-busy",
 * when another criuctl dumps, restores or removes that name), creates
 * tmp/<name>.<random>/ (with images/ for a dump).  A dump fails with exit 5
 * ("name-exists") when a checkpoint of that name exists.  Returns 0, or -1
 * with e set.
 */
int store_begin(struct store *s, const char *name, enum attempt_kind kind, struct attempt *a,
		struct cc_err *e);

/* Rename the attempt to checkpoints/<name>/ (never replacing one).  Returns 0
 * or -1 (exit 5, "name-exists" when another dump won the race).  The
 * attempt's dir field then names the committed directory. */
int store_commit(struct store *s, struct attempt *a, struct cc_err *e);

/*
 * Keep a failed attempt: its images are dropped, the rest (logs, report)
 * moves to failed/<name>.<UTC>/ (failed/<name>.restore.<UTC>/ for a
 * restore), whose absolute path goes to a->dir.
 * Returns 0, or -1 with e set (the attempt is then removed).
 */
int store_keep_failed(struct store *s, struct attempt *a, struct cc_err *e);

/* Remove an attempt and release it. */
void store_abort(struct store *s, struct attempt *a);

/* Take the lock of a checkpoint name without waiting: the lock fd, or -1
 * with e set ("name-busy", exit 5, while another criuctl holds it). */
int store_lock_name(struct store *s, const char *name, struct cc_err *e);

/* Release a committed attempt (closes its fd and lock). */
void store_release(struct attempt *a);

/*
 * Open checkpoints/<name>/ for reading: exit 2 for an invalid name, exit 5
 * ("no-such-checkpoint") when missing.  Returns the directory fd, or -1.
 */
int store_open_checkpoint(struct store *s, const char *name, struct cc_err *e);

/*
 * Read and parse manifest.json of the checkpoint directory ckfd into m
 * (free with manifest_free()).  Returns 0, or -1 with e set (exit 5,
 * "manifest-invalid", or "manifest-too-new" for a newer format;
 * "manifest.json: " and what is wrong).
 */
int store_read_manifest(int ckfd, struct manifest *m, struct cc_err *e);

/*
 * Hold the name's lock (as a dump, restore or rm does) while reading its
 * checkpoint.  Returns the lock fd (close it to release), -2 when the store
 * cannot be written and has no lock file (nobody can change it then), or -1
 * with e set ("name-busy", exit 5).
 */
int store_hold_name(struct store *s, const char *name, struct cc_err *e);

/* Give up the name's lock file while its lock is held: a name with no
 * checkpoint needs none (the lockers see the removal), so locks/ does not
 * grow with every name ever used. */
void store_unlock_name(struct store *s, const char *name);

/* 0 when no other criuctl holds the lock of name (say, a dump of a
 * checkpoint that does not exist yet); else -1 with e set ("name-busy",
 * exit 5).  Never creates the lock file. */
int store_name_busy(struct store *s, const char *name, struct cc_err *e);

/* Names under checkpoints/ (or failed/ with failed=1), sorted.  Returns 0/-1. */
int store_names(struct store *s, int failed, struct strv *out, struct cc_err *e);

/* Remove checkpoints/<name> (or a failed/<entry>), under the name's lock.
 * criu keeps its network lock after a dump that stopped the tree, until the
 * restore; a checkpoint removed unrestored releases it too (s->unlocked).
 * Returns 0, or -1 with e set. */
int store_remove(struct store *s, const char *name, struct cc_err *e);

/*
 * Retention: keep the newest keep checkpoints (0: no limit), remove those
 * older than older_than seconds (0: no limit), keep the newest keep_failed
 * failed attempts (negative: leave failed/ alone).  spare is never removed
 * (the checkpoint just made); names locked by a running criuctl are
 * skipped.  Removed names go to removed.  Returns 0, or -1 with e set.
 */
int store_prune(struct store *s, int keep, double older_than, int keep_failed, const char *spare,
		struct strv *removed, struct cc_err *e);

#endif
