/*
 * Fuzzes kconfig: any text as a kernel config (a .config, /proc/config.gz
 * unpacked, or a fragment) checked against CRIU's needs; every needed
 * option's value is also read into a buffer too small for most values.
 */
#include "fuzz.h"

#include "kconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct findings f = {0};
	size_t n = 0;
	char val[4];

	for (const struct kconfig_need *k; (k = kconfig_need_at(n)); n++) {
		const char *v = kconfig_value(buf, size, k->option, val, sizeof(val));

		fuzz_check(!v || strlen(v) < sizeof(val));
	}
	fuzz_check(kconfig_check(buf, size, "fuzz", &f) == 0);
	fuzz_check(f.n == n + 1 && findings_get(&f, "kernel-config") != NULL);
	findings_free(&f);
	return 0;
}
