/*
 * recover: what criuctl finds in tmp/ that nobody owns any more.
 *
 * An attempt whose flock can be taken was left by a criuctl that ended
 * without finishing it (killed, even by SIGKILL; crashed) and by its criu,
 * which has ended too (criu holds the same flock while it runs).  Nothing
 * it holds is thrown away unread:
 *   - a dump that criuctl had decided to commit (its manifest is written
 *     at criu's point of no return, commit.h), and that criu did not abort
 *     afterwards, is complete: it is committed, with a note saying so
 *     (manifest "recovered"), under its name or NAME.recovered when that was
 *     taken meanwhile;
 *   - a restore that criu finished: its log goes to the checkpoint, as a
 *     restore criuctl watched to its end would have left it;
 *   - any other attempt with a log is kept under failed/ (images dropped)
 *     with a report.json whose verdict is abandoned, so the log says what
 *     criu did once it was alone;
 *   - the rest is removed.
 */
#ifndef CRIUCTL_RECOVER_H
#define CRIUCTL_RECOVER_H

#include "store.h"

/* Resolve the attempt tmp/<entry>, whose directory fd (its flock held)
 * this takes over and closes.  A name busy with another criuctl is left
 * for later.  What was done goes to s->recovered, one line per attempt
 * ("NAME: ..."). */
void recover_attempt(struct store *s, const char *entry, int fd);

#endif
