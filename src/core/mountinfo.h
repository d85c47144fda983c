/*
 * mountinfo: /proc/PID/mountinfo parsed from text, and where a container's
 * bind mount comes from in criuctl's own mount namespace.  A mount shows
 * its device and the path of its root inside that device's file system; a
 * mount of ours on the same device whose root is a prefix of that path
 * shows the same files, at our mount point.  Pure.
 */
#ifndef CRIUCTL_MOUNTINFO_H
#define CRIUCTL_MOUNTINFO_H

#include <stddef.h>

struct mnt {
	int id, parent;
	unsigned int major, minor;
	char root[1024];  /* the mount's root within its file system */
	char point[1024]; /* the mount point */
	char fstype[64];
};

struct mnt_table {
	struct mnt *v;
	size_t n;
};

/* A mount of a tree that comes from outside its mount namespace, as a dump
 * names it (--external mnt[POINT]:KEY) and a restore maps it back
 * (--external mnt[KEY]:SOURCE). */
struct ext_mount {
	char point[1024]; /* inside the tree's mount namespace */
	char key[64];
	char source[1024]; /* the same files in criuctl's namespace; "" when unknown */
};

/* Parse mountinfo text (octal escapes such as \040 decoded).  Returns 0, or
 * -1 when out of memory.  Unparsable lines are skipped. */
int mountinfo_parse(const char *buf, size_t len, struct mnt_table *out);
void mountinfo_free(struct mnt_table *t);

/* The mount of t at mount point point, or NULL. */
const struct mnt *mountinfo_at(const struct mnt_table *t, const char *point);

/*
 * Where m's files are in the namespace whose table is ours: writes the path
 * into dst and returns 0, or -1 when no mount of ours shows them.
 */
int mountinfo_resolve(const struct mnt_table *ours, const struct mnt *m, char *dst, size_t size);

/* 1 when m shows only part of a file system (a bind of a directory or a
 * file: its root is not "/"), which is how outside files enter a container. */
int mountinfo_is_bind(const struct mnt *m);

/* A criu external key for a mount point: "/etc/hosts" -> "etc_hosts". */
void mountinfo_key(const char *point, char *dst, size_t size);

#endif
