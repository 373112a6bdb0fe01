/**
 * The `tools` image's jq (rootfs/jq) against Debian's native jq (the apt
 * package, the same 1.6 source, with Oniguruma's regular expressions):
 * each snippet runs `jq ARGS...` on the same input (rootfs/snippets.ts).
 */
import { compareWithNative, type Snippet } from "../snippets.ts";

const DOC = JSON.stringify({
  store: "Books & more",
  open: true,
  rating: 4.5,
  tags: ["old", "new", "used"],
  books: [
    { title: "Sayings of the Century", author: "Nigel Rees", price: 8.95, year: 1979 },
    { title: "Sword of Honour", author: "Evelyn Waugh", price: 12.99, year: 1952 },
    { title: "Moby Dick", author: "Herman Melville", price: 8.99, isbn: "0-553-21311-3" },
    { title: "The Lord of the Rings", author: "J. R. R. Tolkien", price: 22.99, year: 1954 },
  ],
  owner: { name: "Ada", address: { city: "London", zip: null } },
});

/** `jq ARGS... FILTER` on `input` (the document above unless given). */
const jq = (name: string, filter: string, args: string[] = [], input = DOC): Snippet => ({
  name,
  args: [...args, filter],
  stdin: input,
});

const SNIPPETS: Snippet[] = [
  jq("pretty-prints the identity", "."),
  jq("compact output, sorted keys, tabs", ".owner", ["-c", "-S"]),
  jq("tab indentation and ASCII output", '. | {store, s: "é ✓"}', ["--tab", "-a"]),
  jq("raw output and joined output", ".tags[]", ["-r"]),
  jq(
    "paths, optional access and alternatives",
    '[.owner.address.city, .owner.address.zip // "none", .missing?, .books[0].isbn // "-"]',
  ),
  jq(
    "array slices and indices",
    '[.tags[1:], .tags[-1], .books[-2:] | length, (.tags | index("new"))]',
    ["-c"],
  ),
  jq("map, select and object construction", "[.books[] | select(.price < 10) | {title, price}]"),
  jq(
    "sort_by, group_by, unique_by, min_by and max_by",
    "[(.books | sort_by(.price) | map(.title)), (.books | group_by(.price < 10) | map(length)), (.books | unique_by(.author | length) | length), (.books | min_by(.price).title), (.books | max_by(.year // 0).title)]",
    ["-c"],
  ),
  jq(
    "reduce, add and arithmetic on numbers",
    "reduce .books[] as $b (0; . + $b.price), ([.books[].price] | add), (.rating * 2 - 1 / 4), (10 % 3), (1e1000 | . == infinite)",
  ),
  jq(
    "keys, values, has, in, to_entries and with_entries",
    '(.owner | keys), (.owner | to_entries | map(.key)), (.owner | with_entries(.value |= tostring)), (.books[2] | has("year")), ("open" | in({open: 1}))',
    ["-c"],
  ),
  jq(
    "string functions",
    '[("a,b,c" | split(",")), ("hello" | ascii_upcase), ("  pad" | ltrimstr("  ")), ("file.json" | rtrimstr(".json")), ("abc" | startswith("ab")), ("x" * 3), ("hé" | length), ("hé" | utf8bytelength), ("abc" | explode), ([65, 66] | implode), (["a", "b"] | join("-"))]',
    ["-c"],
  ),
  jq(
    "string interpolation and formats",
    '.books[0] | "\\(.title) by \\(.author) costs \\(.price)", @base64 "\\(.title)", @uri "q=\\(.author)", @html "<\\(.title)>", @sh "echo \\(.title)", @csv "\\([.title, .price])", @tsv "\\([.title, .year])", @json "\\(.)", (@text "x")',
    ["-r"],
  ),
  jq(
    "base64 decoding and JSON in strings",
    '("SGVsbG8=" | @base64d), ("{\\"a\\":1}" | fromjson | .a), ([1, "x"] | tojson), ("123" | tonumber), (42 | tostring | type)',
    ["-c"],
  ),
  jq(
    "regular expressions: test, match and capture",
    '[("foo bar baz" | test("BA"; "i")), ("abc123def" | match("[0-9]+") | .offset, .string), ("2024-01-15" | capture("(?<y>\\\\d+)-(?<m>\\\\d+)-(?<d>\\\\d+)"))]',
    ["-c"],
  ),
  jq(
    "regular expressions: sub, gsub, scan and splits",
    '[("hello world" | sub("o"; "0")), ("hello world" | gsub("o"; "0")), ("a1b22c333" | [scan("\\\\d+")]), ("a, b;c" | [splits(", *|;")]), ("Unicode é ✓" | test("\\\\p{L}+ é"))]',
    ["-c"],
  ),
  jq(
    "paths, getpath, setpath and delpaths",
    '[paths(type == "number")] | length, (getpath(["owner", "address", "city"])), (setpath(["owner", "name"]; "Grace") | .owner.name), (delpaths([["books"], ["tags"]]) | keys), ([leaf_paths] | length)',
    ["-c"],
  ),
  jq(
    "update assignments",
    '.books[0].price |= . * 2 | .tags += ["rare"] | .owner.address.zip //= "N1" | del(.books[1:]) | .rating -= 0.5 | {price: .books[0].price, tags, zip: .owner.address.zip, n: (.books | length), rating}',
    ["-c"],
  ),
  jq(
    "recursion: .., recurse and env-free walk",
    '[.. | numbers] | add, ([recurse(.[]?; type == "object" or type == "array")] | length), (walk(if type == "number" then 0 else . end) | .books[0].price)',
    ["-c"],
  ),
  jq(
    "variables, destructuring and functions",
    "def total(f): map(f) | add; . as {owner: {name: $n}, books: [$first]} | [$n, $first.title, (.books | total(.price) | floor)]",
    ["-c"],
  ),
  jq(
    "limit, first, last, range, until and while",
    "[limit(3; range(10))], [first(range(5; 10))], [last(range(5))], [range(0; 10; 3)], (1 | until(. > 100; . * 2)), [1 | while(. < 20; . * 3)]",
    ["-c"],
  ),
  jq(
    "try, catch, error and the ? operator",
    '[.[] | try (if type == "number" then . else error("not a number: \\(.)") end) catch .], [.[] | tonumber?]',
    ["-c"],
    '[1, "2", "x", null]',
  ),
  jq("an error exits 5 with its message", ".a.b.c", [], "[1, 2]"),
  jq(
    "math functions",
    "[(2 | sqrt), (8 | log2), (100 | log10), (1 | exp), (3.7 | floor, ceil, round), (-2.5 | fabs), (2 | pow(.; 10)), (10 | significand), (0.5 | asin), (5 | gamma), (4 | lgamma_r), (3.14159 | sin | . * 1000 | round)]",
    ["-c"],
  ),
  jq(
    "dates: strftime, strptime, mktime and todate",
    '1425599507 | todate, (gmtime | mktime), (strftime("%A, %B %d, %Y %H:%M")), ("10:15 2015-03-05" | strptime("%H:%M %Y-%m-%d") | mktime), ("2015-03-05T23:51:47Z" | fromdate)',
    ["-r"],
  ),
  jq("--arg, --argjson and $__loc__", "[$name, $n + 1, $__loc__.line]", [
    "-c",
    "--arg",
    "name",
    "Ada",
    "--argjson",
    "n",
    "41",
  ]),
  jq(
    "null input, and input and inputs",
    "[inputs | .x]",
    ["-n", "-c"],
    '{"x":1}\n{"x":2}\n{"x":3}\n',
  ),
  jq("slurp and raw input", ".", ["-R", "-s", "-c"], "line one\nline two\n"),
  jq(
    "a stream of values, one per line",
    "select(.ok) | .id",
    [],
    '{"id":1,"ok":true} {"id":2,"ok":false}\n{"id":3,"ok":true}',
  ),
  jq("--exit-status on false and null", ".ok", ["-e"], '{"ok":false}'),
  jq("invalid JSON input: the message and status", ".", [], '{"a": 1,, }'),
  jq("a syntax error in the filter: the message and status", ".a | | .b"),
  jq(
    "tostream, fromstream and truncate_stream",
    "[tostream] | length, (fromstream(tostream) | .owner.name), ([1 | truncate_stream([[0], 1], [[1, 0], 2], [[1, 0]], [[1]])])",
    ["-c"],
  ),
  jq(
    "indices, inside, contains, any and all",
    '[("a,b, cd, efg" | indices(", ")), ([1, 2, 1] | indices(1)), ({a: 1} | inside({a: 1, b: 2})), (.tags | contains(["old"])), (.books | any(.price > 20)), (.books | all(.price > 5))]',
    ["-c"],
  ),
  jq(
    "numbers: big, small and non-finite",
    "[1e1000, -1e1000, 100000000000000000000, 1.5e-300 * 1e-300, 0.1 + 0.2, 3.0, -0, (nan | isnan), (infinite | isinfinite), ([1, nan] | sort)]",
    ["-c"],
    "null",
  ),
  jq(
    "@text of objects, tojson of unicode, and ascii",
    '[(.owner | @text), ("ü→" | @json), ([233] | implode)]',
    ["-c", "-a"],
  ),
  jq(
    "splits a CSV-like text into objects",
    'split("\\n") | map(select(length > 0) | split(",")) | .[0] as $h | .[1:] | map([$h, .] | transpose | map({(.[0]): .[1]}) | add)',
    ["-R", "-s", "-c"],
    "name,city\nAda,London\nGrace,New York\n",
  ),
];

compareWithNative("jq in the tools image, against Debian's jq", "jq", "/usr/bin/jq", SNIPPETS, 30);
