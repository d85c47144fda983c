/*
 * store: creation, attempts, commit by rename, failed attempts, listing.
 *
 * Races: two dumps to one name both work in their own tmp/ directory; the
 * commit is renameat2(RENAME_NOREPLACE), so exactly one wins and the other
 * is told so.  Start-up cleanup takes an exclusive lock on the store while
 * new attempts take a shared one between mkdir and flock, so cleanup never
 * removes an attempt that is about to be locked.
 */
#include "store.h"

#include <dirent.h>
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
#include "recover.h"

#define STORE_LOCK ".lock"

static int store_err(struct cc_err *e, const char *what, const char *path)
{
	return err_sys(e, CC_EXIT_STORE, "store-io", errno, "%s %s", what, path);
}

static int open_sub(struct store *s, const char *sub, struct cc_err *e)
{
	int fd = fs_mkdir_open_at(s->fd, sub, 0700);

	if (fd < 0 && fs_is_link_at(s->fd, sub))
		err_set(e, CC_EXIT_STORE, "store-io", "%s is a symbolic link: not followed", sub);
	else if (fd < 0)
		store_err(e, "cannot open", sub);
	return fd;
}

/* Run f with the store lock held in mode (LOCK_SH / LOCK_EX). */
static int with_store_lock(struct store *s, int mode)
{
	int fd = openat(s->fd, STORE_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -1;
	while (flock(fd, mode) < 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

/*
 * Each entry of tmp/ that no running criuctl holds: fn gets its name and
 * its directory fd, flock()ed, which fn owns; -1 for an entry that is no
 * directory (or a link).  Entries a criuctl holds are skipped.
 */
static void each_orphan(struct store *s, void (*fn)(struct store *s, const char *entry, int fd))
{
	int dupfd = s->tmp_fd >= 0 ? dup(s->tmp_fd) : -1;
	DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
	struct dirent *de;

	while (d && (de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = openat(s->tmp_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) == 0)
			fn(s, de->d_name, fd);
		else
			close(fd);
	}
	if (d)
		closedir(d);
	else if (dupfd >= 0)
		close(dupfd);
}

static void resolve_orphan(struct store *s, const char *entry, int fd)
{
	if (fd < 0)
		fs_rmtree_at(s->tmp_fd, entry);
	else
		recover_attempt(s, entry, fd);
}

/* Resolve attempts whose owner is gone, under the store's lock. */
static void clean_tmp(struct store *s)
{
	int lock = with_store_lock(s, LOCK_EX);

	each_orphan(s, resolve_orphan);
	if (lock >= 0)
		close(lock);
}

static void store_init(struct store *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = s->ck_fd = s->failed_fd = s->tmp_fd = s->locks_fd = -1;
}

int store_open(struct store *s, const char *root, struct cc_err *e)
{
	store_init(s);
	if (mkdir(root, 0700) < 0 && errno != EEXIST)
		return store_err(e, "cannot create store", root);
	if (!realpath(root, s->root))
		return store_err(e, "cannot resolve store", root);
	s->fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->fd < 0)
		return store_err(e, "cannot open store", s->root);
	if ((s->ck_fd = open_sub(s, "checkpoints", e)) < 0 ||
	    (s->failed_fd = open_sub(s, "failed", e)) < 0 ||
	    (s->tmp_fd = open_sub(s, "tmp", e)) < 0 ||
	    (s->locks_fd = open_sub(s, "locks", e)) < 0) {
		err_prefix(e, "store %s", s->root);
		store_close(s);
		return -1;
	}
	clean_tmp(s);
	return 0;
}

/* A subdirectory for reading: -1 when missing, an error when it is a link. */
static int read_sub(struct store *s, const char *sub, int *fd, struct cc_err *e)
{
	*fd = openat(s->fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd >= 0 || errno == ENOENT)
		return 0;
	if (fs_is_link_at(s->fd, sub))
		return err_set(e, CC_EXIT_STORE, "store-io",
			       "store %s: %s is a symbolic link: not followed", s->root, sub);
	return err_sys(e, CC_EXIT_STORE, "store-io", errno, "store %s: cannot open %s", s->root,
		       sub);
}

/* A tmp/ entry for the next writer to resolve: named, left as it is. */
static void note_pending(struct store *s, const char *entry, int fd)
{
	if (fd >= 0) {
		strv_push(&s->pending, entry);
		close(fd);
	}
}

int store_open_read(struct store *s, const char *root, struct cc_err *e)
{
	store_init(s);
	if (!realpath(root, s->root)) {
		if (errno != ENOENT)
			return store_err(e, "cannot resolve store", root);
		snprintf(s->root, sizeof(s->root), "%s", root); /* no store: empty */
		return 0;
	}
	s->fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->fd < 0)
		return store_err(e, "cannot open store", s->root);
	if (read_sub(s, "checkpoints", &s->ck_fd, e) < 0 ||
	    read_sub(s, "failed", &s->failed_fd, e) < 0 || read_sub(s, "tmp", &s->tmp_fd, e) < 0 ||
	    read_sub(s, "locks", &s->locks_fd, e) < 0) {
		store_close(s);
		return -1;
	}
	each_orphan(s, note_pending);
	return 0;
}

void store_close(struct store *s)
{
	int *fds[] = {&s->fd, &s->ck_fd, &s->failed_fd, &s->tmp_fd, &s->locks_fd};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	strv_free(&s->unlocked);
	strv_free(&s->recovered);
	strv_free(&s->pending);
}

/* mkdir tmp/<name>.<random> and lock it, under the shared store lock. */
static int make_attempt_dir(struct store *s, struct attempt *a)
{
	int lock = with_store_lock(s, LOCK_SH);
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

int store_read_manifest(int ckfd, struct manifest *m, struct cc_err *e)
{
	char why[256];
	char *text;
	size_t len;
	int rc;

	memset(m, 0, sizeof(*m));
	if (fs_read_at(ckfd, "manifest.json", 16u << 20, &text, &len) < 0)
		return err_sys(e, CC_EXIT_STORE, "manifest-invalid", errno, "manifest.json");
	rc = manifest_from_json(text, len, m, why, sizeof(why));
	free(text);
	if (rc == -2) {
		err_set(e, CC_EXIT_STORE, "manifest-too-new", "manifest.json: %s", why);
		err_remedy(e, "Use the criuctl that made the checkpoint, or a newer one.");
		return -1;
	}
	if (rc < 0)
		return err_set(e, CC_EXIT_STORE, "manifest-invalid", "manifest.json: %s", why);
	return 0;
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

int store_open_checkpoint(struct store *s, const char *name, struct cc_err *e)
{
	int fd;

	if (!name_valid(name))
		return err_set(e, CC_EXIT_USAGE, "invalid-name", "invalid checkpoint name '%s'",
			       name);
	fd = s->ck_fd < 0 ? -1
			  : openat(s->ck_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (s->ck_fd < 0 || errno == ENOENT)) {
		err_set(e, CC_EXIT_STORE, "no-such-checkpoint", "no checkpoint named '%s' in %s",
			name, s->root);
		err_remedy(e, "'criuctl list' shows the checkpoints.");
		return -1;
	}
	if (fd < 0 && fs_is_link_at(s->ck_fd, name)) {
		err_set(e, CC_EXIT_STORE, "store-io",
			"%s/checkpoints/%s is a symbolic link, not a checkpoint: not followed",
			s->root, name);
		err_remedy(e,
			   "Something other than criuctl put it there: 'criuctl rm %s' removes "
			   "the link (and nothing it points to).",
			   name);
		return -1;
	}
	if (fd < 0)
		return store_err(e, "cannot open checkpoint", name);
	return fd;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int store_names(struct store *s, int failed, struct strv *out, struct cc_err *e)
{
	int dirfd = failed ? s->failed_fd : s->ck_fd;
	int fd;

	if (dirfd < 0) /* a store opened for reading that does not have it */
		return 0;
	fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return store_err(e, "cannot list", s->root);
	}
	rewinddir(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strv_push(out, de->d_name) < 0) {
			closedir(d);
			return err_set(e, CC_EXIT_STORE, "store-io", "out of memory");
		}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(char *), cmp_str);
	return 0;
}
