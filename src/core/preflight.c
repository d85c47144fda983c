/* preflight: see preflight.h. */
#include "preflight.h"

#include "err.h"
#include "verdict.h"

enum pf_action preflight_action(const struct finding *x, const struct pf_policy *p,
				const struct criu_flag **flag)
{
	*flag = NULL;
	if (x->level == LEVEL_OK)
		return PF_QUIET;
	if (x->level == LEVEL_WARN && p->auto_flags && (*flag = flag_by_key(x->flag)) &&
	    !(p->refused && strv_contains(p->refused, (*flag)->key)))
		return PF_ADD_FLAG;
	*flag = NULL;
	return PF_SAY;
}

const struct finding *preflight_fatal(const struct findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].level == LEVEL_FAIL)
			return &f->v[i];
	return NULL;
}

int preflight_exit(const struct finding *fatal, const struct pf_policy *p)
{
	if (!fatal || p->force)
		return 0;
	return verdict_find(fatal->id) == V_NO_SPACE ? CC_EXIT_STORE : CC_EXIT_REFUSED;
}
