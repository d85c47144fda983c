/*
 * receive: what the parts of `criuctl receive` share.  cmd_receive.c parses
 * the options, takes the one sender and runs the steps in order;
 * receive_steps.c holds the steps (criu page-server, the images over the
 * control channel, the commit, the restore).  Each step returns 0 or an
 * exit code with c->err set.
 */
#ifndef CRIUCTL_RECEIVE_H
#define CRIUCTL_RECEIVE_H

#include "cli.h"
#include "migrate.h"
#include "store.h"

struct receive {
	char host[MIG_HOST_MAX];
	unsigned port;	  /* criu page-server's; the control channel is port+1 */
	const char *name; /* --name, or NULL */
	char ckname[NAME_MAX_LEN + 1];
	double timeout; /* each wait for the sender, seconds; 0: none */
	int conn;	/* the control channel, or -1 */
	struct attempt at;
	int have_attempt; /* at is ours to abort */
	int ready_sent;
	int sender_gone; /* ABORT or EOF while criu page-server waited */
	size_t files;
	uint64_t bytes;
};

/* criu page-server into the attempt's images/, READY once it listens. */
int receive_pages(struct cli *c, struct receive *r);

/* FILE ... until RESTORE (manifest.json beside images/, the rest in it). */
int receive_images(struct cli *c, struct receive *r);

/* The attempt becomes checkpoint r->ckname (sealed here). */
int receive_commit(struct cli *c, struct receive *r);

/* Restore it; RUNNING PID to the sender.  On failure the checkpoint is removed. */
int receive_restore(struct cli *c, struct receive *r);

#endif
