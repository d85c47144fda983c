/*
 * container: a Kata container named by its id, for `dump --container` and
 * `containers`: its bundle under --kata-root / [kata] root, its spec, its
 * init (found and verified from its cgroup or kata-agent's children,
 * kata_proc.h), and what a dump of it takes from the spec (kata.h).
 */
#ifndef CRIUCTL_CONTAINER_H
#define CRIUCTL_CONTAINER_H

#include <jansson.h>

#include "cli.h"
#include "kata_proc.h"
#include "manifest.h"

struct container {
	const char *id;
	struct kata_spec spec;
	struct kata_init init;
};

/* Read cid's spec and find its init.  Returns 0, or -1 with c->err set
 * (exit 2, naming the id and the file): an unknown id, a config.json that
 * is no spec, no running init.  Free with container_free() either way. */
int container_resolve(struct cli *c, const char *cid, struct container *ct);
void container_free(struct container *ct);

/* The container as `containers --json` and dump's JSON show it (new reference). */
json_t *container_json(const struct container *ct);

/*
 * dump --container CID: resolve it into *pid, then name the spec's bind
 * mounts external in o (mnt[POINT]:KEY) and m (with their sources, for
 * restore), as runc does from its state, and record the id in m.  Returns
 * -1 to go on, else an exit code with c->err set.
 */
int container_for_dump(struct cli *c, const char *cid, int *pid, struct criu_opts *o,
		       struct manifest *m);

#endif
