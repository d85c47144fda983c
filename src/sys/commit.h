/*
 * commit: a dump attempt in tmp/ becomes a checkpoint.
 *
 * Two steps, because criu ends the tree between them.  checkpoint_decide()
 * runs while criu waits at its point of no return (post-dump): images made
 * private and sealed (unless the tree is to run on, whose frozen time it
 * would lengthen), then the manifest written into the attempt: the proof,
 * for whoever finds the attempt later, that criuctl decided to commit it.
 * checkpoint_commit() runs once criu has ended: what criu wrote after its
 * question (stats-dump), the seal if not yet made, the manifest, all of
 * it made durable (with [store] sync=full, the default: the argument is
 * in commit.c), and the rename into checkpoints/.  The same two functions serve
 * criuctl's own dump and the recovery of an attempt whose criuctl was
 * killed (recover.h).
 */
#ifndef CRIUCTL_COMMIT_H
#define CRIUCTL_COMMIT_H

#include "err.h"
#include "manifest.h"
#include "store.h"

/* The pre-commit work (see above); seal: seal the images now, and with
 * sync make the attempt durable.  Safe in a worker thread (touches only
 * the attempt directory and m).  Returns 0, or -1 with e set (exit 5). */
int checkpoint_decide(int at_fd, struct manifest *m, int seal, int sync, struct cc_err *e);

/* The commit (see above).  m->name may change when the name was taken
 * meanwhile and alt_name allows another ("NAME.recovered").  Returns 0, or
 * -1 with e set; the attempt is then left as it was, for the caller. */
int checkpoint_commit(struct store *s, struct attempt *at, struct manifest *m, int alt_name,
		      struct cc_err *e);

#endif
