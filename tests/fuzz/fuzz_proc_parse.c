/*
 * Fuzzes proc_parse: any bytes as the text of /proc/PID/stat, cmdline,
 * status (TracerPid, NSsid, NSpid), syscall and net/tcp; /proc hands
 * criuctl text it does not control (a comm may hold anything).
 */
#include "fuzz.h"

#include "proc_parse.h"

static void count(unsigned long inode, void *arg)
{
	fuzz_check(inode != 0);
	++*(size_t *)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct proc_stat st;
	char cmdline[512], small[4];
	size_t found = 0;
	long nr;

	if (proc_parse_stat(buf, size, &st) == 0)
		fuzz_check(memchr(st.comm, '\0', sizeof(st.comm)) != NULL);
	proc_parse_cmdline(buf, size, cmdline, sizeof(cmdline));
	fuzz_check(fuzz_printable(cmdline));
	proc_parse_cmdline(buf, size, small, sizeof(small));
	fuzz_check(strlen(small) < sizeof(small));
	(void)proc_parse_tracer(buf, size);
	nr = proc_parse_syscall(buf, size);
	fuzz_check(nr >= -2);
	(void)proc_parse_nsid(buf, size, "NSsid");
	(void)proc_parse_nsid(buf, size, "NSpid");
	fuzz_check(proc_parse_tcp_established(buf, size, count, &found) == found);
	return 0;
}
