/*
 * preflight: what the target's findings (doctor_target()) mean for a dump,
 * decided before anything is frozen.  Pure: cmd_dump says and does what
 * this decides.
 */
#ifndef CRIUCTL_PREFLIGHT_H
#define CRIUCTL_PREFLIGHT_H

#include "finding.h"
#include "flags.h"
#include "strv.h"

struct pf_policy {
	int auto_flags;		    /* --auto-flags (the default), auto_flags = */
	int force;		    /* --force */
	const struct strv *refused; /* flag keys turned off on the command line (--no-X) */
};

enum pf_action {
	PF_QUIET,    /* ok: nothing to say */
	PF_SAY,	     /* say it: a warning no flag deals with, or a failure */
	PF_ADD_FLAG, /* turn its flag on; say the finding when that changes nothing */
};

/* What to do with one finding; *flag is the row to turn on for PF_ADD_FLAG. */
enum pf_action preflight_action(const struct finding *x, const struct pf_policy *p,
				const struct criu_flag **flag);

/* The finding that refuses the dump (the first failure), or NULL. */
const struct finding *preflight_fatal(const struct findings *f);

/* The exit code of the refusal: 0 to go on (no failure, or --force), 5 when
 * the tree does not fit the store (a store error), else 3. */
int preflight_exit(const struct finding *fatal, const struct pf_policy *p);

#endif
