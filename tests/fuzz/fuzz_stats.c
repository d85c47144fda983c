/*
 * Fuzzes stats: any bytes as CRIU's stats-dump or stats-restore image
 * (image magics, size, length-prefixed protobuf with varints, nested
 * messages and skipped fields of every wire type).
 */
#include "fuzz.h"

#include "stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stats s;

	if (stats_decode(data, size, &s) < 0)
		return 0;
	fuzz_check(s.kind == 1 || s.kind == 2);
	fuzz_check(s.n <= STATS_MAX_FIELDS);
	for (size_t i = 0; i < s.n; i++) {
		fuzz_check(s.f[i].name != NULL);
		(void)stats_get(&s, s.f[i].name, 0);
	}
	return 0;
}
