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
#include "kata.h"
#include "err.h"
#include "strv.h"

#define CONFIG_DEFAULT_PATH   SYSCONFDIR "/criuctl/criuctl.conf"
#define STORE_DEFAULT_ROOT    "/var/lib/criuctl"
#define STORE_FALLBACK_ROOT   "/run/criuctl" /* RAM: where the root is read-only */
#define DEFAULT_TIMEOUT	      600.0
#define DEFAULT_STALL_TIMEOUT 120.0

#define CONFIG_MAX_KEYS	    32
#define CONFIG_MAX_SIZE	    (1 << 20) /* bytes of a config file */
#define CONFIG_ORIGIN_MAX   (PATH_MAX + 96)
#define DEFAULT_KEEP_FAILED 20

/* A [profile.NAME] section: dump keys applied on top of [dump] on demand. */
struct config_profile {
	char name[64];
	struct strv keys;   /* key names, in file order */
	struct strv values; /* their values */
	int *lines;	    /* their line numbers */
};

struct config {
	char criu_path[PATH_MAX]; /* "" = "criu" found on PATH */
	struct strv criu_env;	  /* "NAME=VALUE" added to criu's environment */
	char store_root[PATH_MAX];
	int keep;	 /* retention of checkpoints; 0 = keep all */
	int keep_failed; /* retention of failed attempts */
	/* How a commit makes a checkpoint durable: "full" (the default: data,
	 * then directory entries on disk before the rename) or "none" (scratch
	 * stores: the kernel writes it back when it likes). */
	char store_sync[CRIU_CHOICE_MAX];
	int auto_flags;
	struct criu_opts dump;
	struct criu_opts restore; /* external, criu_opt, timeouts; flags come from the manifest */
	char restore_root[PATH_MAX];
	int restore_wait;
	int restore_verify;	  /* check the images against their seal before criu runs */
	char kata_root[PATH_MAX]; /* where kata-agent keeps bundles (kata.h) */
	char file[PATH_MAX];	  /* the file parsed, "" for built-in defaults only */
	struct config_profile *profiles;
	size_t n_profiles;
	/* Where each key's value came from ("" = built-in), by key index. */
	char origin[CONFIG_MAX_KEYS][CONFIG_ORIGIN_MAX];
};

/* What the file system shows of the built-in store and its fallback. */
struct store_seen {
	int default_exists;   /* /var/lib/criuctl is there */
	int default_makeable; /* it is not, and it could be made */
	int fallback_exists;  /* /run/criuctl is there */
};

/*
 * Whether the built-in store is the fallback, /run/criuctl: where
 * /var/lib/criuctl neither exists nor can be made (a Kata guest's
 * read-only root without /var/lib), or where only the fallback exists.
 */
int config_store_fallback(const struct store_seen *s);

/* The values of [store] sync, and 1 when the policy text is "none". */
extern const char *const config_sync_choices[];
int config_sync_none(const struct config *c);

/* Built-in defaults. */
void config_defaults(struct config *c);

/*
 * Apply INI text of len bytes (and a NUL after them) named filename (for
 * messages) on top of c; a NUL byte within is no text (binary garbage) and
 * an error on its line.  Returns 0, or -1 with e set (exit 2,
 * "config-invalid", "FILE:LINE: ...").
 */
int config_parse(struct config *c, const char *text, size_t len, const char *filename,
		 struct cc_err *e);

void config_free(struct config *c);

/*
 * Apply [profile.NAME] on top of the dump settings: its scalars replace,
 * its lists replace the lists of [dump].  Returns 0, or -1 with e set
 * (exit 2, "no-such-profile") when the file has no such profile.
 */
int config_apply_profile(struct config *c, const char *name, struct cc_err *e);

/* The key table, for `criuctl config`: the i-th key's section and name,
 * NULL past the end. */
const char *config_key_section(size_t i);
const char *config_key_name(size_t i);

/* The i-th key's current value as text ("true", "600", "a, b", "" for an
 * unset path or an empty list). */
void config_key_value(const struct config *c, size_t i, char *dst, size_t size);

/* The longest duration accepted: 30 days. */
#define DURATION_MAX (30.0 * 24 * 3600)

/* Parse "1.5", "30s", "5m", "2h", "1d" into seconds (0 to DURATION_MAX);
 * returns 0 or -1. */
int config_parse_duration(const char *s, double *out);

/* The same for ages (prune --older-than), up to AGE_MAX: ten years. */
#define AGE_MAX (3650.0 * 86400)
int config_parse_age(const char *s, double *out);
/* Parse true/false/yes/no/on/off/1/0; returns 0 or -1. */
int config_parse_bool(const char *s, int *out);

#endif
