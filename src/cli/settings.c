/*
 * settings: what criuctl reads of its surroundings before a command uses
 * it: the configuration file (-c, $CRIUCTL_CONFIG, else the default path),
 * and the store's root, picked on first use (--store, [store] root, the
 * built-in store, or its fallback in RAM on a read-only root).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "fsutil.h"

/* Read the config named by -c or $CRIUCTL_CONFIG (must exist), else the
 * default file (may be missing). */
int cli_load_config(struct cli *c, const char *named)
{
	const char *path = named ? named : getenv("CRIUCTL_CONFIG");
	int must_exist = path && *path;
	char *text;
	size_t len;
	int rc;

	if (!must_exist)
		path = CONFIG_DEFAULT_PATH;
	if (fs_read_path(path, CONFIG_MAX_SIZE, &text, &len) < 0) {
		if (!must_exist && errno == ENOENT)
			return 0;
		if (errno == EFBIG)
			return err_set(&c->err, CC_EXIT_USAGE, "config-unreadable",
				       "config %s: larger than %d KiB, not a criuctl.conf", path,
				       CONFIG_MAX_SIZE >> 10);
		err_sys(&c->err, CC_EXIT_USAGE, "config-unreadable", errno, "config %s", path);
		return -1;
	}
	c->config_path = path;
	rc = config_parse(&c->cfg, text, len, path, &c->err);
	free(text);
	return rc;
}

/* Whether the configuration file set [store] root. */
static int store_configured(const struct cli *c)
{
	for (size_t i = 0; config_key_name(i); i++)
		if (strcmp(config_key_section(i), "store") == 0 &&
		    strcmp(config_key_name(i), "root") == 0)
			return c->cfg.origin[i][0] != '\0';
	return 0;
}

/* The store's root: --store, else [store] root, else the built-in store or,
 * where that cannot be (a read-only root), its fallback in RAM (config.h).
 * Looked at on first use only, so that commands which never touch the store
 * (explain, --help, --version) do not stat it. */
const char *cli_store_root(struct cli *c)
{
	struct stat st;
	struct store_seen seen;

	if (c->store_root)
		return c->store_root;
	c->store_root = c->cfg.store_root;
	if (store_configured(c))
		return c->store_root;
	seen = (struct store_seen){
		.default_exists = stat(STORE_DEFAULT_ROOT, &st) == 0,
		.default_makeable = fs_can_make(STORE_DEFAULT_ROOT),
		.fallback_exists = stat(STORE_FALLBACK_ROOT, &st) == 0,
	};
	if (config_store_fallback(&seen)) {
		c->store_root = STORE_FALLBACK_ROOT;
		c->store_fallback = 1;
	}
	return c->store_root;
}
