/*
 * fsutil: no-follow file helpers.  Every path component criuctl creates or
 * opens in the store goes through openat(..., O_NOFOLLOW) so that a symlink
 * planted in the store is an error (ELOOP), not a way out.
 */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log_digest.h"

/* fs_read_fd() of a descriptor just opened (or -1), then close it. */
static int read_and_close(int opened, size_t max, char **buf, size_t *len)
{
	cleanup_close int fd = opened;

	if (fd < 0)
		return -1;
	return fs_read_fd(fd, max, buf, len);
}

int fs_read_at(int at, const char *name, size_t max, char **buf, size_t *len)
{
	return read_and_close(openat(at, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), max, buf, len);
}

int fs_read_path(const char *path, size_t max, char **buf, size_t *len)
{
	return read_and_close(open(path, O_RDONLY | O_CLOEXEC), max, buf, len);
}

ssize_t fs_read_head_at(int at, const char *name, char *buf, size_t size)
{
	cleanup_close int fd = openat(at, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t got = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	while (got < size &&
	       ((n = read(fd, buf + got, size - got)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	return n < 0 ? -1 : (ssize_t)got;
}

ssize_t fs_read_tail_at(int at, const char *name, char *buf, size_t size)
{
	cleanup_close int fd = openat(at, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	off_t from;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return errno = EINVAL, -1;
	from = st.st_size > (off_t)size ? st.st_size - (off_t)size : 0;
	return pread(fd, buf, size, from);
}

int fs_read_fd(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = 0, n = 0;
	cleanup_free char *b = NULL;

	/* /proc files report size 0: read until EOF, one byte past max at most. */
	for (;;) {
		ssize_t r;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *nb;

			if (ncap > max + 1)
				ncap = max + 1;
			if (ncap == cap) {
				errno = EFBIG;
				return -1;
			}
			nb = realloc(b, ncap + 1);
			if (!nb)
				return -1;
			b = nb;
			cap = ncap;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = take_ptr(b);
	*len = n;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int replace_at(int at, const char *name, const void *buf, size_t len, mode_t mode,
		      int durable)
{
	char tmp[256];
	int fd, saved;

	snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", name, (int)getpid());
	fd = openat(at, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -1;
	if (write_all(fd, buf, len) < 0 || (durable && fsync(fd) < 0) || close(fd) < 0) {
		saved = errno;
		close(fd);
		unlinkat(at, tmp, 0);
		errno = saved;
		return -1;
	}
	if (renameat(at, tmp, at, name) < 0) {
		saved = errno;
		unlinkat(at, tmp, 0);
		errno = saved;
		return -1;
	}
	return durable ? fsync(at) : 0;
}

int fs_write_at(int at, const char *name, const void *buf, size_t len, mode_t mode)
{
	return replace_at(at, name, buf, len, mode, 1);
}

int fs_put_at(int at, const char *name, const void *buf, size_t len, mode_t mode)
{
	return replace_at(at, name, buf, len, mode, 0);
}

DIR *fs_opendir_fd(int fd)
{
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d && fd >= 0) {
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return d;
}

static int rm_children(int fd)
{
	cleanup_closedir DIR *d = fs_opendir_fd(fd);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fs_rmtree_at(dirfd(d), de->d_name) < 0)
			rc = -1;
	}
	return rc;
}

int fs_rmtree_at(int at, const char *name)
{
	struct stat st;
	int fd;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(at, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || rm_children(fd) < 0)
		return -1;
	return unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -1 : 0;
}

uint64_t fs_size_at(int at, const char *name)
{
	struct stat st;
	struct dirent *de;
	uint64_t total = 0;
	cleanup_closedir DIR *d = NULL;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return (uint64_t)st.st_size;
	if (!S_ISDIR(st.st_mode))
		return 0;
	d = fs_opendir_fd(openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			total += fs_size_at(dirfd(d), de->d_name);
	return total;
}

void fs_chmod_tree_at(int at, const char *name, mode_t mode)
{
	struct dirent *de;
	struct stat st;
	cleanup_closedir DIR *d = NULL;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (S_ISREG(st.st_mode)) {
		if (fchmodat(at, name, mode, 0) < 0)
			return; /* best effort: the directory is 0700 anyway */
		return;
	}
	if (!S_ISDIR(st.st_mode))
		return;
	d = fs_opendir_fd(openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			fs_chmod_tree_at(dirfd(d), de->d_name, mode);
}

int fs_nearest_dir(const char *path, char *dir, size_t size)
{
	struct stat st;

	snprintf(dir, size, "%s", path);
	while (stat(dir, &st) < 0) {
		char *slash = strrchr(dir, '/');

		if (errno != ENOENT)
			return -1;
		if (!slash)
			snprintf(dir, size, ".");
		else
			slash[slash == dir] = '\0'; /* keep "/" itself */
	}
	if (!S_ISDIR(st.st_mode))
		return errno = ENOTDIR, -1;
	return 0;
}

int fs_can_make(const char *path)
{
	char dir[PATH_MAX];

	return fs_nearest_dir(path, dir, sizeof(dir)) == 0 && strcmp(dir, path) != 0 &&
	       faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0;
}

int fs_exists_at(int at, const char *name)
{
	struct stat st;

	return at >= 0 && fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int fs_is_link_at(int at, const char *name)
{
	struct stat st;

	return fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

int fs_mkdir_open_at(int at, const char *name, mode_t mode)
{
	if (mkdirat(at, name, mode) < 0 && errno != EEXIST)
		return -1;
	return openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int fs_digest_fd(int fd, struct log_digest *d)
{
	char buf[1 << 16];
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
		if (r > 0 && log_digest_feed(d, buf, (size_t)r) < 0)
			return errno = ENOMEM, -1;
	if (r < 0)
		return -1;
	if (log_digest_end(d) < 0)
		return errno = ENOMEM, -1;
	return 0;
}
