/*
 * Fuzzes mountinfo: any text as /proc/PID/mountinfo (fields, octal
 * escapes, the " - " separator), then every mount looked up by its point,
 * resolved against the same table (into a large and a small buffer) and
 * named as a criu external key.
 */
#include "fuzz.h"

#include "mountinfo.h"

static int key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

static void check_mount(const struct mnt_table *t, const struct mnt *m)
{
	char path[2048], small[8], key[64];

	fuzz_check(mountinfo_at(t, m->point) != NULL);
	if (mountinfo_resolve(t, m, path, sizeof(path)) == 0)
		fuzz_check(strlen(path) < sizeof(path));
	if (mountinfo_resolve(t, m, small, sizeof(small)) == 0)
		fuzz_check(strlen(small) < sizeof(small));
	(void)mountinfo_is_bind(m);
	mountinfo_key(m->point, key, sizeof(key));
	fuzz_check(key[0] != '\0');
	for (const char *k = key; *k; k++)
		fuzz_check(key_char(*k));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mnt_table t;

	fuzz_check(mountinfo_parse((const char *)data, size, &t) == 0);
	for (size_t i = 0; i < t.n; i++)
		check_mount(&t, &t.v[i]);
	mountinfo_free(&t);
	return 0;
}
