/*
 * inspect: gathering the doctor's facts: the environment (criu, its
 * version and `criu check`, the kernel config, privileges, the store) and
 * a target tree (/proc: states, tracers, sessions, sockets, locks,
 * namespaces, memory).  The rules that judge them are in doctor.c.
 */
#ifndef CRIUCTL_INSPECT_H
#define CRIUCTL_INSPECT_H

#include "doctor.h"
#include "err.h"
#include "finding.h"

/*
 * Environment facts.  criu_want: --criu or [criu] path (NULL: PATH);
 * run_check: also run "criu check" and the dirty-tracking probe.  The
 * caller frees f->criu_check_out.
 */
void inspect_env(struct env_facts *f, const char *criu_want, const char *store_root, int run_check);

/* Dirty-memory tracking, which pre-dump needs: 1 on, 0 off, -1 unknown
 * (from "criu check --feature mem_dirty_track"). */
int inspect_dirty_track(const char *criu);

/*
 * Read the kernel config: from path when given (an error names it), else
 * /proc/config.gz, else /boot/config-RELEASE.  On success *text (caller
 * frees) and the source's name; returns 0, 1 when none was found (not an
 * error without a path), -1 with e set when the named file is unreadable.
 */
int inspect_kconfig(const char *path, char **text, size_t *len, char *source, size_t size,
		    struct cc_err *e);

/*
 * Facts about the tree rooted at pid; store_root may be NULL.  Returns 0,
 * or -1 with e set (exit 2) when pid does not exist.  Free with
 * inspect_target_free().
 */
int inspect_target(int pid, const char *store_root, struct target_facts *f, struct cc_err *e);
void inspect_target_free(struct target_facts *f);

#endif
