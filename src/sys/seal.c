/*
 * seal: walk a checkpoint's image directories, hash what criu wrote
 * (seal_files: with SEAL_KICK starting each file's writeback first, with
 * SEAL_FSYNC the old per-file durability), or read it again and compare
 * (seal_verify).
 *
 * The files were just written, so they are read back from the page cache,
 * mapped rather than copied, HASH_WINDOW bytes at a time: mapping a whole
 * 1 GiB pages image made criuctl's resident set 1 GiB (mapped page cache
 * counts), a window keeps it at a few MiB for the same speed.  The hash is
 * XXH3's 128-bit one (libxxhash): it runs at memory speed, where zlib's
 * CRC-32 took four times longer than the dump of a 256 MiB tree, and
 * `xxhsum -H2 FILE` (xxh128sum) prints the same digest, so a file can be
 * checked by hand.
 */
#include "seal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define READ_BUF    (1u << 20)
#define HASH_WINDOW (8u << 20) /* a multiple of any page size */

const char *const seal_dirs[] = {"images", "pre", NULL};

struct walk {
	int sync;  /* SEAL_FSYNC: fsync files and directories */
	int kick;  /* SEAL_KICK: start each file's writeback before hashing it */
	int hash;  /* hash the files (else only look at the links) */
	int links; /* refuse a link other than criu's "parent" links */
	char *buf; /* READ_BUF bytes */
	struct image_file *v;
	size_t n, cap;
	uint64_t bytes;
	char failed[512]; /* the path that failed, for the error; "" while none */
	char link[256];	  /* when it is a link w->links refuses: its target */
};

static int walk_fail(struct walk *w, const char *rel)
{
	snprintf(w->failed, sizeof(w->failed), "%s", rel);
	return -1;
}

/* criu links a dump's images to the pre-dump before it: images/parent ->
 * ../pre/N, pre/K/parent -> ../K-1.  Any other link, with w->links, is a
 * way out of the checkpoint that criu would follow: refused. */
static int check_link(struct walk *w, int dirfd, const char *name, const char *rel)
{
	char target[sizeof(w->link)];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
	const char *num;

	if (!w->links)
		return 0;
	if (n < 0)
		return walk_fail(w, rel);
	target[n] = '\0';
	num = strncmp(target, "../pre/", 7) == 0 ? target + 7
	      : strncmp(target, "../", 3) == 0	 ? target + 3
						 : NULL;
	if (strcmp(name, "parent") == 0 && num && *num && !num[strspn(num, "0123456789")])
		return 0;
	snprintf(w->link, sizeof(w->link), "%s", target);
	return walk_fail(w, rel);
}

/* Feed st with fd's first size bytes through mappings of HASH_WINDOW
 * bytes; returns how many it fed (fewer when a window could not be
 * mapped: the caller reads the rest). */
static uint64_t hash_mapped(int fd, uint64_t size, XXH3_state_t *st)
{
	uint64_t off = 0;

	while (off < size) {
		size_t len = size - off < HASH_WINDOW ? (size_t)(size - off) : HASH_WINDOW;
		void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, (off_t)off);

		if (p == MAP_FAILED)
			break;
		XXH3_128bits_update(st, p, len);
		munmap(p, len);
		off += len;
	}
	return off;
}

/* Hash fd's bytes: mapped where it can be, the rest read in chunks. */
static int hash_fd(struct walk *w, int fd, uint64_t size, XXH128_hash_t *h)
{
	XXH3_state_t *st = XXH3_createState();
	uint64_t off;
	ssize_t r;

	if (!st || XXH3_128bits_reset(st) != XXH_OK) {
		XXH3_freeState(st);
		errno = ENOMEM;
		return -1;
	}
	off = hash_mapped(fd, size, st);
	while ((r = pread(fd, w->buf, READ_BUF, (off_t)off)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0) {
			XXH3_128bits_update(st, w->buf, (size_t)r);
			off += (uint64_t)r;
		}
	*h = XXH3_128bits_digest(st);
	XXH3_freeState(st);
	return r < 0 ? -1 : 0;
}

/* Hash (and with w->sync, fsync) one regular file. */
static int add_file(struct walk *w, int dirfd, const char *name, const char *rel)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	XXH128_canonical_t canon;
	XXH128_hash_t h;
	struct stat st;

	if (fd < 0)
		return walk_fail(w, rel);
	/* Writeback of what is still dirty starts now and runs while the
	 * other files are hashed; the commit's syncfs then waits for less.
	 * Only a hint: its failure changes nothing. */
	if (w->kick)
		sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	if (fstat(fd, &st) < 0 || hash_fd(w, fd, (uint64_t)st.st_size, &h) < 0 ||
	    (w->sync && fsync(fd) < 0)) {
		int saved = errno;

		close(fd);
		errno = saved;
		return walk_fail(w, rel);
	}
	close(fd);
	if (strlen(rel) >= sizeof(w->v->path)) {
		errno = ENAMETOOLONG;
		return walk_fail(w, rel);
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 32;
		struct image_file *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return walk_fail(w, rel);
		w->v = v;
		w->cap = cap;
	}
	XXH128_canonicalFromHash(&canon, h);
	snprintf(w->v[w->n].path, sizeof(w->v[w->n].path), "%s", rel);
	w->v[w->n].size = (uint64_t)st.st_size;
	memcpy(w->v[w->n].xxh128, canon.digest, sizeof(w->v[w->n].xxh128));
	w->n++;
	w->bytes += (uint64_t)st.st_size;
	return 0;
}

/* Every regular file below the directory name (rel from the checkpoint);
 * symlinks and other kinds are skipped, never followed. */
static int walk_dir(struct walk *w, int at, const char *name, const char *rel)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int rc = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return walk_fail(w, rel);
	}
	while (rc == 0 && (errno = 0, de = readdir(d))) {
		char path[512];
		struct stat st;
		unsigned char type = de->d_type;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", rel, de->d_name);
		if (type == DT_UNKNOWN) {
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				rc = walk_fail(w, path);
				break;
			}
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		}
		if (type == DT_DIR)
			rc = walk_dir(w, dirfd(d), de->d_name, path);
		else if (type == DT_REG && w->hash)
			rc = add_file(w, dirfd(d), de->d_name, path);
		else if (type == DT_LNK)
			rc = check_link(w, dirfd(d), de->d_name, path);
	}
	if (rc == 0 && errno)
		rc = walk_fail(w, rel);
	/* The directory entries must be durable too, before the commit rename. */
	if (rc == 0 && w->sync && fsync(dirfd(d)) < 0)
		rc = walk_fail(w, rel);
	closedir(d);
	return rc;
}

/* Walk every directory of dirs that exists; the files sorted by path. */
static int walk(struct walk *w, int ckfd, const char *const *dirs)
{
	struct stat st;

	w->buf = w->hash ? malloc(READ_BUF) : NULL;
	if (w->hash && !w->buf)
		return walk_fail(w, "(buffer)");
	for (const char *const *dir = dirs; *dir; dir++) {
		int rc;

		if (fstatat(ckfd, *dir, &st, AT_SYMLINK_NOFOLLOW) < 0)
			rc = errno == ENOENT ? 0 : walk_fail(w, *dir);
		else if (S_ISLNK(st.st_mode) && w->links)
			rc = check_link(w, ckfd, *dir, *dir);
		else
			rc = walk_dir(w, ckfd, *dir, *dir);
		if (rc < 0)
			break;
	}
	free(w->buf);
	w->buf = NULL;
	if (w->failed[0])
		return -1;
	if (w->n) /* qsort of NULL is undefined, even for 0 elements */
		qsort(w->v, w->n, sizeof(*w->v), manifest_file_cmp);
	return 0;
}

int seal_files(int ckfd, const char *const *dirs, unsigned how, struct image_file **files,
	       size_t *n, uint64_t *bytes, struct cc_err *e)
{
	struct walk w = {.sync = !!(how & SEAL_FSYNC), .kick = !!(how & SEAL_KICK), .hash = 1};

	if (walk(&w, ckfd, dirs) < 0) {
		free(w.v);
		return err_sys(e, CC_EXIT_STORE, "store-io", errno, "seal the images: %s",
			       w.failed);
	}
	*files = w.v;
	*n = w.n;
	*bytes = w.bytes;
	return 0;
}

/* A failed walk of a reading (verify, check_links) as the error. */
static int read_failed(struct walk *w, const char *name, struct cc_err *e)
{
	int saved = errno;

	free(w->v);
	if (!w->link[0])
		return err_sys(e, CC_EXIT_STORE, "store-io", saved,
			       "checkpoint '%s': read %s to verify it", name, w->failed);
	err_set(e, CC_EXIT_STORE, "images-damaged",
		"checkpoint '%s' is damaged: %s is a symbolic link (to %s), not followed", name,
		w->failed, w->link);
	err_remedy(e,
		   "Something other than criu put it there: remove the checkpoint "
		   "('criuctl rm %s'), or remove the link.",
		   name);
	return -1;
}

int seal_check_links(int ckfd, const char *const *dirs, const char *name, struct cc_err *e)
{
	struct walk w = {.links = 1};

	return walk(&w, ckfd, dirs) < 0 ? read_failed(&w, name, e) : (free(w.v), 0);
}

int seal_verify(int ckfd, const char *const *dirs, const struct image_file *want, size_t n,
		const char *name, struct cc_err *e)
{
	struct walk w = {.hash = 1, .links = 1};
	const struct image_file *found;
	enum file_damage damage;
	size_t at;

	if (walk(&w, ckfd, dirs) < 0)
		return read_failed(&w, name, e);
	damage = manifest_compare_files(want, n, w.v, w.n, &at, &found);
	switch (damage) {
	case DAMAGE_NONE: break;
	case DAMAGE_MISSING:
		err_set(e, CC_EXIT_STORE, "images-damaged",
			"checkpoint '%s' is damaged: %s is missing", name, want[at].path);
		break;
	case DAMAGE_SIZE:
		err_set(e, CC_EXIT_STORE, "images-damaged",
			"checkpoint '%s' is damaged: %s is %llu bytes, sealed at %llu", name,
			want[at].path, (unsigned long long)found->size,
			(unsigned long long)want[at].size);
		break;
	case DAMAGE_HASH: {
		char got[33], sealed[33];

		manifest_hex(found->xxh128, got);
		manifest_hex(want[at].xxh128, sealed);
		err_set(e, CC_EXIT_STORE, "images-damaged",
			"checkpoint '%s' is damaged: %s has XXH128 %s, sealed as %s", name,
			want[at].path, got, sealed);
		break;
	}
	}
	free(w.v);
	if (damage == DAMAGE_NONE)
		return 0;
	err_remedy(e, "Its images changed after the dump: restore another checkpoint or dump again "
		      "('criuctl restore --no-verify' lets criu try it anyway).");
	return -1;
}
