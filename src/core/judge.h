/*
 * judge: the verdict of a criu run that criuctl stopped (a signal, the
 * deadline, a stall, pre-commit work that failed), and the exit status it
 * means.  Pure: the supervisor says what happened, this decides what it is
 * called; run_criu.c only executes and reports.
 */
#ifndef CRIUCTL_JUDGE_H
#define CRIUCTL_JUDGE_H

#include <stddef.h>

#include "escalate.h"
#include "hang.h"
#include "phase.h"
#include "verdict.h"

struct stop_facts {
	enum esc_reason reason;	      /* why the stop began (not ESC_NONE) */
	int signum;		      /* the signal, for ESC_BY_SIGNAL */
	int hard;		      /* criu was stopped with signals */
	int refused;		      /* criu was told no at its point of no return */
	enum phase phase;	      /* where criu was */
	const struct hang_diag *diag; /* the hang report's diagnosis */
	const char *work_error;	      /* what the pre-commit work said (ESC_BY_WORK) */
};

/* Fills v (its evidence untouched) and title (size bytes, which v->title
 * may point to); returns the exit status. */
int judge_stopped(const struct stop_facts *f, struct verdict *v, char *title, size_t size);

#endif
