// SPDX-License-Identifier: GPL-2.0-only
/* The machine's memory as Linux shows it (tools/machine.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include "machine.h"

static const char *under_root(const char *path, char *buf, size_t size)
{
	const char *root = getenv("BULKHEAD_MACHINE_ROOT");

	if (!root || !*root)
		return path;
	snprintf(buf, size, "%s%s", root, path);
	return buf;
}

FILE *machine_fopen(const char *path)
{
	char buf[4096];

	return fopen(under_root(path, buf, sizeof(buf)), "r");
}

DIR *machine_opendir(const char *path)
{
	char buf[4096];

	return opendir(under_root(path, buf, sizeof(buf)));
}

size_t machine_read(const char *path, void *out, size_t max)
{
	char buf[4096];
	int fd = open(under_root(path, buf, sizeof(buf)), O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = read(fd, out, max);
		close(fd);
	}
	return n > 0 ? (size_t)n : 0;
}

/* A memmap= size or address: a number with an optional K, M or G. */
static uint64_t parse_size(const char *s, char **end)
{
	uint64_t v = strtoull(s, end, 0);

	switch (**end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10; (*end)++; break;
	}
	return v;
}

int machine_reservations(struct mem_range *r, int max)
{
	char line[4096], *tok, *save, *p, *end;
	int n = 0;
	FILE *f = machine_fopen("/proc/cmdline");

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	for (tok = strtok_r(line, " \n", &save); tok && n < max; tok = strtok_r(NULL, " \n", &save)) {
		if (strncmp(tok, "memmap=", 7))
			continue;
		/* memmap=SIZE$START[,SIZE$START...]; other kinds (@ # !) are not ours */
		for (p = tok + 7; *p && n < max; p = end + 1) {
			uint64_t size = parse_size(p, &end), start;

			if (*end != '$')
				break;
			start = parse_size(end + 1, &end);
			if (size) {
				r[n].start = start;
				r[n++].end = start + size;
			}
			if (*end != ',')
				break;
		}
	}
	return n;
}

int machine_system_ram(struct mem_range *r, int max)
{
	char line[256];
	int n = 0;
	FILE *f = machine_fopen("/proc/iomem");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n < max) {
		uint64_t s, e;

		if (line[0] != ' ' && sscanf(line, "%" SCNx64 "-%" SCNx64, &s, &e) == 2 &&
		    strstr(line, ": System RAM")) {
			r[n].start = s;
			r[n++].end = e + 1;
		}
	}
	fclose(f);
	/* Without CAP_SYS_ADMIN every address reads 0. */
	return n && r[0].start == 0 && r[0].end == 1 ? -1 : n;
}
