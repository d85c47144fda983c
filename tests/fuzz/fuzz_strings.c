/*
 * Fuzzes the small parsers of single strings from outside: version_number
 * (doctor.c: criu --version, the kernel release), checkpoint names
 * (name_valid, and name_default from a comm, which /proc gives as any
 * bytes: the default name must always be valid).
 */
#include "fuzz.h"

#include "doctor.h"
#include "name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	char name[NAME_MAX_LEN + 1];
	long v = version_number(text);

	fuzz_check(v >= 0);
	(void)name_valid(text);
	name_default(name, text, 4242, 1795413259);
	fuzz_check(name_valid(name));
	free(text);
	return 0;
}
