/* SPDX-License-Identifier: MIT */
/*
 * sensorgw: command line.  The only place that decides to exit.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/statusfile.h"
#include "drivers/driver.h"
#include "drivers/scan.h"
#include "load/load.h"
#include "util/log.h"
#include "util/parse.h"

#define EXIT_USAGE 64	/* EX_USAGE */
#define EXIT_CONFIG 78	/* EX_CONFIG */

#define DEFAULT_CONFIG SGW_SYSCONFDIR "/sensorgw/sensorgw.ini"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sensorgw [options]\n"
		"       sensorgw scan [--bus N]\n"
		"       sensorgw status [-c FILE]\n"
		"\n"
		"Reads sensors and publishes their values to MQTT.\n"
		"\n"
		"  -c, --config FILE    configuration (default %s)\n"
		"  -n, --check-config   check the configuration and exit (78 on errors)\n"
		"      --once           sample every sensor once, publish, wait for the\n"
		"                       broker's acknowledgements, exit 0 (or 1)\n"
		"      --once-timeout T how long --once waits (default 30s)\n"
		"  -f, --foreground     stay in the foreground (systemd runs it so)\n"
		"  -v, --verbose        log debug messages\n"
		"  -q, --quiet          log warnings and errors only\n"
		"      --version        print the version\n"
		"  -h, --help           this text\n"
		"\n"
		"status prints the running gateway's statistics (queue depth, oldest\n"
		"reading, drops, corruption, uplinks, failing sensors) as JSON.\n"
		"\n"
		"scan probes the I2C buses (or bus N) for known chips and lists 1-Wire and\n"
		"IIO sensors, printing INI sections ready to paste into the configuration.\n"
		"\n"
		"Drivers:\n", DEFAULT_CONFIG);
	for (size_t i = 0; sgw_drivers[i]; i++)
		fprintf(f, "  %-12s %s\n", sgw_drivers[i]->name, sgw_drivers[i]->summary);
}

/* sensorgw status [-c FILE]: print the status file of the running gateway. */
static int status_main(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	struct sgw_config *cfg = NULL;
	struct sgw_diag diag;
	struct stat st;
	char *file, buf[8192];
	FILE *f;
	size_t n;
	int c;

	while ((c = getopt(argc, argv, "c:")) != -1) {
		if (c != 'c') {
			fprintf(stderr, "usage: sensorgw status [-c FILE]\n");
			return EXIT_USAGE;
		}
		path = optarg;
	}
	diag = (struct sgw_diag){ .file = path, .out = stderr };
	if (sgw_config_load(path, &diag, &cfg) < 0)
		return EXIT_CONFIG;
	file = sgw_statusfile_path(cfg);
	sgw_config_free(cfg);
	if (!file)
		return 1;
	f = fopen(file, "r");
	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "sensorgw status: %s: %s (is sensorgw running?)\n", file, strerror(errno));
		free(file);
		if (f)
			fclose(f);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	printf("%s\n", buf);
	fprintf(stderr, "(%s, written %lld s ago)\n", file, (long long)(time(NULL) - st.st_mtime));
	free(file);
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_ONCE = 256, OPT_ONCE_TIMEOUT, OPT_VERSION };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "once-timeout", required_argument, NULL, OPT_ONCE_TIMEOUT },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sgw_daemon_opts opts = { .config_path = DEFAULT_CONFIG, .once_timeout_ms = 30000 };
	bool check_only = false, foreground = false;
	struct sgw_config *cfg = NULL;
	struct sgw_diag diag;
	uint32_t ms;
	int c, err;

	if (argc > 1 && strcmp(argv[1], "scan") == 0)
		return sgw_scan_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "status") == 0)
		return status_main(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "c:nfvqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opts.config_path = optarg;
			break;
		case 'n':
			check_only = true;
			break;
		case OPT_ONCE:
			opts.once = true;
			break;
		case OPT_ONCE_TIMEOUT:
			if (sgw_parse_duration_ms(optarg, 1, 3600000, &ms) < 0) {
				fprintf(stderr, "sensorgw: --once-timeout: \"%s\" is not a duration (1ms..1h)\n", optarg);
				return EXIT_USAGE;
			}
			opts.once_timeout_ms = (int)ms;
			break;
		case 'f':
			foreground = true;
			break;
		case 'v':
			log_set_level(SGW_LOG_DEBUG);
			break;
		case 'q':
			log_set_level(SGW_LOG_WARNING);
			break;
		case OPT_VERSION:
			printf("sensorgw %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sensorgw: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}

	/* Starting, the messages join the log (and its levels); -n's are for a person. */
	diag = (struct sgw_diag){ .file = opts.config_path, .out = stderr, .levels = !check_only };
	err = sgw_config_load(opts.config_path, &diag, &cfg);
	if (err < 0) {
		fprintf(stderr, "%s%s: %d error(s), not starting\n", diag.levels ? "<3>" : "",
			opts.config_path, diag.errors ? diag.errors : 1);
		return EXIT_CONFIG;
	}
	if (check_only) {
		if (diag.warnings)
			printf("configuration OK, %d warning%s\n", diag.warnings, diag.warnings > 1 ? "s" : "");
		else
			printf("configuration OK\n");
		sgw_config_free(cfg);
		return 0;
	}
	/*
	 * A service manager that gave us $NOTIFY_SOCKET waits for READY=1 from
	 * the process it started (Type=notify): never fork away from it.
	 */
	if (!foreground && !opts.once && !getenv("NOTIFY_SOCKET") && daemon(0, 1) < 0)
		fatal("daemon");
	return sgw_daemon_run(cfg, &opts);
}
