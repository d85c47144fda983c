/*
 * name: checkpoint names.  A name is [A-Za-z0-9][A-Za-z0-9._-]{0,63}: it can
 * never contain '/', never start with '.', and so never escapes the store.
 */
#ifndef CRIUCTL_NAME_H
#define CRIUCTL_NAME_H

#include <stddef.h>
#include <time.h>

#define NAME_MAX_LEN 64

/* 1 when name is a valid checkpoint name, 0 otherwise. */
int name_valid(const char *name);

/*
 * Write the default name "<comm>-<pid>-<yyyymmddThhmmss>" (UTC) into dst.
 * Characters of comm outside the name alphabet become '_', a leading
 * non-alphanumeric character becomes 'p', and comm is shortened so the
 * result fits NAME_MAX_LEN.  dst must hold NAME_MAX_LEN + 1 bytes.
 */
void name_default(char *dst, const char *comm, int pid, time_t when);

#endif
