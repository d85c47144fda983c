/*
 * cmd_config: the effective configuration, key by key, and where each
 * value came from: built-in, FILE:LINE, or FILE:LINE [profile.NAME].
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "jsonutil.h"

static const char config_usage[] = "usage: criuctl config [--profile NAME]\n"
				   "Print every configuration key, its effective value and its "
				   "origin.\n";

/* A global option that beats the file: show it with its origin. */
static void override(struct cli *c, const char *section, const char *key, const char *value,
		     char *field, const char *option)
{
	if (!value || value == field)
		return;
	for (size_t i = 0; config_key_section(i); i++)
		if (strcmp(config_key_section(i), section) == 0 &&
		    strcmp(config_key_name(i), key) == 0) {
			snprintf(field, PATH_MAX, "%s", value);
			snprintf(c->cfg.origin[i], sizeof(c->cfg.origin[i]), "command line (%s)",
				 option);
		}
}

int cmd_config(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL;
	json_t *keys = json_array();
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'p')
			profile = optarg;
		else if (opt == 'h')
			return json_decref(keys), cli_help(c, config_usage);
		else
			return json_decref(keys),
			       cli_usage(c, "config", "unknown option or missing value '%s'",
					 argv[optind - 1]);
	}
	if (optind < argc)
		return json_decref(keys),
		       cli_usage(c, "config", "unexpected argument '%s'", argv[optind]);
	if (profile && config_apply_profile(&c->cfg, profile, &c->err) < 0)
		return json_decref(keys), c->err.exit_code;
	override(c, "store", "root", c->store_root, c->cfg.store_root, "--store");
	override(c, "criu", "path", c->criu_want, c->cfg.criu_path, "--criu");
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
