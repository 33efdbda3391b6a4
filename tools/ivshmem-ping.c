// SPDX-License-Identifier: GPL-2.0-only
/*
 * ivshmem-ping: the first tool to try on an ivshmem device.
 *
 * Opens /dev/uioN of uio_ivshmem.ko, shows the device, reads and writes
 * the shared memory, rings a peer's doorbell, waits for doorbells with a
 * timeout, and plays doorbell ping-pong with a peer. Exit codes: 0 done,
 * 1 check failed, 2 usage or device error, 3 timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bulkhead/hypercall.h>
#include <bulkhead/ivshmem.h>
#include <bulkhead/sysfs.h>
#include <cellmsg/uio.h>

#define EXIT_CHECK	1
#define EXIT_USAGE	2
#define EXIT_TIMEOUT	3

#define DEFAULT_TIMEOUT_MS	10000

/* Ping-pong rendezvous: two slots at the --sync offset of the shared memory. */
#define PP_MAGIC_READY	0x50494e47u	/* "PING" */
#define PP_SLOT_SIZE	64

struct pp_slot {
	volatile uint32_t magic;
	volatile uint32_t id;
	volatile uint32_t seq;
};

struct dev {
	struct cellmsg_uio uio;		/* a device (not with -f FILE) */
	const char *path;
	int uio_index;
	int fd;
	volatile uint32_t *regs;
	uint8_t *shm;
	size_t shm_len;
	uint32_t last_count;
};

static const char *prog = "ivshmem-ping";
static int timeout_ms = DEFAULT_TIMEOUT_MS;

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: %s [-d /dev/uioN | -f FILE] [-t TIMEOUT_MS] COMMAND [ARGS] [then COMMAND [ARGS]]...\n"
"\n"
"Talk to an ivshmem device bound to uio_ivshmem.ko.\n"
"\n"
"Commands:\n"
"  info                      show the device: own peer ID, shared memory size\n"
"  state                     own and peer state (Bulkhead's device: the peer\n"
"                            is ready while its side runs / has it open) and the\n"
"                            hypervisor's doorbell counters (sent, delivered, dropped\n"
"                            and why)\n"
"  write OFFSET TEXT         write TEXT (NUL-terminated) into the shared memory\n"
"  read OFFSET [LEN]         print the NUL-terminated text at OFFSET (at most LEN)\n"
"  fill OFFSET LEN SEED      write a pseudo-random pattern made from SEED\n"
"  verify OFFSET LEN SEED    check the pattern written by fill\n"
"  ring PEER [VECTOR]        ring doorbell VECTOR (default 0) of peer PEER\n"
"  wait                      wait for one doorbell\n"
"  raise                     raise this device's own INTx (ivshmem-plain self-test)\n"
"  pingpong PEER COUNT [SYNC_OFFSET]\n"
"                            ring and answer COUNT doorbells with PEER; the\n"
"                            lower ID rings first; 128 bytes at SYNC_OFFSET\n"
"                            (default 0) of the shared memory are used to meet\n"
"\n"
"Options:\n"
"  -d DEV    the UIO device (default: the first one named \"ivshmem\")\n"
"  -f FILE   work on FILE instead of a device (shared-memory commands only;\n"
"            lets the host check a guest's memory-backend-file)\n"
"  -t MS     timeout for waits in milliseconds (default %d, 0 = none)\n"
"  -h        this help\n"
"\n"
"Commands can be chained in one run with \"then\", so that no doorbell is\n"
"missed between two of them:  pingpong 1 100 then ring 1 then wait\n"
"\n"
"Exit status: 0 success, 1 check failed, 2 usage or device error, 3 timeout.\n",
		prog, DEFAULT_TIMEOUT_MS);
}

static unsigned long long parse_num(const char *what, const char *s,
				    unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-')
		die(EXIT_USAGE, "%s '%s' is not a number", what, s);
	if (v > max)
		die(EXIT_USAGE, "%s %llu out of range (max %llu)", what, v, max);
	return v;
}

static int read_sysfs_ull(int uio, const char *attr, unsigned long long *val)
{
	char path[128], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/%s", uio, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = 0;
	*val = strtoull(buf, NULL, 0);
	return 0;
}

static void dev_open(struct dev *d, const char *path)
{
	memset(d, 0, sizeof(*d));
	if (cellmsg_uio_open(&d->uio, path))
		die(EXIT_USAGE, "%s", d->uio.error);
	d->path = d->uio.path;
	d->uio_index = d->uio.index;
	d->fd = d->uio.fd;
	d->regs = d->uio.regs;
	d->shm = d->uio.shm;
	d->shm_len = d->uio.shm_size;
	/* The device's event count at open: waits count only new doorbells. */
	d->last_count = d->uio.events;
}

static uint32_t reg_read(struct dev *d, unsigned int reg)
{
	return d->regs[reg / 4];
}

static void reg_write(struct dev *d, unsigned int reg, uint32_t val)
{
	d->regs[reg / 4] = val;
}

static void check_range(struct dev *d, unsigned long long off,
			unsigned long long len)
{
	if (off > d->shm_len || len > d->shm_len - off)
		die(EXIT_USAGE, "range %llu+%llu outside the shared memory (%zu bytes)",
		    off, len, d->shm_len);
}

/*
 * Is our /dev/uioN still registered? A read fails before the device's
 * sysfs entry goes, so give a removal up to a second to finish.
 */
static bool uio_still_there(const struct dev *d)
{
	int tries;

	for (tries = 0; tries < 10; tries++) {
		if (!cellmsg_uio_present(&d->uio))
			return false;
		usleep(100000);
	}
	return true;
}

/* Waits for one or more doorbells; returns how many arrived, 0 on timeout. */
static uint32_t dev_wait(struct dev *d, int ms)
{
	struct pollfd pfd = { .fd = d->fd, .events = POLLIN };
	uint32_t count, delta;
	ssize_t n;
	int ret;

	do
		ret = poll(&pfd, 1, ms ? ms : -1);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		die(EXIT_USAGE, "poll on %s: %s", d->path, strerror(errno));
	if (ret == 0)
		return 0;

	n = read(d->fd, &count, sizeof(count));
	/* EIO: a device without interrupts, or one that went away meanwhile. */
	if (n < 0 && errno == EIO && !uio_still_there(d))
		die(EXIT_USAGE, "%s went away (driver unbound or device removed, "
		    "e.g. by bulkhead disable)", d->path);
	if (n < 0 && errno == EIO)
		die(EXIT_USAGE, "%s has no interrupt (QEMU's ivshmem-plain has none): "
		    "no doorbells to wait for", d->path);
	if (n != sizeof(count))
		die(EXIT_USAGE, "read of %s: %s", d->path,
		    n < 0 ? strerror(errno) : "short read");
	delta = count - d->last_count;
	d->last_count = count;
	return delta;
}

static void dev_ring(struct dev *d, unsigned int peer, unsigned int vector)
{
	/* Make our shared-memory writes visible before the peer's interrupt. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	reg_write(d, IVSHMEM_REG_DOORBELL, IVSHMEM_DOORBELL(peer, vector));
}

static uint8_t pattern_byte(uint64_t *state)
{
	/* xorshift64: cheap, reproducible on both sides from the seed. */
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint8_t)(*state >> 24);
}

static uint64_t pattern_seed(unsigned long long seed)
{
	return seed * 0x9e3779b97f4a7c15ull + 1;
}

static int cmd_info(struct dev *d)
{
	unsigned long long regs_addr = 0, shm_addr = 0;

	read_sysfs_ull(d->uio_index, "maps/map0/addr", &regs_addr);
	read_sysfs_ull(d->uio_index, "maps/map1/addr", &shm_addr);
	printf("device:       %s\n", d->path);
	printf("own ID:       %u\n", reg_read(d, IVSHMEM_REG_IV_POSITION));
	printf("registers:    0x%llx\n", regs_addr);
	printf("shared mem:   0x%llx, %zu bytes (%zu KiB)\n", shm_addr,
	       d->shm_len, d->shm_len >> 10);
	return 0;
}

static const char *state_name(uint32_t state)
{
	return state == IVSHMEM_STATE_RESET ? "reset" :
	       state == IVSHMEM_STATE_READY ? "ready" : "other";
}

/*
 * The hypervisor's doorbell counters of this device, as the root cell's
 * (cells/0/ivshmem/BUS:DEV.FN/, bulkhead/hypercall.h); nothing for QEMU's
 * devices or without the hypervisor.
 */
static void print_counters(const struct dev *d)
{
#define COUNTER_NAME(id, name) #name,
	static const char *const names[] = { BH_IVSHMEM_STAT_LIST(COUNTER_NAME) };
	char link[PATH_MAX], path[PATH_MAX + 64], value[32];
	const char *bdf;
	ssize_t n;
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/device", d->uio_index);
	n = d->uio_index < 0 ? -1 : readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = 0;
	bdf = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (strlen(bdf) > 5)
		bdf += 5;	/* past the domain, 0000: */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), BH_SYSFS_ROOT "/cells/0/ivshmem/%s/%s", bdf, names[i]);
		f = fopen(path, "r");
		if (!f)
			return;		/* not the hypervisor's device */
		if (!fgets(value, sizeof(value), f))
			strcpy(value, "?\n");
		fclose(f);
		if (!i)
			printf("doorbells (the hypervisor's counters, %s):\n", bdf);
		printf("  %-22s %s", names[i], value);
	}
}

/* Bulkhead's state registers; QEMU's device reads 0 (reset) there. */
static int cmd_state(struct dev *d)
{
	uint32_t own = reg_read(d, IVSHMEM_REG_LOCAL_STATE);
	uint32_t peer = reg_read(d, IVSHMEM_REG_PEER_STATE);

	printf("own state:    %u (%s)\n", own, state_name(own));
	printf("peer state:   %u (%s)\n", peer, state_name(peer));
	print_counters(d);
	return 0;
}

static int cmd_write(struct dev *d, int argc, char **argv)
{
	unsigned long long off;
	size_t len;

	if (argc != 2)
		die(EXIT_USAGE, "write needs OFFSET TEXT");
	off = parse_num("offset", argv[0], ULLONG_MAX);
	len = strlen(argv[1]) + 1;
	check_range(d, off, len);
	memcpy(d->shm + off, argv[1], len);
	return 0;
}

static int cmd_read(struct dev *d, int argc, char **argv)
{
	unsigned long long off, len;
	size_t n;

	if (argc < 1 || argc > 2)
		die(EXIT_USAGE, "read needs OFFSET [LEN]");
	off = parse_num("offset", argv[0], ULLONG_MAX);
	len = argc == 2 ? parse_num("length", argv[1], ULLONG_MAX) : 256;
	if (off >= d->shm_len)
		die(EXIT_USAGE, "offset %llu outside the shared memory (%zu bytes)",
		    off, d->shm_len);
	if (len > d->shm_len - off)
		len = d->shm_len - off;
	n = strnlen((const char *)d->shm + off, len);
	printf("%.*s\n", (int)n, (const char *)d->shm + off);
	return 0;
}

static int cmd_pattern(struct dev *d, int argc, char **argv, bool verify)
{
	unsigned long long off, len, i;
	uint64_t state;
	uint8_t want;

	if (argc != 3)
		die(EXIT_USAGE, "%s needs OFFSET LEN SEED", verify ? "verify" : "fill");
	off = parse_num("offset", argv[0], ULLONG_MAX);
	len = parse_num("length", argv[1], ULLONG_MAX);
	state = pattern_seed(parse_num("seed", argv[2], ULLONG_MAX));
	check_range(d, off, len);

	for (i = 0; i < len; i++) {
		want = pattern_byte(&state);
		if (!verify) {
			d->shm[off + i] = want;
		} else if (d->shm[off + i] != want) {
			fprintf(stderr, "%s: mismatch at offset %llu: 0x%02x, expected 0x%02x\n",
				prog, off + i, d->shm[off + i], want);
			return EXIT_CHECK;
		}
	}
	printf("%s %llu bytes at %llu\n", verify ? "verified" : "filled", len, off);
	return 0;
}

static int cmd_ring(struct dev *d, int argc, char **argv)
{
	unsigned int peer, vector = 0;

	if (argc < 1 || argc > 2)
		die(EXIT_USAGE, "ring needs PEER [VECTOR]");
	peer = parse_num("peer ID", argv[0], IVSHMEM_MAX_PEER_ID);
	if (argc == 2)
		vector = parse_num("vector", argv[1], IVSHMEM_DOORBELL_VECTOR_MASK);
	dev_ring(d, peer, vector);
	return 0;
}

static int cmd_wait(struct dev *d)
{
	uint32_t n = dev_wait(d, timeout_ms);

	if (!n) {
		fprintf(stderr, "%s: timeout: no doorbell in %d ms\n", prog, timeout_ms);
		return EXIT_TIMEOUT;
	}
	printf("doorbell: %u event(s)\n", n);
	return 0;
}

static int cmd_raise(struct dev *d)
{
	reg_write(d, IVSHMEM_REG_INTR_STATUS, 1);
	return cmd_wait(d);
}

static bool pp_meet(struct pp_slot *self, volatile struct pp_slot *peer,
		    uint32_t own_id, uint32_t peer_id)
{
	struct timespec start, now;
	long elapsed_ms;

	self->id = own_id;
	self->seq = 0;
	__atomic_store_n(&self->magic, PP_MAGIC_READY, __ATOMIC_RELEASE);

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (__atomic_load_n(&peer->magic, __ATOMIC_ACQUIRE) != PP_MAGIC_READY ||
	       peer->id != peer_id) {
		usleep(1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed_ms = (now.tv_sec - start.tv_sec) * 1000 +
			     (now.tv_nsec - start.tv_nsec) / 1000000;
		if (timeout_ms && elapsed_ms > timeout_ms)
			return false;
	}
	return true;
}

/*
 * Strict alternation makes every doorbell countable: each wait must see
 * exactly one new event, and the peer's sequence number in the shared
 * memory must be the one it rang for.
 */
static int cmd_pingpong(struct dev *d, int argc, char **argv)
{
	unsigned long long sync_off = 0, count, i;
	uint32_t own_id, peer_id, got;
	struct pp_slot *self, *peer;
	struct timespec start, end;
	double ns;
	bool first;

	if (argc < 2 || argc > 3)
		die(EXIT_USAGE, "pingpong needs PEER COUNT [SYNC_OFFSET]");
	peer_id = parse_num("peer ID", argv[0], IVSHMEM_MAX_PEER_ID);
	count = parse_num("count", argv[1], UINT32_MAX);
	if (argc == 3)
		sync_off = parse_num("sync offset", argv[2], ULLONG_MAX);
	check_range(d, sync_off, 2 * PP_SLOT_SIZE);
	own_id = reg_read(d, IVSHMEM_REG_IV_POSITION);
	if (own_id == peer_id)
		die(EXIT_USAGE, "peer ID %u is this device's own ID", peer_id);

	first = own_id < peer_id;
	self = (struct pp_slot *)(d->shm + sync_off + (first ? 0 : PP_SLOT_SIZE));
	peer = (struct pp_slot *)(d->shm + sync_off + (first ? PP_SLOT_SIZE : 0));
	if (!pp_meet(self, peer, own_id, peer_id)) {
		fprintf(stderr, "%s: timeout: peer %u did not show up\n", prog, peer_id);
		return EXIT_TIMEOUT;
	}

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 1; i <= count; i++) {
		if (first) {
			self->seq = (uint32_t)i;
			dev_ring(d, peer_id, 0);
		}
		got = dev_wait(d, timeout_ms);
		if (got == 0) {
			fprintf(stderr, "%s: timeout: doorbell %llu of %llu lost\n",
				prog, i, count);
			return EXIT_TIMEOUT;
		}
		if (got != 1) {
			fprintf(stderr, "%s: doorbell %llu: %u events, expected 1\n",
				prog, i, got);
			return EXIT_CHECK;
		}
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (peer->seq != (uint32_t)i) {
			fprintf(stderr, "%s: doorbell %llu: peer sequence %u\n",
				prog, i, peer->seq);
			return EXIT_CHECK;
		}
		if (!first) {
			self->seq = (uint32_t)i;
			dev_ring(d, peer_id, 0);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	ns = (end.tv_sec - start.tv_sec) * 1000000000.0 +
	     (end.tv_nsec - start.tv_nsec);
	printf("pingpong: %llu doorbells each way with peer %u, none lost, "
	       "%.1f us per round trip\n", count, peer_id,
	       count ? ns / count / 1000.0 : 0.0);
	return 0;
}

/* Opens a plain file as the shared memory: no registers, no doorbells. */
static void dev_open_file(struct dev *d, const char *path)
{
	off_t size;

	memset(d, 0, sizeof(*d));
	d->path = path;
	d->fd = open(path, O_RDWR);
	if (d->fd < 0)
		die(EXIT_USAGE, "cannot open %s: %s", path, strerror(errno));
	size = lseek(d->fd, 0, SEEK_END);
	if (size <= 0)
		die(EXIT_USAGE, "%s is empty or not seekable", path);
	d->shm_len = (size_t)size;
	d->shm = mmap(NULL, d->shm_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      d->fd, 0);
	if (d->shm == MAP_FAILED)
		die(EXIT_USAGE, "mmap of %s failed: %s", path, strerror(errno));
}

static bool needs_device(const char *cmd)
{
	return strcmp(cmd, "write") && strcmp(cmd, "read") &&
	       strcmp(cmd, "fill") && strcmp(cmd, "verify");
}

static int run_command(struct dev *d, const char *cmd, int argc, char **argv)
{
	if (!d->regs && needs_device(cmd))
		die(EXIT_USAGE, "'%s' needs a device, not a file", cmd);
	if (!strcmp(cmd, "info"))
		return cmd_info(d);
	if (!strcmp(cmd, "state"))
		return cmd_state(d);
	if (!strcmp(cmd, "write"))
		return cmd_write(d, argc, argv);
	if (!strcmp(cmd, "read"))
		return cmd_read(d, argc, argv);
	if (!strcmp(cmd, "fill"))
		return cmd_pattern(d, argc, argv, false);
	if (!strcmp(cmd, "verify"))
		return cmd_pattern(d, argc, argv, true);
	if (!strcmp(cmd, "ring"))
		return cmd_ring(d, argc, argv);
	if (!strcmp(cmd, "wait"))
		return cmd_wait(d);
	if (!strcmp(cmd, "raise"))
		return cmd_raise(d);
	if (!strcmp(cmd, "pingpong"))
		return cmd_pingpong(d, argc, argv);
	die(EXIT_USAGE, "unknown command '%s' (try --help)", cmd);
	return EXIT_USAGE;
}

static const char *const known_commands[] = {
	"info", "state", "write", "read", "fill", "verify", "ring", "wait", "raise",
	"pingpong", NULL,
};

static void check_commands(int argc, char **argv)
{
	bool want_cmd = true;
	int i, k;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "then")) {
			if (want_cmd)
				die(EXIT_USAGE, "'then' without a command before it");
			want_cmd = true;
			continue;
		}
		if (!want_cmd)
			continue;
		for (k = 0; known_commands[k]; k++)
			if (!strcmp(argv[i], known_commands[k]))
				break;
		if (!known_commands[k])
			die(EXIT_USAGE, "unknown command '%s' (try --help)", argv[i]);
		want_cmd = false;
	}
	if (want_cmd)
		die(EXIT_USAGE, "missing command after 'then'");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "device", required_argument, NULL, 'd' },
		{ "file", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev_path = NULL, *file_path = NULL;
	struct dev d;
	int opt, i, start, ret;

	while ((opt = getopt_long(argc, argv, "+d:f:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dev_path = optarg;
			break;
		case 'f':
			file_path = optarg;
			break;
		case 't':
			timeout_ms = parse_num("timeout", optarg, INT_MAX);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return 0;
	}
	if (dev_path && file_path)
		die(EXIT_USAGE, "-d and -f exclude each other");
	argc -= optind;
	argv += optind;
	check_commands(argc, argv);

	if (file_path)
		dev_open_file(&d, file_path);
	else
		dev_open(&d, dev_path);

	for (start = 0; start < argc; start = i + 1) {
		for (i = start; i < argc && strcmp(argv[i], "then"); i++)
			;
		ret = run_command(&d, argv[start], i - start - 1, argv + start + 1);
		if (ret)
			return ret;
		fflush(stdout);
	}
	return 0;
}
