/*
 * store_int: what the store's two files share (store.c: opening the store,
 * resolving what ended criuctls left in tmp/, reading its entries;
 * store_attempt.c: a name's lock, an attempt, its commit or its keeping
 * under failed/).  Not for other files: store.h is the interface.
 */
#ifndef CRIUCTL_STORE_INT_H
#define CRIUCTL_STORE_INT_H

#include "store.h"

#define STORE_LOCK ".lock"

/* Fills e with CC_EXIT_STORE, "store-io", "WHAT PATH: strerror(errno)";
 * returns -1. */
int store_err(struct cc_err *e, const char *what, const char *path);

/* Takes the store's own lock (.lock) in mode (LOCK_SH or LOCK_EX), waiting
 * for it.  Returns its fd, which the caller closes, or -1. */
int store_flock(struct store *s, int mode);

#endif
