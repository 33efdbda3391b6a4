// SPDX-License-Identifier: GPL-2.0-only
/*
 * bulkhead: the command-line tool, with Jailhouse's habits.
 *
 *   bulkhead enable SYSCONFIG.cell	check the config, then start the hypervisor
 *   bulkhead disable			stop it, Linux runs natively again
 *   bulkhead config check FILE.cell	only check a config, locally
 *
 * A system config is checked here with the hypervisor's own validator
 * (hypervisor/core/config_check.c) before the driver sees it, so users
 * get every problem at once and in words. Exit codes: 0 done, 1 the
 * operation failed, 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bulkhead/config.h>
#include <bulkhead/ioctl.h>

/*
 * By path, not through -Ihypervisor/include: that directory has the
 * hypervisor's own <errno.h>, which would hide the C library's here.
 */
#include "../hypervisor/include/config_check.h"

#define BULKHEAD_VERSION	"0.1"
#define BULKHEAD_DEV		"/dev/bulkhead"
#define CONFIG_MAX_SIZE		(1024 * 1024)

#define EXIT_FAILED		1
#define EXIT_USAGE		2

/* A whole config file in memory. */
struct config_file {
	const char *path;
	uint8_t *data;
	size_t size;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bulkhead COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  enable SYSCONFIG.cell      check the system config and start the hypervisor\n"
		"  disable                    stop the hypervisor; Linux runs natively again\n"
		"  config check CONFIG.cell   check a config file without loading it\n"
		"  help, --help, -h           show this text\n"
		"  --version                  show the version\n"
		"\n"
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

/* Loads @path into @cf; says why not on stderr. */
static int config_file_load(const char *path, struct config_file *cf)
{
	struct stat st;
	int fd, err;

	cf->path = path;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "bulkhead: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		fprintf(stderr, "bulkhead: %s: %s\n", path, strerror(errno));
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "bulkhead: %s: not a regular file\n", path);
		goto err_close;
	}
	if (st.st_size == 0) {
		fprintf(stderr, "bulkhead: %s: file is empty\n", path);
		goto err_close;
	}
	if (st.st_size > CONFIG_MAX_SIZE) {
		fprintf(stderr, "bulkhead: %s: file is %lld bytes, over the limit of %d for a config\n",
			path, (long long)st.st_size, CONFIG_MAX_SIZE);
		goto err_close;
	}
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

static void config_file_free(struct config_file *cf)
{
	free(cf->data);
	cf->data = NULL;
}

/* config_sink callback: one problem per line, prefixed with the file name. */
__attribute__((format(printf, 2, 3)))
static void config_report(void *ctx, const char *fmt, ...)
{
	const struct config_file *cf = ctx;
	va_list ap;

	fprintf(stderr, "bulkhead: %s: ", cf->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The local check; every problem has been printed when it fails. */
static int config_file_check(struct config_file *cf)
{
	struct config_sink sink = { .report = config_report, .ctx = cf };

	return config_check_system(cf->data, cf->size, &sink);
}

static int is_cell_config(const struct config_file *cf)
{
	return cf->size >= BH_SIGNATURE_LEN &&
	       memcmp(cf->data, BH_CELL_SIGNATURE, BH_SIGNATURE_LEN) == 0;
}

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
	} else {
		ret = 0;
	}
	close(fd);
out_free:
	config_file_free(&cf);
	return ret;
}

static int cmd_disable(void)
{
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
	else
		fprintf(stderr, "bulkhead: disable failed: %s\n", strerror(err));
	return EXIT_FAILED;
}

static int cmd_config_check(const char *path)
{
	struct config_file cf;
	int ret = EXIT_FAILED;

	if (config_file_load(path, &cf))
		return EXIT_FAILED;
	if (is_cell_config(&cf)) {
		fprintf(stderr, "bulkhead: %s: cell configs are not supported yet\n",
			path);
		ret = EXIT_USAGE;
	} else if (config_file_check(&cf) == 0) {
		printf("%s: ok\n", path);
		ret = 0;
	}
	config_file_free(&cf);
	return ret;
}

static int cmd_config(int argc, char **argv)
{
	if (argc < 1)
		return usage_error("config: missing subcommand");
	if (strcmp(argv[0], "check") != 0)
		return usage_error("config: unknown subcommand '%s'", argv[0]);
	if (argc != 2)
		return usage_error("config check: expects one CONFIG.cell");
	return cmd_config_check(argv[1]);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

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
	return usage_error("unknown command '%s'", cmd);
}
