/**
 * Shell snippets that rootfs/shell.test.ts runs with `sh -c` in the
 * container and with Debian's native busybox, comparing stdout, stderr and
 * the exit status. Each runs in a fresh copy of FIXTURES, as its cwd, with
 * relative paths only.
 */
import type { Outcome } from "./testing.ts";

export interface Snippet {
  /** The behaviour it proves: the test's name. */
  name: string;
  script: string;
  stdin?: string;
  /**
   * The two sides legitimately differ: why, and the normal form in which
   * both outcomes are compared instead.
   */
  differs?: { reason: string; normalise: (o: Outcome) => Outcome };
  /**
   * A bug in overbox (the kernel, the WASI glue or the libc compatibility
   * layer) makes the container's outcome wrong: what it is. The test is
   * expected to fail until it is fixed.
   */
  bug?: string;
}

/** The files every snippet finds in its working directory (mode 644 unless given). */
export const FIXTURES: Record<string, { content: string | Uint8Array; mode?: number }> = {
  fruits: { content: "apple\nbanana\ncherry\ndate\nelderberry\n" },
  numbers: { content: "3\n1\n4\n1\n5\n9\n2\n6\n" },
  "dir/a.txt": { content: "alpha\n" },
  "dir/b.txt": { content: "beta\n" },
  "dir/sub/c.txt": { content: "gamma\n" },
  "noexec.sh": { content: "#!/bin/sh\necho never\n", mode: 0o644 },
  // Native /bin/sh is dash, so a `#!/bin/sh` script says only what dash and ash say alike.
  "hello.sh": { content: '#!/bin/sh\necho "hello $*"\nexit 7\n', mode: 0o755 },
};

/** A script of several lines (here-documents need real newlines). */
const lines = (...l: string[]) => l.join("\n") + "\n";

/** musl's words for socket errors, as glibc words them (what the native side prints). */
const musl = (o: Outcome): Outcome => ({
  ...o,
  stderr: o.stderr.replace(/\bAddress in use\b/g, "Address already in use"),
});

export const SNIPPETS: Record<string, Snippet[]> = {
  pipelines: [
    {
      name: "a pipeline feeds each stage's stdout to the next stage's stdin",
      script: "printf 'b\\na\\nc\\n' | sort | tr a-c A-C",
    },
    {
      name: "a pipeline's status is its last stage's status",
      script: "false | true; echo $?; true | false; echo $?",
    },
    {
      name: "a five-stage pipeline",
      script: "cat fruits | grep e | sort -r | head -n 3 | wc -l",
    },
    {
      name: "! negates a pipeline's status",
      script: "! true | false; echo $?; ! true; echo $?",
    },
    {
      name: "stderr bypasses the pipe unless 2>&1 joins it",
      script: "ls nothere | wc -l; ls nothere 2>&1 | wc -l",
    },
    {
      name: "yes | head -n 3 ends when head does",
      script: "yes | head -n 3; echo $?",
    },
    {
      name: "cat /dev/zero | head -c 1000000 | wc -c moves a megabyte through two pipes",
      script: "cat /dev/zero | head -c 1000000 | wc -c",
    },
    {
      name: "more than a pipe buffer flows through a pipe",
      script: "seq 1 30000 | tail -n 2; seq 1 30000 | wc -c",
    },
    {
      name: "a while loop reads a pipeline line by line",
      script: 'seq 3 | while read n; do echo "n=$n"; done',
    },
    {
      name: "the last stage of a pipeline runs in a subshell",
      script: "x=1; echo 2 | read x; echo $x",
    },
    {
      name: "a compound command is a pipeline stage",
      script:
        "{ echo b; echo a; } | sort; for i in 3 1 2; do echo $i; done | sort -n | tr '\\n' ' '; echo",
    },
    {
      name: "tee copies a pipeline to a file",
      script: "seq 1 3 | tee copy | wc -l; cat copy",
    },
    {
      name: "set -o pipefail reports the last failing stage",
      script:
        "set -o pipefail; false | true; echo $?; (exit 3) | (exit 4) | true; echo $?; true | true; echo $?",
    },
    {
      name: "with pipefail, yes | head reports yes's SIGPIPE as 141",
      script: "set -o pipefail; yes | head -n 1 >/dev/null; echo $?",
    },
  ],

  redirections: [
    {
      name: "> truncates and >> appends",
      script: "echo one > f; echo two >> f; echo three >> f; cat f; echo four > f; cat f",
    },
    {
      name: "< makes a file the command's stdin",
      script: "wc -l < fruits; tr a-z A-Z < dir/a.txt",
    },
    {
      name: "2>&1 sends stderr where stdout goes",
      script: "{ echo out; echo err >&2; } > both 2>&1; sort both",
    },
    {
      name: "redirections apply left to right: 2>&1 >file keeps stderr on the old stdout",
      script: 'ls nothere 2>&1 >f; echo "f has $(wc -c < f) bytes"',
    },
    {
      name: "<> opens a file for reading and writing at offset 0",
      script:
        'echo hello > f; exec 3<>f; read w <&3; echo "read $w"; echo more >&3; exec 3>&-; cat f',
    },
    {
      name: "<> as a command's stdin",
      script: "echo abc > f; cat <> f",
    },
    {
      name: "a here-document expands parameters and commands",
      script: lines("cat <<EOF", "home is $HOME", "sub $(echo stituted) and `echo back`", "EOF"),
    },
    {
      name: "a quoted here-document delimiter keeps the text literal",
      script: lines("cat <<'EOF'", "$HOME $(echo no) `echo no` \\n", "EOF"),
    },
    {
      name: "<<- strips leading tabs from the body and the delimiter",
      script: lines(
        "cat <<-EOF",
        "\tone tab",
        "\t\ttwo tabs",
        "  spaces kept",
        "\tEOF",
        "echo after",
      ),
    },
    {
      name: "two here-documents on one line feed two commands",
      script: lines("cat <<A; cat <<B", "from a", "A", "from b", "B"),
    },
    {
      name: "a here-document feeds a function and a loop",
      script: lines('f() { while read l; do echo "f: $l"; done; }', "f <<EOF", "x", "y", "EOF"),
    },
    {
      name: "a loop's output is redirected as a whole",
      script: "for i in 1 2 3; do echo $i; done > f; wc -l < f; cat f",
    },
    {
      name: "redirecting into a name that must be a directory (missing/, or a link to one) fails and creates nothing",
      script:
        "echo x > missing/ ; echo $?; ln -s gone/ l; echo x > l; echo $?; ls gone l/ 2>&1; echo $?",
    },
    {
      name: "redirecting into a missing directory fails with a message",
      script: "echo x > nodir/f; echo $?",
    },
    {
      name: "redirecting from a missing file fails with a message",
      script: "cat < missing; echo $?",
    },
    {
      name: "set -C refuses to clobber, >| overrides",
      script: "set -C; echo a > f; echo b > f; echo $?; echo c >| f; cat f",
    },
    {
      name: "a redirection to /dev/null discards output",
      script: "echo gone > /dev/null; ls nothere 2>/dev/null; echo $?",
    },
    {
      name: "a file descriptor above 2 carries data between commands",
      script: "{ echo to-three >&3; } 3> f3; cat f3",
    },
    {
      name: "a redirection of fd 4 leaves fd 3 alone",
      script: "{ echo to-four >&4; } 4> f4; cat f4",
    },
  ],

  substitution: [
    {
      name: "$(...) captures stdout and drops trailing newlines",
      script: "x=$(printf 'a\\n\\n\\n'); echo \"[$x]\"",
    },
    {
      name: "backquotes substitute like $(...)",
      script: "echo `echo back` `expr 2 + 3`",
    },
    {
      name: "$(...) nests",
      script: "echo $(echo a $(echo b $(echo c)))",
    },
    {
      name: "backquotes nest with escaping",
      script: "echo `echo outer \\`echo inner\\``",
    },
    {
      name: "an assignment's status is its command substitution's",
      script: "x=$(exit 7); echo $?",
    },
    {
      name: "command substitution runs in a subshell",
      script: "x=1; y=$(x=2; echo $x); echo $x $y",
    },
    {
      name: "an unquoted substitution is split into words, a quoted one is not",
      script: "set -- $(printf 'a b\\nc'); echo $#; set -- \"$(printf 'a b\\nc')\"; echo $#",
    },
    {
      name: "a large command substitution is read in full",
      script: "x=$(seq 1 20000); echo ${#x}",
    },
    {
      name: "a substitution inside an arithmetic expansion",
      script: "echo $(( $(seq 5 | tr '\\n' '+') 0 ))",
    },
  ],

  subshells: [
    {
      name: "a subshell's variables and cd do not leak",
      script: 'x=1; (x=2; cd dir; echo "$x ${PWD##*/}"); echo "$x ${PWD##*/}"',
    },
    {
      name: "a subshell's status is the status of its last command",
      script: "(exit 4); echo $?; (false; true); echo $?",
    },
    {
      name: "exit in a subshell does not end the shell",
      script: "(echo in; exit 1; echo never); echo still here",
    },
    {
      name: "a subshell does not run its parent's EXIT trap",
      script: "trap 'echo parent trap' EXIT; (echo in subshell); echo end",
    },
    {
      name: "subshells on both ends of a pipe",
      script: '(echo a; echo b) | (read x; read y; echo "$y$x")',
    },
    {
      name: "$$ in a subshell is the parent shell's pid",
      script:
        'a=$$; b=$(echo $$); c=$( (echo $$) ); [ "$a" = "$b" ] && [ "$a" = "$c" ] && echo same',
    },
    {
      name: "$$ is a number",
      script: "echo $$ | grep -c '^[0-9][0-9]*$'",
    },
  ],

  functions: [
    {
      name: "a function has its own positional parameters",
      script: 'f() { echo "$# $1 $2"; }; set -- x; f a "b c"; echo "$# $1"',
    },
    {
      name: "local variables are restored when the function returns",
      script: 'x=global; f() { local x=local; echo $x; g; }; g() { echo "g sees $x"; }; f; echo $x',
    },
    {
      name: "return sets a function's status, falling off the end keeps the last one",
      script:
        "f() { return 3; }; f; echo $?; g() { false; }; g; echo $?; h() { true; return; }; h; echo $?",
    },
    {
      name: "a recursive function computes 10!",
      script:
        "fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1 - 1))) )); fi; }; fact 10",
    },
    {
      name: "recursion with locals computes fibonacci numbers",
      script:
        "fib() { local n=$1 a b; if [ $n -lt 2 ]; then echo $n; return; fi; a=$(fib $((n-1))); b=$(fib $((n-2))); echo $((a+b)); }; fib 8",
    },
    {
      name: "a function can be redefined and unset",
      script: "f() { echo one; }; f; f() { echo two; }; f; unset -f f; f; echo $?",
    },
    {
      name: "a function's output can be piped",
      script: "f() { echo c; echo a; echo b; }; f | sort",
    },
    {
      name: "a function changes global variables",
      script: "n=0; inc() { n=$((n+1)); }; inc; inc; inc; echo $n",
    },
    {
      name: "exit in a function ends the shell",
      script: "f() { echo in f; exit 6; }; f; echo never",
    },
  ],

  loops: [
    {
      name: "for iterates over words as quoted",
      script: 'for w in a "b c" d; do echo "<$w>"; done',
    },
    {
      name: "for without in iterates over the positional parameters",
      script: "set -- x 'y z'; for a; do echo \"[$a]\"; done",
    },
    {
      name: "for iterates over a sorted glob",
      script: "for f in dir/*.txt dir/*/*.txt; do echo $f; done",
    },
    {
      name: "while loops until its condition fails",
      script: "i=0; while [ $i -lt 5 ]; do i=$((i+1)); echo $i; done",
    },
    {
      name: "until loops until its condition succeeds",
      script: "i=3; until [ $i -eq 0 ]; do echo $i; i=$((i-1)); done",
    },
    {
      name: "break and continue",
      script: "for i in 1 2 3 4 5 6; do [ $i = 2 ] && continue; [ $i = 5 ] && break; echo $i; done",
    },
    {
      name: "continue 2 and break 2 act on the outer loop",
      script:
        "for i in 1 2 3; do for j in a b c; do [ $j = b ] && continue 2; [ $i = 3 ] && break 2; echo $i$j; done; done; echo done",
    },
    {
      name: "while read with IFS splits fields",
      script: lines('while IFS=: read a b; do echo "$b-$a"; done <<EOF', "1:one", "2:two", "EOF"),
    },
    {
      name: "a loop that runs no body has status 0",
      script: "false; for i in; do :; done; echo $?; false; while false; do :; done; echo $?",
    },
    {
      name: "a loop reads a file redirected into it",
      script: 'n=0; while read l; do n=$((n+1)); done < fruits; echo "$n lines"',
    },
  ],

  case: [
    {
      name: "case matches globs, classes and alternatives",
      script:
        'for x in apple Banana 42 "" kiwi; do case $x in a*|k*) echo "$x: a or k";; [A-Z]*) echo "$x: capital";; *[0-9]) echo "$x: number";; "") echo empty;; esac; done',
    },
    {
      name: "case falls back to *",
      script: "case zzz in a) echo a;; *) echo default;; esac",
    },
    {
      name: "a quoted pattern matches literally, an unquoted one as a glob",
      script:
        "p='a*'; case 'a*' in \"$p\") echo literal;; esac; case abc in $p) echo glob;; esac; case abc in \"$p\") echo wrong;; *) echo no literal match;; esac",
    },
    {
      name: "case without a match has status 0",
      script: "false; case x in y) ;; esac; echo $?",
    },
  ],

  background: [
    {
      name: "wait waits for background jobs",
      script: "(sleep 0.2; echo late) & echo early; wait; echo after",
    },
    {
      name: "wait $! gives the job's exit status",
      script: "(exit 5) & wait $!; echo $?",
    },
    {
      name: "wait gives each job's own status",
      script: "(exit 1) & a=$!; (sleep 0.1; exit 2) & b=$!; wait $b; echo $?; wait $a; echo $?",
    },
    {
      name: "a job killed by a signal has status 128 plus the signal",
      script: "sleep 5 & kill $!; wait $!; echo $?",
    },
    {
      name: "$! is a number",
      script: "true & echo $! | grep -c '^[0-9][0-9]*$'; wait",
    },
    {
      name: "background jobs write their own files",
      script: "for i in 1 2 3; do (echo job$i > out$i) & done; wait; cat out1 out2 out3",
    },
    {
      name: "wait with no jobs returns 0",
      script: "wait; echo $?",
    },
    {
      name: "background jobs run while the shell goes on",
      script: "(sleep 0.3; echo slow) & echo fast; wait",
    },
    {
      name: "a background pipeline",
      script: "seq 5 | sort -r | head -n 2 > top & wait $!; echo $?; cat top",
    },
  ],

  "set -e": [
    {
      name: "set -e ends the shell at a failing command",
      script: "set -e; echo before; false; echo after",
    },
    {
      name: "set -e is not triggered by conditions, && and || lists, or !",
      script:
        "set -e; if false; then :; fi; false || echo or; false && echo no; ! true; while false; do :; done; echo survived",
    },
    {
      name: "set -e exits with the failing command's status",
      script: "set -e; (exit 3); echo never",
    },
    {
      name: "set -e in a subshell ends only the subshell",
      script: '(set -e; false; echo no); echo "sub $?"',
    },
    {
      name: "set -e looks only at a pipeline's last stage",
      script: "set -e; false | true; echo ok; true | false; echo never",
    },
    {
      name: "set -e is off inside a function called as a condition",
      script: 'set -e; f() { false; echo "in f"; }; if f; then echo yes; fi; f; echo never',
    },
    {
      name: "set +e turns it off again",
      script: "set -e; set +e; false; echo $?",
    },
  ],

  traps: [
    {
      name: "an EXIT trap runs when the script ends",
      script: "trap 'echo bye' EXIT; echo hi",
    },
    {
      name: "an EXIT trap runs on exit and keeps the status",
      script: "trap 'echo cleanup $?' EXIT; exit 3",
    },
    {
      name: "a USR1 trap runs on kill -USR1 $$",
      script: "trap 'echo got usr1' USR1; kill -USR1 $$; echo after",
    },
    {
      name: "trap '' INT ignores SIGINT",
      script: "trap '' INT; kill -INT $$; echo survived",
    },
    {
      name: "trap - restores the default action",
      script:
        "sh -c 'trap \"echo caught\" TERM; kill -TERM $$; trap - TERM; kill -TERM $$; echo not reached'; echo $?",
    },
    {
      name: "trap with no arguments lists the traps",
      script: "trap 'echo x' EXIT USR1; trap",
    },
    {
      name: "an ignored signal stays ignored in a child shell",
      script: "trap '' USR1; sh -c 'kill -USR1 $$; echo child survived'; echo $?",
    },
    {
      name: "a trap runs while the shell waits for a job",
      script: "trap 'echo usr1' USR1; (sleep 0.2; kill -USR1 $$) & wait; wait; echo done",
    },
    {
      name: "an EXIT trap runs after a signal trap's exit",
      script: "trap 'echo term; exit 9' TERM; trap 'echo exit' EXIT; kill $$; echo never",
    },
  ],

  scripts: [
    {
      name: "a #!/bin/sh script runs by its path",
      script: "./hello.sh a b; echo $?",
    },
    {
      name: "a script written by the shell runs once made executable",
      script: lines(
        "printf '#!%s\\n' \"$(command -v sh)\" > s",
        "cat >> s <<'EOF'",
        'echo "script got $# args: $*"',
        "exit 42",
        "EOF",
        "./s; echo $?; chmod +x s; ./s one two; echo $?",
      ),
    },
    {
      name: "sh file runs a file without execute permission",
      script: "printf 'echo \"from $0 with $1\"\\n' > s; sh s arg; echo $?",
    },
    {
      name: ". file runs in the current shell",
      script:
        "printf 'X=sourced\\ngreet() { echo \"hi $1\"; }\\n' > lib; . ./lib; echo $X; greet you",
    },
    {
      name: "return ends a sourced file",
      script: "printf 'echo one\\nreturn 3\\necho two\\n' > lib; . ./lib; echo $?",
    },
    {
      name: "a script is found in PATH",
      script:
        "mkdir b; printf '#!/bin/busybox sh\\necho \"in path: $0\"\\n' > b/mycmd; chmod +x b/mycmd; PATH=$PWD/b:$PATH mycmd | sed 's|.*/||'",
    },
    {
      name: "a #!/bin/sh script reads its stdin",
      script:
        "printf '#!/bin/sh\\nwhile read l; do echo \"[$l]\"; done\\n' > s; chmod +x s; printf 'x\\ny\\n' | ./s",
    },
    {
      name: "a #! line passes one argument to its interpreter",
      script:
        'printf \'#!%s -f\\n{ print NR ": " $0 }\\n\' "$(command -v awk)" > s; chmod +x s; ./s fruits',
    },
    {
      name: "sh -c gives $0 and the positional parameters",
      script: "sh -c 'echo \"$0 $1 $2 $#\"' zero one two",
    },
    {
      name: "sh -s reads the script from stdin",
      script: "sh -s a b; echo $?",
      stdin: 'echo "from stdin $1 $2"\nexit 5\n',
    },
    {
      name: "sh -c inside sh -c",
      script: "sh -c 'sh -c \"echo deep; exit 2\"; echo $?'",
    },
    {
      name: "a syntax error is reported with status 2",
      script: "sh -c 'if then'; echo $?",
    },
  ],

  exec: [
    {
      name: "exec 3>file opens fd 3 for the rest of the script",
      script: "exec 3>f; echo to3 >&3; echo more >&3; exec 3>&-; cat f",
    },
    {
      name: "after exec 3>file the shell still opens other files",
      script: "exec 3>f; echo x > g; cat g; echo y >&3; exec 3>&-; cat f",
    },
    {
      name: "exec 3<file reads line by line through fd 3",
      script: 'exec 3<fruits; read a <&3; read b <&3; echo "$a $b"; exec 3<&-',
    },
    {
      name: "exec >&- closes stdout: later writes fail",
      script: 'exec >&-; echo x; echo "status $?" >&2',
    },
    {
      name: "exec >file redirects the shell, and can be undone with a saved fd",
      script: "exec 4>&1 >f; echo one; echo two; exec >&4 4>&-; echo back; cat f",
    },
    {
      name: "exec replaces the shell with a command",
      script: "exec echo replaced; echo never",
    },
    {
      name: "exec passes on the new program's status",
      script: "exec sh -c 'exit 9'",
    },
    {
      name: "exec of a missing command fails with 127",
      script: "exec nosuch; echo never",
    },
    {
      name: "exec in a subshell replaces only the subshell",
      script: "(exec echo sub); echo parent",
    },
    {
      name: "a reading fd and a writing fd to the same file",
      script: "echo line1 > f; exec 5<f 6>>f; echo line2 >&6; cat <&5; exec 5<&- 6>&-",
    },
  ],

  "exit statuses": [
    {
      name: "a command that is not found is 127 with a message",
      script: "nosuchcmd; echo $?",
    },
    {
      name: "a file that is not executable is 126 with a message",
      script: "./noexec.sh; echo $?",
    },
    {
      name: "a directory is not executable",
      script: "./dir; echo $?",
    },
    {
      name: "a missing path is 127",
      script: "./missing; echo $?",
    },
    {
      name: "a shell killed by SIGTERM is 143",
      script: "sh -c 'kill -TERM $$'; echo $?",
    },
    {
      name: "a shell killed by SIGKILL is 137",
      script: "sh -c 'kill -KILL $$'; echo $?",
    },
    {
      name: "kill -l names the signal of a status",
      script: "sh -c 'kill -INT $$'; kill -l $?",
    },
    {
      name: "exit statuses are taken modulo 256",
      script: "sh -c 'exit 300'; echo $?",
    },
    {
      name: "the script's status is its last command's",
      script: "echo last; false",
    },
    {
      name: "exit with no argument keeps the last status",
      script: "(false; exit); echo $?",
    },
    {
      name: "kill -0 checks that a process exists",
      script: "kill -0 $$; echo $?",
    },
  ],

  "applets that run commands": [
    {
      name: "xargs runs a command with its stdin as arguments",
      script: "printf 'a b\\nc\\n' | xargs echo got",
    },
    {
      name: "xargs -n runs a shell per argument",
      script: "printf '1\\n2\\n3\\n' | xargs -n 1 sh -c 'echo \"arg $0\"'",
    },
    {
      name: "xargs -0 -I substitutes each argument",
      script: "printf 'x y\\0z\\0' | xargs -0 -I{} echo '<{}>'",
    },
    {
      name: "xargs reports a failing command as 123",
      script: "echo a | xargs false; echo $?",
    },
    {
      name: "xargs reports a missing command as 127",
      script: "echo a | xargs nosuchcmd; echo $?",
    },
    {
      name: "find -exec ... \\; runs a command per file",
      script: "find dir -name '*.txt' -exec cat {} \\; | sort",
    },
    {
      name: "find -exec ... + runs a command with many files",
      script: "find dir -type f -exec echo {} + | tr ' ' '\\n' | sort",
    },
    {
      name: "find | xargs cat",
      script: "find . -name '*.txt' | sort | xargs cat",
    },
    {
      name: "env runs a command with added variables",
      script: "env FOO=bar sh -c 'echo $FOO'",
    },
    {
      name: "env -i runs a command with an empty environment",
      script: "env -i A=1 env",
    },
    {
      name: "env -u removes a variable",
      script: "env -u HOME sh -c 'echo \"[${HOME-unset}]\"'",
    },
    {
      name: "env reports a missing command as 127",
      script: "env nosuchcmd; echo $?",
    },
    {
      name: "nice runs a command",
      // Debian's busybox has no nice: natively PATH finds coreutils' nice, which runs the same sh.
      script: "nice -n 5 sh -c 'echo niced; exit 3'; echo $?",
    },
    {
      name: "a niceness set by nice survives exec",
      script: "nice -n 5 nice; nice -n 3 sh -c 'nice -n 2 nice'",
    },
    {
      name: "nohup runs a command",
      // Debian's busybox has no nohup: natively PATH finds coreutils' nohup, which runs the same
      // sh. Its output is redirected, so neither writes nohup.out.
      script: "nohup sh -c 'echo via nohup; exit 4' > out 2>&1; echo $?; cat out; ls nohup.out",
    },
    {
      name: "time runs a command and keeps its status",
      // time's report (real, user, sys) goes to stderr and differs from run to run: dropped.
      script: "time sh -c 'echo out; exit 3' 2>/dev/null; echo $?",
    },
    {
      name: "time reports real, user and sys times on stderr",
      script: "time sh -c 'echo timed; sleep 0.1'",
      differs: {
        reason: "the times differ from run to run: every digit is compared as N",
        normalise: (o) => ({ ...o, stderr: o.stderr.replace(/[0-9]/g, "N") }),
      },
    },
    {
      name: "timeout lets a fast command finish with its own status",
      script: "timeout 5 sh -c 'echo fast; exit 4'; echo $?",
    },
    {
      name: "timeout kills a slow command",
      script: "timeout 1 sleep 5; echo $?",
    },
    {
      name: "timeout -s KILL kills with the given signal",
      script: "timeout -s KILL 1 sleep 5; echo $?",
    },
    {
      name: "awk system() runs a shell command and gives its status",
      script: 'awk \'BEGIN { r = system("echo from system; exit 3"); print "r=" r }\'',
    },
    {
      name: "awk prints to a pipe",
      script:
        'awk \'BEGIN { print "b" | "sort"; print "a" | "sort"; close("sort"); print "done" }\'',
    },
    {
      name: "awk reads a command's output with getline",
      script: "awk 'BEGIN { while ((\"seq 4\" | getline l) > 0) s += l; print s }'",
    },
    {
      name: "tar -czf and -xzf round-trip a directory through gzip",
      script:
        "tar -czf a.tgz dir && mkdir x && tar -xzf a.tgz -C x && find x | sort && cat x/dir/sub/c.txt && tar -tzf a.tgz | sort",
    },
    {
      name: "tar -cjf and -xjf round-trip a directory through bzip2",
      script:
        "tar -cjf a.tbz dir && mkdir x && tar -xjf a.tbz -C x && find x | sort && cat x/dir/a.txt",
    },
    {
      name: "tar -xJf extracts through xz; -cJf fails as busybox xz cannot compress",
      script:
        'tar -cJf new.txz dir 2>/dev/null; echo "create $?"; mkdir x && tar -xJf dir.txz -C x && find x | sort && cat x/dir/b.txt',
    },
    {
      name: "watch runs its command until timeout kills it",
      script: "timeout 1 watch -n 0.1 echo hi >/dev/null; echo $?",
    },
    {
      name: "watch's output has the command's output",
      // watch redraws with a clock and the hostname, a varying number of times: only whether the
      // command's output appears is compared.
      script:
        "timeout 2 watch -n 0.1 echo watched-output | grep -c watched-output | sed 's/[1-9][0-9]*/some/'",
    },
  ],

  "read and IFS": [
    {
      name: "read splits a line on IFS",
      script: 'echo "a:b:c d" | { IFS=: read x y z; echo "$x|$y|$z"; }',
    },
    {
      name: "read -r keeps backslashes, plain read removes them",
      script:
        "printf 'a\\\\tb\\n' | { read -r x; echo \"$x\"; }; printf 'a\\\\tb\\n' | { read x; echo \"$x\"; }",
    },
    {
      name: "read's last variable takes the rest of the line",
      script: 'echo "1 2 3 4" | { read a b; echo "$a/$b"; }',
    },
    {
      name: "read fails at end of input",
      script: "read x < /dev/null; echo $?; printf 'no newline' | { read x; echo \"$? $x\"; }",
    },
    {
      name: "read reads the shell's stdin",
      script: 'read a; read b; echo "$b $a"',
      stdin: "first\nsecond\n",
    },
    {
      name: "IFS splits an unquoted parameter",
      script: 'v="a,b,,c"; IFS=,; set -- $v; echo $#; for a; do echo "[$a]"; done',
    },
    {
      name: "$* joins with the first character of IFS",
      script: 'set -- a b c; IFS=-; echo "$*"; echo "$@"',
    },
    {
      name: "read -n reads a number of characters",
      script: "echo abcdef | { read -n 3 x; echo $x; }",
    },
  ],

  arithmetic: [
    {
      name: "arithmetic operators and precedence",
      script: "echo $((1+2*3)) $(( (1+2)*3 )) $((7/2)) $((7%3)) $((-7/2)) $((2**10))",
    },
    {
      name: "arithmetic assignment and increments",
      script: "x=5; echo $((x+=3)) $x $((x++)) $x $((--x)) $x",
    },
    {
      name: "hex, octal, bit and logical operators",
      script:
        "echo $((0x1f)) $((010)) $((1<<4)) $((5&3)) $((5|3)) $((5^3)) $((!0)) $((3>2)) $((1?2:3)) $((~0))",
    },
    {
      name: "division by zero is an error",
      script: "echo $((1/0)); echo after",
    },
    {
      name: "arithmetic is 64-bit",
      script: "echo $((2147483647+1)) $((9223372036854775807)) $((1<<40))",
    },
    {
      name: "unset and empty variables are 0 in arithmetic",
      script: "unset u; e=; echo $((u+1)) $((e+2))",
    },
  ],

  "parameter expansion": [
    {
      name: "prefix and suffix removal",
      script: "x=path/to/file.tar.gz; echo ${x%.*} ${x%%.*} ${x#*/} ${x##*/}",
    },
    {
      name: "length, substring and defaults",
      script:
        'x=hello; e=; echo ${#x} ${x:1:3} ${x:-def} ${unset:-def} ${unset-dash} "[${e-set}]" ${e:-empty}',
    },
    {
      name: ":= assigns and :+ gives the alternative",
      script: 'unset u; echo ${u:=assigned} $u; e=; x=1; echo "[${e:+alt}] [${x:+alt}]"',
    },
    {
      name: ":? fails with the message",
      script: "echo ${u:?is required}; echo never",
    },
    {
      name: "pattern substitution",
      script: "x=aXaXa; echo ${x/X/-} ${x//X/-} ${x/#a/^} ${x/%a/$}",
    },
    {
      name: '"$@" keeps parameters apart, "$*" joins them',
      script:
        'set -- "a b" c; for i in "$@"; do echo "[$i]"; done; for i in "$*"; do echo "[$i]"; done; for i in $*; do echo "[$i]"; done',
    },
    {
      name: "${10} and shift",
      script: "set -- 1 2 3 4 5 6 7 8 9 ten; echo ${10} $#; shift 3; echo $1 $#",
    },
    {
      name: "set -u makes an unset variable an error",
      script: "set -u; echo ${unset_var}; echo after",
    },
  ],

  getopts: [
    {
      name: "getopts parses options and their arguments",
      script:
        'set -- -a -b val -c arg1 arg2; while getopts ab:c o; do echo "$o ${OPTARG-}"; done; shift $((OPTIND-1)); echo "rest $*"',
    },
    {
      name: "getopts reports an unknown option",
      script: 'set -- -x; getopts ab o; echo "$o $?"',
    },
    {
      name: "getopts in silent mode sets OPTARG to the bad option",
      script: 'set -- -x -b; while getopts :ab: o; do echo "$o [$OPTARG]"; done',
    },
  ],

  printf: [
    {
      name: "printf reuses its format for extra arguments",
      script: "printf '%s-%s\\n' a b c d e",
    },
    {
      name: "printf widths, padding and conversions",
      script: "printf '%5d|%-5d|%05d|%x|%o|%c|%%|%.3s\\n' 42 42 42 255 8 xyz abcdef",
    },
    {
      name: "printf %b interprets escapes in the argument",
      script: "printf '%b|%s\\n' 'a\\tb' 'a\\tb'",
    },
    {
      name: "printf reports an invalid number",
      script: "printf '%d\\n' abc; echo $?",
    },
  ],

  test: [
    {
      name: "test checks files",
      script:
        "[ -f fruits ] && echo file; [ -d dir ] && echo dir; [ -e nope ] || echo missing; [ -s fruits ] && echo nonempty; [ -x noexec.sh ] || echo notexec; [ -x hello.sh ] && echo exec",
    },
    {
      name: "test compares numbers and strings",
      script:
        "[ 3 -lt 10 ] && echo lt; [ abc \\< abd ] && echo less; [ -z '' ] && echo empty; [ -n x ] && echo nonempty; [ a = a -a b != c ] && echo and; [ ! 1 -eq 2 ] && echo not",
    },
    {
      name: "test reports a bad number",
      script: "[ 1 -eq x ]; echo $?",
      // libc bug: wasi-libc's strtoll (musl's) sets EINVAL when there are no digits, glibc's does
      // not, and BusyBox's test checks errno first.
      bug: 'test says "x: out of range" for a word that is not a number (native: "x: bad number")',
    },
    {
      name: "test's status without output",
      script: "test 5 -gt 7; echo $?; test; echo $?; test x; echo $?",
    },
    {
      name: "[[ ]] matches globs",
      script: "[[ abc == a* ]] && echo match; [[ abc == b* ]] || echo nomatch",
    },
  ],

  strings: [
    {
      name: "expr string operations",
      script:
        "expr length hello; expr substr hello 2 3; expr index hello l; expr hello : 'h\\(.*\\)o'",
    },
    {
      name: "quoting keeps or expands as it should",
      script: "x=X; echo 'single $x' \"double $x\" \\$x \"a\\\"b\" 'it'\\''s'",
    },
    {
      name: "a glob that matches nothing stays as written",
      script: 'echo nomatch*; echo dir/*.txt; echo dir/[ab].txt; echo "dir/*"',
    },
    {
      name: "ash has no brace expansion",
      script: "echo {a,b}",
    },
    {
      name: "echo options",
      script: "echo -n no-newline; echo; echo -e 'a\\tb'",
    },
    {
      name: "eval runs a string as commands",
      script: "cmd='echo $((1+1))'; eval \"$cmd\"; eval 'y=5'; echo $y",
    },
  ],

  builtins: [
    {
      name: "command -v finds builtins, functions and programs",
      script:
        "f() { :; }; command -v echo; command -v f; command -v cat | sed 's|.*/||'; command -v nosuch; echo $?",
    },
    {
      name: "type describes builtins, functions and programs",
      script: "f() { :; }; type echo; type cd; type f; type nosuch; echo $?",
    },
    {
      name: "export passes variables to child processes",
      script: 'export A=1; B=2; sh -c \'echo "[$A][$B]"\'; C=3 sh -c \'echo "[$C]"\'; echo "[$C]"',
    },
    {
      name: "readonly refuses assignment",
      script: "readonly r=1; r=2; echo after",
    },
    {
      name: "set -x traces commands on stderr",
      script: "set -x; echo hi; x=1",
    },
    {
      name: "cd and cd - move between directories",
      script: "cd dir; cd sub; cd - | sed 's|.*/||'; echo ${PWD##*/}; cd ..; pwd | sed 's|.*/||'",
    },
    {
      name: "umask sets created files' permissions",
      script: "umask 027; echo x > f; mkdir d; stat -c '%a %n' f d; umask",
    },
    {
      name: "shift and set -- rewrite the positional parameters",
      script: 'set -- a b c; shift; echo "$*"; set --; echo $#',
    },
    {
      name: ": > file creates an empty file",
      script: ": > empty; wc -c < empty",
    },
  ],
  // Ports 47101 and up: free on the host, where the native side runs, and
  // each snippet's own, so that a server one leaves cannot answer another.
  "sockets over loopback": [
    {
      name: "httpd serves a directory and wget reads its files back",
      script: lines(
        "mkdir www && echo hello > www/index.html && echo '<p>two</p>' > www/two.html",
        'httpd -p 127.0.0.1:47101 -h "$PWD/www"',
        "wget -qO- http://127.0.0.1:47101/index.html",
        "wget -q -O got http://127.0.0.1:47101/two.html && cat got",
        'wget -qO- http://127.0.0.1:47101/missing.html; echo "missing: $?"',
        "kill $(pidof httpd)",
      ),
    },
    {
      name: "a second server on a port in use fails with EADDRINUSE",
      script: lines(
        'httpd -p 127.0.0.1:47102 -h "$PWD"',
        'httpd -p 127.0.0.1:47102 -h "$PWD"; echo "status $?"',
        "kill $(pidof httpd)",
      ),
      differs: {
        reason: "wasi-libc's strerror is musl's, which words some errors otherwise than glibc's",
        normalise: musl,
      },
    },
    {
      name: "a connection to a port nobody listens on is refused (ECONNREFUSED)",
      script: 'wget -q http://127.0.0.1:47103/; echo "status $?"',
    },
    {
      name: "nc carries bytes both ways between a listener and a client",
      script: lines(
        "echo pong | nc -l -p 47104 > got &",
        "until echo ping | nc 127.0.0.1 47104 2>/dev/null; do usleep 20000; done",
        "wait",
        "cat got",
      ),
    },
    {
      name: "a server run per connection (nc -e) answers each client",
      script: lines(
        "nc -l -p 47106 -e sh -c 'read line; echo \"got $line\"' &",
        "until echo hello | nc 127.0.0.1 47106 2>/dev/null; do usleep 20000; done",
        "wait",
      ),
    },
    {
      name: "ip addr shows the loopback, lo, with 127.0.0.1/8 and ::1/128",
      script: lines(
        "ip addr show lo",
        "ip -4 addr show lo",
        "ip -6 addr show lo",
        "ip -o addr show lo",
      ),
    },
    {
      name: "ifconfig lo shows its addresses and flags",
      script: "ifconfig lo | head -4",
    },
  ],
};
