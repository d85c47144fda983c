/*
 * restore_lazy: restore --lazy (restore_lazy.c): criu lazy-pages beside
 * criu restore --lazy-pages, on one supervised loop.
 */
#ifndef CRIUCTL_RESTORE_LAZY_H
#define CRIUCTL_RESTORE_LAZY_H

#include "criu_argv.h"
#include "lazy.h"
#include "run_criu.h"

/* The daemon's -v4 log, in the attempt, then kept beside restore.log. */
#define LAZY_LOG "lazy-pages.log"

struct lazy_restore {
	struct sup_companion comp;
	struct strv argv; /* criu lazy-pages */
	struct lazy_progress progress;
	struct cli *cli;
	struct criu_run *run;
	const char *user_pidfile; /* --pidfile: written as soon as the tree runs */
	int pid;		  /* the restored root, once it runs */
	double running_ms;	  /* from the daemon's start to the tree running */
	double last_page_ms;	  /* from the daemon's start to its last page */
};

/* Make run (whose argv is criu restore --lazy-pages of req) start criu
 * lazy-pages first and keep it after the restore.  0, or an exit code. */
int lazy_restore_prepare(struct cli *c, const struct restore_req *req, struct criu_run *run,
			 const char *user_pidfile, struct lazy_restore *lz);

/* After run_criu() succeeded: 0 when every page came in; otherwise the
 * tree is ended, the verdict said and recorded (run->failed set), and its
 * exit code returned.  The "lazy" figures go into the JSON either way. */
int lazy_restore_finish(struct cli *c, struct lazy_restore *lz);

void lazy_restore_free(struct lazy_restore *lz);

#endif
