/*
 * fsutil: file helpers that never follow symlinks (O_NOFOLLOW, *at() calls
 * relative to a directory fd), so nothing under the store escapes it.
 */
#ifndef CRIUCTL_FSUTIL_H
#define CRIUCTL_FSUTIL_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Read the regular file name (relative to at, or absolute with
 * AT_FDCWD) into a new NUL-terminated buffer *buf (caller frees), at most
 * max bytes (more is an error, EFBIG).  Returns 0, or -1 with errno set.
 */
int fs_read_at(int at, const char *name, size_t max, char **buf, size_t *len);

/* The same for a file the user named (a config, a pidfile, a log: never a
 * path in the store), following symlinks as every tool does. */
int fs_read_path(const char *path, size_t max, char **buf, size_t *len);

/* Up to size bytes from the start of the regular file name under at, into
 * buf (not NUL-terminated).  Returns the count, or -1 with errno set. */
ssize_t fs_read_head_at(int at, const char *name, char *buf, size_t size);

/* Up to size bytes from the end of the regular file name under at (a log's
 * last lines), into buf.  Returns the count, or -1 with errno set. */
ssize_t fs_read_tail_at(int at, const char *name, char *buf, size_t size);

/* The same from an open fd (read to its end; the fd stays open). */
int fs_read_fd(int fd, size_t max, char **buf, size_t *len);

struct log_digest;
/*
 * Feed what fd reads to its end into d (log_digest.h), in 64 KiB pieces, so
 * that a log of any size costs criuctl the digest's bounded memory and not
 * the log's.  Then log_digest_end().  Returns 0, or -1 with errno set (a
 * read error, or ENOMEM).
 */
int fs_digest_fd(int fd, struct log_digest *d);

/*
 * Write buf to name under at atomically: a temporary file, fsync, rename
 * over name, fsync of the directory.  Returns 0, or -1 with errno set.
 */
int fs_write_at(int at, const char *name, const void *buf, size_t len, mode_t mode);

/* The same without the fsyncs: the file outlives criuctl (atomic rename),
 * not a crash of the machine.  For drafts that only have to survive a
 * killed criuctl and must not cost a disk flush. */
int fs_put_at(int at, const char *name, const void *buf, size_t len, mode_t mode);

/* Remove name under at and everything below it, never following links.
 * A missing name is not an error.  Returns 0, or -1 with errno set. */
int fs_rmtree_at(int at, const char *name);

/* Sum of the sizes of the regular files below name (apparent size). */
uint64_t fs_size_at(int at, const char *name);

/* Set the mode of every regular file below name (directories keep theirs);
 * best effort, never following links. */
void fs_chmod_tree_at(int at, const char *name, mode_t mode);

/* 1 when name under at is a symbolic link (what O_NOFOLLOW refused). */
int fs_is_link_at(int at, const char *name);

/* path if it is a directory, else the nearest directory above it that
 * exists, into dir; -1 with errno when that cannot be seen (or path is no
 * directory). */
int fs_nearest_dir(const char *path, char *dir, size_t size);

/* Whether the directory path does not exist and could be made (the
 * nearest existing directory above it is writable). */
int fs_can_make(const char *path);

/* Whether name exists under at (a link is not followed; at -1: no). */
int fs_exists_at(int at, const char *name);

/* A DIR over the directory fd, which it owns from then on: closed with the
 * DIR (closedir()), or at once when fdopendir() fails.  NULL with errno set
 * when fd < 0 or fdopendir() fails. */
DIR *fs_opendir_fd(int fd);

/* Open (creating with mode when missing) the directory name under at,
 * without following a symlink.  Returns the fd, or -1 with errno set. */
int fs_mkdir_open_at(int at, const char *name, mode_t mode);

#endif
