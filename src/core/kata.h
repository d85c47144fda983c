/*
 * kata: a container of a Kata guest, as kata-agent leaves it, read from
 * memory.  kata-agent writes the container's OCI spec to
 * <root>/<cid>/config.json (after rewriting the root and the mount
 * sources to guest paths) and records the init's pid nowhere: it is
 * found in the container's cgroup (linux.cgroupsPath) or among
 * kata-agent's children, as the process whose innermost pid is 1.
 *
 * Pure: parsing config.json, the cgroup directories cgroupsPath can mean,
 * picking the init among candidate processes, and what a dump of it
 * needs (its root, and its bind mounts named external).  src/sys/
 * kata_proc.c reads the files.
 */
#ifndef CRIUCTL_KATA_H
#define CRIUCTL_KATA_H

#include <stddef.h>

#include "mountinfo.h"
#include "strv.h"

/* kata-agent's CONTAINER_BASE (src/agent/src/rpc.rs). */
#define KATA_DEFAULT_ROOT "/run/kata-containers"
/* The agent's comm, as the init's parent and as the holder of the session
 * that Kata 2.5-4.0 leave a container's init in. */
#define KATA_AGENT_COMM "kata-agent"

struct kata_mount {
	char *dest;   /* owned */
	char *source; /* owned; "" when none */
	char *type;   /* owned; "" when none */
	int bind;     /* type "bind" or an option "bind"/"rbind" */
};

struct kata_spec {
	char *root;		   /* root.path, owned */
	int root_readonly;	   /* root.readonly */
	int terminal;		   /* process.terminal */
	struct strv args;	   /* process.args */
	char *cgroups_path;	   /* linux.cgroupsPath, owned; "" when absent */
	struct kata_mount *mounts; /* owned */
	size_t n_mounts;
	struct strv masked; /* linux.maskedPaths */
	struct strv ns;	    /* linux.namespaces: "type" or "type=path" */
};

/* A container id as kata-agent takes it (and a safe path component): 1-128
 * of [A-Za-z0-9._-], not starting with '.' or '-'.  1 when valid. */
int kata_cid_valid(const char *cid);

/*
 * Parse config.json text into s (zeroed first).  root.path and
 * process.args are required.  Returns 0, or -1 with the reason in why
 * ("invalid JSON at line 3: ...", "no root.path"); out of memory is a
 * reason too.  Free with kata_spec_free() either way.
 */
int kata_spec_parse(const char *text, size_t len, struct kata_spec *s, char *why, size_t why_size);
void kata_spec_free(struct kata_spec *s);

/*
 * The cgroup directories (relative to a hierarchy's mount point, starting
 * with '/') that cgroupsPath can mean for container cid, most likely first:
 * the systemd form "slice:prefix:name" is "<expanded slice>/<prefix>-
 * <name>.scope" (an empty slice is system.slice; "a-b.slice" lies under
 * "a.slice"), or, as kata-agent's cgroupfs driver takes it, the same with
 * ':' as '/'; a plain path as it is; an empty one "/<cid>".  Returns 0, or
 * -1 when out of memory.
 */
int kata_cgroup_dirs(const char *cgroups_path, const char *cid, struct strv *out);

/* A process that may be the container's init. */
struct kata_candidate {
	int pid;
	int nspid;		  /* its innermost pid (last NSpid field) */
	unsigned long long start; /* start time, /proc/PID/stat field 22 */
	int parent_is_agent;	  /* its parent is kata-agent */
	const struct strv *argv;  /* its command line; NULL when unreadable */
};

/* How a candidate's command line compares with process.args. */
enum kata_args_match { KATA_ARGS_DIFFER, KATA_ARGS_SAME_PROGRAM, KATA_ARGS_SAME };
enum kata_args_match kata_args_match(const struct strv *argv, const struct strv *args);

/*
 * The init among n candidates: the one whose innermost pid is 1 (of
 * several, the one whose command line is closest to args, then the
 * earliest started); with none (a pod-shared pid namespace), the earliest
 * started child of kata-agent.  Candidates that are not the processes of
 * the container's cgroup (need_args: kata-agent's children, which include
 * every container's init) must run the spec's program.  Returns its
 * index, or -1 when none fits.
 */
long kata_pick_init(const struct kata_candidate *c, size_t n, const struct strv *args,
		    int need_args);

/*
 * What a dump of the container needs, from its spec, like runc from its
 * state: every bind mount is external, named by its destination (key
 * mountinfo_key(dest)), with its source to map it back on restore; the
 * root is root.path.  *ext is a new array of *n_ext (the caller frees it).
 * Returns 0, or -1 when out of memory.
 */
int kata_external_mounts(const struct kata_spec *s, struct ext_mount **ext, size_t *n_ext);

#endif
