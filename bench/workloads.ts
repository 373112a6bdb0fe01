/**
 * The workloads, written once: the sizes (the issue's, or cut down with
 * `--quick`) and the shell scripts that overbox (in the page and in its
 * command) and native busybox run alike. Runs in Node and in the page.
 */

export interface Sizes {
  /** `/bin/true` runs in the shell loop. */
  spawnLoop: number;
  /** `exec(["true"])` calls from the library. */
  apiSpawns: number;
  /** Bytes through `cat /dev/zero | head -c N | wc -c`. */
  pipelineBytes: number;
  sha256Bytes: number;
  gzipBytes: number;
  sortLines: number;
  awkLines: number;
  /** Files created, stat'ed and unlinked. */
  metadataFiles: number;
  /** Bytes downloaded through the gateway (net.fetch). */
  downloadBytes: number;
  /** Bytes through one TCP connection over loopback. */
  loopbackBytes: number;
  /** HTTP requests to httpd over loopback, one connection each. */
  httpRequests: number;
  /** The big file written, reopened and read back. */
  persistBytes: number;
  smallFiles: number;
  smallFileBytes: number;
  /** The lower file a single byte is written into. */
  lowerFileBytes: number;
  /** Containers of one image for the memory figure. */
  containers: number;
  /** Rounds of bench/programs/crunch.c for wasi.cpu. */
  crunchRounds: number;
}

export const FULL: Sizes = {
  spawnLoop: 1000,
  apiSpawns: 1000,
  pipelineBytes: 2 ** 30,
  sha256Bytes: 64 * 2 ** 20,
  gzipBytes: 16_000_000,
  sortLines: 300_000,
  awkLines: 1_000_000,
  metadataFiles: 10_000,
  downloadBytes: 64 * 2 ** 20,
  loopbackBytes: 256 * 2 ** 20,
  httpRequests: 300,
  persistBytes: 100_000_000,
  smallFiles: 10_000,
  smallFileBytes: 100,
  lowerFileBytes: 64 * 2 ** 20,
  containers: 10,
  crunchRounds: 10_000,
};

/** For trying the suite out: the same workloads, small. Not the issue's figures. */
export const QUICK: Sizes = {
  spawnLoop: 100,
  apiSpawns: 100,
  pipelineBytes: 2 ** 24,
  sha256Bytes: 4 * 2 ** 20,
  gzipBytes: 1_000_000,
  sortLines: 20_000,
  awkLines: 50_000,
  metadataFiles: 500,
  downloadBytes: 4 * 2 ** 20,
  loopbackBytes: 16 * 2 ** 20,
  httpRequests: 30,
  persistBytes: 8_000_000,
  smallFiles: 500,
  smallFileBytes: 100,
  lowerFileBytes: 4 * 2 ** 20,
  containers: 3,
  crunchRounds: 1000,
};

/**
 * The scripts, for `sh -c`. `bb` prefixes each applet: "" in overbox
 * (where every command is BusyBox), "busybox " natively (where PATH would
 * find the host's coreutils). Timed from outside, less `baseline`'s time
 * where the workload is small.
 */
export const scripts = {
  /** Nothing: what starting the shell and waiting for it costs. */
  baseline: () => "true",
  spawnLoop: (n: number, bb: string) =>
    `i=0; while [ $i -lt ${n} ]; do ${bb ? `${bb}true` : "/bin/true"}; i=$((i+1)); done`,
  /** The same loop without a process per turn. */
  emptyLoop: (n: number) => `i=0; while [ $i -lt ${n} ]; do :; i=$((i+1)); done`,
  /** A subshell per turn: a fork and an exit, no exec (`true` is ash's builtin). */
  subshellLoop: (n: number) => `i=0; while [ $i -lt ${n} ]; do (true); i=$((i+1)); done`,
  /** A pipe of two builtins per turn: two forks, a pipe and two waits. */
  pipeLoop: (n: number) => `i=0; while [ $i -lt ${n} ]; do true | true; i=$((i+1)); done`,
  pipeline: (bytes: number, bb: string) =>
    `${bb}cat /dev/zero | ${bb}head -c ${bytes} | ${bb}wc -c`,
  sha256sum: (file: string, bb: string) => `${bb}sha256sum ${file}`,
  gzip: (file: string, bb: string) => `${bb}gzip -c ${file} > /dev/null`,
  sort: (file: string, bb: string) => `${bb}sort -n ${file} > /dev/null`,
  awk: (file: string, bb: string) => `${bb}awk '{ s += $1 } END { print s }' ${file}`,
  /** Run in an empty directory; files are named 1 … n. */
  create: (n: number, bb: string) => `${bb}seq ${n} | ${bb}xargs ${bb}touch`,
  stat: (n: number, bb: string) => `${bb}seq ${n} | ${bb}xargs ${bb}stat -c %s > /dev/null`,
  unlink: (n: number, bb: string) => `${bb}seq ${n} | ${bb}xargs ${bb}rm`,
  /**
   * `bytes` from a client to a listener over loopback TCP, counted by `wc
   * -c` on the listener's side (nc -e) and printed by the client once its
   * half-close reaches it. The client retries until the listener is up.
   */
  loopback: (bytes: number, port: number, bb: string) =>
    `${bb}nc -l -p ${port} -e ${bb}wc -c &\n` +
    `until n=$(${bb}head -c ${bytes} /dev/zero | ${bb}nc 127.0.0.1 ${port} 2>/dev/null); do ${bb}usleep 10000; done\n` +
    "wait; echo $n",
  /** httpd on `port` serving `dir`, up once a first fetch works; its pid in $server. */
  httpdUp: (dir: string, port: number, bb: string) =>
    `${bb}httpd -f -p 127.0.0.1:${port} -h ${dir} & server=$!\n` +
    `until ${bb}wget -q -O /dev/null http://127.0.0.1:${port}/f; do ${bb}usleep 10000; done\n`,
  /** `n` fetches of a small file, one connection (and one wget) each. */
  httpLoop: (n: number, port: number, bb: string) =>
    `i=0; while [ $i -lt ${n} ]; do ${bb}wget -q -O /dev/null http://127.0.0.1:${port}/f; i=$((i+1)); done\n`,
};
