/* outcome: the rules of outcome.h, in the order they apply. */
#include "outcome.h"

enum outcome outcome_of(const struct run_facts *f)
{
	/* criu says it aborted: the tree was resumed (dump) or what it made
	 * was killed (restore), whatever criuctl had answered. */
	if (f->log_failed)
		return OUTCOME_FAILED;
	if (f->log_succeeded && (f->committed || (f->exited_ok && !f->stopped)))
		return OUTCOME_DONE;
	if (f->committed && f->complete_at_ask)
		return OUTCOME_UNFINISHED;
	return OUTCOME_FAILED;
}

const char *outcome_id(enum outcome o)
{
	switch (o) {
	case OUTCOME_DONE: return "done";
	case OUTCOME_UNFINISHED: return "unfinished";
	case OUTCOME_FAILED: break;
	}
	return "failed";
}
