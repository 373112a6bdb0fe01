/**
 * The write workload the crash harnesses kill (faults/crash.test.ts for
 * the `overbox` command, faults/crash.e2e.ts for Chromium), and the check
 * that what it acknowledged survived.
 *
 * The workload is a shell loop inside the container. Each iteration n
 * writes many small files, appends a large block (after cutting off what a
 * killed run of the same iteration appended), renames a tree over
 * another, renames a lower tree away and back, and in its first iterations
 * deletes a lower directory; then it writes n + 1 to /root/next, runs
 * `sync`, and only then prints `ack n`. A killed run resumes from
 * /root/next.
 *
 * What survives a crash is the state after some prefix of the operations
 * (UpperLayer commits whole operations, in order), and that prefix covers
 * every acknowledged iteration. So after a kill, /root/next says which
 * iterations are complete (every one up to `done`), `done` must be at least
 * the last acknowledged one, and the files of the complete iterations must
 * hold what those wrote. The iteration in progress may have left part of
 * its work: the check allows for that, and fsck checks the rest.
 */

/** Bytes appended to /root/big per iteration (more than one 64 KiB chunk). */
const BLOCK = 70_000;
/** /root/big starts afresh every this many iterations. */
const BLOCKS_PER_FILE = 15;
/** Small files are kept in this many directories, reused in turn. */
const SMALL_DIRS = 50;
/** Lower directories deleted by iterations 1, 2 and 3. */
const LOWER_DELETES = ["/usr/sbin", "/sbin", "/var"];

export const WORKLOAD = `
n=$(cat /root/next 2>/dev/null || echo 1)
while :; do
  d=/root/small/$((n % ${SMALL_DIRS})); mkdir -p $d
  for j in 1 2 3 4 5 6 7 8; do echo "$n.$j" > $d/f$j; done
  truncate -s $(( (n - 1) % ${BLOCKS_PER_FILE} * ${BLOCK} )) /root/big
  yes $n | head -c ${BLOCK} >> /root/big
  rm -rf /root/tree.new && mkdir -p /root/tree.new/a/b && echo $n > /root/tree.new/a/b/v
  rm -rf /root/tree.old; mv /root/tree /root/tree.old 2>/dev/null; mv /root/tree.new /root/tree
  mv /etc /etc.away && mv /etc.away /etc
  case $n in ${LOWER_DELETES.map((d, i) => `${i + 1}) rm -rf ${d} ;;`).join(" ")} esac
  echo $((n + 1)) > /root/next
  sync
  echo ack $n
  n=$((n + 1))
done
`;

/**
 * Prints `done M` (the last complete iteration), then a `bad ...` line for
 * each thing a complete iteration wrote that is not there.
 */
export const CHECK = `
n=$(cat /root/next 2>/dev/null || echo 1); m=$((n - 1))
echo done $m
k=$((m - ${SMALL_DIRS} + 2)); [ $k -lt 1 ] && k=1
while [ $k -le $m ]; do
  for j in 1 2 3 4 5 6 7 8; do
    [ "$(cat /root/small/$((k % ${SMALL_DIRS}))/f$j 2>/dev/null)" = "$k.$j" ] || echo "bad small file $k.$j"
  done
  k=$((k + 1))
done
if [ $m -ge 1 ] && [ $((n % ${BLOCKS_PER_FILE})) != 1 ]; then
  first=$((m - (m - 1) % ${BLOCKS_PER_FILE}))
  size=$(wc -c < /root/big)
  [ $size -ge $(( (m - first + 1) * ${BLOCK} )) ] || echo "bad big size $size"
  b=$first
  while [ $b -le $m ]; do
    want=$(yes $b | head -c ${BLOCK} | cksum)
    got=$(dd if=/root/big bs=${BLOCK} skip=$((b - first)) count=1 2>/dev/null | cksum)
    [ "$got" = "$want" ] || echo "bad big block $b"
    b=$((b + 1))
  done
fi
if [ $m -ge 1 ]; then
  v=$(cat /root/tree/a/b/v 2>/dev/null || cat /root/tree.old/a/b/v 2>/dev/null)
  [ "$v" = $m ] || [ "$v" = $n ] || echo "bad tree $v"
fi
[ -f /etc/passwd ] || [ -f /etc.away/passwd ] || echo "bad etc"
${LOWER_DELETES.map((d, i) => `[ $m -ge ${i + 1} ] && [ -e ${d} ] && echo "bad ${d} is back"`).join("\n")}
true
`;

/** What the check found: the last complete iteration, and what is wrong. */
export function checked(output: string, acked: number): string[] {
  const lines = output.trim().split("\n");
  const done = Number(/^done (\d+)$/.exec(lines[0] ?? "")?.[1] ?? NaN);
  const wrong = lines.filter((l) => l.startsWith("bad "));
  if (Number.isNaN(done)) wrong.unshift(`the check printed no "done": ${output.slice(0, 200)}`);
  else if (done < acked)
    wrong.unshift(`iteration ${acked} was acknowledged, but only ${done} is there`);
  return wrong;
}

/** The last `ack N` in text a run printed (0 if none). */
export function lastAck(text: string): number {
  let last = 0;
  for (const m of text.matchAll(/^ack (\d+)$/gm)) last = Math.max(last, Number(m[1]));
  return last;
}

/**
 * How many kills a harness makes: $OVERBOX_CRASH_KILLS, else 50 (the
 * issue's count). CI sets a shorter count.
 */
export function killCount(): number {
  const n = Number(process.env.OVERBOX_CRASH_KILLS ?? 50);
  if (!Number.isInteger(n) || n < 1)
    throw new Error("OVERBOX_CRASH_KILLS must be a positive integer");
  return n;
}
