/**
 * CGI programs for BusyBox's httpd in a container, shared by the tests of
 * a container's ports (box.fetch and the site's /ports/N/):
 *   stream: prints "first", waits for /tmp/go, prints "second" (a
 *           response body that must stream to be read at all);
 *   upload: keeps the request body's first line in /tmp/part1, then
 *           echoes it and the rest (a request body that must stream);
 *   count:  the request body's length in bytes.
 */
const SCRIPTS: Record<string, string[]> = {
  stream: ["echo first", "while [ ! -e /tmp/go ]; do usleep 10000; done", "echo second"],
  upload: ["read -r first", 'echo "$first" > /tmp/part1', 'echo "got: $first"', "cat"],
  count: ["wc -c"],
};

/** A shell command that writes the CGI programs into `root`/cgi-bin. */
export function installCgi(root: string): string {
  const files = Object.entries(SCRIPTS).map(([name, lines]) => {
    const text = ["#!/bin/sh", "echo Content-Type: text/plain", "echo", ...lines, ""].join("\n");
    return `cat > ${root}/cgi-bin/${name} <<'CGI'\n${text}CGI`;
  });
  return [`mkdir -p ${root}/cgi-bin`, ...files, `chmod +x ${root}/cgi-bin/*`].join("\n");
}
