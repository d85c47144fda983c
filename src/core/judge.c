/*
 * judge: the verdict and exit status of a criu run criuctl stopped.
 * A signal is the user's word: interrupted, 128+N, and the title says how
 * far criu got.  The deadline and the watchdog name the hang report's
 * culprit, or say timeout or stalled when it found none.  Failed pre-commit
 * work is commit-failed.
 */
#include "judge.h"

#include <stdio.h>
#include <string.h>

#include "err.h"

static int by_signal(const struct stop_facts *f, struct verdict *v, char *title, size_t size)
{
	verdict_set(v, V_INTERRUPTED);
	if (f->refused)
		snprintf(title, size,
			 "interrupted by signal %d (%s) at criu's point of no return; criu was "
			 "told not to go on and undid its work",
			 f->signum, strsignal(f->signum));
	else if (f->hard)
		snprintf(title, size, "interrupted by signal %d (%s); criu was stopped while %s",
			 f->signum, strsignal(f->signum), phase_name(f->phase));
	else
		snprintf(title, size,
			 "interrupted by signal %d (%s); criu ended by itself before its point "
			 "of no return",
			 f->signum, strsignal(f->signum));
	v->title = title;
	return 128 + f->signum;
}

int judge_stopped(const struct stop_facts *f, struct verdict *v, char *title, size_t size)
{
	if (f->reason == ESC_BY_SIGNAL)
		return by_signal(f, v, title, size);
	if (f->reason == ESC_BY_WORK) {
		verdict_set(v, V_COMMIT_FAILED);
		snprintf(title, size,
			 "criuctl could not make the checkpoint safe (%s), so criu was told not "
			 "to go on and undid its work",
			 f->work_error && f->work_error[0] ? f->work_error : "no reason given");
		v->title = title;
		return verdict_row(V_COMMIT_FAILED)->exit_code;
	}
	/* The deadline or the watchdog: the hang report names the culprit. */
	if (f->diag->kind != V_STALLED)
		verdict_set(v, f->diag->kind);
	else
		verdict_set(v, f->reason == ESC_BY_STALL ? V_STALLED : V_TIMEOUT);
	snprintf(title, size, "%s: %s",
		 f->reason == ESC_BY_STALL ? "criu stalled" : "deadline passed", f->diag->summary);
	v->title = title;
	return CC_EXIT_TIMEOUT;
}
