/*
 * Fuzzes proc_parse: any bytes as the text of /proc/PID/stat, cmdline,
 * status (TracerPid, NSsid, NSpid), syscall and net/tcp; /proc hands
 * criuctl text it does not control (a comm may hold anything).  A
 * cmdline's bytes come back exactly through their JSON form (cmdline.h).
 */
#include "fuzz.h"

#include "cmdline.h"
#include "proc_parse.h"

/* The line is the bytes of buf with NULs as spaces, trailing NULs dropped. */
static int line_of(const char *buf, size_t size, const char *line)
{
	for (size_t i = 0; line[i]; i++)
		if (i >= size || line[i] != (buf[i] ? buf[i] : ' '))
			return 0;
	return 1;
}

/* to_json, dumped, loaded, from_json: the same bytes (a cmdline that does
 * not end in a NUL gets one, from "argv", unless argv_base64 has it). */
static void roundtrip(const char *buf, size_t size)
{
	static char back[CMDLINE_MAX];
	json_t *o = json_object(), *again;
	char *text;
	size_t n;

	if (!o || size > CMDLINE_MAX - 1 || cmdline_to_json(o, "cmdline", buf, size) < 0) {
		json_decref(o);
		return;
	}
	text = json_dumps(o, 0);
	fuzz_check(text != NULL);
	again = json_loads(text, 0, NULL);
	fuzz_check(again != NULL);
	n = cmdline_from_json(again, "cmdline", back, sizeof(back));
	fuzz_check(n >= size && memcmp(back, buf, size) == 0);
	fuzz_check(n == size || (n == size + 1 && back[size] == '\0'));
	free(text);
	json_decref(again);
	json_decref(o);
}

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
	fuzz_check(line_of(buf, size, cmdline));
	proc_parse_cmdline(buf, size, small, sizeof(small));
	fuzz_check(strlen(small) < sizeof(small));
	(void)proc_parse_tracer(buf, size);
	nr = proc_parse_syscall(buf, size);
	fuzz_check(nr >= -2);
	(void)proc_parse_nsid(buf, size, "NSsid");
	(void)proc_parse_nsid(buf, size, "NSpid");
	fuzz_check(proc_parse_tcp_established(buf, size, count, &found) == found);
	roundtrip(buf, size);
	return 0;
}
