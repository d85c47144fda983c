/*
 * Fuzzes manifest: any text as a checkpoint's manifest.json
 * (manifest_from_json: required fields, options, tree, mounts, sealed
 * files), then what was read encoded again (manifest_to_json, which must
 * not fail) and its sealed files compared with themselves.
 */
#include "fuzz.h"

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	const struct image_file *found;
	char why[128];
	size_t at;
	json_t *j;

	if (manifest_from_json((const char *)data, size, &m, why, sizeof(why)) < 0) {
		fuzz_check(why[0] != '\0' && m.procs == NULL && m.files == NULL);
		return 0;
	}
	fuzz_check(m.n_procs == 0 || m.procs != NULL);
	for (size_t i = 1; i < m.n_files; i++)
		fuzz_check(manifest_file_cmp(&m.files[i - 1], &m.files[i]) <= 0);
	(void)manifest_compare_files(m.files, m.n_files, m.files, m.n_files, &at, &found);
	/* What was read can be written again (dump writes, list and show read). */
	j = manifest_to_json(&m);
	fuzz_check(j != NULL);
	free(json_dumps(j, JSON_COMPACT));
	json_decref(j);
	manifest_free(&m);
	return 0;
}
