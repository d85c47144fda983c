/*
 * writeback: start writing criu's images to disk while criu still writes
 * them, so that the commit's sync (commit.h) finds little left to do.
 *
 * A dump's images are written into the page cache at memory speed; on a
 * machine with plenty of memory the kernel's own writeback starts only
 * long after the dump ended, so a durable checkpoint used to pay the whole
 * disk write after criu was done.  While criu runs, a thread looks at the
 * images directory every WRITEBACK_PERIOD_MS and asks the kernel to start
 * writing (sync_file_range(SYNC_FILE_RANGE_WRITE): asynchronous, no wait
 * for completion, no metadata) whatever each file grew by.  It is a hint
 * only: durability is still the commit's syncfs, and nothing here can fail
 * a dump.
 *
 * The same thread hashes each image as soon as criu closes it
 * (inotify's IN_CLOSE_WRITE), in the time criu still spends on the rest
 * of the dump and on its way out, so the seal after criu (seal.h) finds
 * most of its hashing done.  A hash is kept only while nothing changes
 * the file afterwards: any later event on its name (a write, a
 * truncation, a rename, a removal) drops it, and an overflowed event
 * queue drops them all; the seal hashes whatever has no hash.
 *
 * A thread and not the supervisor's loop: the loop ticks every 100 ms,
 * longer than criu needs to write a 256 MiB tree, and sync_file_range can
 * block on a congested device queue, which must never delay the loop's
 * deadline and stall watch.
 */
#ifndef CRIUCTL_WRITEBACK_H
#define CRIUCTL_WRITEBACK_H

#include <stddef.h>

#include "manifest.h"

#define WRITEBACK_PERIOD_MS 10

struct writeback;

/* Start following the directory dir (absolute), whose files are rel/NAME
 * from the checkpoint directory ("images"); sync: start their writeback,
 * hash: hash them as criu closes them.  Returns the handle, or NULL when
 * nothing could be started (no such directory, no memory, no thread):
 * harmless, the seal and the commit's sync then do all of it. */
struct writeback *writeback_start(const char *dir, const char *rel, int sync, int hash);

/*
 * Stop the thread (after criu ended: every event of its writes is then
 * queued), close what it opened and free w (NULL: nothing).  With known
 * not NULL, the files hashed and unchanged since go into a new array
 * *known (caller frees; NULL when none), *n_known of them, as the seal's
 * hints (seal_files).
 */
void writeback_stop(struct writeback *w, struct image_file **known, size_t *n_known);

#endif
