/*
 * nsutil: shared steps of the guest sandbox and the container launcher
 * (see nsutil.c).  Every function either succeeds or reports the failed
 * step ("<ns_program>: <step>: <error>") and exits with ns_exit_code.
 */
#ifndef CRIUCTL_NSUTIL_H
#define CRIUCTL_NSUTIL_H

#include <sys/types.h>

extern const char *ns_program; /* prefix of error messages */
extern int ns_exit_code;       /* exit status on failure */

__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...);

/* ROOT + "/" + REL into buf (PATH_MAX bytes). */
void path_in(char *buf, const char *root, const char *rel);
void mount_or_fail(const char *src, const char *dst, const char *type, unsigned long flags,
		   const char *data, const char *what);
void ensure_dir(const char *path, mode_t mode);
/* mkdir -p of path (modified in place and restored). */
void ensure_dir_tree(char *path);
/* A tmpfs on ROOT/REL with the given mount data ("mode=1777"). */
void mount_tmpfs(const char *root, const char *rel, const char *mode_opt, unsigned long flags);
/* null, zero, full, random, urandom, tty under the directory dev. */
void make_dev_nodes(const char *dev);
/* ptmx (to pts/ptmx), fd, stdin, stdout, stderr links under dev. */
void make_dev_links(const char *dev);
/* Bind src read-only onto dst (which must exist). */
void bind_read_only(const char *src, const char *dst);
/* pivot_root into root and drop the old root. */
void pivot_into(const char *root);
/* Bring up "lo" in the current network namespace. */
void bring_up_loopback(void);

#endif
