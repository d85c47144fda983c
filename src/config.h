/*
 * config: /etc/criuctl/criuctl.conf (INI, read with inih) into a struct.
 *
 * Pure: the caller reads the file into memory; config_parse() applies its
 * text on top of config_defaults().  Unknown sections or keys, bad values
 * and a scalar key given twice are errors naming file and line (exit 2).
 */
#ifndef CRIUCTL_CONFIG_H
#define CRIUCTL_CONFIG_H

#include <limits.h>

#include "criu_argv.h"
#include "err.h"
#include "strv.h"

#define CONFIG_DEFAULT_PATH   SYSCONFDIR "/criuctl/criuctl.conf"
#define STORE_DEFAULT_ROOT    "/var/lib/criuctl"
#define DEFAULT_TIMEOUT	      600.0
#define DEFAULT_STALL_TIMEOUT 0.0

struct config {
	char criu_path[PATH_MAX]; /* "" = "criu" found on PATH */
	struct strv criu_env;	  /* "NAME=VALUE" added to criu's environment */
	char store_root[PATH_MAX];
	int keep;	 /* retention of checkpoints; 0 = keep all */
	int keep_failed; /* retention of failed attempts */
	int auto_flags;
	struct criu_opts dump;
	struct criu_opts restore; /* external, criu_opt, timeouts; flags come from the manifest */
	char restore_root[PATH_MAX];
};

/* Built-in defaults. */
void config_defaults(struct config *c);

/*
 * Apply INI text (NUL-terminated) named filename (for messages) on top of c.
 * Returns 0, or -1 with e set (exit 2, "config-invalid", "FILE:LINE: ...").
 */
int config_parse(struct config *c, const char *text, const char *filename, struct cc_err *e);

void config_free(struct config *c);

/* The longest duration accepted: 30 days. */
#define DURATION_MAX (30.0 * 24 * 3600)

/* Parse "1.5", "30s", "5m", "2h" into seconds (0 to DURATION_MAX); returns
 * 0 or -1. */
int config_parse_duration(const char *s, double *out);
/* Parse true/false/yes/no/on/off/1/0; returns 0 or -1. */
int config_parse_bool(const char *s, int *out);

#endif
