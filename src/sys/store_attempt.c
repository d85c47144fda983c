/*
 * store_attempt: the writer's side of the store.  A name is held by a lock
 * file locks/<name>; an attempt is a directory tmp/<name>.<random>, locked
 * while its criuctl lives, made under the shared store lock so that the
 * clean-up of tmp/ (exclusive) never takes an attempt about to be locked.
 * The commit is renameat2(RENAME_NOREPLACE) into checkpoints/, so of two
 * dumps to one name exactly one wins; a failed attempt moves to failed/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "store_int.h"

/* mkdir tmp/<name>.<random> and lock it, under the shared store lock. */
static int make_attempt_dir(struct store *s, struct attempt *a)
{
	int lock = store_flock(s, LOCK_SH);
	int rc = -1;

	for (int tries = 0; tries < 16 && rc < 0; tries++) {
		unsigned int r = 0;

		if (getrandom(&r, sizeof(r), 0) < 0)
			r = (unsigned)getpid() ^ (unsigned)time(NULL) ^ (unsigned)tries;
		snprintf(a->tmpname, sizeof(a->tmpname), "%s.%08x", a->name, r);
		if (mkdirat(s->tmp_fd, a->tmpname, 0700) < 0) {
			if (errno == EEXIST)
				continue;
			break;
		}
		a->fd = openat(s->tmp_fd, a->tmpname,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (a->fd >= 0 && flock(a->fd, LOCK_EX) == 0)
			rc = 0;
	}
	if (lock >= 0)
		close(lock);
	return rc;
}

static int name_busy_err(struct cc_err *e, const char *name)
{
	err_set(e, CC_EXIT_STORE, "name-busy",
		"checkpoint name '%s' is in use by another criuctl (dump, restore or rm)", name);
	err_remedy(e, "Wait for it to finish, or use another name.");
	return -1;
}

/* Whether fd is still the file locks/<name> (a remover unlinks the file
 * while it holds the lock: one locked after that holds nothing). */
static int still_linked(struct store *s, const char *name, int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && a.st_nlink > 0 &&
	       fstatat(s->locks_fd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/*
 * The name's lock, without waiting: the fd, -1 with e set ("name-busy"
 * while another criuctl holds it; "store-io"), or -2 when create is 0 and
 * the store cannot be written and has no lock file.  A lock file whose
 * name was removed meanwhile (store_unlock_name()) is opened again: a few tries
 * are more than enough, every remover gives the name up at once.
 */
static int lock_name(struct store *s, const char *name, int create, struct cc_err *e)
{
	for (int tries = 0; tries < 8; tries++) {
		int fd = openat(s->locks_fd, name,
				(create ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW,
				0600);

		if (fd < 0 && !create && errno == ENOENT) {
			fd = openat(s->locks_fd, name, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
				    0600);
			if (fd < 0 && (errno == EROFS || errno == EACCES))
				return -2;
		}
		/* Name the file: on a read-only store this is the first write. */
		if (fd < 0)
			return err_sys(e, CC_EXIT_STORE, "store-io", errno,
				       "cannot %s lock file %s/locks/%s",
				       create ? "create" : "open", s->root, name);
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			return name_busy_err(e, name);
		}
		if (still_linked(s, name, fd))
			return fd;
		close(fd);
	}
	return name_busy_err(e, name);
}

int store_hold_name(struct store *s, const char *name, struct cc_err *e)
{
	if (s->locks_fd < 0) /* no criuctl ever locked a name here */
		return -2;
	return lock_name(s, name, 0, e);
}

int store_lock_name(struct store *s, const char *name, struct cc_err *e)
{
	return lock_name(s, name, 1, e);
}

void store_unlock_name(struct store *s, const char *name)
{
	if (!fs_exists_at(s->ck_fd, name))
		unlinkat(s->locks_fd, name, 0);
}

int store_name_busy(struct store *s, const char *name, struct cc_err *e)
{
	int fd = s->locks_fd >= 0 ? openat(s->locks_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
				  : -1;
	int held;

	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return held ? name_busy_err(e, name) : 0;
}

int store_begin(struct store *s, const char *name, enum attempt_kind kind, struct attempt *a,
		struct cc_err *e)
{
	memset(a, 0, sizeof(*a));
	a->fd = a->name_lock = -1;
	a->kind = kind;
	if (!name_valid(name))
		return err_set(e, CC_EXIT_USAGE, "invalid-name",
			       "invalid checkpoint name '%s': use 1-64 of [A-Za-z0-9._-], starting "
			       "with a letter or digit",
			       name);
	if (kind == ATTEMPT_DUMP && fs_exists_at(s->ck_fd, name)) {
		err_set(e, CC_EXIT_STORE, "name-exists", "checkpoint '%s' already exists in %s",
			name, s->root);
		err_remedy(e, "Choose another --name, or remove it first: criuctl rm %s", name);
		return -1;
	}
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->name_lock = store_lock_name(s, name, e);
	if (a->name_lock < 0)
		return -1;
	/* Checked again under the lock: a dump that just finished may have made it. */
	if (kind == ATTEMPT_DUMP && fs_exists_at(s->ck_fd, name)) {
		store_release(a);
		err_set(e, CC_EXIT_STORE, "name-exists", "checkpoint '%s' already exists in %s",
			name, s->root);
		err_remedy(e, "Choose another --name, or remove it first: criuctl rm %s", name);
		return -1;
	}
	if (make_attempt_dir(s, a) < 0 ||
	    (kind == ATTEMPT_DUMP && mkdirat(a->fd, "images", 0700) < 0)) {
		store_err(e, "cannot create attempt directory in", s->root);
		store_abort(s, a);
		return -1;
	}
	snprintf(a->dir, sizeof(a->dir), "%s/tmp/%s", s->root, a->tmpname);
	return 0;
}

int store_commit(struct store *s, struct attempt *a, struct cc_err *e)
{
	if (renameat2(s->tmp_fd, a->tmpname, s->ck_fd, a->name, RENAME_NOREPLACE) < 0) {
		if (errno == EEXIST) {
			err_set(e, CC_EXIT_STORE, "name-exists",
				"checkpoint '%s' was created by another dump meanwhile", a->name);
			err_remedy(e, "Dump again with another --name.");
			return -1;
		}
		return store_err(e, "cannot commit checkpoint", a->name);
	}
	if (!s->sync_none) {
		fsync(s->ck_fd);
		fsync(s->tmp_fd);
	}
	snprintf(a->dir, sizeof(a->dir), "%s/checkpoints/%s", s->root, a->name);
	return 0;
}

int store_keep_failed(struct store *s, struct attempt *a, struct cc_err *e)
{
	const char *kind = a->kind == ATTEMPT_RESTORE ? "restore." : "";
	char dst[NAME_MAX_LEN + 48];
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	/* The images hold process memory and may be large: only logs stay. */
	fs_rmtree_at(a->fd, "images");
	fs_rmtree_at(a->fd, "pre");
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(dst, sizeof(dst), "%s.%s%s", a->name, kind, stamp);
	for (int i = 2; fs_exists_at(s->failed_fd, dst) && i < 100; i++)
		snprintf(dst, sizeof(dst), "%s.%s%s-%d", a->name, kind, stamp, i);
	if (renameat2(s->tmp_fd, a->tmpname, s->failed_fd, dst, RENAME_NOREPLACE) < 0) {
		store_err(e, "cannot keep failed attempt", a->name);
		store_abort(s, a);
		return -1;
	}
	snprintf(a->dir, sizeof(a->dir), "%s/failed/%s", s->root, dst);
	if (a->name_lock >= 0)
		store_unlock_name(s, a->name);
	return 0;
}

void store_release(struct attempt *a)
{
	if (a->fd >= 0)
		close(a->fd);
	if (a->name_lock >= 0)
		close(a->name_lock);
	a->fd = a->name_lock = -1;
}

void store_abort(struct store *s, struct attempt *a)
{
	if (a->tmpname[0])
		fs_rmtree_at(s->tmp_fd, a->tmpname);
	if (a->name_lock >= 0)
		store_unlock_name(s, a->name);
	store_release(a);
}
