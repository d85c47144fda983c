/*
 * store: opening the store (creating it for a writer, read-only for a
 * reader), resolving what ended criuctls left in tmp/, and reading its
 * entries (a checkpoint, its manifest, the names).  Name locks and
 * attempts are store_attempt.c.
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
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "recover.h"
#include "store_int.h"

int store_err(struct cc_err *e, const char *what, const char *path)
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

/* The store lock (.lock) held in mode (LOCK_SH / LOCK_EX): its fd, to
 * close, or -1. */
int store_flock(struct store *s, int mode)
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
	cleanup_closedir DIR *d = fs_opendir_fd(s->tmp_fd >= 0 ? dup(s->tmp_fd) : -1);
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
	int lock = store_flock(s, LOCK_EX);

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
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;

	if (dirfd < 0) /* a store opened for reading that does not have it */
		return 0;
	d = fs_opendir_fd(dup(dirfd));
	if (!d)
		return store_err(e, "cannot list", s->root);
	rewinddir(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strv_push(out, de->d_name) < 0)
			return err_set(e, CC_EXIT_STORE, "store-io", "out of memory");
	if (out->n)
		qsort(out->v, out->n, sizeof(char *), cmp_str);
	return 0;
}
