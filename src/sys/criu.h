/*
 * criu: finding the criu binary, asking its version, building its
 * environment.
 */
#ifndef CRIUCTL_CRIU_H
#define CRIUCTL_CRIU_H

#include <stddef.h>

#include "err.h"
#include "strv.h"

/*
 * Resolve the criu binary: want is a path (contains '/') or a name searched
 * on $PATH ("criu" when want is NULL or empty).  Writes the absolute path to
 * out.  Returns 0, or -1 with e set (exit 6, "criu-missing").
 */
int criu_resolve(const char *want, char *out, size_t size, struct cc_err *e);

/*
 * Run "criu --version" and write the version ("4.2.1") to out.  Returns 0,
 * or -1 with e set (exit 6).
 */
int criu_version(const char *path, char *out, size_t size, struct cc_err *e);

/*
 * criu's environment: criuctl's own plus extra ("NAME=VALUE", overriding).
 * Returns 0, or -1 when out of memory.
 */
int criu_environ(const struct strv *extra, struct strv *out);

/*
 * A program that stands beside criu, name "criuctl-hook" (the action script
 * criu runs) or "criuctl-guard" (guardian.h): in $CRIUCTL_BUNDLE/bin when
 * criuctl runs from its bundle (tools/bundle), else beside criuctl's own
 * binary (a build tree), else in LIBEXECDIR/criuctl/.  Returns 0 with the
 * path in out, or -1 with e set (exit 6, "hook-missing": criuctl is not
 * installed completely).
 */
int criu_helper_path(const char *name, char *out, size_t size, struct cc_err *e);

/*
 * How criuctl runs itself again (the selftest's canaries and nested
 * criuctls): $CRIUCTL_BUNDLE/bin/criuctl from a bundle, whose /proc/self/exe
 * is the bundle's dynamic loader and not criuctl; else /proc/self/exe.
 */
const char *criuctl_self(void);

#endif
