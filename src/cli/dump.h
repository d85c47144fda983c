/*
 * dump: what the parts of `criuctl dump` share.  cmd_dump.c parses the
 * options and runs the steps; dump_preflight.c decides about the tree
 * before anything is frozen (refuse, auto flags, external mounts, network
 * lock); dump_run.c runs criu (pre-dumps, then the dump) and commits the
 * checkpoint or keeps the failed attempt.
 */
#ifndef CRIUCTL_DUMP_H
#define CRIUCTL_DUMP_H

#include "cli.h"
#include "manifest.h"
#include "strv.h"

struct dump_args {
	int pid;
	const char *pidfile;
	const char *container; /* --container CID (container.h) */
	const char *name;
	const char *profile;
	int auto_flags;
	int force;
	int pre_dumps;
	int netns;	     /* the tree has a network namespace of its own */
	int no_summary;	     /* migrate: no summary on stdout (the JSON has it) */
	struct strv refused; /* flags turned off on the command line (--no-FLAG) */
	struct criu_opts opts;
};

/* criuctl dump with argv, and with extra's leave_running, page_server and
 * its address and port added (migrate; NULL: none).  Returns 0 or an exit
 * code (c->err filled). */
int dump_main(struct cli *c, int argc, char **argv, const struct criu_opts *extra);

/* The target preflight, before anything is frozen: refuse on a failure
 * (unless --force), add the flags the tree needs (unless --no-auto-flags),
 * name external mounts in m.  Returns -1 to go on, else the exit code
 * (c->err filled). */
int dump_preflight(struct cli *c, struct dump_args *a, struct manifest *m);

/* --pre-dump N needs dirty-memory tracking.  Returns -1 to go on, else
 * CC_EXIT_REFUSED (c->err filled). */
int dump_check_pre_dump(struct cli *c, const struct dump_args *a);

/* Chooses nftables for criu's network lock when one is needed and the
 * user chose none; says so. */
void dump_pick_network_lock(struct cli *c, struct criu_opts *o, int netns);

/* The criu runs of the dump in an attempt of the store, then the commit
 * (or the failed attempt kept) and retention.  Returns 0 or an exit code
 * (c->err filled). */
int dump_run(struct cli *c, struct dump_args *a, struct manifest *m);

#endif
