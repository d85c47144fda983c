/*
 * tidy: undo what a criu dump that did not finish left on the tree.
 *
 * criu puts the tree's TCP sockets into repair mode (TCP_REPAIR) and locks
 * the network with an nftables table of its own ("inet CRIU-<run id>": the
 * connections of the tree, or the whole network namespace of a tree that has
 * one); it undoes both when it ends by itself.  Killed or crashed, it undoes
 * neither: the tree then runs on with sockets whose every recv() fails with
 * EPERM, behind a lock that drops its packets.  criuctl stops criu (SIGSTOP)
 * before its stop signals, tidies while the tree is still held by criu's
 * ptrace, then ends criu; after a crash it tidies what it still can.  A
 * restore that did not finish leaves half-made tasks: they are ended.
 */
#ifndef CRIUCTL_TIDY_H
#define CRIUCTL_TIDY_H

#include <stddef.h>

#include "manifest.h"
#include "strv.h"

struct tidy_result {
	struct strv repaired; /* "pid 42 fd 5": TCP sockets taken out of repair mode */
	struct strv unlocked; /* "inet CRIU-...": lock tables removed; "iptables rule ..." */
	struct strv killed;   /* "pid 42 app": half-restored tasks ended */
	struct strv failed;   /* what could not be undone, in words */
};

/*
 * Take every TCP socket of the tree's tasks (those still the tasks that were
 * dumped) out of repair mode, then remove the lock table of run run_id from
 * the network namespace of the tree's root (when run_id is known), and with
 * iptables (the run locked with --network-lock iptables) delete criu's lock
 * rules of the tree's connections (netlock.h; "iptables rule ..." entries of
 * r->unlocked).  Never fails as a whole: what could not be done is in
 * r->failed.  Free with tidy_result_free().
 */
void tidy_tree(const struct manifest_proc *tree, size_t n, const char *run_id, int iptables,
	       struct tidy_result *r);

/*
 * Only look, change nothing: the tree's TCP sockets in repair mode go to
 * found->repaired, and for a tree with a network namespace of its own
 * (own_netns) every criu lock table there to found->unlocked.
 */
void tidy_find(const struct manifest_proc *tree, size_t n, int own_netns,
	       struct tidy_result *found);

/* The run id of criu's log file name under dirfd (from its first lines;
 * criu may still be writing it) into dst, "" when there is none. */
void tidy_run_id_at(int dirfd, const char *name, char *dst, size_t size);

/* Remove the lock tables of run run_id from pid's network namespace
 * (criuctl's own for pid <= 0).  Fills r as tidy_tree() does. */
void tidy_unlock(int pid, const char *run_id, struct tidy_result *r);

/*
 * A restore that criu did not finish leaves the tasks it was creating, half
 * made, holding the checkpoint's pids: each task of spawned (criu's
 * descendants, seen while criu was held) that is still the same task gets
 * SIGKILL.  The tasks signalled are taken out of spawned (*n shrinks): a
 * task with 512 MiB to free is still dying, not yet a zombie, when criu has
 * ended, and a second call then must neither signal nor count it again.
 * Fills r as tidy_tree() does.
 */
void tidy_restored(struct manifest_proc *spawned, size_t *n, struct tidy_result *r);

void tidy_result_free(struct tidy_result *r);

#endif
