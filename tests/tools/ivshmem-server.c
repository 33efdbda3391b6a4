// SPDX-License-Identifier: GPL-2.0-only
/*
 * ivshmem-server: lets QEMU ivshmem-doorbell devices ring each other.
 *
 * Debian's QEMU ships no ivshmem server, so the tests bring this one. It
 * speaks the unix socket protocol of QEMU's docs/specs/ivshmem-spec:
 * little-endian int64 messages, some carrying one fd (SCM_RIGHTS). A new
 * client gets version 0, its own ID, -1 with the shared memory fd, every
 * present peer's ID once per vector with that peer's eventfds, and then
 * its own ID once per vector with its own eventfds. The other clients
 * then get the newcomer's ID with its eventfds; when a client goes, the
 * rest get its ID without an fd.
 *
 * One process, one poll loop, no threads. Clients never have anything to
 * say, so whatever they write is read and dropped.
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define PROTOCOL_VERSION	0
#define MAX_VECTORS		64
/* A client's ID is its slot number, and QEMU takes IDs below 65536. */
#define MAX_CLIENTS_LIMIT	65536
#define DEFAULT_SHM_SIZE	(4ULL << 20)
#define MIN_SHM_SIZE		4096ULL
/*
 * Sends block, so a client that stops reading would stall everyone; past
 * this it is dropped. Generous, because QEMU reads only the first three
 * messages while it realizes the device and the rest once its main loop
 * runs, which can take a while under TCG.
 */
#define SEND_TIMEOUT_S		30

struct client {
	int sock;			/* -1: the slot is free */
	int eventfds[MAX_VECTORS];	/* the client's own, one per vector */
};

struct server {
	const char *sock_path;
	const char *shm_path;
	const char *pid_path;
	uint64_t shm_size;
	unsigned int vectors;
	unsigned int max_clients;
	int listen_fd;
	int shm_fd;
	struct client *clients;		/* slot i holds the client with ID i */
};

static bool verbose;
static volatile sig_atomic_t stop_requested;

static void vlog(const char *fmt, va_list ap)
{
	static const char prefix[] = "ivshmem-server: ";
	char line[512];
	size_t len = sizeof(prefix) - 1, room = sizeof(line) - 1;
	int n;

	/* One write per line, so lines from elsewhere never split ours. */
	memcpy(line, prefix, len);
	n = vsnprintf(line + len, room - len, fmt, ap);
	if (n > 0)
		len += (size_t)n;
	if (len > room - 1)
		len = room - 1;		/* truncated */
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0) {
		/* Nowhere left to report that. */
	}
}

static void __attribute__((format(printf, 1, 2))) log_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 1, 2))) log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

/* ---- command line ------------------------------------------------------ */

static void usage(FILE *out)
{
	fprintf(out,
"Usage: ivshmem-server -S SOCKET [-m SHM_FILE] [-l SIZE] [-n VECTORS]\n"
"                      [-c MAX_CLIENTS] [-p PIDFILE] [-v]\n"
"\n"
"Serve QEMU ivshmem-doorbell devices on the unix socket SOCKET\n"
"(QEMU: -chardev socket,path=SOCKET,id=iv\n"
"       -device ivshmem-doorbell,chardev=iv,vectors=VECTORS).\n"
"\n"
"  -S SOCKET       unix socket path (required; a stale socket is replaced)\n"
"  -m SHM_FILE     back the shared memory with this file, created if need\n"
"                  be and sized to SIZE (default: an anonymous memfd)\n"
"  -l SIZE         shared memory size, K/M/G suffix allowed; a power of\n"
"                  two, at least 4K (default 4M)\n"
"  -n VECTORS      interrupt vectors per client, 1..%d (default 1)\n"
"  -c MAX_CLIENTS  clients at once, 1..%d (default 16); more are refused\n"
"  -p PIDFILE      write the server's PID to this file\n"
"  -v              log more\n"
"  -h, --help      show this help\n"
"\n"
"Runs in the foreground until SIGTERM or SIGINT. Peers joining and leaving\n"
"are always logged to stderr (\"peer N joined\", \"peer N left\").\n",
		MAX_VECTORS, MAX_CLIENTS_LIMIT);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("ivshmem-server: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	exit(2);
}

/* Decimal digits with an optional K, M or G suffix (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	/* strtoull would take leading blanks, signs and wrap "-1" around. */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	switch (*end) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (shift)
		end++;
	if (*end)
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static void check_size(const char *arg, uint64_t *size)
{
	if (parse_size(arg, size))
		bad_usage("-l: bad size '%s' (digits, then K, M or G)", arg);
	/* QEMU maps the memory as a PCI BAR: a power of two. */
	if (*size < MIN_SHM_SIZE || (*size & (*size - 1)) || *size > INT64_MAX)
		bad_usage("-l: size %s must be a power of two, at least 4K", arg);
}

static void parse_args(struct server *srv, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;	/* our own messages, which say what to do next */
	while ((opt = getopt_long(argc, argv, ":S:m:l:n:c:p:vh",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'S':
			srv->sock_path = optarg;
			break;
		case 'm':
			srv->shm_path = optarg;
			break;
		case 'l':
			check_size(optarg, &srv->shm_size);
			break;
		case 'n':
			if (parse_uint(optarg, 1, MAX_VECTORS, &srv->vectors))
				bad_usage("-n: vector count '%s' is not in 1..%d",
					  optarg, MAX_VECTORS);
			break;
		case 'c':
			if (parse_uint(optarg, 1, MAX_CLIENTS_LIMIT, &srv->max_clients))
				bad_usage("-c: client limit '%s' is not in 1..%d",
					  optarg, MAX_CLIENTS_LIMIT);
			break;
		case 'p':
			srv->pid_path = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			bad_usage("option -%c needs an argument", optopt);
		default:
			if (optopt)
				bad_usage("unknown option -%c", optopt);
			bad_usage("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
	if (!srv->sock_path)
		bad_usage("missing -S SOCKET");
	if (!*srv->sock_path ||
	    strlen(srv->sock_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		bad_usage("-S: socket path '%s' is empty or too long", srv->sock_path);
}

/* ---- setup ------------------------------------------------------------- */

/*
 * The server holds every client's eventfds and, while they are in flight,
 * the kernel counts passed fds against the same limit: with many clients
 * and vectors the usual soft limit of 1024 is too low.
 */
static int raise_fd_limit(const struct server *srv)
{
	rlim_t need = (rlim_t)srv->max_clients * (srv->vectors + 1) * 2 + 32;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = need;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		rl.rlim_cur = rl.rlim_max;	/* as far as we may */
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	return 0;
}

static int open_shm(struct server *srv)
{
	int fd, err;

	/* A file keeps its contents, so the host can seed or inspect it. */
	if (srv->shm_path)
		fd = open(srv->shm_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	else
		fd = memfd_create("ivshmem", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)srv->shm_size) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	srv->shm_fd = fd;
	return 0;
}

/* A socket left by a server that died is in the way of bind(). */
static int remove_stale_socket(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;		/* someone's file: leave it alone */
	if (unlink(path) < 0)
		return -errno;
	return 0;
}

static int open_socket(struct server *srv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, err;

	err = remove_stale_socket(srv->sock_path);
	if (err)
		return err;
	/* Non-blocking, so a client that gave up never stalls accept(). */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	memcpy(addr.sun_path, srv->sock_path, strlen(srv->sock_path) + 1);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fd, 64) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	srv->listen_fd = fd;
	return 0;
}

static int write_pidfile(const char *path)
{
	FILE *f;
	int err = 0;

	f = fopen(path, "we");
	if (!f)
		return -errno;
	if (fprintf(f, "%d\n", (int)getpid()) < 0)
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * SIGTERM and SIGINT stay blocked except inside ppoll(), so a signal can
 * never slip in between the stop check and the wait. @waitmask gets the
 * mask to wait with.
 */
static int setup_signals(sigset_t *waitmask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, waitmask) < 0)
		return -errno;
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
		return -errno;
	/* Sends use MSG_NOSIGNAL; this is for a log pipe nobody reads. */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -errno;
	return 0;
}

/* ---- protocol ---------------------------------------------------------- */

/* Sends one int64 message, with @fd attached unless it is -1. */
static int send_msg(int sock, int64_t value, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	unsigned char data[sizeof(int64_t)];
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)((uint64_t)value >> (8 * i));

	while (off < sizeof(data)) {
		struct iovec iov = {
			.iov_base = data + off, .iov_len = sizeof(data) - off,
		};
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct cmsghdr *cmsg;
		ssize_t n;

		if (fd >= 0) {
			memset(&control, 0, sizeof(control));
			msg.msg_control = control.buf;
			msg.msg_controllen = sizeof(control.buf);
			cmsg = CMSG_FIRSTHDR(&msg);
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			cmsg->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
		}
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* SO_SNDTIMEO ran out: the client stopped reading. */
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		/* The fd went with the first byte; the rest goes without. */
		fd = -1;
		off += (size_t)n;
	}
	return 0;
}

static unsigned int client_id(const struct server *srv, const struct client *c)
{
	return (unsigned int)(c - srv->clients);
}

/* Tells @sock about client @c: its ID once per vector, with its eventfds. */
static int send_eventfds(const struct server *srv, int sock,
			 const struct client *c)
{
	unsigned int v;
	int err;

	for (v = 0; v < srv->vectors; v++) {
		err = send_msg(sock, client_id(srv, c), c->eventfds[v]);
		if (err)
			return err;
	}
	return 0;
}

/*
 * A client we could not tell something would have a wrong picture of its
 * peers from now on. Shutting its socket down makes poll report it gone,
 * and the usual leave path runs, telling the others.
 */
static void client_kick(struct server *srv, struct client *c, int err)
{
	log_msg("peer %u: send failed (%s), dropping it",
		client_id(srv, c), strerror(-err));
	if (shutdown(c->sock, SHUT_RDWR) < 0 && errno != ENOTCONN)
		log_msg("peer %u: shutdown: %s", client_id(srv, c), strerror(errno));
}

static void client_free(struct server *srv, struct client *c)
{
	unsigned int v;

	for (v = 0; v < srv->vectors; v++) {
		if (c->eventfds[v] >= 0)
			close(c->eventfds[v]);
		c->eventfds[v] = -1;
	}
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
}

static int client_greet(struct server *srv, struct client *c)
{
	unsigned int i;
	int err;

	err = send_msg(c->sock, PROTOCOL_VERSION, -1);
	if (!err)
		err = send_msg(c->sock, client_id(srv, c), -1);
	if (!err)
		err = send_msg(c->sock, -1, srv->shm_fd);
	for (i = 0; !err && i < srv->max_clients; i++) {
		struct client *peer = &srv->clients[i];

		if (peer != c && peer->sock >= 0)
			err = send_eventfds(srv, c->sock, peer);
	}
	if (!err)
		err = send_eventfds(srv, c->sock, c);
	return err;
}

static int client_setup(struct server *srv, struct client *c, int sock)
{
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_S };
	unsigned int v;

	c->sock = sock;
	for (v = 0; v < MAX_VECTORS; v++)
		c->eventfds[v] = -1;
	if (setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	for (v = 0; v < srv->vectors; v++) {
		/* Non-blocking like QEMU's own server makes them. */
		c->eventfds[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (c->eventfds[v] < 0)
			return -errno;
	}
	return client_greet(srv, c);
}

static struct client *free_slot(struct server *srv)
{
	unsigned int i;

	/* Slot i is ID i, so the first free slot is the lowest free ID. */
	for (i = 0; i < srv->max_clients; i++)
		if (srv->clients[i].sock < 0)
			return &srv->clients[i];
	return NULL;
}

static void client_join(struct server *srv)
{
	struct client *c;
	unsigned int i;
	int sock, err;

	sock = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (sock < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_msg("accept: %s", strerror(errno));
		return;
	}
	c = free_slot(srv);
	if (!c) {
		log_msg("refusing a client: %u clients already", srv->max_clients);
		close(sock);
		return;
	}
	log_debug("peer %u connecting", client_id(srv, c));
	err = client_setup(srv, c, sock);
	if (err) {
		log_msg("peer %u: setup failed: %s", client_id(srv, c), strerror(-err));
		client_free(srv, c);
		return;
	}
	for (i = 0; i < srv->max_clients; i++) {
		struct client *peer = &srv->clients[i];

		if (peer == c || peer->sock < 0)
			continue;
		err = send_eventfds(srv, peer->sock, c);
		if (err)
			client_kick(srv, peer, err);
	}
	log_msg("peer %u joined", client_id(srv, c));
}

static void client_leave(struct server *srv, struct client *c)
{
	unsigned int i, id = client_id(srv, c);
	int err;

	client_free(srv, c);
	for (i = 0; i < srv->max_clients; i++) {
		struct client *peer = &srv->clients[i];

		if (peer->sock < 0)
			continue;
		err = send_msg(peer->sock, id, -1);
		if (err)
			client_kick(srv, peer, err);
	}
	log_msg("peer %u left", id);
}

/* Clients have nothing to say: data is dropped, EOF or an error means gone. */
static void client_readable(struct server *srv, struct client *c)
{
	char buf[4096];
	ssize_t n;

	/* Any fds a client passes are closed by the kernel: no msg_control. */
	n = recv(c->sock, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0) {
		log_debug("peer %u sent %zd bytes, dropped", client_id(srv, c), n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0)
		log_msg("peer %u: %s", client_id(srv, c), strerror(errno));
	else
		log_debug("peer %u hung up", client_id(srv, c));
	client_leave(srv, c);
}

/* ---- main loop --------------------------------------------------------- */

static int serve(struct server *srv, const sigset_t *waitmask)
{
	struct pollfd *fds;
	unsigned int i;
	int ret = 0;

	fds = calloc(srv->max_clients + 1, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	while (!stop_requested) {
		fds[0] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
		/* Free slots have fd -1, which poll skips. */
		for (i = 0; i < srv->max_clients; i++)
			fds[i + 1] = (struct pollfd){
				.fd = srv->clients[i].sock, .events = POLLIN,
			};
		if (ppoll(fds, srv->max_clients + 1, NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		for (i = 0; i < srv->max_clients; i++)
			if (srv->clients[i].sock >= 0 && fds[i + 1].revents)
				client_readable(srv, &srv->clients[i]);
		if (fds[0].revents & POLLIN)
			client_join(srv);
	}
	free(fds);
	return ret;
}

static void cleanup(struct server *srv)
{
	unsigned int i;

	for (i = 0; srv->clients && i < srv->max_clients; i++)
		if (srv->clients[i].sock >= 0)
			client_free(srv, &srv->clients[i]);
	free(srv->clients);
	if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
		if (unlink(srv->sock_path) < 0)
			log_msg("unlink %s: %s", srv->sock_path, strerror(errno));
	}
	if (srv->pid_path && unlink(srv->pid_path) < 0 && errno != ENOENT)
		log_msg("unlink %s: %s", srv->pid_path, strerror(errno));
	if (srv->shm_fd >= 0)
		close(srv->shm_fd);
}

static int start(struct server *srv)
{
	unsigned int i;
	int err;

	err = raise_fd_limit(srv);
	if (err)	/* only matters for many clients: go on */
		log_msg("raising the open file limit: %s", strerror(-err));
	srv->clients = calloc(srv->max_clients, sizeof(*srv->clients));
	if (!srv->clients) {
		log_msg("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < srv->max_clients; i++)
		srv->clients[i].sock = -1;
	err = open_shm(srv);
	if (err) {
		log_msg("shared memory %s: %s",
			srv->shm_path ? srv->shm_path : "(memfd)", strerror(-err));
		return err;
	}
	err = open_socket(srv);
	if (err == -EEXIST) {
		log_msg("%s exists and is not a socket, not replacing it",
			srv->sock_path);
		return err;
	}
	if (err) {
		log_msg("socket %s: %s", srv->sock_path, strerror(-err));
		return err;
	}
	if (srv->pid_path) {
		err = write_pidfile(srv->pid_path);
		if (err) {
			log_msg("pidfile %s: %s", srv->pid_path, strerror(-err));
			srv->pid_path = NULL;	/* not ours to remove */
			return err;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct server srv = {
		.shm_size = DEFAULT_SHM_SIZE, .vectors = 1, .max_clients = 16,
		.listen_fd = -1, .shm_fd = -1,
	};
	sigset_t waitmask;
	int err;

	parse_args(&srv, argc, argv);
	err = setup_signals(&waitmask);
	if (err) {
		log_msg("signals: %s", strerror(-err));
		return 1;
	}
	err = start(&srv);
	if (!err) {
		log_msg("listening on %s", srv.sock_path);
		log_debug("shared memory %s, %llu bytes; %u vector(s); up to %u clients",
			  srv.shm_path ? srv.shm_path : "(memfd)",
			  (unsigned long long)srv.shm_size, srv.vectors,
			  srv.max_clients);
		err = serve(&srv, &waitmask);
		if (err)
			log_msg("poll: %s", strerror(-err));
		else
			log_debug("stopping");
	}
	cleanup(&srv);
	return err ? 1 : 0;
}
