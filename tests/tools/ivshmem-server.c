// SPDX-License-Identifier: GPL-2.0-only
/*
 * ivshmem-server: joins QEMU ivshmem-doorbell devices on one unix socket.
 *
 * Speaks the protocol of QEMU's docs/specs/ivshmem-spec: little-endian
 * int64 messages, some carrying one fd. To a new client: version 0, its
 * ID, -1 with the shared memory fd, every existing peer's ID once per
 * vector with that peer's eventfds, then its own ID once per vector with
 * its own eventfds. Existing clients get the newcomer's ID with its
 * eventfds; when a client leaves, the others get its ID without an fd.
 * Debian's QEMU ships no server, so the tests bring this one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define PROTOCOL_VERSION	0
#define MAX_VECTORS		64
#define MAX_CLIENTS_LIMIT	256
#define MAX_PEER_ID		0xffff

struct client {
	int sock;			/* -1: slot free */
	int64_t id;
	int eventfds[MAX_VECTORS];
};

struct server {
	const char *sock_path;
	const char *shm_path;
	const char *pid_path;
	uint64_t shm_size;
	unsigned int vectors;
	unsigned int max_clients;
	bool verbose;
	int listen_fd;
	int shm_fd;
	struct client *clients;
};

static volatile sig_atomic_t stop_requested;

static void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("ivshmem-server: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: ivshmem-server -S SOCKET [-m SHM_FILE] [-l SIZE] [-n VECTORS]\n"
"                      [-c MAX_CLIENTS] [-p PIDFILE] [-v]\n"
"\n"
"Serve QEMU ivshmem-doorbell devices on the unix socket SOCKET.\n"
"\n"
"  -S SOCKET   unix socket path (a stale one is replaced)\n"
"  -m FILE     back the shared memory with FILE (default: an anonymous memfd)\n"
"  -l SIZE     shared memory size, K/M/G suffix allowed, a power of two\n"
"              of at least 4K (default 4M)\n"
"  -n VECTORS  interrupt vectors per client, 1..%d (default 1)\n"
"  -c MAX      most clients at once, 1..%d (default 16)\n"
"  -p PIDFILE  write the server's PID there\n"
"  -v          log more\n"
"  -h, --help  this help\n"
"\n"
"Runs in the foreground until SIGTERM or SIGINT.\n",
		MAX_VECTORS, MAX_CLIENTS_LIMIT);
}

static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	switch (*end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10; end++; break;
	case 0: break;
	default: return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static void bad_usage(const char *fmt, const char *arg)
{
	fputs("ivshmem-server: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (try --help)\n", stderr);
	exit(2);
}

static void parse_args(struct server *srv, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "S:m:l:n:c:p:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'S':
			srv->sock_path = optarg;
			break;
		case 'm':
			srv->shm_path = optarg;
			break;
		case 'l':
			if (parse_size(optarg, &srv->shm_size) ||
			    srv->shm_size < 4096 ||
			    (srv->shm_size & (srv->shm_size - 1)))
				bad_usage("shared memory size '%s' must be a power of two of at least 4K",
					  optarg);
			break;
		case 'n':
			if (parse_uint(optarg, 1, MAX_VECTORS, &srv->vectors))
				bad_usage("vector count '%s' must be 1..64", optarg);
			break;
		case 'c':
			if (parse_uint(optarg, 1, MAX_CLIENTS_LIMIT, &srv->max_clients))
				bad_usage("client limit '%s' must be 1..256", optarg);
			break;
		case 'p':
			srv->pid_path = optarg;
			break;
		case 'v':
			srv->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
	if (!srv->sock_path)
		bad_usage("%smissing -S SOCKET", "");
	if (strlen(srv->sock_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		bad_usage("socket path '%s' is too long", srv->sock_path);
}

static int open_shm(struct server *srv)
{
	int fd;

	if (srv->shm_path)
		fd = open(srv->shm_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	else
		fd = memfd_create("ivshmem", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)srv->shm_size) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	srv->shm_fd = fd;
	return 0;
}

static int open_socket(struct server *srv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, err;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(addr.sun_path, srv->sock_path);
	unlink(srv->sock_path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fd, 16) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	srv->listen_fd = fd;
	return 0;
}

/* Sends one int64 message, with @fd attached unless it is -1. */
static int send_msg(int sock, int64_t value, int fd)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &value, .iov_len = sizeof(value) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	ssize_t n;

	/* The protocol is little-endian; so is every host we run on. */
	_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian only");
	if (fd >= 0) {
		memset(control, 0, sizeof(control));
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* 8 bytes on a unix stream socket go out whole or not at all. */
	return n == sizeof(value) ? 0 : -EIO;
}

static int send_eventfds(int sock, const struct client *c, unsigned int vectors)
{
	unsigned int v;
	int err;

	for (v = 0; v < vectors; v++) {
		err = send_msg(sock, c->id, c->eventfds[v]);
		if (err)
			return err;
	}
	return 0;
}

static void client_free(struct client *c, unsigned int vectors)
{
	unsigned int v;

	for (v = 0; v < vectors; v++)
		if (c->eventfds[v] >= 0)
			close(c->eventfds[v]);
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
}

static struct client *client_slot(struct server *srv, int64_t *id)
{
	unsigned int i;

	/* Slot i serves ID i: the lowest free ID wins. */
	for (i = 0; i < srv->max_clients; i++) {
		if (srv->clients[i].sock < 0) {
			*id = i;
			return &srv->clients[i];
		}
	}
	return NULL;
}

static void client_leave(struct server *srv, struct client *c)
{
	int64_t id = c->id;
	unsigned int i;

	client_free(c, srv->vectors);
	for (i = 0; i < srv->max_clients; i++)
		if (srv->clients[i].sock >= 0)
			send_msg(srv->clients[i].sock, id, -1);
	log_msg("peer %lld left", (long long)id);
}

static int client_setup(struct server *srv, struct client *c)
{
	unsigned int i, v;
	int err;

	for (v = 0; v < srv->vectors; v++) {
		c->eventfds[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (c->eventfds[v] < 0)
			return -errno;
	}
	err = send_msg(c->sock, PROTOCOL_VERSION, -1);
	if (!err)
		err = send_msg(c->sock, c->id, -1);
	if (!err)
		err = send_msg(c->sock, -1, srv->shm_fd);
	for (i = 0; !err && i < srv->max_clients; i++) {
		struct client *peer = &srv->clients[i];

		if (peer != c && peer->sock >= 0)
			err = send_eventfds(c->sock, peer, srv->vectors);
	}
	if (!err)
		err = send_eventfds(c->sock, c, srv->vectors);
	return err;
}

static void client_join(struct server *srv)
{
	struct client *c;
	unsigned int i;
	int64_t id;
	int sock, err;

	sock = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (sock < 0) {
		log_msg("accept: %s", strerror(errno));
		return;
	}
	c = client_slot(srv, &id);
	if (!c) {
		log_msg("refusing a client: %u clients already", srv->max_clients);
		close(sock);
		return;
	}
	c->sock = sock;
	c->id = id;
	for (i = 0; i < MAX_VECTORS; i++)
		c->eventfds[i] = -1;

	err = client_setup(srv, c);
	if (err) {
		log_msg("setting up peer %lld failed: %s", (long long)id, strerror(-err));
		client_free(c, srv->vectors);
		return;
	}
	for (i = 0; i < srv->max_clients; i++) {
		struct client *peer = &srv->clients[i];

		if (peer != c && peer->sock >= 0 &&
		    send_eventfds(peer->sock, c, srv->vectors))
			log_msg("telling peer %lld about peer %lld failed",
				(long long)peer->id, (long long)id);
	}
	log_msg("peer %lld joined", (long long)id);
}

/* Clients have nothing to say; data is read and dropped, EOF means gone. */
static void client_readable(struct server *srv, struct client *c)
{
	char buf[256];
	ssize_t n;

	n = recv(c->sock, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0) {
		if (srv->verbose)
			log_msg("peer %lld sent %zd bytes, ignored", (long long)c->id, n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	client_leave(srv, c);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int serve(struct server *srv)
{
	struct pollfd *fds;
	unsigned int i, n;
	int ret;

	fds = calloc(srv->max_clients + 1, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	while (!stop_requested) {
		fds[0] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
		for (i = 0, n = 1; i < srv->max_clients; i++)
			fds[n++] = (struct pollfd){ .fd = srv->clients[i].sock,
						    .events = POLLIN };
		ret = poll(fds, n, -1);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			free(fds);
			return ret;
		}
		for (i = 0; i < srv->max_clients; i++)
			if (srv->clients[i].sock >= 0 && fds[i + 1].revents)
				client_readable(srv, &srv->clients[i]);
		if (fds[0].revents & POLLIN)
			client_join(srv);
	}
	free(fds);
	return 0;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct server srv = {
		.shm_size = 4 << 20, .vectors = 1, .max_clients = 16,
		.listen_fd = -1, .shm_fd = -1,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int i;
	int err;

	parse_args(&srv, argc, argv);
	srv.clients = calloc(srv.max_clients, sizeof(*srv.clients));
	if (!srv.clients)
		return 1;
	for (i = 0; i < srv.max_clients; i++)
		srv.clients[i].sock = -1;

	err = open_shm(&srv);
	if (err) {
		log_msg("shared memory %s: %s", srv.shm_path ? srv.shm_path : "(memfd)",
			strerror(-err));
		return 1;
	}
	err = open_socket(&srv);
	if (err) {
		log_msg("socket %s: %s", srv.sock_path, strerror(-err));
		return 1;
	}
	if (srv.pid_path && (err = write_pidfile(srv.pid_path))) {
		log_msg("pidfile %s: %s", srv.pid_path, strerror(-err));
		unlink(srv.sock_path);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_msg("listening on %s (%llu bytes, %u vector%s)", srv.sock_path,
		(unsigned long long)srv.shm_size, srv.vectors,
		srv.vectors == 1 ? "" : "s");
	err = serve(&srv);
	if (err)
		log_msg("poll: %s", strerror(-err));

	for (i = 0; i < srv.max_clients; i++)
		if (srv.clients[i].sock >= 0)
			client_free(&srv.clients[i], srv.vectors);
	unlink(srv.sock_path);
	if (srv.pid_path)
		unlink(srv.pid_path);
	close(srv.shm_fd);
	close(srv.listen_fd);
	free(srv.clients);
	return err ? 1 : 0;
}
