/*
 * criuctl-guard: the process criuctl starts beside every criu it runs, so
 * that a criuctl killed (even with SIGKILL) while criu is stuck never
 * leaves the tree frozen.  What it decides is src/core/guard.h, what it
 * does src/sys/guardian.h; this is only its main.
 *
 * criuctl starts it (guardian.h): the attempt directory on fd 3, criuctl's
 * pipe on fd 4, the run's limits and the tree in argv.  Not for use by
 * hand.  Exit status 0 (nothing stopped), 1 (it stopped criu), 2 (usage).
 */
#include <stdio.h>
#include <stdlib.h>

#include "guardian.h"

int main(int argc, char **argv)
{
	struct guard_spec spec;
	struct manifest_proc *tree;
	int rc;

	if (guard_parse_argv(argc, argv, &spec, &tree) < 0) {
		fprintf(stderr, "criuctl-guard: criuctl starts this beside criu; it is not for use "
				"by hand\n");
		free(tree);
		return 2;
	}
	rc = guard_run(&spec, 3, 4);
	free(tree);
	return rc;
}
