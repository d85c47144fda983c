/*
 * nsutil: the namespace and mount steps that the guest sandbox
 * (sandbox.c) and the container launcher (container-run.c) share: failing
 * loudly with the step's name, mounts, device nodes of our own, read-only
 * binds, pivot_root, the loopback interface.  Every step follows the recipe
 * measured in GUEST-NOTES.md; the comments say which CRIU failure it avoids.
 */
#define _GNU_SOURCE
#include "nsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char *ns_program = "nsutil";
int ns_exit_code = 125;

/* Report a failed step as "<program>: <step>: <strerror(errno)>" and exit
 * with ns_exit_code. */
void fail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "%s: ", ns_program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	_exit(ns_exit_code);
}

/* ROOT + "/" + REL into buf (PATH_MAX bytes). */
void path_in(char *buf, const char *root, const char *rel)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", root, rel[0] == '/' ? rel + 1 : rel);

	if (n < 0 || n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		fail("path %s/%s", root, rel);
	}
}

void mount_or_fail(const char *src, const char *dst, const char *type, unsigned long flags,
		   const char *data, const char *what)
{
	if (mount(src, dst, type, flags, data) < 0)
		fail("mount %s on %s", what, dst);
}

void ensure_dir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		fail("mkdir %s", path);
}

/* mkdir -p, for bind targets that the image does not have. */
void ensure_dir_tree(char *path)
{
	char *p;

	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		ensure_dir(path, 0755);
		*p = '/';
	}
	ensure_dir(path, 0755);
}

void mount_tmpfs(const char *root, const char *rel, const char *mode_opt, unsigned long flags)
{
	char path[PATH_MAX];

	path_in(path, root, rel);
	ensure_dir(path, 0755);
	mount_or_fail("tmpfs", path, "tmpfs", flags, mode_opt, "tmpfs");
}

/* Character devices a process expects. Nodes of our own, not the host's
 * /dev: with the host's /dev bound in, every dump fails with "Can't lookup
 * mount=N for fd=M path=/dev/null". */
void make_dev_nodes(const char *dev)
{
	static const struct {
		const char *name;
		unsigned int major, minor;
	} nodes[] = {
		{"null", 1, 3},	  {"zero", 1, 5},    {"full", 1, 7},
		{"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
	};
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		path_in(path, dev, nodes[i].name);
		if (mknod(path, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0)
			fail("mknod %s", path);
		/* mknod honours the umask; the mode must be exactly 0666. */
		if (chmod(path, 0666) < 0)
			fail("chmod %s", path);
	}
}

void make_dev_links(const char *dev)
{
	static const struct {
		const char *name, *target;
	} links[] = {
		{"ptmx", "pts/ptmx"},	       {"fd", "/proc/self/fd"},
		{"stdin", "/proc/self/fd/0"},  {"stdout", "/proc/self/fd/1"},
		{"stderr", "/proc/self/fd/2"},
	};
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		path_in(path, dev, links[i].name);
		if (symlink(links[i].target, path) < 0)
			fail("symlink %s -> %s", path, links[i].target);
	}
}

/* Bind SRC read-only at DST (a path that exists). A bind cannot be made
 * read-only in one step: remount it, keeping the flags the source mount
 * already has (the kernel refuses to drop nosuid/nodev/noexec in a
 * remount). */
void bind_read_only(const char *src, const char *dst)
{
	struct statvfs sv;
	unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;

	mount_or_fail(src, dst, NULL, MS_BIND, NULL, src);
	if (statvfs(dst, &sv) < 0)
		fail("statvfs %s", dst);
	if (sv.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (mount(NULL, dst, NULL, flags, NULL) < 0)
		fail("remount read-only %s", dst);
}

/* pivot_root, not chroot: with chroot, criu refuses every task ("The root
 * task has another root than mntns"). pivot_root(".", ".") stacks the old
 * root under the new one; detaching "." then drops the old root. */
void pivot_into(const char *root)
{
	if (chdir(root) < 0)
		fail("chdir %s", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail("pivot_root %s", root);
	if (umount2(".", MNT_DETACH) < 0)
		fail("detach the old root under %s", root);
	if (chdir("/") < 0)
		fail("chdir / in %s", root);
}

/* The new network namespace has only "lo", and it starts down; TCP
 * loopback workloads need it up. Done by ioctl so no `ip` is needed. */
void bring_up_loopback(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		fail("socket for lo");
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		fail("get flags of lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		fail("bring up lo");
	close(fd);
}
