/*
 * phase: the marker table.  Markers are prefixes of messages CRIU 4.x logs
 * at -v4 (see tests/fixtures/criu-4.2.1/dump-ok.log, restore-ok.log); a
 * line that is no marker keeps the phase.  Once finished or failed, the
 * phase stays.
 */
#include "phase.h"

#include <string.h>

struct marker {
	const char *prefix;
	enum phase phase;
};

static const struct marker markers[] = {
	{"Dumping processes (pid:", PHASE_COLLECTING},
	{"Pre-dumping processes", PHASE_COLLECTING},
	{"Seized task", PHASE_COLLECTING},
	{"Putting parasite blob", PHASE_PARASITE},
	{"Dumping pages", PHASE_MEMORY},
	{"Dumping core (pid:", PHASE_WRITING},
	{"Dumping mm (pid:", PHASE_WRITING},
	{"Writing image inventory", PHASE_WRITING},
	{"Unfreezing tasks", PHASE_RESUMING},
	{"Forking task with", PHASE_RESTORING},
	{"Dumping finished successfully", PHASE_FINISHED},
	{"Pre-dumping finished successfully", PHASE_FINISHED},
	{"Restore finished successfully", PHASE_FINISHED},
	{"Dumping FAILED.", PHASE_FAILED},
	{"Pre-dumping FAILED.", PHASE_FAILED},
	{"Restoring FAILED.", PHASE_FAILED},
};

enum phase phase_next(enum phase current, const struct log_line *l)
{
	if (current == PHASE_FINISHED || current == PHASE_FAILED)
		return current;
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		size_t n = strlen(markers[i].prefix);

		if (l->msg_len >= n && memcmp(l->msg, markers[i].prefix, n) == 0)
			return markers[i].phase;
	}
	return current;
}

static const char *const names[][2] = {
	[PHASE_STARTING] = {"starting", "starting"},
	[PHASE_COLLECTING] = {"collecting", "collecting and seizing tasks"},
	[PHASE_PARASITE] = {"parasite", "infecting tasks with the parasite"},
	[PHASE_MEMORY] = {"memory", "dumping memory"},
	[PHASE_WRITING] = {"writing", "writing images"},
	[PHASE_RESUMING] = {"resuming", "resuming tasks"},
	[PHASE_RESTORING] = {"restoring", "restoring tasks"},
	[PHASE_FINISHED] = {"finished", "finished"},
	[PHASE_FAILED] = {"failed", "failed"},
};

const char *phase_name(enum phase p)
{
	return names[p][1];
}

const char *phase_id(enum phase p)
{
	return names[p][0];
}
