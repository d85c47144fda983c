/*
 * cmd_config: the effective configuration, key by key, and where each
 * value came from: built-in, FILE:LINE, or FILE:LINE [profile.NAME].
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "jsonutil.h"

static const struct cli_opt config_opts[] = {
	{"profile", 0, "NAME", "with [profile.NAME] applied on top of [dump]", 0},
	{NULL, 0, NULL, NULL, 0},
};

static int config_option(struct cli *c, int id, const char *arg, void *ctx)
{
	(void)c, (void)id;
	*(const char **)ctx = arg;
	return -1;
}

/* A global option that beats the file: show it with its origin (option
 * NULL: the store's built-in fallback). */
static void override(struct cli *c, const char *section, const char *key, const char *value,
		     char *field, const char *option)
{
	if (!value || value == field)
		return;
	for (size_t i = 0; config_key_section(i); i++)
		if (strcmp(config_key_section(i), section) == 0 &&
		    strcmp(config_key_name(i), key) == 0) {
			snprintf(field, PATH_MAX, "%s", value);
			if (option)
				snprintf(c->cfg.origin[i], sizeof(c->cfg.origin[i]),
					 "command line (%s)", option);
			else
				snprintf(c->cfg.origin[i], sizeof(c->cfg.origin[i]),
					 "built-in fallback (%s cannot be made)",
					 STORE_DEFAULT_ROOT);
		}
}

int cmd_config(struct cli *c, int argc, char **argv)
{
	const char *profile = NULL;
	json_t *keys;
	int rc = cli_parse_options(
		c, argc, argv,
		&(struct cli_parse){
			.cmd = "config",
			.synopsis = "criuctl config [OPTIONS]",
			.about = "Print every configuration key, its effective value and "
				 "its origin.\n",
			.own = config_opts,
			.fn = config_option,
			.ctx = &profile});

	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_usage(c, "config", "unexpected argument '%s'", argv[optind]);
	keys = json_array();
	if (profile && config_apply_profile(&c->cfg, profile, &c->err) < 0)
		return json_decref(keys), c->err.exit_code;
	cli_store_root(c); /* before c->store_fallback is read below */
	override(c, "store", "root", c->store_root, c->cfg.store_root,
		 c->store_fallback ? NULL : "--store");
	override(c, "criu", "path", c->criu_want, c->cfg.criu_path, "--criu");
	override(c, "kata", "root", c->kata_root, c->cfg.kata_root, "--kata-root");
	if (!c->json)
		printf("# %s%s%s\n",
		       c->cfg.file[0] ? c->cfg.file : "no config file: built-in defaults",
		       profile ? ", profile " : "", profile ? profile : "");
	for (size_t i = 0; config_key_section(i); i++) {
		char value[4096];
		const char *origin = c->cfg.origin[i][0] ? c->cfg.origin[i] : "built-in";

		config_key_value(&c->cfg, i, value, sizeof(value));
		if (!c->json)
			printf("%-8s %-16s = %-24s # %s\n", config_key_section(i),
			       config_key_name(i), value, origin);
		json_array_append_new(keys, json_pack("{s:s, s:s, s:o, s:o}", "section",
						      config_key_section(i), "key",
						      config_key_name(i), "value", json_text(value),
						      "origin", json_text(origin)));
	}
	json_object_set_new(c->out, "file", c->cfg.file[0] ? json_text(c->cfg.file) : json_null());
	json_object_set_new(c->out, "profile", profile ? json_string(profile) : json_null());
	json_object_set_new(c->out, "keys", keys);
	return 0;
}
