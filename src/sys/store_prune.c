/*
 * store_prune: removing from the store: rm of a checkpoint or a failed
 * attempt (under the name's lock, releasing the network lock criu kept for
 * an unrestored checkpoint), and retention (what retention.h decides).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "retention.h"
#include "store.h"
#include "tidy.h"

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
		if (!failed_entry_valid(name) || !fs_exists_at(s->failed_fd, name))
			return err_set(e, CC_EXIT_USAGE, "invalid-name",
				       "invalid checkpoint name '%s'", name);
		dirfd = s->failed_fd;
	} else if (!fs_exists_at(dirfd, name)) {
		if (!fs_exists_at(s->failed_fd, name) && store_name_busy(s, name, e) < 0)
			return -1;
		if (!fs_exists_at(s->failed_fd, name))
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
		store_unlock_name(s, name);
		close(lock);
	}
	if (rc < 0)
		return err_sys(e, CC_EXIT_STORE, "store-io", errno, "cannot remove %s", name);
	return 0;
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

/* Remove, from one directory, what retention.h decides. */
static void prune_dir(struct store *s, int failed, const struct retention *r, struct strv *removed)
{
	int dirfd = failed ? s->failed_fd : s->ck_fd;
	struct strv names = {0};
	struct aged *v;
	struct cc_err e;

	if (store_names(s, failed, &names, &e) < 0 || !names.n ||
	    !(v = calloc(names.n, sizeof(*v)))) {
		strv_free(&names);
		return;
	}
	for (size_t i = 0; i < names.n; i++)
		v[i] = (struct aged){.name = names.v[i],
				     .mtime = entry_time(dirfd, names.v[i],
							 failed ? "report.json" : "manifest.json")};
	retention_sort(v, names.n);
	for (size_t i = 0, kept = 0; i < names.n; i++) {
		if (retention_removes(&v[i], kept, r) && store_remove(s, v[i].name, &e) == 0)
			strv_push(removed, v[i].name);
		else
			kept++; /* kept, or held by a running criuctl */
	}
	free(v);
	strv_free(&names);
}

int store_prune(struct store *s, int keep, double older_than, int keep_failed, const char *spare,
		struct strv *removed, struct cc_err *e)
{
	struct timespec ts;
	struct retention r = {.keep = keep, .older_than = older_than, .spare = spare};

	(void)e;
	clock_gettime(CLOCK_REALTIME, &ts);
	r.now = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	prune_dir(s, 0, &r, removed);
	if (keep_failed >= 0) {
		r.keep = keep_failed;
		r.spare = NULL;
		prune_dir(s, 1, &r, removed);
	}
	return 0;
}
