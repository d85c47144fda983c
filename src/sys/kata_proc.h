/*
 * kata_proc: a Kata guest's containers as the files show them: bundles
 * under the root kata-agent uses (KATA_DEFAULT_ROOT, or [kata] root),
 * their config.json, and the init found in the container's cgroup or,
 * where that cannot be read, among kata-agent's children.  The decisions
 * are kata.h's; this file reads /proc (proc_root()) and cgroupfs.
 */
#ifndef CRIUCTL_KATA_PROC_H
#define CRIUCTL_KATA_PROC_H

#include <stddef.h>

#include "err.h"
#include "kata.h"
#include "strv.h"

/* The ids of the bundles under root (directories holding a config.json),
 * sorted, into out.  A missing root is no container: 0.  Returns 0, or -1
 * with e set. */
int kata_list(const char *root, struct strv *out, struct cc_err *e);

/* Read and parse root/cid/config.json into s.  Returns 0, or -1 with e set
 * (exit 2: an invalid or unknown id, a config.json that is no spec; the
 * message names the file). */
int kata_read_spec(const char *root, const char *cid, struct kata_spec *s, struct cc_err *e);

struct kata_init {
	int pid; /* 0: not found */
	unsigned long long start;
	enum kata_args_match args; /* its command line against process.args */
	char cgroup[4096];	   /* the cgroup directory read, "" when none could be */
	char found_by[64];	   /* "cgroup" or "kata-agent's children" */
	int cgroup_v2;
};

/*
 * Find the init of container cid: the processes of its cgroup (cgroup v2,
 * or the v1 hierarchies that have it), else the children of kata-agent,
 * and kata_pick_init() among them.  out->pid is 0 when no process fits.
 */
void kata_find_init(const struct kata_spec *s, const char *cid, struct kata_init *out);

#endif
