/*
 * Fuzzes config: any text as criuctl.conf (inih and criuctl's handler:
 * sections, keys, lists, profiles, over-long lines), then every profile
 * applied and every key's value printed, into a large and a small buffer.
 * A short input is also tried as a duration, an age and a boolean.
 */
#include "fuzz.h"

#include "config.h"

static void print_keys(const struct config *c)
{
	char big[8192], small[8];

	for (size_t i = 0; config_key_name(i); i++) {
		fuzz_check(config_key_section(i) != NULL);
		config_key_value(c, i, big, sizeof(big));
		config_key_value(c, i, small, sizeof(small));
		fuzz_check(strlen(small) < sizeof(small));
	}
}

static void scalars(const char *text)
{
	double d;
	int b;

	if (config_parse_duration(text, &d) == 0)
		fuzz_check(d >= 0 && d <= DURATION_MAX);
	if (config_parse_age(text, &d) == 0)
		fuzz_check(d >= 0 && d <= AGE_MAX);
	if (config_parse_bool(text, &b) == 0)
		fuzz_check(b == 0 || b == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config config; /* large: not on the stack, nor mapped anew each run */
	struct config *c = &config;
	char *text = fuzz_text(data, size);
	struct cc_err e;

	if (size < 64)
		scalars(text);
	config_defaults(c);
	if (config_parse(c, text, size, "fuzz.conf", &e) == 0) {
		size_t n = c->n_profiles;

		for (size_t i = 0; i < n; i++) {
			char name[sizeof(c->profiles[i].name)];

			memcpy(name, c->profiles[i].name, sizeof(name));
			(void)config_apply_profile(c, name, &e);
			fuzz_check(c->n_profiles == n);
		}
	} else {
		fuzz_check(e.exit_code != 0 && e.code[0] && e.msg[0]);
	}
	print_keys(c);
	config_free(c);
	free(text);
	return 0;
}
