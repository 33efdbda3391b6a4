// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ivshmem_server: drives tests/tools/ivshmem-server (path in
 * $IVSHMEM_SERVER) the way QEMU's ivshmem-doorbell devices do, and checks
 * every message of the protocol, that doorbells and shared memory really
 * connect the clients, IDs, the client limit, the command line, and a
 * clean exit on SIGTERM. Exit 0 pass, 1 fail, 77 skip.
 *
 * Every wait is bounded (5 s), so a broken server fails the test rather
 * than hanging it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define TIMEOUT_MS	5000
#define QUIET_MS	200	/* how long "nothing more arrives" is watched */
#define SHM_SIZE	(64 * 1024)
#define VECTORS		2
#define MAX_CLIENTS	2	/* the server runs with -c 2 */
#define MAX_ID		4

_Static_assert(VECTORS >= 2, "doorbell checks need a second vector to stay quiet");

/* One fake QEMU. */
struct client {
	const char *name;
	int sock;
	int shm_fd;
	int own[VECTORS];		/* its own eventfds: doorbells arrive here */
	int peer[MAX_ID][VECTORS];	/* the others' eventfds, by ID: to ring */
};

static const char *server_bin;
static char dir[256];
static char sock_path[300], shm_path[300], pid_path[300], log_path[300];
static char out_path[300], err_path[300], notsock_path[300];
static pid_t server_pid = -1;
static bool fatal;		/* a phase failed so that later ones cannot run */
static int base_fds;		/* the server's open fds with only A connected */
static struct client A, B, C, D;

/* A failed check after which the rest of the phase makes no sense. */
#define REQUIRE(cond, ...)						\
	do {								\
		int before_ = check_failures;				\
									\
		CHECK(cond, __VA_ARGS__);				\
		if (check_failures != before_) {			\
			fatal = true;					\
			return;						\
		}							\
	} while (0)

#define PHASE(fn)							\
	do {								\
		if (!fatal)						\
			RUN(fn);					\
	} while (0)

static const char *describe(int err)
{
	switch (err) {
	case -EPIPE:
		return "the server closed the connection";
	case -ETIMEDOUT:
		return "nothing arrived within 5 s";
	case -EPROTO:
		return "malformed message (truncated, or several fds)";
	default:
		return strerror(-err);
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- processes ---------------------------------------------------------- */

/* Runs the server with @args (NULL-terminated), stdout and stderr to files. */
static pid_t spawn(const char *const *args, const char *out, const char *err)
{
	const char *argv[32] = { server_bin };
	unsigned int n = 1;
	pid_t pid;
	int o, e;

	while (*args && n < 31)
		argv[n++] = *args++;
	pid = fork();
	if (pid != 0)
		return pid;	/* parent, or -1 */
	o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (o < 0 || e < 0 || dup2(o, STDOUT_FILENO) < 0 || dup2(e, STDERR_FILENO) < 0)
		_exit(126);
	execv(server_bin, (char *const *)argv);
	perror(server_bin);
	_exit(127);
}

/* Waits up to @ms for @pid; on timeout kills it and returns -ETIMEDOUT. */
static int wait_exit(pid_t pid, long ms, int *status)
{
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (ms <= 0)
			break;
		sleep_ms(10);
		ms -= 10;
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return -ETIMEDOUT;
}

static bool server_alive(void)
{
	int status;

	if (server_pid < 0)
		return false;
	if (waitpid(server_pid, &status, WNOHANG) == 0)
		return true;
	fprintf(stderr, "server died: %s %d\n",
		WIFSIGNALED(status) ? "signal" : "exit status",
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	server_pid = -1;
	return false;
}

/* Reads a small file whole into @buf; "" if it cannot. */
static void read_file(const char *path, char *buf, size_t size)
{
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
}

static bool file_has(const char *path, const char *needle)
{
	static char buf[65536];

	read_file(path, buf, sizeof(buf));
	return strstr(buf, needle) != NULL;
}

/* Waits up to 5 s for the server's log to contain @needle. */
static bool wait_log(const char *needle)
{
	long ms;

	for (ms = 0; ms <= TIMEOUT_MS; ms += 10) {
		if (file_has(log_path, needle))
			return true;
		if (!server_alive())
			return false;
		sleep_ms(10);
	}
	return false;
}

/* The server's open fds: shows whether it closes a client's eventfds. */
static int count_fds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* ---- protocol ----------------------------------------------------------- */

/* Receives one int64 message and the fd it carries (-1: none). */
static int recv_msg(int sock, int64_t *value, int *fd)
{
	unsigned char data[sizeof(int64_t)];
	size_t got = 0;
	uint64_t v = 0;
	int err = 0, i;

	*fd = -1;
	while (got < sizeof(data)) {
		union {
			char buf[CMSG_SPACE(4 * sizeof(int))];
			struct cmsghdr align;
		} control;
		struct iovec iov = { data + got, sizeof(data) - got };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf),
		};
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		struct cmsghdr *cmsg;
		ssize_t n;
		int r;

		r = poll(&pfd, 1, TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return got ? -EPROTO : -EPIPE;
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
			int nfds, fds[4];

			if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
				continue;
			nfds = (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(cmsg), nfds * sizeof(int));
			for (i = 0; i < nfds; i++) {
				if (*fd < 0 && nfds == 1) {
					*fd = fds[i];
				} else {
					close(fds[i]);
					err = -EPROTO;
				}
			}
		}
		if (msg.msg_flags & MSG_CTRUNC)
			err = -EPROTO;
		got += (size_t)n;
	}
	for (i = 0; i < (int)sizeof(data); i++)
		v |= (uint64_t)data[i] << (8 * i);
	*value = (int64_t)v;
	if (err && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

/*
 * Expects message @want, with an fd if @want_fd (stored in *@fd_out) or
 * without one. False, after saying why, if anything else arrives.
 */
static bool expect(struct client *c, int64_t want, bool want_fd, int *fd_out,
		   const char *what)
{
	int64_t v = 0;
	int fd, err;

	err = recv_msg(c->sock, &v, &fd);
	CHECK(err == 0, "client %s, %s: %s", c->name, what, describe(err));
	if (err)
		return false;
	CHECK(v == want, "client %s, %s: got %lld, want %lld",
	      c->name, what, (long long)v, (long long)want);
	CHECK((fd >= 0) == want_fd, "client %s, %s: %s", c->name, what,
	      want_fd ? "no fd attached" : "unexpected fd attached");
	if (v != want || (fd >= 0) != want_fd) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (fd_out)
		*fd_out = fd;
	return true;
}

/* Nothing more may arrive for a while. */
static bool expect_quiet(struct client *c, const char *when)
{
	struct pollfd pfd = { .fd = c->sock, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, QUIET_MS);
	while (r < 0 && errno == EINTR);
	CHECK(r == 0, "client %s, %s: unexpected %s", c->name, when,
	      r > 0 ? "message or hangup" : strerror(errno));
	return r == 0;
}

static void client_init(struct client *c, const char *name)
{
	int id, v;

	c->name = name;
	c->sock = -1;
	c->shm_fd = -1;
	for (v = 0; v < VECTORS; v++) {
		c->own[v] = -1;
		for (id = 0; id < MAX_ID; id++)
			c->peer[id][v] = -1;
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void client_close(struct client *c)
{
	int id, v;

	close_fd(&c->sock);
	close_fd(&c->shm_fd);
	for (v = 0; v < VECTORS; v++) {
		close_fd(&c->own[v]);
		for (id = 0; id < MAX_ID; id++)
			close_fd(&c->peer[id][v]);
	}
}

static int connect_server(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(addr.sun_path, sock_path, strlen(sock_path) + 1);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * Connects @c as QEMU would and checks the whole greeting: version, ID
 * @id, the shared memory, the eventfds of the @npeers peers in @peers, and
 * its own eventfds.
 */
static bool client_connect(struct client *c, int64_t id, const int *peers,
			   int npeers)
{
	struct stat st = { 0 };
	char what[64];
	int i, v;

	c->sock = connect_server();
	CHECK(c->sock >= 0, "client %s: connect %s: %s", c->name, sock_path,
	      strerror(-c->sock));
	if (c->sock < 0)
		return false;
	if (!expect(c, 0, false, NULL, "protocol version") ||
	    !expect(c, id, false, NULL, "own ID") ||
	    !expect(c, -1, true, &c->shm_fd, "shared memory"))
		return false;
	CHECK(fstat(c->shm_fd, &st) == 0 && st.st_size == SHM_SIZE,
	      "client %s: shared memory fd is %lld bytes, want %d",
	      c->name, (long long)st.st_size, SHM_SIZE);
	for (i = 0; i < npeers; i++) {
		for (v = 0; v < VECTORS; v++) {
			snprintf(what, sizeof(what), "peer %d vector %d", peers[i], v);
			if (!expect(c, peers[i], true, &c->peer[peers[i]][v], what))
				return false;
		}
	}
	for (v = 0; v < VECTORS; v++) {
		snprintf(what, sizeof(what), "own vector %d", v);
		if (!expect(c, id, true, &c->own[v], what))
			return false;
	}
	return expect_quiet(c, "after the greeting");
}

/* @c hears that peer @id joined: its ID once per vector, with eventfds. */
static bool expect_join(struct client *c, int id)
{
	char what[64];
	int v;

	for (v = 0; v < VECTORS; v++) {
		snprintf(what, sizeof(what), "peer %d joined, vector %d", id, v);
		if (!expect(c, id, true, &c->peer[id][v], what))
			return false;
	}
	return expect_quiet(c, "after a join");
}

static bool expect_leave(struct client *c, int id)
{
	int v;

	if (!expect(c, id, false, NULL, "peer left"))
		return false;
	for (v = 0; v < VECTORS; v++)
		close_fd(&c->peer[id][v]);
	return expect_quiet(c, "after a leave");
}

/* Rings vector @v of peer @id from @from: what a guest's doorbell write does. */
static bool ring(struct client *from, int id, int v)
{
	uint64_t one = 1;
	ssize_t n = write(from->peer[id][v], &one, sizeof(one));

	CHECK(n == sizeof(one), "client %s: ringing peer %d vector %d: %s",
	      from->name, id, v, n < 0 ? strerror(errno) : "short write");
	return n == sizeof(one);
}

/* Reads @c's own eventfd for @v without blocking; returns the count or -errno. */
static long long take_doorbell(struct client *c, int v)
{
	uint64_t count;
	int flags = fcntl(c->own[v], F_GETFL);

	if (flags < 0 || fcntl(c->own[v], F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	if (read(c->own[v], &count, sizeof(count)) != sizeof(count))
		return -errno;
	return (long long)count;
}

static void check_doorbell(struct client *from, struct client *to, int to_id, int v)
{
	long long got;
	int other = (v + 1) % VECTORS;	/* must stay quiet */

	if (!ring(from, to_id, v))
		return;
	got = take_doorbell(to, v);
	CHECK(got == 1, "%s rang %s vector %d: %s's eventfd read gives %lld (%s)",
	      from->name, to->name, v, to->name, got,
	      got < 0 ? strerror((int)-got) : "count");
	got = take_doorbell(to, other);
	CHECK(got == -EAGAIN, "%s rang %s vector %d, but vector %d fired too (%lld)",
	      from->name, to->name, v, other, got);
}

static void check_server_fds(int want, const char *when)
{
	int got = count_fds(server_pid);

	CHECK(got == want, "server has %d fds open %s, want %d", got, when, want);
}

/* ---- phases ------------------------------------------------------------- */

struct cli_case {
	const char *args[8];
	int want_status;
	const char *want_text;	/* in stderr, or stdout for status 0 */
};

static void test_command_line(void)
{
	static char bad_sock[300];
	static const struct cli_case cases[] = {
		{ { "-S", bad_sock, "-l", "1000", NULL }, 2, "size" },
		{ { "-S", bad_sock, "-l", "2K", NULL }, 2, "size" },
		{ { "-S", bad_sock, "-l", "4X", NULL }, 2, "size" },
		{ { "-l", "64K", NULL }, 2, "-S" },
		{ { "-S", bad_sock, "-n", "0", NULL }, 2, "-n" },
		{ { "-S", bad_sock, "-n", "65", NULL }, 2, "-n" },
		{ { "-S", bad_sock, "-c", "0", NULL }, 2, "-c" },
		{ { "-S", bad_sock, "-l", NULL }, 2, "-l" },
		{ { "-S", bad_sock, "--bogus", NULL }, 2, "bogus" },
		{ { "-S", bad_sock, "extra", NULL }, 2, "extra" },
		{ { "--help", NULL }, 0, "Usage" },
		{ { "-S", notsock_path, NULL }, 1, "not a socket" },
	};
	char text[4096];
	unsigned int i;
	int fd;

	snprintf(bad_sock, sizeof(bad_sock), "%s/bad.sock", dir);
	/* A regular file where the socket should go must survive. */
	fd = open(notsock_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	REQUIRE(fd >= 0, "create %s: %s", notsock_path, strerror(errno));
	close(fd);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cli_case *t = &cases[i];
		char argstr[256] = "";
		int status = 0, err, j;
		pid_t pid;

		for (j = 0; t->args[j]; j++)
			snprintf(argstr + strlen(argstr), sizeof(argstr) - strlen(argstr),
				 " %s", t->args[j]);
		pid = spawn(t->args, out_path, err_path);
		REQUIRE(pid > 0, "fork: %s", strerror(errno));
		err = wait_exit(pid, TIMEOUT_MS, &status);
		CHECK(err == 0, "'ivshmem-server%s' did not exit within 5 s", argstr);
		if (err)
			continue;
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == t->want_status,
		      "'ivshmem-server%s': exit status %d%s, want %d", argstr,
		      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		      WIFEXITED(status) ? "" : " (signal)", t->want_status);
		read_file(t->want_status ? err_path : out_path, text, sizeof(text));
		CHECK(strstr(text, t->want_text),
		      "'ivshmem-server%s': %s does not mention '%s': %s", argstr,
		      t->want_status ? "stderr" : "stdout", t->want_text, text);
		if (t->want_status == 2) {
			read_file(err_path, text, sizeof(text));
			CHECK(strchr(text, '\n') && strlen(text) < 200,
			      "'ivshmem-server%s': want one short line on stderr, got: %s",
			      argstr, text);
		}
	}
	CHECK(access(bad_sock, F_OK) < 0, "a failed start left %s behind", bad_sock);
	CHECK(access(notsock_path, F_OK) == 0,
	      "the server removed %s, which is no socket", notsock_path);
}

static void test_start(void)
{
	static const char *args[] = {
		"-S", sock_path, "-n", "2", "-l", "64K", "-m", shm_path,
		"-c", "2", "-p", pid_path, NULL,	/* no -v: join/leave lines must show anyway */
	};
	char want[400], pidtext[32];
	struct stat st;

	server_pid = spawn(args, out_path, log_path);
	REQUIRE(server_pid > 0, "fork: %s", strerror(errno));
	snprintf(want, sizeof(want), "ivshmem-server: listening on %s", sock_path);
	REQUIRE(wait_log(want), "no '%s' in the server's log within 5 s", want);

	read_file(pid_path, pidtext, sizeof(pidtext));
	CHECK(atoi(pidtext) == server_pid, "pidfile holds '%s', want %d",
	      pidtext, (int)server_pid);
	CHECK(stat(shm_path, &st) == 0 && st.st_size == SHM_SIZE,
	      "-m file %s: want %d bytes", shm_path, SHM_SIZE);
	CHECK(stat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode),
	      "%s is not a socket", sock_path);
}

static void test_first_client(void)
{
	REQUIRE(client_connect(&A, 0, NULL, 0), "client A's greeting is wrong");
	REQUIRE(wait_log("peer 0 joined"), "no 'peer 0 joined' in the log");
	base_fds = count_fds(server_pid);
	REQUIRE(base_fds > 0, "cannot count the server's fds: %s", strerror(-base_fds));
}

static void test_second_client(void)
{
	static const int peers[] = { 0 };

	REQUIRE(client_connect(&B, 1, peers, 1), "client B's greeting is wrong");
	REQUIRE(expect_join(&A, 1), "A was not told about B properly");
	REQUIRE(wait_log("peer 1 joined"), "no 'peer 1 joined' in the log");
	/* B's socket and its eventfds. */
	check_server_fds(base_fds + 1 + VECTORS, "with B connected");
}

static void test_doorbells(void)
{
	int v;

	for (v = 0; v < VECTORS; v++) {
		check_doorbell(&A, &B, 1, v);
		check_doorbell(&B, &A, 0, v);
	}
}

static void test_shared_memory(void)
{
	static const char from_a[] = "written by A", from_b[] = "written by B";
	char buf[32];
	char *ma, *mb;

	ma = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, A.shm_fd, 0);
	mb = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, B.shm_fd, 0);
	CHECK(ma != MAP_FAILED && mb != MAP_FAILED, "mmap shared memory: %s",
	      strerror(errno));
	if (ma == MAP_FAILED || mb == MAP_FAILED)
		goto out;
	memcpy(ma + 4096, from_a, sizeof(from_a));
	memcpy(mb + SHM_SIZE - sizeof(from_b), from_b, sizeof(from_b));
	CHECK(!memcmp(mb + 4096, from_a, sizeof(from_a)),
	      "B does not see what A wrote: the shm fds differ");
	CHECK(!memcmp(ma + SHM_SIZE - sizeof(from_b), from_b, sizeof(from_b)),
	      "A does not see what B wrote: the shm fds differ");

	/* The -m file must be the memory itself. */
	memset(buf, 0, sizeof(buf));
	CHECK(pread(A.shm_fd, buf, sizeof(from_a), 4096) == sizeof(from_a) &&
	      !memcmp(buf, from_a, sizeof(from_a)), "pread of A's shm fd");
	{
		int fd = open(shm_path, O_RDONLY | O_CLOEXEC);

		memset(buf, 0, sizeof(buf));
		CHECK(fd >= 0 && pread(fd, buf, sizeof(from_a), 4096) == sizeof(from_a) &&
		      !memcmp(buf, from_a, sizeof(from_a)),
		      "-m file %s does not hold what A wrote at 4096", shm_path);
		memset(buf, 0, sizeof(buf));
		CHECK(fd >= 0 && pread(fd, buf, sizeof(from_b), SHM_SIZE - sizeof(from_b)) ==
		      sizeof(from_b) && !memcmp(buf, from_b, sizeof(from_b)),
		      "-m file %s does not hold what B wrote at its end", shm_path);
		if (fd >= 0)
			close(fd);
	}
out:
	if (ma != MAP_FAILED)
		munmap(ma, SHM_SIZE);
	if (mb != MAP_FAILED)
		munmap(mb, SHM_SIZE);
}

/* Clients have nothing to say; one that talks anyway must do no harm. */
static void test_chatty_client(void)
{
	char junk[1000];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { junk, 10 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	int pipefd[2];

	memset(junk, 0xa5, sizeof(junk));
	CHECK(write(A.sock, junk, sizeof(junk)) == sizeof(junk), "A: write junk: %s",
	      strerror(errno));
	/* An fd the server never asked for: it must not keep it open. */
	REQUIRE(pipe2(pipefd, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	memset(&control, 0, sizeof(control));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &pipefd[0], sizeof(int));
	CHECK(sendmsg(A.sock, &msg, MSG_NOSIGNAL) == 10, "A: send an fd: %s",
	      strerror(errno));
	close(pipefd[0]);
	close(pipefd[1]);

	/* Nothing to wait for without -v: give it time to read all of it. */
	sleep_ms(100);
	REQUIRE(server_alive(), "the server died of a chatty client");
	check_server_fds(base_fds + 1 + VECTORS, "after A sent junk and an fd");
	expect_quiet(&A, "after sending junk");
	expect_quiet(&B, "after A sent junk");
}

static void test_leave(void)
{
	client_close(&B);
	REQUIRE(expect_leave(&A, 1), "A was not told that B left");
	REQUIRE(wait_log("peer 1 left"), "no 'peer 1 left' in the log");
	/* The server must have closed B's socket and eventfds. */
	check_server_fds(base_fds, "after B left");
}

static void test_reconnect(void)
{
	static const int peers[] = { 0 };

	/* ID 1 is free again and the lowest free one. */
	REQUIRE(client_connect(&C, 1, peers, 1), "client C's greeting is wrong");
	REQUIRE(expect_join(&A, 1), "A was not told about C properly");
	check_server_fds(base_fds + 1 + VECTORS, "with C connected");
	check_doorbell(&A, &C, 1, 0);
	check_doorbell(&C, &A, 0, 1);
}

static void test_client_limit(void)
{
	int64_t v;
	int fd, err;

	/* The server runs with -c 2, and A and C are connected. */
	D.sock = connect_server();
	REQUIRE(D.sock >= 0, "client D: connect: %s", strerror(-D.sock));
	err = recv_msg(D.sock, &v, &fd);
	CHECK(err == -EPIPE, "client D, past the limit: want the connection closed, got %s",
	      err ? describe(err) : "a message");
	if (!err && fd >= 0)
		close(fd);
	CHECK(wait_log("refusing a client"), "no 'refusing a client' in the log");
	expect_quiet(&A, "when D was refused");
	expect_quiet(&C, "when D was refused");
	client_close(&D);
}

static void test_sigterm(void)
{
	int status = 0, err;
	int64_t v;
	int fd;

	REQUIRE(kill(server_pid, SIGTERM) == 0, "kill: %s", strerror(errno));
	err = wait_exit(server_pid, TIMEOUT_MS, &status);
	server_pid = -1;
	REQUIRE(err == 0, "the server did not exit within 5 s of SIGTERM");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "after SIGTERM: %s %d, want exit status 0",
	      WIFEXITED(status) ? "exit status" : "signal",
	      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	CHECK(access(sock_path, F_OK) < 0 && errno == ENOENT,
	      "socket %s still there after SIGTERM", sock_path);
	CHECK(access(pid_path, F_OK) < 0 && errno == ENOENT,
	      "pidfile %s still there after SIGTERM", pid_path);
	err = recv_msg(A.sock, &v, &fd);
	CHECK(err == -EPIPE, "client A after SIGTERM: want hangup, got %s",
	      err ? describe(err) : "a message");
}

/* ---- setup -------------------------------------------------------------- */

static void cleanup(void)
{
	const char *paths[] = {
		sock_path, shm_path, pid_path, log_path, out_path, err_path,
		notsock_path,
	};
	unsigned int i;

	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = -1;
	}
	client_close(&A);
	client_close(&B);
	client_close(&C);
	client_close(&D);
	if (!dir[0])
		return;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (paths[i][0])
			unlink(paths[i]);
	rmdir(dir);
}

static bool make_paths(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/ivshmem-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", dir, strerror(errno));
		dir[0] = '\0';
		return false;
	}
	snprintf(sock_path, sizeof(sock_path), "%s/iv.sock", dir);
	snprintf(shm_path, sizeof(shm_path), "%s/shm.img", dir);
	snprintf(pid_path, sizeof(pid_path), "%s/server.pid", dir);
	snprintf(log_path, sizeof(log_path), "%s/server.log", dir);
	snprintf(out_path, sizeof(out_path), "%s/stdout", dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", dir);
	snprintf(notsock_path, sizeof(notsock_path), "%s/not-a-socket", dir);
	if (strlen(sock_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, "socket path %s is too long for a unix socket\n",
			sock_path);
		return false;
	}
	return true;
}

int main(void)
{
	static char log[65536];

	server_bin = getenv("IVSHMEM_SERVER");
	if (!server_bin || !*server_bin) {
		printf("IVSHMEM_SERVER not set: no server to test\n");
		return 77;
	}
	if (access(server_bin, X_OK) < 0) {
		printf("IVSHMEM_SERVER=%s: %s\n", server_bin, strerror(errno));
		return 1;
	}
	client_init(&A, "A");
	client_init(&B, "B");
	client_init(&C, "C");
	client_init(&D, "D");
	atexit(cleanup);
	if (!make_paths())
		return 1;

	PHASE(test_command_line);
	PHASE(test_start);
	PHASE(test_first_client);
	PHASE(test_second_client);
	PHASE(test_doorbells);
	PHASE(test_shared_memory);
	PHASE(test_chatty_client);
	PHASE(test_leave);
	PHASE(test_reconnect);
	PHASE(test_client_limit);
	PHASE(test_sigterm);

	if (check_failures) {
		read_file(log_path, log, sizeof(log));
		fprintf(stderr, "--- server log ---\n%s--- end ---\n", log);
	}
	if (fatal)
		printf("stopped early: a later phase depends on a failed one\n");
	return check_exit();
}
