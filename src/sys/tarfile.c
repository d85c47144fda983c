/* tarfile: reading a checkpoint archive into the store, entry by entry as
 * tarball.h judges (tarfile.h); writing one is tarfile_export.c. */
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

struct reader {
	struct archive *a;
	int at_fd;
	const char *file;
	const char *path; /* the entry's path in the archive */
	struct cc_err *e;
};

static int unsafe(struct reader *r, const char *why)
{
	err_set(r->e, CC_EXIT_USAGE, "archive-unsafe", "%s: entry '%s': %s; nothing imported",
		r->file, r->path, why);
	err_remedy(r->e, "Import only archives made by criuctl export, podman or CRI-O.");
	return -1;
}

static int invalid(struct reader *r, const char *what)
{
	const char *why = archive_error_string(r->a);

	return err_set(r->e, CC_EXIT_USAGE, "archive-invalid",
		       "%s: not a checkpoint archive (%s%s%s); nothing imported", r->file, what,
		       why ? ": " : "", why ? why : "");
}

/*
 * The directory that holds dest (relative to at_fd), each component
 * opened without following a link (and made when mkdirs): its fd, with
 * the last component in *base.  -1 with errno (ELOOP, ENOTDIR: a link or
 * file on the way).
 */
static int open_parent(int at_fd, const char *dest, int mkdirs, const char **base)
{
	char part[256];
	const char *p = dest;
	int fd = dup(at_fd);

	while (fd >= 0) {
		size_t n = strcspn(p, "/");
		int next;

		if (!p[n]) {
			*base = p;
			return fd;
		}
		snprintf(part, sizeof(part), "%.*s", (int)n, p);
		if (mkdirs && mkdirat(fd, part, 0700) < 0 && errno != EEXIST)
			return close(fd), -1;
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		p += n + 1;
	}
	return -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The entry's data into the new file dest, no more than its header said. */
static int take_file(struct reader *r, int dir, const char *base, int64_t size)
{
	int fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	char *buf = malloc(CHUNK);
	int64_t got = 0;
	la_ssize_t n;
	int rc = 0;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return errno == EEXIST ? unsafe(r, "it comes twice")
				       : err_sys(r->e, CC_EXIT_STORE, "store-io", errno,
						 "import %s: write %s", r->file, r->path);
	}
	while (rc == 0 && (n = archive_read_data(r->a, buf, CHUNK)) != 0) {
		if (n < 0)
			rc = invalid(r, r->path);
		else if ((got += n) > size)
			rc = unsafe(r, "more data than its header says");
		else if (write_all(fd, buf, (size_t)n) < 0)
			rc = err_sys(r->e, CC_EXIT_STORE, "store-io", errno, "import %s: write %s",
				     r->file, r->path);
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = err_sys(r->e, CC_EXIT_STORE, "store-io", errno, "import %s: fsync %s", r->file,
			     r->path);
	free(buf);
	close(fd);
	return rc;
}

static int take_hardlink(struct reader *r, int dir, const char *base, const char *twin)
{
	const char *tbase;
	int tdir = open_parent(r->at_fd, twin, 0, &tbase);
	int rc = tdir < 0 ? -1 : linkat(tdir, tbase, dir, base, 0);

	if (tdir >= 0)
		close(tdir);
	if (rc < 0)
		return unsafe(r, errno == EEXIST
					 ? "it comes twice"
					 : "a hard link to a file not before it in the archive");
	return 0;
}

static int take(struct reader *r, const struct tarball_entry *en, const struct tarball_plan *p)
{
	const char *base;
	struct stat st;
	int dir = open_parent(r->at_fd, p->dest, 1, &base);
	int rc = 0;

	if (dir < 0)
		return errno == ELOOP || errno == ENOTDIR
			       ? unsafe(r, "it goes through a link or a file")
			       : err_sys(r->e, CC_EXIT_STORE, "store-io", errno, "import %s: %s",
					 r->file, r->path);
	switch (en->type) {
	case TB_DIR:
		if (mkdirat(dir, base, 0700) < 0 &&
		    !(errno == EEXIST && fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		      S_ISDIR(st.st_mode)))
			rc = unsafe(r, "a directory where something else is");
		break;
	case TB_FILE: rc = take_file(r, dir, base, en->size); break;
	case TB_SYMLINK:
		if (symlinkat(p->link, dir, base) < 0)
			rc = unsafe(r, "it comes twice");
		break;
	case TB_HARDLINK: rc = take_hardlink(r, dir, base, p->link); break;
	case TB_OTHER: rc = unsafe(r, "not a file, directory or link"); break;
	}
	close(dir);
	return rc;
}

/* The header of an entry as the core's struct. */
static void describe(struct archive_entry *ae, struct tarball_entry *en)
{
	const char *hard = archive_entry_hardlink(ae);

	memset(en, 0, sizeof(*en));
	en->path = archive_entry_pathname(ae) ? archive_entry_pathname(ae) : "";
	en->mode = archive_entry_mode(ae) & 07777;
	en->size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG: en->type = TB_FILE; break;
	case AE_IFDIR: en->type = TB_DIR; break;
	case AE_IFLNK:
		en->type = TB_SYMLINK;
		en->link = archive_entry_symlink(ae);
		break;
	default: en->type = TB_OTHER; break;
	}
	if (hard) {
		en->type = TB_HARDLINK;
		en->link = hard;
		en->size = 0;
	}
}

static int one_entry(struct reader *r, struct archive_entry *ae, const struct tarball_bounds *b,
		     struct tarfile_in *in)
{
	struct tarball_entry en;
	struct tarball_plan p;

	describe(ae, &en);
	r->path = en.path;
	switch (tarball_judge(b, &in->totals, &en, &p)) {
	case TB_REFUSE: return unsafe(r, p.reason);
	case TB_BOUND:
		err_set(r->e, CC_EXIT_USAGE, "archive-too-large",
			"%s: %s at entry '%s'; nothing imported", r->file, p.reason, en.path);
		err_remedy(r->e, "If the archive is trusted, raise --max-bytes or --max-files.");
		return -1;
	case TB_LEAVE:
		if (strv_push(&in->left_out, en.path) < 0)
			return err_sys(r->e, CC_EXIT_ENV, "out-of-memory", ENOMEM, "import");
		return archive_read_data_skip(r->a) == ARCHIVE_OK ? 0 : invalid(r, en.path);
	case TB_TAKE: break;
	}
	if (take(r, &en, &p) < 0)
		return -1;
	if ((en.type == TB_FILE || en.type == TB_HARDLINK) &&
	    (strncmp(p.dest, "images/", 7) == 0 || strncmp(p.dest, "pre/", 4) == 0))
		in->image_files++;
	if (strcmp(p.dest, TARBALL_STAGED "manifest.json") == 0)
		in->has_manifest = 1;
	return 0;
}

int tarfile_import(const char *file, int at_fd, const struct tarball_bounds *b,
		   struct tarfile_in *in, struct cc_err *e)
{
	struct reader r = {.at_fd = at_fd, .file = file, .e = e};
	struct archive_entry *ae;
	int rc = 0, st, fd;

	memset(in, 0, sizeof(*in));
	r.a = archive_read_new();
	if (!r.a)
		return err_sys(e, CC_EXIT_ENV, "out-of-memory", ENOMEM, "import %s", file);
	/* Tar only, compressed as podman, CRI-O and export write it. */
	archive_read_support_format_tar(r.a);
	archive_read_support_format_gnutar(r.a);
	archive_read_support_filter_none(r.a);
	archive_read_support_filter_gzip(r.a);
	archive_read_support_filter_zstd(r.a);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		archive_read_free(r.a);
		return err_sys(e, CC_EXIT_USAGE, "archive-unreadable", errno, "import %s", file);
	}
	if (archive_read_open_fd(r.a, fd, CHUNK) != ARCHIVE_OK) {
		invalid(&r, "no tar header");
		archive_read_free(r.a);
		close(fd);
		return -1;
	}
	while (rc == 0 && (st = archive_read_next_header(r.a, &ae)) != ARCHIVE_EOF) {
		if (st != ARCHIVE_OK && st != ARCHIVE_WARN)
			rc = invalid(&r, in->totals.files ? "cut short" : "no tar header");
		else
			rc = one_entry(&r, ae, b, in);
	}
	if (rc == 0 && !in->totals.files)
		rc = invalid(&r, "empty");
	for (size_t i = 0; rc == 0 && i < 2; i++) {
		/* The files are on disk (take_file); their names too. */
		int d = openat(at_fd, i ? "pre" : "images",
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (d >= 0)
			fsync(d), close(d);
	}
	fsync(at_fd);
	archive_read_free(r.a);
	close(fd);
	return rc;
}
