// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libcellmsg example: a parent and a child process on one host channel.
 * The child echoes every message back; the parent sends a few and prints
 * the answers. Build: make examples; run: build/examples/hello_host
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cellmsg/cellmsg.h>
#include <cellmsg/host.h>

#define SECOND	1000000000LL

static int open_side(struct cellmsg_host *host, unsigned int side,
		     struct cellmsg_chan *ch)
{
	struct cellmsg_backend be;
	int err;

	cellmsg_host_backend(host, side, &be);
	/* NULL config: default ring, adaptive waiting. */
	err = cellmsg_open(ch, host->region, host->size, side, NULL, &be);
	if (!err)
		err = cellmsg_wait_connected(ch, 5 * SECOND);
	return err;
}

static int echo_child(struct cellmsg_host *host)
{
	struct cellmsg_chan ch;
	char buf[256];
	int n;

	if (open_side(host, 1, &ch))
		return 1;
	while ((n = cellmsg_recv(&ch, buf, sizeof(buf), 5 * SECOND)) >= 0)
		if (cellmsg_send(&ch, buf, n, 5 * SECOND))
			return 1;
	/* The parent closing shows up as -ECONNRESET: a clean end. */
	return n == -ECONNRESET ? 0 : 1;
}

int main(void)
{
	static const char *const words[] = { "hello", "from", "libcellmsg" };
	struct cellmsg_host host;
	struct cellmsg_chan ch;
	char buf[256];
	int i, n, err, status;
	pid_t pid;

	err = cellmsg_host_create(&host, 64 * 1024);
	if (err) {
		fprintf(stderr, "cellmsg_host_create: %s\n", strerror(-err));
		return 1;
	}
	pid = fork();
	if (pid == 0)
		_exit(echo_child(&host));

	err = open_side(&host, 0, &ch);
	for (i = 0; !err && i < 3; i++) {
		err = cellmsg_send(&ch, words[i], strlen(words[i]), SECOND);
		n = err ? err : cellmsg_recv(&ch, buf, sizeof(buf), SECOND);
		if (n < 0)
			err = n;
		else
			printf("echo: %.*s\n", n, buf);
	}
	if (err)
		fprintf(stderr, "hello_host: %s\n", strerror(-err));
	cellmsg_close(&ch);
	waitpid(pid, &status, 0);
	cellmsg_host_destroy(&host);
	return err || !WIFEXITED(status) || WEXITSTATUS(status);
}
