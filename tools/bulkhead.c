// SPDX-License-Identifier: GPL-2.0-only
/*
 * bulkhead: the command-line tool, with Jailhouse's habits.
 *
 *   bulkhead enable SYSCONFIG.cell		check the config, then start the hypervisor
 *   bulkhead disable				stop it, Linux runs natively again
 *   bulkhead config check SYSCONFIG [CELL...]	only check configs, locally
 *   bulkhead cell create|load|start|shutdown|destroy|list|stats ...
 *
 * Configs are checked here with the hypervisor's own validator
 * (common/config_check.c) before the driver sees them, so users
 * get every problem at once and in words. `cell create` cannot know the
 * system config in use, so it checks a cell config on its own; the
 * hypervisor checks it against the system and the other cells.
 *
 * `cell list` and `cell stats` read the driver's sysfs directory
 * (bulkhead/ioctl.h); BULKHEAD_SYSFS names another one, for tests.
 * Exit codes: 0 done, 1 the operation failed, 2 usage error.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bulkhead/config.h>
#include <bulkhead/hypercall.h>
#include <bulkhead/ioctl.h>
#include <bulkhead/ivshmem.h>
#include <bulkhead/sysfs.h>
#include <bulkhead/version.h>

/*
 * By path, not through -Ihypervisor/include: that directory has the
 * hypervisor's own <errno.h>, which would hide the C library's here.
 */
#include "../common/include/common/config_check.h"
#include "config_create.h"
#include "console.h"
#include "exit_codes.h"
#include "hwcheck.h"
#include "machine.h"

#define BULKHEAD_DEV		"/dev/bulkhead"
#define CONFIG_MAX_SIZE		(1024 * 1024)
#define IMAGE_MAX_SIZE		(64ll << 20)	/* the driver's limit too */
#define SYSFS_VALUE_LEN		256


/* A whole file in memory: a config or an image. */
struct config_file {
	const char *path;		/* NULL: a report about several files */
	uint8_t *data;
	size_t size;
};

/* One cell as sysfs shows it. */
struct sysfs_cell {
	long id;
	char name[SYSFS_VALUE_LEN];
	char state[SYSFS_VALUE_LEN];
	char cpus_assigned[SYSFS_VALUE_LEN];
	char cpus_failed[SYSFS_VALUE_LEN];
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bulkhead COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  enable SYSCONFIG.cell      check the system config and start the hypervisor\n"
		"  disable                    stop the hypervisor; Linux runs natively again\n"
		"  config check SYSCONFIG.cell [CELLCONFIG.cell...]\n"
		"                             check configs, alone and together, without loading them\n"
		"  config create [-o FILE.c] [-b FILE.cell] [--name NAME] [--mem-hv SIZE]\n"
		"                [--mem-inmates SIZE] [--cell CELLCONFIG.cell]...\n"
		"                [--link BUS:DEV.FN,PEERS,COMMON,OUTPUT]...\n"
		"                             the system config of this machine as C (stdout or\n"
		"                             FILE.c) and as a blob; the hypervisor gets the first\n"
		"                             SIZE (16M) of the memmap= reservation; each --cell's\n"
		"                             ivshmem pairs get their root side, and root Linux is\n"
		"                             peer 0 of each --link (its memory from the cells')\n"
		"  cell create CELLCONFIG.cell\n"
		"                             create a cell; its CPUs leave Linux\n"
		"  cell load NAME|ID IMAGE [-a|--address ADDR] [IMAGE [-a ADDR]]...\n"
		"                             copy images into the cell's memory at guest-physical\n"
		"                             ADDR (hex with 0x, or decimal; default 0)\n"
		"  cell start NAME|ID         start a loaded cell\n"
		"  cell shutdown NAME|ID      stop a cell; it can be loaded and started again\n"
		"  cell destroy NAME|ID       destroy a cell; its CPUs go back to Linux\n"
		"  cell list                  list the cells, their states and CPUs\n"
		"  cell stats NAME|ID         VM exits of a cell, per reason and CPU; its ivshmem\n"
		"                             devices' doorbells (sent, delivered, dropped and why)\n"
		"  hardware check [SYSCONFIG.cell]\n"
		"                             what the CPU and platform offer and what a missing\n"
		"                             item means; exit 0 only when enable can work\n"
		"  console [-f|--follow]      the hypervisor's log (all it printed since enable,\n"
		"                             inmates' output too; kept after disable or a failed\n"
		"                             enable); -f waits for more, like tail -f\n"
		"  help, --help, -h           show this text\n"
		"  --version                  show the version\n"
		"\n"
		"A cell is named by its name or by its ID (all digits).\n"
		"environment: BULKHEAD_SYSFS  the driver's sysfs directory (default " BH_SYSFS_ROOT ")\n"
		"exit codes: 0 ok, 1 operation failed, 2 usage error\n");
}

/* Says what was wrong with the command line, then how it should look. */
__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bulkhead: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n");
	usage(stderr);
	return EXIT_USAGE;
}

/* ---- files ---------------------------------------------------------------- */

/* Reads exactly st_size bytes; a file that shrank meanwhile is an error. */
static int config_file_read_all(int fd, struct config_file *cf)
{
	size_t done = 0;
	ssize_t n;

	while (done < cf->size) {
		n = read(fd, cf->data + done, cf->size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += n;
	}
	return 0;
}

/* Whether @st is a non-empty regular file of at most @max bytes; says why not. */
static int config_file_fits(const char *path, const struct stat *st,
			    long long max, const char *what)
{
	if (!S_ISREG(st->st_mode)) {
		fprintf(stderr, "bulkhead: %s: not a regular file\n", path);
		return 0;
	}
	if (st->st_size == 0) {
		fprintf(stderr, "bulkhead: %s: file is empty\n", path);
		return 0;
	}
	if (st->st_size > max) {
		fprintf(stderr, "bulkhead: %s: file is %lld bytes, over the limit of %lld for %s\n",
			path, (long long)st->st_size, max, what);
		return 0;
	}
	return 1;
}

/* Loads @path (at most @max bytes, @what: "a config") into @cf; says why not. */
static int config_file_load_max(const char *path, struct config_file *cf,
				long long max, const char *what)
{
	struct stat st;
	int fd, err;

	cf->path = path;
	cf->data = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "bulkhead: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		fprintf(stderr, "bulkhead: %s: %s\n", path, strerror(errno));
		goto err_close;
	}
	if (!config_file_fits(path, &st, max, what))
		goto err_close;
	cf->size = st.st_size;
	cf->data = malloc(cf->size);
	if (!cf->data) {
		fprintf(stderr, "bulkhead: %s: out of memory\n", path);
		goto err_close;
	}
	err = config_file_read_all(fd, cf);
	if (err) {
		fprintf(stderr, "bulkhead: %s: %s\n", path,
			err == -EIO ? "file shrank while being read" : strerror(-err));
		goto err_free;
	}
	close(fd);
	return 0;

err_free:
	free(cf->data);
	cf->data = NULL;
err_close:
	close(fd);
	return -1;
}

static int config_file_load(const char *path, struct config_file *cf)
{
	return config_file_load_max(path, cf, CONFIG_MAX_SIZE, "a config");
}

static void config_file_free(struct config_file *cf)
{
	free(cf->data);
	cf->data = NULL;
}

/* ---- config checks -------------------------------------------------------- */

/* config_sink callback: one problem per line, prefixed with the file name. */
__attribute__((format(printf, 2, 3)))
static void config_report(void *ctx, const char *fmt, ...)
{
	const struct config_file *cf = ctx;
	va_list ap;

	if (cf->path)
		fprintf(stderr, "bulkhead: %s: ", cf->path);
	else
		fprintf(stderr, "bulkhead: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The local checks; every problem has been printed when they fail. */
static int config_file_check(struct config_file *cf)
{
	struct config_sink sink = { .report = config_report, .ctx = cf };

	return config_check_system(cf->data, cf->size, &sink);
}

/* @sys NULL: the cell on its own (see config_check_cell()). */
static int config_file_check_cell(struct config_file *cf,
				  const struct bh_system_config *sys)
{
	struct config_sink sink = { .report = config_report, .ctx = cf };

	return config_check_cell(cf->data, cf->size, sys, &sink);
}

static int is_cell_config(const struct config_file *cf)
{
	return cf->size >= BH_SIGNATURE_LEN &&
	       memcmp(cf->data, BH_CELL_SIGNATURE, BH_SIGNATURE_LEN) == 0;
}

/* ---- the driver ------------------------------------------------------------- */

/* Opens /dev/bulkhead; says why not on stderr. */
static int dev_open(void)
{
	int fd = open(BULKHEAD_DEV, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		fprintf(stderr, "bulkhead: " BULKHEAD_DEV " not found: is bulkhead.ko loaded? (modprobe bulkhead / insmod bulkhead.ko)\n");
	else if (errno == EACCES || errno == EPERM)
		fprintf(stderr, "bulkhead: " BULKHEAD_DEV ": %s (run as root)\n",
			strerror(errno));
	else
		fprintf(stderr, "bulkhead: " BULKHEAD_DEV ": %s\n", strerror(errno));
	return -1;
}

/*
 * One ioctl on /dev/bulkhead; on failure says "@what failed" with the
 * driver's @reason (BH_REASON_LEN bytes, inside @args). Returns the exit code.
 */
static int dev_call(unsigned long cmd, void *args, char *reason,
		    const char *what)
{
	long long mark = console_mark(BULKHEAD_DEV);
	int fd, err;

	fd = dev_open();
	if (fd < 0)
		return EXIT_FAILED;
	if (ioctl(fd, cmd, args) == 0) {
		close(fd);
		return 0;
	}
	err = errno;
	close(fd);
	/* The driver's text is not trusted to be terminated. */
	reason[BH_REASON_LEN - 1] = '\0';
	if (reason[0])
		fprintf(stderr, "bulkhead: %s failed: %s: %s\n", what,
			strerror(err), reason);
	else
		fprintf(stderr, "bulkhead: %s failed: %s\n", what, strerror(err));
	console_report(BULKHEAD_DEV, mark);
	return EXIT_FAILED;
}

/* Why enabling failed, preferring the driver's reason to a bare errno. */
static void enable_report_failure(int err, const char *reason)
{
	const char *what = strerror(err);

	if (err == EEXIST)
		what = "the hypervisor is already enabled";
	else if (err == ENODEV && !reason[0])
		what = "this CPU lacks the virtualization support the hypervisor needs";
	if (reason[0])
		fprintf(stderr, "bulkhead: enable failed: %s: %s\n", what, reason);
	else
		fprintf(stderr, "bulkhead: enable failed: %s\n", what);
}

static int cmd_enable(const char *path)
{
	struct bh_enable_args args;
	struct config_file cf;
	int fd, ret = EXIT_FAILED;

	if (config_file_load(path, &cf))
		return EXIT_FAILED;
	if (config_file_check(&cf))
		goto out_free;
	fd = dev_open();
	if (fd < 0)
		goto out_free;

	memset(&args, 0, sizeof(args));
	args.config = (uintptr_t)cf.data;
	args.config_size = cf.size;	/* <= CONFIG_MAX_SIZE */
	if (ioctl(fd, BULKHEAD_ENABLE, &args) < 0) {
		int err = errno;

		/* The driver's text is not trusted to be terminated. */
		args.reason[BH_REASON_LEN - 1] = '\0';
		enable_report_failure(err, args.reason);
		/* Each enable starts a new log: all of it is this attempt's. */
		if (err != EEXIST)
			console_report(BULKHEAD_DEV, 0);
	} else {
		ret = 0;
	}
	close(fd);
out_free:
	config_file_free(&cf);
	return ret;
}

static int sysfs_cells_read(struct sysfs_cell **cells);

/*
 * EBUSY has two causes: cells besides the root, or a root CPU that the
 * hypervisor holds parked (Linux could not bring it back online; the
 * hypervisor's console says why).
 */
static void disable_busy_reason(void)
{
	struct sysfs_cell *cells;
	int n = sysfs_cells_read(&cells);

	free(cells);
	if (n == 1)
		fprintf(stderr, "bulkhead: disable failed: a CPU of the root cell is not back "
			"in Linux (see the hypervisor's console): bring it online first "
			"(/sys/devices/system/cpu/cpuN/online)\n");
	else
		fprintf(stderr, "bulkhead: disable failed: cells are still there: "
			"destroy them first (bulkhead cell list)\n");
}

static int cmd_disable(void)
{
	long long mark = console_mark(BULKHEAD_DEV);
	int fd, err;

	fd = dev_open();
	if (fd < 0)
		return EXIT_FAILED;
	if (ioctl(fd, BULKHEAD_DISABLE) == 0) {
		close(fd);
		return 0;
	}
	err = errno;
	close(fd);
	if (err == EINVAL || err == ENODEV)
		fprintf(stderr, "bulkhead: the hypervisor is not enabled\n");
	else if (err == EBUSY)
		disable_busy_reason();
	else
		fprintf(stderr, "bulkhead: disable failed: %s\n", strerror(err));
	if (err != EINVAL && err != ENODEV)
		console_report(BULKHEAD_DEV, mark);
	return EXIT_FAILED;
}

/* ---- config check ---------------------------------------------------------- */

/*
 * Each cell config against @sys (NULL if the system config has problems:
 * then each cell is checked on its own). Fills @descs with the cells that
 * passed, for the set check; returns how many.
 */
static unsigned int config_check_cells(struct config_file *cells, int n,
				       const struct bh_system_config *sys,
				       const struct bh_cell_desc **descs)
{
	unsigned int passed = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (!cells[i].data || config_file_check_cell(&cells[i], sys))
			continue;
		descs[passed++] = (const struct bh_cell_desc *)cells[i].data;
		if (sys)
			printf("%s: ok\n", cells[i].path);
		else
			printf("%s: ok on its own (not checked against the system config, which has problems)\n",
			       cells[i].path);
	}
	return passed;
}

/* Loads every cell config; whether all could be read. */
static int config_load_cells(char **paths, int n, struct config_file *cells)
{
	int i, ok = 1;

	for (i = 0; i < n; i++)
		if (config_file_load(paths[i], &cells[i]))
			ok = 0;
	return ok;
}

static int cmd_config_check(char **paths, int n_cells)
{
	struct config_file sys, set = { .path = NULL };
	struct config_sink set_sink = { .report = config_report, .ctx = &set };
	const struct bh_cell_desc **descs;
	struct config_file *cells;
	unsigned int passed;
	int i, ok, sys_ok, ret = EXIT_FAILED;

	if (config_file_load(paths[0], &sys))
		return EXIT_FAILED;
	if (is_cell_config(&sys)) {
		config_file_free(&sys);
		return usage_error("config check: %s is a cell config; the system config comes first",
				   paths[0]);
	}
	cells = calloc(n_cells + 1, sizeof(*cells));
	descs = calloc(n_cells + 1, sizeof(*descs));
	if (!cells || !descs) {
		fprintf(stderr, "bulkhead: out of memory\n");
		goto out_free;
	}
	ok = config_file_check(&sys) == 0;
	if (ok)
		printf("%s: ok\n", sys.path);
	sys_ok = ok;
	ok &= config_load_cells(paths + 1, n_cells, cells);
	passed = config_check_cells(cells, n_cells,
				    sys_ok ? (const struct bh_system_config *)sys.data : NULL,
				    descs);
	ok &= passed == (unsigned int)n_cells;
	ok &= config_check_cell_set(descs, passed, &set_sink) == 0;
	ret = ok ? 0 : EXIT_FAILED;

	for (i = 0; i < n_cells; i++)
		config_file_free(&cells[i]);
out_free:
	free(descs);
	free(cells);
	config_file_free(&sys);
	return ret;
}

/* SIZE with an optional K, M or G; 0 on a mistake. */
static uint64_t parse_mem_size(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	return errno || *end || end == s || v % 4096 ? 0 : v;
}

/* --link BB:DD.F,PEERS,COMMON,OUTPUT; 0 or -1. */
static int parse_link(const char *arg, struct config_create_link *l)
{
	char common[32], output[32];
	unsigned int bus, dev, fn, peers;

	if (sscanf(arg, "%x:%x.%x,%u,%31[^,],%31s", &bus, &dev, &fn, &peers, common, output) != 6 ||
	    bus > 0xff || dev > 0x1f || fn > 7 || peers < 2 || peers > IVSHMEM_MAX_PEERS)
		return -1;
	l->bdf = (uint16_t)(bus << 8 | dev << 3 | fn);
	l->num_peers = (uint16_t)peers;
	l->output_size = parse_mem_size(output);
	/* the common section may be empty */
	l->common_size = strcmp(common, "0") ? parse_mem_size(common) : 0;
	return l->output_size && (l->common_size || !strcmp(common, "0")) ? 0 : -1;
}

static int hv_enabled(void)
{
	char v[8] = "";
	FILE *f = machine_fopen(BH_SYSFS_ROOT "/enabled");

	if (f) {
		if (!fgets(v, sizeof(v), f))
			v[0] = 0;
		fclose(f);
	}
	return v[0] == '1';
}

static int cmd_config_create(int argc, char **argv)
{
	static struct config_file cells[CONFIG_CREATE_MAX_CELLS];
	struct config_create_opts o = { .mem_hv = 16 << 20 };
	static char host[BH_CELL_NAME_LEN];
	int i, ret = EXIT_FAILED;

	if (gethostname(host, sizeof(host) - 1) || !host[0])
		strcpy(host, "root");
	o.name = host;
	for (i = 0; i < argc; i++) {
		const char *opt = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "-o") && strcmp(opt, "-b") && strcmp(opt, "--name") &&
		    strcmp(opt, "--mem-hv") && strcmp(opt, "--mem-inmates") && strcmp(opt, "--cell") &&
		    strcmp(opt, "--link"))
			return usage_error("config create: unknown option '%s'", opt);
		if (!arg)
			return usage_error("config create: %s needs a value", opt);
		i++;
		if (!strcmp(opt, "-o")) {
			o.c_path = arg;
		} else if (!strcmp(opt, "-b")) {
			o.blob_path = arg;
		} else if (!strcmp(opt, "--name")) {
			if (!*arg || strlen(arg) >= BH_CELL_NAME_LEN)
				return usage_error("config create: --name wants 1 to %d characters",
						   BH_CELL_NAME_LEN - 1);
			o.name = arg;
		} else if (!strcmp(opt, "--mem-hv")) {
			o.mem_hv = parse_mem_size(arg);
			if (!o.mem_hv)
				return usage_error("config create: --mem-hv '%s': a size in whole pages (16M)", arg);
		} else if (!strcmp(opt, "--mem-inmates")) {
			o.mem_inmates = parse_mem_size(arg);
			if (!o.mem_inmates)
				return usage_error("config create: --mem-inmates '%s': a size in whole pages (48M)", arg);
		} else if (!strcmp(opt, "--cell")) {
			if (o.num_cells == CONFIG_CREATE_MAX_CELLS)
				return usage_error("config create: at most %d --cell", CONFIG_CREATE_MAX_CELLS);
			o.cell_paths[o.num_cells++] = arg;
		} else {
			if (o.num_links == CONFIG_CREATE_MAX_LINKS)
				return usage_error("config create: at most %d --link", CONFIG_CREATE_MAX_LINKS);
			if (parse_link(arg, &o.links[o.num_links++]))
				return usage_error("config create: --link '%s': BUS:DEV.FN,PEERS (2..%d),COMMON,OUTPUT (sizes in pages, COMMON may be 0), e.g. 00:10.0,3,64K,64K",
						   arg, IVSHMEM_MAX_PEERS);
		}
	}
	if (hv_enabled()) {
		fprintf(stderr, "bulkhead: config create: the hypervisor is enabled, and Linux no longer sees the machine as it is: disable it first\n");
		return EXIT_FAILED;
	}
	for (i = 0; i < o.num_cells; i++) {
		if (config_file_load(o.cell_paths[i], &cells[i]))
			goto out;
		if (config_file_check_cell(&cells[i], NULL)) {
			config_file_free(&cells[i]);
			goto out;
		}
		o.cells[i] = (const void *)cells[i].data;
	}
	ret = config_create(&o);
out:
	while (i-- > 0)
		config_file_free(&cells[i]);
	return ret;
}

static int cmd_config(int argc, char **argv)
{
	if (argc < 1)
		return usage_error("config: missing subcommand");
	if (!strcmp(argv[0], "create"))
		return cmd_config_create(argc - 1, argv + 1);
	if (strcmp(argv[0], "check") != 0)
		return usage_error("config: unknown subcommand '%s'", argv[0]);
	if (argc < 2)
		return usage_error("config check: expects SYSCONFIG.cell [CELLCONFIG.cell...]");
	return cmd_config_check(argv + 1, argc - 2);
}

/* ---- cells through the driver ----------------------------------------------- */

static int is_all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* A cell argument: all digits is an ID, anything else a name. */
static int cell_ref_parse(const char *arg, struct bh_cell_ref *ref)
{
	unsigned long id;

	memset(ref, 0, sizeof(*ref));
	if (is_all_digits(arg)) {
		errno = 0;
		id = strtoul(arg, NULL, 10);
		if (errno || id > INT32_MAX)
			return usage_error("cell ID %s is out of range", arg);
		ref->id = (int32_t)id;
		return 0;
	}
	if (!*arg)
		return usage_error("empty cell name");
	if (strlen(arg) >= sizeof(ref->name))
		return usage_error("cell name '%s' is longer than %zu characters",
				   arg, sizeof(ref->name) - 1);
	ref->id = -1;
	strcpy(ref->name, arg);
	return 0;
}

static int cmd_cell_create(const char *path)
{
	struct bh_cell_create_args args;
	struct config_file cf;
	int ret;

	if (config_file_load(path, &cf))
		return EXIT_FAILED;
	if (config_file_check_cell(&cf, NULL)) {
		config_file_free(&cf);
		return EXIT_FAILED;
	}
	memset(&args, 0, sizeof(args));
	args.config = (uintptr_t)cf.data;
	args.config_size = cf.size;	/* <= CONFIG_MAX_SIZE */
	ret = dev_call(BULKHEAD_CELL_CREATE, &args, args.reason, "cell create");
	config_file_free(&cf);
	return ret;
}

/* "0x..." is hex, anything else decimal (no octal surprise for "0100"). */
static int parse_address(const char *s, uint64_t *addr)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	if (!isxdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*addr = strtoull(s, &end, base);
	return errno || *end ? -1 : 0;
}

/* IMAGE [-a|--address ADDR] pairs into @files and @images; returns the count or -exit code. */
static int cell_load_parse(int argc, char **argv, struct config_file *files,
			   struct bh_cell_image *images)
{
	uint64_t addr;
	int i, n = 0;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--address")) {
			if (n == 0)
				return -usage_error("cell load: %s before any IMAGE", argv[i]);
			if (i + 1 == argc)
				return -usage_error("cell load: %s needs an ADDR", argv[i]);
			if (parse_address(argv[++i], &addr))
				return -usage_error("cell load: '%s' is not an address (hex with 0x, or decimal)",
						    argv[i]);
			images[n - 1].address = addr;
			continue;
		}
		if (n == BH_MAX_IMAGES)
			return -usage_error("cell load: at most %d images", BH_MAX_IMAGES);
		files[n].path = argv[i];
		images[n++].address = 0;
	}
	if (n == 0)
		return -usage_error("cell load: expects NAME|ID IMAGE [-a ADDR]...");
	return n;
}

static int cmd_cell_load(int argc, char **argv)
{
	struct config_file files[BH_MAX_IMAGES] = { { 0 } };
	struct bh_cell_image images[BH_MAX_IMAGES];
	struct bh_cell_load_args args;
	int i, n, ret = EXIT_FAILED;

	if (argc < 1)
		return usage_error("cell load: expects NAME|ID IMAGE [-a ADDR]...");
	memset(&args, 0, sizeof(args));
	if (cell_ref_parse(argv[0], &args.cell))
		return EXIT_USAGE;
	memset(images, 0, sizeof(images));
	n = cell_load_parse(argc - 1, argv + 1, files, images);
	if (n < 0)
		return -n;
	for (i = 0; i < n; i++) {
		if (config_file_load_max(files[i].path, &files[i], IMAGE_MAX_SIZE,
					 "an image"))
			goto out_free;
		images[i].source = (uintptr_t)files[i].data;
		images[i].size = files[i].size;
	}
	args.images = (uintptr_t)images;
	args.num_images = n;
	ret = dev_call(BULKHEAD_CELL_LOAD, &args, args.reason, "cell load");
out_free:
	for (i = 0; i < n; i++)
		config_file_free(&files[i]);
	return ret;
}

/* start, shutdown, destroy: one cell, no data. */
static int cmd_cell_op(const char *verb, unsigned long cmd, int argc, char **argv)
{
	struct bh_cell_op_args args;
	char what[32];

	if (argc != 1)
		return usage_error("cell %s: expects one NAME|ID", verb);
	memset(&args, 0, sizeof(args));
	if (cell_ref_parse(argv[0], &args.cell))
		return EXIT_USAGE;
	snprintf(what, sizeof(what), "cell %s", verb);
	return dev_call(cmd, &args, args.reason, what);
}

/* ---- cells in sysfs ------------------------------------------------------------ */

/* A path into @buf (PATH_MAX bytes); -ENAMETOOLONG if it does not fit. */
__attribute__((format(printf, 2, 3)))
static int path_fmt(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static const char *sysfs_root(void)
{
	const char *dir = getenv("BULKHEAD_SYSFS");

	return dir && *dir ? dir : BH_SYSFS_ROOT;
}

/* Reads the small file @dir/@name into @buf without its trailing newline. */
static int sysfs_read(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (path_fmt(path, "%s/%s", dir, name))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

/* @root/cells into @path (PATH_MAX bytes), opened; says "not enabled" if absent. */
static DIR *sysfs_cells_open(char *path)
{
	DIR *dir;

	if (path_fmt(path, "%s/cells", sysfs_root())) {
		fprintf(stderr, "bulkhead: %s: path too long\n", sysfs_root());
		return NULL;
	}
	dir = opendir(path);
	if (!dir && errno == ENOENT)
		fprintf(stderr, "bulkhead: the hypervisor is not enabled (no %s)\n", path);
	else if (!dir)
		fprintf(stderr, "bulkhead: %s: %s\n", path, strerror(errno));
	return dir;
}

/* One cells/<id>/ entry; 0 if it is no cell or went away meanwhile. */
static int sysfs_cell_read(const char *cells_dir, const char *id,
			   struct sysfs_cell *cell)
{
	char dir[PATH_MAX];

	if (!is_all_digits(id) || strlen(id) > 9)
		return 0;
	if (path_fmt(dir, "%s/%s", cells_dir, id))
		return 0;
	cell->id = strtol(id, NULL, 10);
	if (sysfs_read(dir, "name", cell->name, sizeof(cell->name)))
		return 0;
	if (sysfs_read(dir, "state", cell->state, sizeof(cell->state)))
		strcpy(cell->state, "?");
	if (sysfs_read(dir, "cpus_assigned", cell->cpus_assigned,
		       sizeof(cell->cpus_assigned)))
		strcpy(cell->cpus_assigned, "?");
	if (sysfs_read(dir, "cpus_failed", cell->cpus_failed,
		       sizeof(cell->cpus_failed)))
		strcpy(cell->cpus_failed, "?");
	return 1;
}

static int sysfs_cell_cmp(const void *a, const void *b)
{
	const struct sysfs_cell *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Every cell, sorted by ID, into *@cells (to free); returns the count or -1. */
static int sysfs_cells_read(struct sysfs_cell **cells)
{
	char path[PATH_MAX];
	struct sysfs_cell *more;
	struct dirent *de;
	int n = 0, cap = 0;
	DIR *dir;

	*cells = NULL;
	dir = sysfs_cells_open(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			more = realloc(*cells, cap * sizeof(**cells));
			if (!more) {
				fprintf(stderr, "bulkhead: out of memory\n");
				closedir(dir);
				return -1;
			}
			*cells = more;
		}
		n += sysfs_cell_read(path, de->d_name, &(*cells)[n]);
	}
	closedir(dir);
	if (n)
		qsort(*cells, n, sizeof(**cells), sysfs_cell_cmp);
	return n;
}

/* One row of the table, without trailing blanks. */
static void cell_list_row(const char *id, const char *name, const char *state,
			  const char *assigned, const char *failed)
{
	char line[4 * SYSFS_VALUE_LEN + 64];
	size_t len;

	snprintf(line, sizeof(line), "%-8s%-24s%-18s%-24s%s", id, name, state,
		 assigned, failed);
	len = strlen(line);
	while (len > 0 && line[len - 1] == ' ')
		line[--len] = '\0';
	puts(line);
}

static int cmd_cell_list(int argc)
{
	struct sysfs_cell *cells;
	char id[16];
	int i, n;

	if (argc != 0)
		return usage_error("cell list: takes no arguments");
	n = sysfs_cells_read(&cells);
	if (n < 0)
		return EXIT_FAILED;
	cell_list_row("ID", "Name", "State", "Assigned CPUs", "Failed CPUs");
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%ld", cells[i].id);
		cell_list_row(id, cells[i].name, cells[i].state,
			      cells[i].cpus_assigned, cells[i].cpus_failed);
	}
	free(cells);
	return 0;
}

/* ---- cell stats ------------------------------------------------------------------ */

#define STATS_MAX_CPUS		BH_MAX_CPUS
#define STATS_MAX_REASONS	32
#define STATS_PREFIX		BH_SYSFS_EXITS_PREFIX

/* One reason's exits per CPU column; -1: could not be read. */
struct stats_row {
	char reason[64];
	long long values[STATS_MAX_CPUS];
};

struct stats_table {
	unsigned int cpus[STATS_MAX_CPUS];	/* column -> CPU number */
	unsigned int n_cpus;
	struct stats_row rows[STATS_MAX_REASONS];
	unsigned int n_rows;
	unsigned int n_seeded;			/* rows in the ABI's order */
	long long cycles[STATS_MAX_CPUS];	/* in the exit handler; -1: unknown */
};

/* The cell that @arg names, by ID or by name; says why not. */
static int stats_find_cell(const char *arg, struct sysfs_cell *found)
{
	struct sysfs_cell *cells;
	int i, n, by_id = is_all_digits(arg);

	n = sysfs_cells_read(&cells);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (by_id ? cells[i].id == strtol(arg, NULL, 10) :
		    !strcmp(cells[i].name, arg))
			break;
	if (i < n)
		*found = cells[i];
	else if (by_id)
		fprintf(stderr, "bulkhead: no cell with ID %s\n", arg);
	else
		fprintf(stderr, "bulkhead: no cell named \"%s\"\n", arg);
	free(cells);
	return i < n ? 0 : -1;
}

static int stats_uint_cmp(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return (x > y) - (x < y);
}

/* The cpu<N> directories under @dir, sorted; whether any. */
static int stats_find_cpus(const char *dir, struct stats_table *t)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		fprintf(stderr, "bulkhead: %s: %s\n", dir, strerror(errno));
		return 0;
	}
	while ((de = readdir(d)) && t->n_cpus < STATS_MAX_CPUS)
		if (!strncmp(de->d_name, "cpu", 3) && is_all_digits(de->d_name + 3) &&
		    strlen(de->d_name + 3) < 4)
			t->cpus[t->n_cpus++] = atoi(de->d_name + 3);
	closedir(d);
	if (!t->n_cpus) {
		fprintf(stderr, "bulkhead: %s: no cpu<N> directories\n", dir);
		return 0;
	}
	qsort(t->cpus, t->n_cpus, sizeof(t->cpus[0]), stats_uint_cmp);
	return 1;
}

/* The row of @reason, added if new; NULL if the table is full. */
static struct stats_row *stats_row_get(struct stats_table *t, const char *reason)
{
	struct stats_row *row;
	unsigned int r, c;

	for (r = 0; r < t->n_rows; r++)
		if (!strcmp(t->rows[r].reason, reason))
			return &t->rows[r];
	if (t->n_rows == STATS_MAX_REASONS ||
	    strlen(reason) >= sizeof(t->rows[0].reason))
		return NULL;
	row = &t->rows[t->n_rows++];
	strcpy(row->reason, reason);
	for (c = 0; c < STATS_MAX_CPUS; c++)
		row->values[c] = -1;
	return row;
}

/* Reads every vmexits_* file of CPU column @col. */
static void stats_read_cpu(const char *stats_dir, struct stats_table *t,
			   unsigned int col)
{
	char dir[PATH_MAX], value[64];
	struct stats_row *row;
	struct dirent *de;
	char *end;
	DIR *d;

	if (path_fmt(dir, "%s/cpu%u", stats_dir, t->cpus[col]))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, STATS_PREFIX, strlen(STATS_PREFIX)))
			continue;
		row = stats_row_get(t, de->d_name + strlen(STATS_PREFIX));
		if (!row || sysfs_read(dir, de->d_name, value, sizeof(value)))
			continue;
		errno = 0;
		row->values[col] = strtoll(value, &end, 10);
		if (errno || *end || end == value || row->values[col] < 0)
			row->values[col] = -1;
	}
	closedir(d);
}

/* CPU column @col's BH_SYSFS_EXIT_CYCLES, -1 if it cannot be read. */
static void stats_read_cycles(const char *stats_dir, struct stats_table *t, unsigned int col)
{
	char dir[PATH_MAX], value[64];
	char *end;

	t->cycles[col] = -1;
	if (path_fmt(dir, "%s/cpu%u", stats_dir, t->cpus[col]) ||
	    sysfs_read(dir, BH_SYSFS_EXIT_CYCLES, value, sizeof(value)))
		return;
	errno = 0;
	t->cycles[col] = strtoll(value, &end, 10);
	if (errno || *end || end == value || t->cycles[col] < 0)
		t->cycles[col] = -1;
}

/* The ABI's reasons first, in its order (BH_EXIT_NAMES). */
static void stats_seed_rows(struct stats_table *t)
{
	static const char *const names[] = BH_EXIT_NAMES;
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		stats_row_get(t, names[i]);
	t->n_seeded = t->n_rows;
}

/* Reasons the ABI does not name sort by name; "total" goes last. */
static int stats_row_cmp(const void *a, const void *b)
{
	const struct stats_row *x = a, *y = b;
	int x_total = !strcmp(x->reason, BH_SYSFS_EXITS_TOTAL);
	int y_total = !strcmp(y->reason, BH_SYSFS_EXITS_TOTAL);

	if (x_total != y_total)
		return x_total - y_total;
	return strcmp(x->reason, y->reason);
}

/* A seeded reason that no CPU has a file for is left out. */
static int stats_row_present(const struct stats_table *t, const struct stats_row *row)
{
	unsigned int c;

	for (c = 0; c < t->n_cpus; c++)
		if (row->values[c] >= 0)
			return 1;
	return 0;
}

/* The row's sum over its CPUs; -1 if a value could not be read. */
static long long stats_row_total(const struct stats_table *t,
				 const struct stats_row *row)
{
	long long total = 0;
	unsigned int c;

	for (c = 0; c < t->n_cpus; c++) {
		if (row->values[c] < 0)
			return -1;
		total += row->values[c];
	}
	return total;
}

/* Wide enough for the largest number, with two blanks before it. */
static int stats_col_width(const struct stats_table *t)
{
	int width = (int)strlen("CPU 999") + 2, w;
	unsigned int r;

	for (r = 0; r < t->n_rows; r++) {
		w = snprintf(NULL, 0, "%lld", stats_row_total(t, &t->rows[r])) + 2;
		if (w > width)
			width = w;
	}
	return width;
}

static void stats_print_value(int width, long long value)
{
	if (value < 0)
		printf("%*s", width, "?");
	else
		printf("%*lld", width, value);
}

static void stats_print_row(const struct stats_table *t,
			    const struct stats_row *row, int width)
{
	unsigned int c;

	printf("%-18s", row->reason);
	for (c = 0; c < t->n_cpus; c++)
		stats_print_value(width, row->values[c]);
	stats_print_value(width, stats_row_total(t, row));
	putchar('\n');
}

/*
 * The hypervisor's own time per exit, in TSC cycles (the world switch
 * itself not included): what the hypervisor costs, apart from what the
 * exits cost the CPU or the emulator.
 */
static void stats_print_cycles(const struct stats_table *t, int width)
{
	struct stats_row *total = NULL;
	long long cycles = 0, exits = 0;
	unsigned int r, c;

	for (r = 0; r < t->n_rows; r++)
		if (!strcmp(t->rows[r].reason, BH_SYSFS_EXITS_TOTAL))
			total = (struct stats_row *)&t->rows[r];
	if (!total)
		return;
	printf("%-18s", "cycles/exit");
	for (c = 0; c < t->n_cpus; c++) {
		int known = t->cycles[c] >= 0 && total->values[c] > 0;

		stats_print_value(width, known ? t->cycles[c] / total->values[c] : -1);
		cycles += known ? t->cycles[c] : 0;
		exits += known ? total->values[c] : 0;
	}
	stats_print_value(width, exits ? cycles / exits : -1);
	putchar('\n');
}

static void stats_print(const struct sysfs_cell *cell, struct stats_table *t)
{
	unsigned int r, c;
	char head[16];
	int width;

	qsort(t->rows + t->n_seeded, t->n_rows - t->n_seeded, sizeof(t->rows[0]),
	      stats_row_cmp);
	width = stats_col_width(t);
	printf("Statistics for cell \"%s\" (ID %ld): VM exits\n\n", cell->name, cell->id);
	printf("%-18s", "Reason");
	for (c = 0; c < t->n_cpus; c++) {
		snprintf(head, sizeof(head), "CPU %u", t->cpus[c]);
		printf("%*s", width, head);
	}
	printf("%*s\n", width, "Total");
	for (r = 0; r < t->n_rows; r++)
		if (stats_row_present(t, &t->rows[r]))
			stats_print_row(t, &t->rows[r], width);
	stats_print_cycles(t, width);
}

/*
 * Each ivshmem device of the cell (cells/<id>/ivshmem/<bdf>/): where its
 * doorbells went, what reached the cell (BH_IVSHMEM_STAT_LIST).
 */
static void stats_print_ivshmem(long id)
{
#define STAT_NAME(id_, name) #name,
	static const char *const names[] = { BH_IVSHMEM_STAT_LIST(STAT_NAME) };
	char dir[PATH_MAX], dev[PATH_MAX], value[64];
	struct dirent **list;
	int n, i;
	size_t k;

	if (path_fmt(dir, "%s/cells/%ld/ivshmem", sysfs_root(), id))
		return;
	n = scandir(dir, &list, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.' &&
		    !path_fmt(dev, "%s/%s", dir, list[i]->d_name)) {
			if (sysfs_read(dev, "peer_id", value, sizeof(value)))
				strcpy(value, "?");
			printf("\nivshmem %s (peer %s):\n", list[i]->d_name, value);
			for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
				if (sysfs_read(dev, names[k], value, sizeof(value)))
					strcpy(value, "?");
				printf("  %-22s %s\n", names[k], value);
			}
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

static int cmd_cell_stats(int argc, char **argv)
{
	struct stats_table *t;
	struct sysfs_cell cell;
	char dir[PATH_MAX];
	unsigned int c;
	int ret = EXIT_FAILED;

	if (argc != 1)
		return usage_error("cell stats: expects one NAME|ID");
	if (stats_find_cell(argv[0], &cell))
		return EXIT_FAILED;
	t = calloc(1, sizeof(*t));
	if (!t) {
		fprintf(stderr, "bulkhead: out of memory\n");
		return EXIT_FAILED;
	}
	if (path_fmt(dir, "%s/cells/%ld/statistics", sysfs_root(), cell.id))
		fprintf(stderr, "bulkhead: %s: path too long\n", sysfs_root());
	else if (stats_find_cpus(dir, t)) {
		stats_seed_rows(t);
		for (c = 0; c < t->n_cpus; c++) {
			stats_read_cpu(dir, t, c);
			stats_read_cycles(dir, t, c);
		}
		stats_print(&cell, t);
		stats_print_ivshmem(cell.id);
		ret = 0;
	}
	free(t);
	return ret;
}

static int cmd_cell(int argc, char **argv)
{
	const char *sub = argc > 0 ? argv[0] : NULL;

	if (!sub)
		return usage_error("cell: missing subcommand");
	argc--, argv++;
	if (!strcmp(sub, "create")) {
		if (argc != 1)
			return usage_error("cell create: expects one CELLCONFIG.cell");
		return cmd_cell_create(argv[0]);
	}
	if (!strcmp(sub, "load"))
		return cmd_cell_load(argc, argv);
	if (!strcmp(sub, "start"))
		return cmd_cell_op("start", BULKHEAD_CELL_START, argc, argv);
	if (!strcmp(sub, "shutdown"))
		return cmd_cell_op("shutdown", BULKHEAD_CELL_SHUTDOWN, argc, argv);
	if (!strcmp(sub, "destroy"))
		return cmd_cell_op("destroy", BULKHEAD_CELL_DESTROY, argc, argv);
	if (!strcmp(sub, "list"))
		return cmd_cell_list(argc);
	if (!strcmp(sub, "stats"))
		return cmd_cell_stats(argc, argv);
	return usage_error("cell: unknown subcommand '%s'", sub);
}

static int cmd_hardware(int argc, char **argv)
{
	struct config_file cf;
	int ret;

	if (argc < 1 || strcmp(argv[0], "check"))
		return usage_error("hardware: expects 'check [SYSCONFIG.cell]'");
	if (argc > 2)
		return usage_error("hardware check: at most one SYSCONFIG.cell");
	if (hv_enabled()) {
		fprintf(stderr, "bulkhead: hardware check: the hypervisor is enabled, and the CPU now shows what it shows the root cell: disable it first\n");
		return EXIT_FAILED;
	}
	if (argc == 1)
		return hwcheck_run(NULL);
	if (config_file_load(argv[1], &cf))
		return EXIT_FAILED;
	ret = config_file_check(&cf) ? EXIT_FAILED : hwcheck_run((const void *)cf.data);
	config_file_free(&cf);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	/* "ok" lines and problems keep their order in a shared log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!cmd)
		return usage_error("missing command");
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("bulkhead " BULKHEAD_VERSION " (config revision %d)\n",
		       BH_CONFIG_REVISION);
		return 0;
	}
	if (!strcmp(cmd, "enable")) {
		if (argc != 3)
			return usage_error("enable: expects one SYSCONFIG.cell");
		return cmd_enable(argv[2]);
	}
	if (!strcmp(cmd, "disable")) {
		if (argc != 2)
			return usage_error("disable: takes no arguments");
		return cmd_disable();
	}
	if (!strcmp(cmd, "config"))
		return cmd_config(argc - 2, argv + 2);
	if (!strcmp(cmd, "hardware"))
		return cmd_hardware(argc - 2, argv + 2);
	if (!strcmp(cmd, "console"))
		return console_cmd(BULKHEAD_DEV, argc - 2, argv + 2);
	if (!strcmp(cmd, "cell"))
		return cmd_cell(argc - 2, argv + 2);
	return usage_error("unknown command '%s'", cmd);
}
