/*
 * Fuzzes verdict: the classifier of failed criu runs.  The first byte says
 * how criu ended (exited, or the signal that killed it); the rest is its
 * log.  Every verdict must have an id, a title, a remedy and printable
 * evidence; the pid of a pid-in-use verdict is read back from it.
 */
#include "fuzz.h"

#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct criu_end end = {0};
	struct verdict v;

	if (size == 0)
		return 0;
	end.exited = data[0] & 1;
	end.exit_status = end.exited ? data[0] >> 1 : 0;
	end.term_signal = end.exited ? 0 : data[0] >> 1;
	fuzz_check(verdict_classify((const char *)data + 1, size - 1, &end, &v) == 0);
	fuzz_check(v.id && v.title && v.remedy);
	for (size_t i = 0; i < v.evidence.n; i++)
		fuzz_check(fuzz_printable(v.evidence.v[i]));
	fuzz_check(verdict_pid(&v) >= 0);
	verdict_free(&v);
	return 0;
}
