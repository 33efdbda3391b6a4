// SPDX-License-Identifier: GPL-2.0-only
/*
 * bulkhead console [-f]: the hypervisor's log, from root Linux, no serial
 * cable needed; and, after a failed enable or cell operation, the lines
 * the hypervisor printed about it (tools/console.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bulkhead/console.h>

#include "console.h"
#include "exit_codes.h"

#define FOLLOW_POLL_NS		100000000L	/* -f looks ten times a second */
#define CONSOLE_REPORT_LINES	30

static int log_open(const char *dev, int quiet)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && !quiet)
		fprintf(stderr, "bulkhead: %s: %s%s\n", dev, strerror(errno),
			errno == ENOENT ? " (is bulkhead.ko loaded?)" :
			errno == EACCES || errno == EPERM ? " (run as root)" : "");
	return fd;
}

/* Copies the log from the file position to its end onto @out: 0, or -errno. */
static int log_copy_out(int fd, FILE *out)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			return -EIO;
	fflush(out);
	return n < 0 ? -errno : 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int console_cmd(const char *dev, int argc, char **argv)
{
	struct timespec pause = { 0, FOLLOW_POLL_NS };
	int follow = 0, fd, err;

	if (argc == 1 && (!strcmp(argv[0], "-f") || !strcmp(argv[0], "--follow")))
		follow = 1;
	else if (argc) {
		fprintf(stderr, "bulkhead: console: unknown argument '%s' (console [-f])\n", argv[0]);
		return EXIT_USAGE;
	}
	fd = log_open(dev, 0);
	if (fd < 0)
		return EXIT_FAILED;
	if (follow) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	}
	do {
		err = log_copy_out(fd, stdout);
		if (err && err != -EINTR) {
			fprintf(stderr, "bulkhead: console: %s: %s\n", dev, strerror(-err));
			close(fd);
			return EXIT_FAILED;
		}
		if (follow && !stop)
			nanosleep(&pause, NULL);
	} while (follow && !stop);
	close(fd);
	return 0;
}

long long console_mark(const char *dev)
{
	int fd = log_open(dev, 1);
	off_t end;

	if (fd < 0)
		return -1;
	end = lseek(fd, 0, SEEK_END);
	close(fd);
	return end;
}

/* The last @max lines of @text (@len bytes), or all of it. */
static const char *last_lines(const char *text, size_t len, int max)
{
	const char *p = text + len;
	int lines = 0;

	if (len && p[-1] == '\n')
		p--;
	while (p > text) {
		if (p[-1] == '\n' && ++lines == max)
			break;
		p--;
	}
	return p;
}

void console_report(const char *dev, long long mark)
{
	static char text[BH_CONSOLE_LOG_BUF + 1];
	const char *line, *end;
	size_t len = 0;
	ssize_t n;
	int fd;

	if (mark < 0)
		return;
	fd = log_open(dev, 1);
	if (fd < 0)
		return;
	if (lseek(fd, mark, SEEK_SET) == mark)
		while (len < BH_CONSOLE_LOG_BUF &&
		       (n = read(fd, text + len, BH_CONSOLE_LOG_BUF - len)) > 0)
			len += (size_t)n;
	close(fd);
	text[len] = '\0';
	if (!len)
		return;
	fprintf(stderr, "bulkhead: the hypervisor's console said (bulkhead console shows it all):\n");
	for (line = last_lines(text, len, CONSOLE_REPORT_LINES); *line; line = end) {
		end = strchr(line, '\n');
		end = end ? end + 1 : line + strlen(line);
		if (end - line > 1 || *line != '\n')
			fprintf(stderr, "  %.*s%s", (int)(end - line), line,
				end[-1] == '\n' ? "" : "\n");
	}
}
