/*
 * selftest: `criuctl check --selftest`: small canary trees, each holding one
 * kind of resource (a pipe, a unix socket pair, an established TCP loopback
 * connection, a file lock), are dumped and restored for real with this criu
 * on this kernel, in a temporary store; each gives one finding saying
 * whether that kind of resource survives.
 */
#ifndef CRIUCTL_SELFTEST_H
#define CRIUCTL_SELFTEST_H

#include "cli.h"
#include "finding.h"

/* Run the canaries; adds one finding per canary.  Returns 0, or -1 with
 * c->err set when the selftest itself could not run. */
int selftest_run(struct cli *c, struct findings *f);

#endif
