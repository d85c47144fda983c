/*
 * phase: where a criu run is, read from its -v4 log lines.  CRIU logs a
 * line on entering each stage of a dump or restore; the last marker seen
 * names the phase.  Pure.
 */
#ifndef CRIUCTL_PHASE_H
#define CRIUCTL_PHASE_H

#include "criu_log.h"

enum phase {
	PHASE_STARTING = 0, /* criu started, nothing about the tree yet */
	PHASE_COLLECTING,   /* collecting and seizing the tree's tasks */
	PHASE_PARASITE,	    /* infecting tasks with the parasite */
	PHASE_MEMORY,	    /* dumping memory pages */
	PHASE_WRITING,	    /* writing task state and images */
	PHASE_RESUMING,	    /* unfreezing (or killing) the dumped tasks */
	PHASE_RESTORING,    /* forking and restoring tasks */
	PHASE_FINISHED,	    /* criu said it finished successfully */
	PHASE_FAILED,	    /* criu said it failed */
};

/* The phase after line l, given the current one. */
enum phase phase_next(enum phase current, const struct log_line *l);

/* A few words for humans ("dumping memory"); static storage. */
const char *phase_name(enum phase p);

/* A stable id for JSON ("memory"); static storage. */
const char *phase_id(enum phase p);

#endif
