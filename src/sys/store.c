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
#include "tidy.h"

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

/* Resolve attempts whose owner is gone (their flock can be taken). */
static void clean_tmp(struct store *s)
{
	int lock = with_store_lock(s, LOCK_EX);
	int dupfd = dup(s->tmp_fd);
	DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
	struct dirent *de;

	while (d && (de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = openat(s->tmp_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			fs_rmtree_at(s->tmp_fd, de->d_name);
		else if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			recover_attempt(s, de->d_name, fd);
		else
			close(fd);
	}
	if (d)
		closedir(d);
	else if (dupfd >= 0)
		close(dupfd);
	if (lock >= 0)
		close(lock);
}

int store_open(struct store *s, const char *root, struct cc_err *e)
{
	memset(s, 0, sizeof(*s));
	s->fd = s->ck_fd = s->failed_fd = s->tmp_fd = s->locks_fd = -1;
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
}

static int exists_at(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
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

/* Take the lock of a checkpoint name without waiting: the fd, or -1. */
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
 * name was removed meanwhile (unlock_name()) is opened again: a few tries
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
				       "cannot open lock file %s/locks/%s", s->root, name);
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
	return lock_name(s, name, 0, e);
}

int store_lock_name(struct store *s, const char *name, struct cc_err *e)
{
	return lock_name(s, name, 1, e);
}

/* A name with no checkpoint needs no lock file: removed while its lock is
 * held (lock_name() sees the removal), so locks/ does not grow with every
 * name ever used. */
static void unlock_name(struct store *s, const char *name)
{
	if (!exists_at(s->ck_fd, name))
		unlinkat(s->locks_fd, name, 0);
}

/* Whether another criuctl holds the lock of name (a dump of a checkpoint
 * that does not exist yet); never creates the lock file. */
static int name_held(struct store *s, const char *name)
{
	int fd = openat(s->locks_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int held;

	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
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
	if (kind == ATTEMPT_DUMP && exists_at(s->ck_fd, name)) {
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
	if (kind == ATTEMPT_DUMP && exists_at(s->ck_fd, name)) {
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
	fsync(s->ck_fd);
	fsync(s->tmp_fd);
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
	for (int i = 2; exists_at(s->failed_fd, dst) && i < 100; i++)
		snprintf(dst, sizeof(dst), "%s.%s%s-%d", a->name, kind, stamp, i);
	if (renameat2(s->tmp_fd, a->tmpname, s->failed_fd, dst, RENAME_NOREPLACE) < 0) {
		store_err(e, "cannot keep failed attempt", a->name);
		store_abort(s, a);
		return -1;
	}
	snprintf(a->dir, sizeof(a->dir), "%s/failed/%s", s->root, dst);
	if (a->name_lock >= 0)
		unlock_name(s, a->name);
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
		unlock_name(s, a->name);
	store_release(a);
}

int store_open_checkpoint(struct store *s, const char *name, struct cc_err *e)
{
	int fd;

	if (!name_valid(name))
		return err_set(e, CC_EXIT_USAGE, "invalid-name", "invalid checkpoint name '%s'",
			       name);
	fd = openat(s->ck_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
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
	int fd = dup(failed ? s->failed_fd : s->ck_fd);
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

/* failed/ entries are "<name>.<UTC>": a valid name plus a dot suffix. */
static int failed_entry_valid(const char *entry)
{
	return entry[0] != '.' && !strchr(entry, '/') && strlen(entry) < NAME_MAX_LEN + 48;
}

/* The run id of the checkpoint's dump, from the head of its dump.log. */
static void dump_run_id(int dirfd, const char *name, char *dst, size_t size)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	tidy_run_id_at(fd, "dump.log", dst, size);
	if (fd >= 0)
		close(fd);
}

/* The lock criu kept in criuctl's network namespace for that dump, if any. */
static void release_net_lock(struct store *s, const char *name, const char *run_id)
{
	struct tidy_result t;

	tidy_unlock(0, run_id, &t);
	for (size_t i = 0; i < t.unlocked.n; i++)
		strv_pushf(&s->unlocked, "%s: %s", name, t.unlocked.v[i]);
	tidy_result_free(&t);
}

int store_remove(struct store *s, const char *name, struct cc_err *e)
{
	char run_id[64] = "";
	int dirfd = s->ck_fd, lock, rc;

	if (!name_valid(name)) {
		if (!failed_entry_valid(name) || !exists_at(s->failed_fd, name))
			return err_set(e, CC_EXIT_USAGE, "invalid-name",
				       "invalid checkpoint name '%s'", name);
		dirfd = s->failed_fd;
	} else if (!exists_at(dirfd, name)) {
		if (!exists_at(s->failed_fd, name) && name_held(s, name))
			return name_busy_err(e, name);
		if (!exists_at(s->failed_fd, name))
			return err_set(e, CC_EXIT_STORE, "no-such-checkpoint",
				       "no checkpoint named '%s' in %s", name, s->root);
		dirfd = s->failed_fd;
	}
	lock = dirfd == s->ck_fd ? store_lock_name(s, name, e) : -2;
	if (lock == -1)
		return -1;
	if (dirfd == s->ck_fd)
		dump_run_id(dirfd, name, run_id, sizeof(run_id));
	rc = fs_rmtree_at(dirfd, name);
	if (rc == 0 && run_id[0])
		release_net_lock(s, name, run_id);
	if (lock >= 0) {
		unlock_name(s, name);
		close(lock);
	}
	if (rc < 0)
		return store_err(e, "cannot remove", name);
	return 0;
}

struct aged {
	char *name;
	long long mtime; /* nanoseconds */
};

static int newest_first(const void *a, const void *b)
{
	const struct aged *x = a, *y = b;

	return (y->mtime > x->mtime) - (y->mtime < x->mtime);
}

/*
 * An entry's time: the mtime of its manifest.json (or report.json), written
 * once, in nanoseconds: successive dumps commit within the same second, and
 * whole seconds would make "the newest" a tie broken by name.
 */
static long long entry_time(int dirfd, const char *name, const char *file)
{
	/* Not "name/file": an entry planted as a symlink would be followed. */
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int ok = (fd >= 0 && fstatat(fd, file, &st, AT_SYMLINK_NOFOLLOW) == 0) ||
		 fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;

	if (fd >= 0)
		close(fd);
	return ok ? (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec : 0;
}

/* Remove, from one directory, what is beyond keep or older than older_than. */
static void prune_dir(struct store *s, int failed, int keep, double older_than, const char *spare,
		      struct strv *removed)
{
	int dirfd = failed ? s->failed_fd : s->ck_fd;
	struct strv names = {0};
	struct aged *v;
	struct cc_err e;
	struct timespec ts;
	long long now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (store_names(s, failed, &names, &e) < 0 || !names.n ||
	    !(v = calloc(names.n, sizeof(*v)))) {
		strv_free(&names);
		return;
	}
	for (size_t i = 0; i < names.n; i++)
		v[i] = (struct aged){
			names.v[i],
			entry_time(dirfd, names.v[i], failed ? "report.json" : "manifest.json")};
	qsort(v, names.n, sizeof(*v), newest_first);
	for (size_t i = 0, kept = 0; i < names.n; i++) {
		int too_many = keep > 0 && kept >= (size_t)keep;
		int too_old = older_than > 0 && (double)(now - v[i].mtime) / 1e9 > older_than;

		if ((spare && strcmp(v[i].name, spare) == 0) || !(too_many || too_old)) {
			kept++;
			continue;
		}
		if (store_remove(s, v[i].name, &e) == 0)
			strv_push(removed, v[i].name);
		else
			kept++; /* busy: a running criuctl holds it */
	}
	free(v);
	strv_free(&names);
}

int store_prune(struct store *s, int keep, double older_than, int keep_failed, const char *spare,
		struct strv *removed, struct cc_err *e)
{
	(void)e;
	prune_dir(s, 0, keep, older_than, spare, removed);
	if (keep_failed >= 0)
		prune_dir(s, 1, keep_failed, older_than, NULL, removed);
	return 0;
}
