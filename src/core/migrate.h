/*
 * migrate: the pure decisions of `criuctl migrate` and `criuctl receive`:
 * where to (HOST:PORT), the control channel's messages, and what a failure
 * at each step means for the source tree.
 *
 * The control channel is a TCP connection to the receiver's PORT+1 (criu
 * page-server listens on PORT).  Every message is one line of text ending
 * in '\n', at most MIG_LINE_MAX bytes; FILE is followed by exactly SIZE
 * bytes of the file.  In order:
 *
 *   receiver -> source   READY                 criu page-server listens
 *   source   -> receiver FILE NAME SIZE        (repeated) an image, then its bytes
 *   source   -> receiver RESTORE               every file sent: restore now
 *   source   -> receiver ABORT                 the dump failed: drop everything
 *   receiver -> source   RUNNING PID           the tree runs (PID in its namespace)
 *   receiver -> source   FAILED EXIT ID TEXT   no tree runs; why (an error id)
 *
 * NAME is a plain file name (no '/', not starting with '.'), SIZE at most
 * MIG_FILE_MAX.
 */
#ifndef CRIUCTL_MIGRATE_H
#define CRIUCTL_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

#define MIG_LINE_MAX 512
#define MIG_FILE_MAX (1ULL << 32)
#define MIG_HOST_MAX 256

/* "HOST:PORT" or "[V6ADDR]:PORT" into host and port (1..65534: the control
 * channel is PORT+1).  Returns 0, or -1 with why (a sentence) filled. */
int migrate_parse_hostport(const char *s, char *host, size_t host_len, unsigned *port, char *why,
			   size_t why_len);

enum mig_msg_kind {
	MIG_BAD,
	MIG_READY,
	MIG_FILE,
	MIG_RESTORE,
	MIG_ABORT,
	MIG_RUNNING,
	MIG_FAILED,
};

struct mig_msg {
	enum mig_msg_kind kind;
	char name[128];	  /* FILE: the file's name; FAILED: the error id */
	uint64_t size;	  /* FILE */
	int pid;	  /* RUNNING */
	int exit_code;	  /* FAILED */
	const char *text; /* FAILED: the rest of the line (points into the parsed line) */
};

/* One line (without its '\n') into m.  Returns m->kind; MIG_BAD for
 * anything that is not exactly one of the messages above. */
enum mig_msg_kind migrate_parse_msg(const char *line, struct mig_msg *m);

/* How far a migration got: each step is done only when the one before is. */
enum mig_step {
	MIG_STEP_CONNECT,  /* the control channel to the receiver */
	MIG_STEP_READY,	   /* waiting for READY */
	MIG_STEP_DUMP,	   /* criu dump --leave-running --page-server */
	MIG_STEP_SEND,	   /* the other images over the control channel */
	MIG_STEP_RESTORE,  /* RESTORE sent, waiting for the answer */
	MIG_STEP_END_TREE, /* RUNNING came: the source tree is ended */
};

/* How the step ended. */
enum mig_end {
	MIG_END_OK,	/* done (at MIG_STEP_RESTORE: RUNNING came) */
	MIG_END_FAILED, /* it failed, and the other side knows (FAILED, a dump's failure) */
	MIG_END_LOST,	/* the connection broke or timed out */
};

/* What criuctl migrate does next. */
struct mig_plan {
	int end_source;	    /* end the source tree now (only after RUNNING) */
	int exit_code;	    /* 0, or criuctl's exit code (-1: the failed step's own) */
	const char *id;	    /* the error id, or NULL */
	const char *remedy; /* a sentence for the user, or NULL */
};

/* The plan once step ended as end.  The source tree is ended only when
 * the destination said RUNNING; otherwise it keeps running, also when the
 * connection broke after RESTORE (the destination's tree may run then:
 * the remedy says to look).  Pure. */
void migrate_plan(enum mig_step step, enum mig_end end, struct mig_plan *p);

/* The step's name ("connect", "dump", ...), for messages and JSON. */
const char *migrate_step_name(enum mig_step step);

#endif
