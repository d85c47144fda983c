/* tarfile_export: writing a checkpoint as an archive in podman's layout
 * (tarfile.h); reading one is tarfile.c. */
#include "tarfile.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

#define CHUNK (64 * 1024)

/* The files of a checkpoint directory that go to the archive's top. */
static const char *const top_files[] = {"stats-dump", "manifest.json", "dump.log", "restore.log",
					NULL};

struct writer {
	struct archive *a;
	struct tarfile_out *out;
	const char *file;
	struct cc_err *e;
};

static int write_err(struct writer *w, const char *what)
{
	return err_set(w->e, CC_EXIT_STORE, "archive-io", "export to %s: %s: %s", w->file, what,
		       archive_error_string(w->a) ? archive_error_string(w->a) : "write failed");
}

static struct archive_entry *new_entry(const char *path, const struct stat *st, mode_t type,
				       mode_t perm)
{
	struct archive_entry *en = archive_entry_new();

	if (!en)
		return NULL;
	archive_entry_set_pathname(en, path);
	archive_entry_set_filetype(en, type);
	archive_entry_set_perm(en, perm);
	archive_entry_set_uid(en, 0);
	archive_entry_set_gid(en, 0);
	archive_entry_set_mtime(en, st ? st->st_mtime : 0, 0);
	return en;
}

/* One entry without data (a directory, a link). */
static int put_header(struct writer *w, struct archive_entry *en)
{
	int rc = en && archive_write_header(w->a, en) == ARCHIVE_OK ? 0 : -1;

	if (en)
		archive_entry_free(en);
	if (rc < 0)
		return write_err(w, "header");
	w->out->entries++;
	return 0;
}

static int put_data(struct writer *w, const char *path, const void *buf, size_t len,
		    const struct stat *st)
{
	struct archive_entry *en = new_entry(path, st, AE_IFREG, 0600);

	if (!en)
		return write_err(w, "out of memory");
	archive_entry_set_size(en, (la_int64_t)len);
	if (put_header(w, en) < 0)
		return -1;
	if (len && archive_write_data(w->a, buf, len) != (la_ssize_t)len)
		return write_err(w, path);
	return 0;
}

/* The regular file name under dfd, as path. */
static int put_file(struct writer *w, int dfd, const char *name, const char *path,
		    const struct stat *st)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct archive_entry *en = new_entry(path, st, AE_IFREG, 0600);
	char *buf = malloc(CHUNK);
	int64_t left = st->st_size;
	int rc = -1;

	if (fd < 0 || !en || !buf) {
		err_sys(w->e, CC_EXIT_STORE, "archive-io", fd < 0 ? errno : ENOMEM,
			"export to %s: read %s", w->file, path);
		goto out;
	}
	archive_entry_set_size(en, st->st_size);
	rc = put_header(w, en);
	en = NULL;
	while (rc == 0 && left > 0) {
		ssize_t n = read(fd, buf, left < CHUNK ? (size_t)left : CHUNK);

		if (n <= 0) {
			rc = err_sys(w->e, CC_EXIT_STORE, "archive-io", n < 0 ? errno : EIO,
				     "export to %s: %s changed while read", w->file, path);
			break;
		}
		if (archive_write_data(w->a, buf, (size_t)n) != n)
			rc = write_err(w, path);
		left -= n;
	}
out:
	if (en)
		archive_entry_free(en);
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int put_tree(struct writer *w, int dfd, const char *name, const char *path, int depth);

/* One entry of a directory: a file, a link or a directory (recursing). */
static int put_any(struct writer *w, int dfd, const char *name, const char *path, int depth)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(w->e, CC_EXIT_STORE, "archive-io", errno, "export to %s: %s",
			       w->file, path);
	if (S_ISREG(st.st_mode))
		return put_file(w, dfd, name, path, &st);
	if (S_ISDIR(st.st_mode))
		return put_tree(w, dfd, name, path, depth + 1);
	if (!S_ISLNK(st.st_mode))
		return 0; /* criu writes no other kind */
	n = readlinkat(dfd, name, target, sizeof(target) - 1);
	if (n < 0)
		return err_sys(w->e, CC_EXIT_STORE, "archive-io", errno, "export to %s: %s",
			       w->file, path);
	target[n] = '\0';
	{
		struct archive_entry *en = new_entry(path, &st, AE_IFLNK, 0777);

		if (en)
			archive_entry_set_symlink(en, target);
		return put_header(w, en);
	}
}

/* The directory name under dfd as path/ and everything below it, sorted. */
static int put_tree(struct writer *w, int dfd, const char *name, const char *path, int depth)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct strv names = {0};
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int rc;

	if (fd < 0 || fstat(fd, &st) < 0 || depth > 8)
		return fd >= 0 ? close(fd), 0 : 0; /* missing (pre/): nothing to add */
	dir = fdopendir(fd);
	if (!dir)
		return close(fd), err_sys(w->e, CC_EXIT_STORE, "archive-io", errno,
					  "export to %s: %s", w->file, path);
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
		    strv_push(&names, d->d_name) < 0)
			break;
	qsort(names.v, names.n, sizeof(names.v[0]), cmp_names);
	rc = put_header(w, new_entry(path, &st, AE_IFDIR, 0700));
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char sub[PATH_MAX];

		snprintf(sub, sizeof(sub), "%s/%s", path, names.v[i]);
		rc = put_any(w, dirfd(dir), names.v[i], sub, depth);
	}
	strv_free(&names);
	closedir(dir);
	return rc;
}

static int put_all(struct writer *w, int ckfd, const char *config, const char *spec)
{
	struct stat st;

	/* podman's order: the images, then the files at the top. */
	if (put_tree(w, ckfd, "images", "checkpoint", 0) < 0 ||
	    put_tree(w, ckfd, "pre", "pre", 0) < 0)
		return -1;
	if (fstat(ckfd, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (put_data(w, "config.dump", config, strlen(config), &st) < 0 ||
	    put_data(w, "spec.dump", spec, strlen(spec), &st) < 0)
		return -1;
	for (size_t i = 0; top_files[i]; i++)
		if (fstatat(ckfd, top_files[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && put_file(w, ckfd, top_files[i], top_files[i], &st) < 0)
			return -1;
	return 0;
}

/* Where file goes: its directory opened, its last component in base. */
static int open_dest_dir(const char *file, char *base, size_t size)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');

	if (!slash) {
		snprintf(base, size, "%s", file);
		return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file) ? (int)(slash - file) : 1, file);
	snprintf(base, size, "%s", slash + 1);
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* An unnamed file in dfd, or (where the filesystem has no O_TMPFILE) a
 * hidden one whose name goes to tmp. */
static int open_temp(int dfd, const char *base, char *tmp, size_t size)
{
	int fd = openat(dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	tmp[0] = '\0';
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	for (int i = 0; i < 100 && fd < 0; i++) {
		snprintf(tmp, size, ".%.200s.%d.%d.tmp", base, (int)getpid(), i);
		fd = openat(dfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		tmp[0] = '\0';
	return fd;
}

/* Give the complete temporary file its name, never replacing a file. */
static int link_in(int dfd, int fd, const char *tmp, const char *base)
{
	char proc[64];

	if (tmp[0])
		return renameat2(dfd, tmp, dfd, base, RENAME_NOREPLACE);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, dfd, base, AT_SYMLINK_FOLLOW);
}

static int add_filter(struct archive *a, enum tarball_kind kind)
{
	switch (kind) {
	case TARBALL_GZIP: return archive_write_add_filter_gzip(a);
	case TARBALL_ZSTD: return archive_write_add_filter_zstd(a);
	case TARBALL_TAR: return archive_write_add_filter_none(a);
	case TARBALL_UNKNOWN: break;
	}
	return ARCHIVE_FATAL;
}

static int write_archive(struct writer *w, int fd, enum tarball_kind kind, int ckfd,
			 const char *config, const char *spec)
{
	int rc;

	w->a = archive_write_new();
	if (!w->a)
		return err_set(w->e, CC_EXIT_STORE, "archive-io", "export: out of memory");
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    add_filter(w->a, kind) != ARCHIVE_OK || archive_write_open_fd(w->a, fd) != ARCHIVE_OK)
		rc = write_err(w, tarball_kind_name(kind));
	else
		rc = put_all(w, ckfd, config, spec);
	/* close flushes the compressor's last block: its failure counts. */
	if (archive_write_close(w->a) != ARCHIVE_OK && rc == 0)
		rc = write_err(w, "close");
	archive_write_free(w->a);
	return rc;
}

int tarfile_export(int ckfd, const char *file, enum tarball_kind kind, const char *config_dump,
		   const char *spec_dump, struct tarfile_out *out, struct cc_err *e)
{
	struct writer w = {.out = out, .file = file, .e = e};
	char base[NAME_MAX + 1], tmp[NAME_MAX + 1];
	int dfd = open_dest_dir(file, base, sizeof(base));
	int fd = -1, rc = -1;
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (dfd < 0)
		return err_sys(e, CC_EXIT_STORE, "archive-io", errno, "export to %s", file);
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		err_set(e, CC_EXIT_USAGE, "file-exists", "export to %s: the file exists", file);
		err_remedy(e, "Name another file, or remove it first.");
		goto out;
	}
	fd = open_temp(dfd, base, tmp, sizeof(tmp));
	if (fd < 0) {
		err_sys(e, CC_EXIT_STORE, "archive-io", errno, "export to %s: create", file);
		goto out;
	}
	if (write_archive(&w, fd, kind, ckfd, config_dump, spec_dump) < 0)
		goto out;
	if (fsync(fd) < 0 || fstat(fd, &st) < 0) {
		err_sys(e, CC_EXIT_STORE, "archive-io", errno, "export to %s: fsync", file);
		goto out;
	}
	out->bytes = (uint64_t)st.st_size;
	if (link_in(dfd, fd, tmp, base) < 0) {
		if (errno == EEXIST)
			err_set(e, CC_EXIT_USAGE, "file-exists",
				"export to %s: the file was created meanwhile", file);
		else
			err_sys(e, CC_EXIT_STORE, "archive-io", errno, "export to %s: link", file);
		goto out;
	}
	tmp[0] = '\0';
	fsync(dfd);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && fd >= 0 && tmp[0])
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return rc;
}
