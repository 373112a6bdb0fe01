/**
 * The `python` image's CPython (rootfs/python) against Debian's native
 * python3.11 (the apt package, the same 3.11.2 source): each snippet runs
 * `python3 ARGS...` on the same files and input (rootfs/snippets.ts). They
 * cover the language and the standard library the issue names (json, re,
 * datetime, decimal, hashlib, zlib, gzip, sqlite3, pathlib, os, io,
 * itertools, collections, textwrap, csv, unicodedata, argparse) and more.
 */
import { compareWithNative, type Snippet } from "../snippets.ts";

/** `python3 -c CODE`, with `files` in the directory and `stdin`. */
const py = (
  name: string,
  code: string,
  more: Omit<Snippet, "name" | "args"> & { args?: string[] } = {},
): Snippet => ({ name, ...more, args: ["-c", code, ...(more.args ?? [])] });

const ERRNO =
  "wasi-libc numbers errno as WASI does (ENOENT is 44, Linux's 2), and so do Python's errno module and OSError.errno; the message is Linux's";

const SNIPPETS: Snippet[] = [
  // The language.
  py(
    "big integers",
    `print(2**100, 10**50 // 7, -7 // 2, -7 % 2, divmod(-17, 5), pow(3, 200, 1000007))
print((1 << 200).bit_length(), int("ff", 16), hex(255), oct(8), bin(10), 3**-2)
print(int.from_bytes(b"\\x01\\x02", "big"), (1025).to_bytes(4, "little"), (-5).__abs__())`,
  ),
  py(
    "floats: repr, rounding and formatting",
    `print(0.1 + 0.2, 1e300 * 10, -0.0, float("nan"), 1 / 3, round(2.675, 2), round(0.5), round(1.5))
print(f"{3.14159:.3f} {1e-7:g} {12345678.9:,.2f} {0.5:%} {1e22} {1e16} {2.5e-5}")
print((2.5).as_integer_ratio(), float.fromhex("0x1.8p1"), (0.1).hex(), 7.0 // 2, 7.5 % 2)`,
  ),
  py(
    "complex numbers",
    `print(3 + 4j, abs(3 + 4j), (1 + 2j) * (3 - 1j), complex("1-2j"), (1j) ** 2, (2 + 0j).conjugate())`,
  ),
  py(
    "string methods",
    `s = "Hello, World"
print(s.lower().split(", "), s.center(20, "*"), "42".zfill(6), s.partition(","), s[::-1])
print("Straße".casefold(), "ß".upper(), "abc".translate(str.maketrans("ab", "xy")), "a-b-c".rsplit("-", 1))
print("%s %d %05.1f %r %x %%" % ("s", 42, 3.14159, "q", 255), "tab\\tbed".expandtabs(4), "ǅ".istitle())
print("  x  ".strip(), "Title case words".title(), "x".join("abc"), "abcabc".count("b"), "abc".find("z"))`,
  ),
  py(
    "f-strings and format specifications",
    `x, w = 42, 7
print(f"{'x':>5}|{x:08b}|{1234567:_}|{'é'!a}|{3 + 4j}|{x:^{w}}|{x=}|{'nested'!r:>{w + 3}}|")
print(format(1234.5678, "e"), format(255, "#x"), format(-3, "+"), "{0}{1}{0}".format("a", "b"), "{:<4}|".format("ab"))`,
  ),
  py(
    "comprehensions and generator expressions",
    `print([x * x for x in range(10) if x % 2], {k: v for k, v in zip("abc", range(3))})
print(sorted({x % 3 for x in range(10)}), sum(x for x in range(101)), [(a, b) for a in range(3) for b in range(a)])
print(list(map(str.upper, "ab")), list(filter(None, [0, 1, "", "a"])), any(x > 8 for x in range(10)))`,
  ),
  py(
    "generators: send, yield from and return values",
    `def inner():
    got = yield 1
    yield got * 2
    return "done"
def outer():
    result = yield from inner()
    yield result
g = outer()
print(next(g), g.send(21), next(g))
def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b
import itertools
print(list(itertools.islice(fib(), 15)))`,
  ),
  py(
    "classes: inheritance, super, properties and special methods",
    `class Shape:
    count = 0
    def __init__(self, name):
        self.name = name
        Shape.count += 1
    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"
    def area(self):
        raise NotImplementedError
class Square(Shape):
    def __init__(self, side):
        super().__init__("square")
        self._side = side
    @property
    def side(self):
        return self._side
    def area(self):
        return self.side ** 2
    def __eq__(self, other):
        return isinstance(other, Square) and other.side == self.side
    def __lt__(self, other):
        return self.area() < other.area()
    __hash__ = None
sq = [Square(3), Square(1), Square(2)]
print(sorted(sq, key=Square.area), Shape.count, Square(2) == Square(2), max(sq).side)
print(Square.__mro__, isinstance(sq[0], Shape), hasattr(sq[0], "side"), vars(sq[0]))
try:
    Shape("x").area()
except NotImplementedError as e:
    print("abstract:", repr(e))`,
  ),
  py(
    "dataclasses, slots and ordering",
    `from dataclasses import dataclass, field, asdict, replace
@dataclass(order=True, frozen=True)
class Version:
    major: int
    minor: int = 0
    tags: tuple = field(default=(), compare=False)
vs = [Version(1, 2), Version(0, 9, ("beta",)), Version(1)]
print(sorted(vs), asdict(vs[1]), replace(vs[0], minor=5), Version(1) == Version(1, 0, ("x",)))
try:
    vs[0].major = 3
except Exception as e:
    print(type(e).__name__, e)`,
  ),
  py(
    "exceptions: chaining, finally, groups and except*",
    `class AppError(Exception):
    pass
def f():
    try:
        return 1 / 0
    except ZeroDivisionError as e:
        raise AppError("wrapped") from e
    finally:
        print("finally runs")
try:
    f()
except AppError as e:
    print(repr(e), repr(e.__cause__), e.__suppress_context__)
try:
    raise ExceptionGroup("many", [ValueError(1), TypeError(2), ValueError(3)])
except* ValueError as g:
    print("values", g.exceptions)
except* TypeError as g:
    print("types", g.exceptions)
try:
    {}["k"]
except KeyError as e:
    e.add_note("a note")
    print(repr(e), e.__notes__)`,
  ),
  py(
    "an uncaught exception prints a traceback and exits 1",
    `import json
def load(text):
    return json.loads(text)
load("{bad json")`,
  ),
  py("sys.exit with a status", `import sys; print("before"); sys.exit(3)`),
  py("sys.exit with a message", `import sys; sys.exit("fatal: stopped")`),
  py(
    "structural pattern matching",
    `def describe(v):
    match v:
        case []:
            return "empty"
        case [x]:
            return f"one {x}"
        case [x, *rest] if len(rest) > 2:
            return f"long from {x}"
        case {"type": "point", "x": int(x), "y": int(y)}:
            return f"point {x},{y}"
        case str() | bytes():
            return "text"
        case (a, b):
            return f"pair {a} {b}"
        case _:
            return "other"
for v in [[], [1], [1, 2, 3, 4], {"type": "point", "x": 1, "y": 2}, "s", (1, 2), 3.5]:
    print(describe(v))`,
  ),
  py(
    "closures, decorators, functools",
    `import functools
def counter():
    n = 0
    def inc():
        nonlocal n
        n += 1
        return n
    return inc
c = counter(); c(); print(c())
def logged(f):
    @functools.wraps(f)
    def wrapper(*a, **k):
        print("call", f.__name__, a, k)
        return f(*a, **k)
    return wrapper
@logged
def add(a, b=2):
    "adds"
    return a + b
print(add(1, b=5), add.__name__, add.__doc__)
@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
print(fib(90), fib.cache_info())
print(functools.reduce(lambda a, b: a * b, range(1, 20)), functools.partial(int, base=2)("1011"))`,
  ),
  py(
    "coroutines and async generators driven by hand",
    `async def agen():
    for i in range(3):
        yield i * i
async def main():
    got = [x async for x in agen()]
    return got, await other()
async def other():
    return "awaited"
coro = main()
try:
    coro.send(None)
except StopIteration as e:
    print(e.value)`,
  ),
  py(
    "unpacking, walrus, chained comparisons and sorting keys",
    `first, *middle, last = range(6)
print(first, middle, last, [*"ab", *range(2)], {**{"a": 1}, "b": 2})
data = [("pear", 3), ("apple", 3), ("fig", 1)]
print(sorted(data, key=lambda t: (-t[1], t[0])), 1 < 2 < 3 > 2, (n := len(data)) * 2, n)
print(list(enumerate("ab", 1)), list(zip("abc", range(5))), list(reversed(range(3))))`,
  ),
  py(
    "bytes, bytearray, memoryview and struct",
    `import struct
b = bytearray(b"hello")
b[0] = 74; b.extend(b"!!")
print(b, bytes(b).upper(), b.hex(":"), bytes.fromhex("de ad be ef"), b"%d-%s" % (5, b"x"))
m = memoryview(b)
print(m[1:3].tobytes(), m.nbytes, b"abc" * 2, b"a,b".split(b","))
packed = struct.pack("<hIq3sd", -2, 7, -1, b"xyz", 2.5)
print(packed.hex(), struct.unpack("<hIq3sd", packed), struct.calcsize("@iqh"), struct.calcsize("=iqh"))`,
  ),
  py(
    "integers as text: the 4300-digit limit",
    `import sys
try:
    str(10 ** 5000)
except ValueError as e:
    print(e)
sys.set_int_max_str_digits(6000)
print(len(str(10 ** 5000)))`,
  ),
  py(
    "recursion past the limit raises RecursionError",
    `import sys
def down(n):
    return down(n + 1)
try:
    down(0)
except RecursionError as e:
    print("caught:", e)
sys.setrecursionlimit(200)
def depth(n=0):
    try:
        return depth(n + 1)
    except RecursionError:
        return n
print(depth() > 150)`,
  ),
  // The standard library.
  py(
    "json: dumps and loads",
    `import json
doc = {"name": "Ada", "tags": ["x", "é"], "n": 1.5, "ok": True, "none": None, "big": 10**20}
print(json.dumps(doc, sort_keys=True))
print(json.dumps(doc, indent=2, ensure_ascii=False))
print(json.loads('[1, 2.0, "\\\\u00e9", {"a": null}, 1e400]'), json.dumps(float("inf")))
try:
    json.loads('{"a": 1,}')
except json.JSONDecodeError as e:
    print("error:", e)`,
  ),
  {
    name: "json.tool from standard input",
    args: ["-m", "json.tool", "--sort-keys"],
    stdin: '{"b": [1, 2, {"c": "é"}], "a": null}',
  },
  {
    name: "json.tool on a bad document",
    args: ["-m", "json.tool"],
    stdin: '{"a": }',
  },
  py(
    "re: groups, substitution and flags",
    `import re
m = re.search(r"(?P<user>\\w+)@(?P<host>[\\w.]+)", "mail ada@example.org now")
print(m.group("user", "host"), m.span(), m.groupdict())
print(re.findall(r"\\d+", "a1b22c333"), re.split(r"[,;]\\s*", "a, b;c"), re.sub(r"(\\w)(\\w*)", lambda m: m[2] + m[1] + "ay", "hello world"))
print(re.fullmatch(r"[a-z]+", "abc") is not None, re.match(r"(?i)HELLO", "hello").group(), re.escape("a.b*c"))
p = re.compile(r"""
    (\\d{4})-(\\d{2})   # year and month
""", re.VERBOSE)
print(p.sub(r"\\2/\\1", "2024-05 and 1999-12"), [m.start() for m in re.finditer("a", "banana")])
print(re.sub("é+", "E", "ééa"), re.findall(r"\\b\\w", "Ünïcode wörds", re.UNICODE))`,
  ),
  py(
    "datetime: arithmetic, formatting and parsing",
    `from datetime import datetime, date, time, timedelta, timezone
d = datetime(2024, 2, 28, 22, 30, tzinfo=timezone.utc)
print(d + timedelta(hours=3), (d + timedelta(days=1)).strftime("%A %d %B %Y %j %U"), d.isoformat())
print(datetime.fromisoformat("2011-11-04T00:05:23+04:00").astimezone(timezone.utc), date(2024, 3, 1) - date(2023, 3, 1))
print(datetime.strptime("03/04/21 13:55", "%d/%m/%y %H:%M"), date.fromordinal(738000), date(2024, 1, 1).isocalendar())
print(timedelta(days=-1, seconds=5), time(13, 5).strftime("%I:%M %p"), datetime.fromtimestamp(1e9, timezone.utc))`,
  ),
  py(
    "decimal: precision, rounding and quantize",
    `from decimal import Decimal, getcontext, localcontext, ROUND_HALF_UP, ROUND_HALF_EVEN
print(Decimal(1) / Decimal(7), Decimal("0.1") + Decimal("0.2"), Decimal(0.1))
with localcontext() as ctx:
    ctx.prec = 50
    print(Decimal(2).sqrt(), Decimal(1).exp())
print(Decimal("2.675").quantize(Decimal("0.01"), ROUND_HALF_UP), Decimal("2.665").quantize(Decimal("0.01"), ROUND_HALF_EVEN))
print(Decimal("1e10").to_eng_string(), Decimal("-0"), Decimal("NaN").is_nan(), getcontext().prec, Decimal("3.14159").as_tuple())`,
  ),
  py(
    "fractions, math and cmath",
    `import math, cmath
from fractions import Fraction
print(Fraction(3, 4) + Fraction(1, 6), Fraction("0.125"), Fraction(1.1).limit_denominator(100))
print(math.gcd(84, 36), math.lcm(4, 6), math.isqrt(10**20 + 1), math.comb(50, 25), math.perm(10, 3), math.factorial(30))
print(math.fsum([0.1] * 10), sum([0.1] * 10), math.pi, math.e, math.sin(1), math.log(1000, 10), math.log2(1024), math.hypot(3, 4))
print(math.prod(range(1, 11)), math.isclose(0.1 + 0.2, 0.3), math.floor(-2.5), math.ceil(2.1), math.nextafter(1, 2), math.ulp(1.0))
print(math.inf > 1e308, math.isnan(math.nan), math.erf(1), math.gamma(5.5), cmath.sqrt(-4), cmath.phase(-1), math.atan2(1, -1))`,
  ),
  py(
    "statistics and random with a seed",
    `import statistics as st, random
data = [2.5, 3.25, 5.5, 7.0, 11.0, 13.5]
print(st.mean(data), st.median(data), st.stdev(data), st.pvariance(data), st.quantiles(data, n=4), st.mode([1, 2, 2, 3]))
random.seed(12345)
print(random.random(), random.randint(1, 100), random.choice("abcdef"), random.sample(range(100), 5), random.gauss(0, 1))
xs = list(range(10)); random.shuffle(xs); print(xs, random.getrandbits(64), random.uniform(1, 2))`,
  ),
  py(
    "hashlib and hmac",
    `import hashlib, hmac
for name in ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "blake2b", "blake2s"]:
    print(name, hashlib.new(name, b"overbox").hexdigest())
h = hashlib.sha256(); h.update(b"a" * 1000); h.update(b"b")
print(h.hexdigest(), hashlib.shake_128(b"x").hexdigest(16), hashlib.blake2b(b"k", digest_size=16, key=b"key").hexdigest())
print(hmac.new(b"secret", b"message", "sha256").hexdigest(), hmac.compare_digest(b"a", b"a"))
print(sorted(hashlib.algorithms_guaranteed))`,
  ),
  py(
    "zlib: compress, decompress and checksums",
    `import zlib
data = b"the quick brown fox jumps over the lazy dog " * 50
c = zlib.compress(data, 9)
print(len(c), c[:16].hex(), zlib.decompress(c) == data, zlib.crc32(data), zlib.adler32(data))
co = zlib.compressobj(6, zlib.DEFLATED, -15)
raw = co.compress(data) + co.flush()
print(len(raw), zlib.decompress(raw, -15) == data, zlib.ZLIB_VERSION)
d = zlib.decompressobj(); out = d.decompress(c[:40]) + d.decompress(c[40:]); print(out == data, d.eof)
try:
    zlib.decompress(b"not zlib")
except zlib.error as e:
    print(e)`,
  ),
  py(
    "gzip: a file written and read back",
    `import gzip, hashlib
with gzip.GzipFile("data.gz", "wb", mtime=0) as f:
    f.write("line é\\n".encode() * 1000)
raw = open("data.gz", "rb").read()
print(len(raw), hashlib.sha256(raw).hexdigest())
with gzip.open("data.gz", "rt", encoding="utf-8") as f:
    lines = f.readlines()
print(len(lines), lines[0], gzip.decompress(gzip.compress(b"x", mtime=0)), gzip.compress(b"abc", mtime=0).hex())`,
    { leaves: "data.gz" },
  ),
  py(
    "sqlite3: tables, parameters and aggregates",
    `import sqlite3
con = sqlite3.connect("shop.db")
con.execute("create table items(id integer primary key, name text, price real, qty int)")
con.executemany("insert into items(name, price, qty) values (?, ?, ?)", [("apple", 0.5, 10), ("pear", 0.75, 4), ("fig", 2.0, 0)])
con.commit()
con.row_factory = sqlite3.Row
for r in con.execute("select name, price * qty as total from items where qty > :min order by total desc", {"min": 0}):
    print(dict(r))
print(con.execute("select count(*), sum(price), group_concat(name, '|') from items").fetchone()[:])
print(sqlite3.sqlite_version, sqlite3.connect("shop.db").execute("select name from items where id = 2").fetchall())`,
  ),
  py(
    "sqlite3: functions, transactions, errors and dump",
    `import sqlite3
con = sqlite3.connect(":memory:")
con.create_function("rev", 1, lambda s: s[::-1])
con.execute("create table t(k text unique, v blob)")
with con:
    con.execute("insert into t values ('ab', x'0102')")
try:
    with con:
        con.execute("insert into t values ('cd', null)")
        con.execute("insert into t values ('ab', null)")
except sqlite3.IntegrityError as e:
    print("rolled back:", e)
print(con.execute("select rev(k), v, typeof(v) from t").fetchall())
print("\\n".join(con.iterdump()))
print(con.execute("select json_object('a', 1, 'b', json_array(2, 3)), printf('%.3f', 2.0/3)").fetchone())`,
  ),
  py(
    "pathlib: files, globs and parts",
    `from pathlib import Path, PurePosixPath
base = Path("tree")
(base / "a" / "b").mkdir(parents=True)
(base / "a" / "one.txt").write_text("one\\n")
(base / "a" / "b" / "two.py").write_text("print(2)\\n")
(base / "top.md").write_bytes(b"# top")
print(sorted(str(p) for p in base.rglob("*")), sorted(p.name for p in base.glob("*/*.txt")))
p = PurePosixPath("/usr/lib/python3.11/json/__init__.py")
print(p.parent, p.suffix, p.stem, p.parts[:3], list(map(str, p.parents))[:2], p.relative_to("/usr/lib"))
print((base / "a" / "one.txt").read_text(), (base / "x").exists(), (base / "a").is_dir(), Path("tree/a/../top.md").resolve().name)
(base / "top.md").rename(base / "renamed.md"); print(sorted(x.name for x in base.iterdir()))`,
  ),
  py(
    "os: files, directories, walk and environment",
    `import os, stat
os.makedirs("d/e/f")
with open("d/e/f/x.txt", "w") as f:
    f.write("12345")
os.rename("d/e/f/x.txt", "d/y.txt")
for root, dirs, files in os.walk("d"):
    print(root, sorted(dirs), sorted(files))
st = os.stat("d/y.txt")
print(st.st_size, stat.S_ISREG(st.st_mode), stat.S_ISDIR(os.stat("d").st_mode), os.path.getsize("d/y.txt"))
print(os.path.join("a", "b", "../c"), os.path.normpath("a/b/../c"), os.path.splitext("f.tar.gz"), os.path.basename("/x/y"))
os.environ["OVERBOX_X"] = "1"; print(os.getenv("OVERBOX_X"), os.getenv("NOPE", "default"), os.environ["HOME"])
os.remove("d/y.txt"); os.removedirs("d/e/f"); print(os.path.exists("d"), sorted(os.listdir(".")))
try:
    os.rmdir("missing")
except FileNotFoundError as e:
    print(e.errno, e.strerror, e.filename)`,
    { differs: { ours: /^44 No such/m, native: "2 No such", why: ERRNO } },
  ),
  py(
    "io: text and binary streams",
    `import io
s = io.StringIO("a\\r\\nb\\nc")
print(s.readlines(), io.StringIO("x\\ny", newline="").read().split("\\n"))
b = io.BytesIO(); b.write(b"abcdef"); b.seek(2); print(b.read(2), b.tell(), b.getvalue())
t = io.TextIOWrapper(io.BytesIO("é\\nü\\n".encode("utf-16")), encoding="utf-16")
print(t.read().splitlines())
with open("f.txt", "w", newline="\\r\\n") as f:
    f.write("one\\ntwo\\n")
with open("f.txt", "rb") as f:
    print(f.read())
with open("f.txt", "r+") as f:
    f.seek(5); f.write("TWO"); f.seek(0); print(repr(f.read()))`,
    { leaves: "f.txt" },
  ),
  py(
    "itertools",
    `import itertools as it
print(list(it.product("ab", repeat=2)), list(it.permutations(range(3), 2))[:4], list(it.combinations("abcd", 3)))
print([(k, len(list(g))) for k, g in it.groupby("aaabccdd")], list(it.accumulate([1, 2, 3, 4], lambda a, b: a * b)))
print(list(it.chain.from_iterable(["ab", "cd"])), list(it.zip_longest("ab", "xyz", fillvalue="-")), list(it.pairwise("abcd")))
print(list(it.islice(it.cycle("xy"), 5)), list(it.takewhile(lambda x: x < 3, it.count())), list(it.starmap(pow, [(2, 5), (3, 2)])))
print(list(it.combinations_with_replacement("ab", 2)), list(it.compress("abcdef", [1, 0, 1, 0, 1, 1])), list(it.tee("ab", 2)[1]))`,
  ),
  py(
    "collections",
    `from collections import Counter, defaultdict, OrderedDict, deque, namedtuple, ChainMap
c = Counter("abracadabra")
print(c.most_common(3), c["z"], (c + Counter("aa"))["a"], sorted(c.elements())[:6], c.total())
d = defaultdict(list)
for k, v in [("a", 1), ("b", 2), ("a", 3)]:
    d[k].append(v)
print(dict(d), d["missing"])
o = OrderedDict.fromkeys("abc"); o.move_to_end("a"); print(list(o), o.popitem(last=False))
q = deque(range(5), maxlen=5); q.rotate(2); q.append(9); print(q, q.popleft())
P = namedtuple("P", "x y", defaults=[0]); p = P(1); print(p, p._replace(y=5), p._asdict(), P._fields)
print(ChainMap({"a": 1}, {"a": 2, "b": 3})["b"], dict(ChainMap({"a": 1}, {"a": 2, "b": 3})))`,
  ),
  py(
    "textwrap",
    `import textwrap
text = "The quick brown fox jumps over the lazy dog. " * 4
print(textwrap.fill(text, width=30))
print(textwrap.wrap(text, 25, initial_indent="* ", subsequent_indent="  ")[:3])
print(textwrap.dedent("""
    indented
      more
    back
"""), textwrap.indent("a\\nb", "> "), textwrap.shorten(text, 40, placeholder=" [...]"))`,
  ),
  py(
    "csv: writing and reading, with quoting and dictionaries",
    `import csv
rows = [["name", "note", "n"], ["Ada", 'says "hi", then', 1], ["Bob", "multi\\nline", 2.5]]
with open("out.csv", "w", newline="") as f:
    csv.writer(f, quoting=csv.QUOTE_MINIMAL).writerows(rows)
with open("out.csv", newline="") as f:
    print(list(csv.reader(f)))
with open("out.csv", newline="") as f:
    for r in csv.DictReader(f):
        print(r["name"], repr(r["note"]))
import io
s = io.StringIO(); w = csv.DictWriter(s, ["a", "b"], quoting=csv.QUOTE_NONNUMERIC); w.writeheader(); w.writerow({"a": 1, "b": "x"}); print(repr(s.getvalue()))
print(csv.Sniffer().sniff("a;b;c\\n1;2;3\\n").delimiter)`,
    { leaves: "out.csv" },
  ),
  py(
    "unicodedata",
    `import unicodedata as u
for ch in "é€ß中😀":
    print(ch, u.name(ch), u.category(ch), u.east_asian_width(ch), u.bidirectional(ch))
print(u.lookup("GREEK SMALL LETTER ALPHA"), u.numeric("½"), u.decimal("٣"), u.unidata_version)
s = "e\\u0301"
print([len(u.normalize(f, s)) for f in ("NFC", "NFD", "NFKC", "NFKD")], u.normalize("NFKC", "ﬁ①"), u.is_normalized("NFC", s))`,
  ),
  {
    name: "argparse: options, defaults and subcommands",
    args: ["prog.py", "-v", "--count", "3", "add", "x", "y"],
    files: {
      "prog.py": `import argparse
p = argparse.ArgumentParser(prog="prog", description="An example.")
p.add_argument("-v", "--verbose", action="count", default=0)
p.add_argument("--count", type=int, default=1, help="how many times")
sub = p.add_subparsers(dest="cmd", required=True)
a = sub.add_parser("add", help="add things")
a.add_argument("items", nargs="+")
args = p.parse_args()
print(args)
p.print_help()
`,
    },
  },
  {
    name: "argparse: a bad option exits 2 with usage",
    args: ["prog.py", "--count", "x"],
    files: {
      "prog.py": `import argparse
p = argparse.ArgumentParser()
p.add_argument("--count", type=int)
p.parse_args()
`,
    },
  },
  {
    name: "a script file with arguments",
    args: ["script.py", "one", "two words"],
    files: {
      "script.py": `#!/usr/bin/env python3
import sys
print(__name__, sys.argv, len(sys.argv))
`,
    },
  },
  {
    name: "a program read from standard input",
    args: ["-"],
    stdin: 'import sys\nprint("from stdin", sys.argv)\nfor i in range(3): print(i)\n',
  },
  py(
    "input() and sys.stdin",
    `name = input("name? ")
print("hello", name)
import sys
rest = sys.stdin.read().splitlines()
print(len(rest), rest[-1], sum(map(int, rest)))`,
    { stdin: "Ada\n1\n2\n3\n" },
  ),
  py(
    "print: separators, ends and standard error",
    `import sys
print("a", "b", sep="-", end="!\\n")
print("to stderr", file=sys.stderr)
sys.stdout.write("written\\n"); sys.stderr.write("err\\n")
print(*range(5), sep=", ")`,
  ),
  py(
    "string, heapq and bisect",
    `import string, heapq, bisect
print(string.Template("$who likes \${what}").substitute(who="Ada", what="tea"), string.capwords("hello  world"))
print(string.ascii_letters, string.digits, string.punctuation)
h = [5, 1, 8, 3, 2]; heapq.heapify(h); print([heapq.heappop(h) for _ in range(3)], heapq.nlargest(2, [4, 9, 1, 7]))
print(list(heapq.merge([1, 4, 7], [2, 5, 8])), bisect.bisect_left([1, 2, 4, 4, 8], 4), bisect.bisect([1, 2, 4, 4, 8], 4))
a = [1, 3, 5]; bisect.insort(a, 4); print(a)`,
  ),
  py(
    "base64, binascii and codecs",
    `import base64, binascii, codecs
print(base64.b64encode(b"overbox\\x00\\xff"), base64.urlsafe_b64encode(b"\\xfb\\xff"), base64.b32encode(b"abc"), base64.b85encode(b"hello"))
print(base64.b64decode("aGVsbG8="), binascii.hexlify(b"\\x01\\xab", "-"), binascii.crc32(b"abc"), binascii.crc_hqx(b"abc", 0))
print("é€".encode("utf-16-le"), "日本語".encode("shift_jis"), "中文".encode("gb18030"), "한국어".encode("euc-kr"), "é".encode("latin-1"))
print(b"\\xe6\\x97\\xa5".decode("utf-8"), "a€".encode("ascii", errors="replace"), b"\\xff".decode("utf-8", errors="backslashreplace"), codecs.encode("abc", "rot13"))
try:
    "€".encode("latin-1")
except UnicodeEncodeError as e:
    print(e)`,
  ),
  py(
    "difflib and pprint",
    `import difflib, pprint
a = ["one", "two", "three", "four"]
b = ["one", "too", "three", "five", "six"]
print("\\n".join(difflib.unified_diff(a, b, "a.txt", "b.txt", lineterm="")))
print(difflib.SequenceMatcher(None, "abcd", "bcde").ratio(), difflib.get_close_matches("appel", ["ape", "apple", "peach"]))
pprint.pprint({"key": list(range(20)), "nested": {"a": ["x" * 10] * 4, "b": (1, 2)}}, width=40)`,
  ),
  py(
    "shlex, fnmatch and glob",
    `import shlex, fnmatch, glob, os
print(shlex.split("cmd 'a b' \\"c \\\\\\" d\\" e\\\\ f"), shlex.quote("it's"), shlex.join(["a b", "c"]))
print(fnmatch.fnmatch("file.TXT", "*.txt"), fnmatch.filter(["a.py", "b.c", "c.py"], "*.py"), fnmatch.translate("*.[ch]"))
for n in ["a.py", "b.py", "c.txt"]:
    open(n, "w").close()
os.mkdir("sub"); open("sub/d.py", "w").close()
print(sorted(glob.glob("*.py")), sorted(glob.glob("**/*.py", recursive=True)), glob.escape("a[b]"))`,
  ),
  py(
    "tempfile and shutil",
    `import tempfile, shutil, os
with tempfile.TemporaryDirectory(dir=".") as d:
    src = os.path.join(d, "src"); os.makedirs(os.path.join(src, "in"))
    with open(os.path.join(src, "in", "f"), "w") as f:
        f.write("x" * 100)
    shutil.copytree(src, os.path.join(d, "dst"))
    print(sorted(os.listdir(os.path.join(d, "dst", "in"))), os.path.getsize(os.path.join(d, "dst", "in", "f")))
    shutil.move(os.path.join(d, "dst"), os.path.join(d, "moved")); print(sorted(os.listdir(d)))
    with tempfile.NamedTemporaryFile("w+", dir=d) as t:
        t.write("temp"); t.seek(0); print(t.read())
    shutil.rmtree(src); print(sorted(os.listdir(d)))
print(os.listdir("."), shutil.which("sh") is not None)`,
  ),
  py(
    "tarfile and zipfile in memory",
    `import tarfile, zipfile, io
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w:gz") as t:
    for name, data in [("a.txt", b"alpha"), ("dir/b.txt", b"beta" * 100)]:
        info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 0
        t.addfile(info, io.BytesIO(data))
buf.seek(0)
with tarfile.open(fileobj=buf) as t:
    print([(m.name, m.size) for m in t.getmembers()], t.extractfile("dir/b.txt").read()[:8])
z = io.BytesIO()
with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
    f.writestr(zipfile.ZipInfo("one.txt", (2020, 1, 2, 3, 4, 6)), "one " * 50)
    f.writestr(zipfile.ZipInfo("two/three.txt", (2021, 1, 1, 0, 0, 0)), b"3")
print(len(z.getvalue()), z.getvalue()[-22:].hex())
with zipfile.ZipFile(z) as f:
    print(f.namelist(), [i.compress_size for i in f.infolist()], f.read("two/three.txt"), f.testzip())`,
  ),
  py(
    "calendar and time in UTC",
    `import calendar, time
print(calendar.month(2024, 2))
print(calendar.isleap(2100), calendar.monthrange(2024, 2), calendar.weekday(2000, 1, 1), calendar.timegm((2001, 9, 9, 1, 46, 40)))
print(time.strftime("%Y-%m-%d %H:%M:%S %a %b", time.gmtime(1e9)), time.mktime(time.strptime("2020-01-01", "%Y-%m-%d")), time.timezone)`,
  ),
  py(
    "copy and pickle",
    `import copy, pickle
orig = {"a": [1, [2, 3]], "t": (4, 5)}
sh, dp = copy.copy(orig), copy.deepcopy(orig)
orig["a"][1].append(9)
print(sh["a"], dp["a"])
data = (1, "a", [2.5, None], {"k": b"v"}, 10**30)
for proto in range(0, 6):
    print(proto, pickle.dumps(data, proto).hex())
print(pickle.loads(pickle.dumps(data)) == data)`,
  ),
  py(
    "uuid, html, urllib.parse",
    `import uuid, html, urllib.parse as up
print(uuid.uuid3(uuid.NAMESPACE_DNS, "example.org"), uuid.uuid5(uuid.NAMESPACE_URL, "https://x"), uuid.UUID("12345678123456781234567812345678").hex)
print(html.escape("<a href='x'>&</a>"), html.unescape("&lt;&eacute;&#x263a;&gt;"))
u = up.urlparse("https://user@example.org:8080/p/a t?q=1&q=2&r=%C3%A9#frag")
print(u.hostname, u.port, u.path, up.parse_qs(u.query), up.quote("a b/é"), up.urlencode({"k": "v w", "n": 1}))
print(up.urljoin("http://a/b/c/d", "../e"), up.unquote_plus("a+b%21"), up.urlsplit("//h/p").netloc)`,
  ),
  py(
    "xml.etree.ElementTree (expat)",
    `import xml.etree.ElementTree as ET
root = ET.fromstring('<lib><book id="1" lang="en"><t>Dune</t></book><book id="2"><t>Solaris &amp; more</t></book></lib>')
print([b.get("id") for b in root.iter("book")], root.find("book/t").text, root.findall(".//t")[1].text, root[0].attrib)
new = ET.SubElement(root, "book", id="3"); ET.SubElement(new, "t").text = "é <new>"
print(ET.tostring(root, encoding="unicode"))
ET.indent(root); print(ET.tostring(root[2], encoding="unicode"))
try:
    ET.fromstring("<a><b></a>")
except ET.ParseError as e:
    print("parse error:", e)`,
  ),
  py(
    "configparser",
    `import configparser, io
cp = configparser.ConfigParser()
cp.read_string("""
[DEFAULT]
base = /srv
[app]
path = %(base)s/app
debug = yes
port = 8080
""")
print(cp["app"]["path"], cp.getboolean("app", "debug"), cp.getint("app", "port"), cp.sections(), dict(cp["app"]))
cp["new"] = {"k": "v"}; out = io.StringIO(); cp.write(out); print(out.getvalue())`,
  ),
  py(
    "enum, typing and abc",
    `import enum, abc, typing
class Color(enum.Enum):
    RED = 1
    GREEN = enum.auto()
class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1
print(Color.GREEN, Color(1), list(Color), Perm.R | Perm.W, Perm(7), Color["RED"].value, Perm.R in Perm(5))
class Base(abc.ABC):
    @abc.abstractmethod
    def run(self): ...
try:
    Base()
except TypeError as e:
    print(e)
class Point(typing.NamedTuple):
    x: int
    y: int = 0
class Movie(typing.TypedDict):
    title: str
print(Point(1), Movie(title="x"), typing.get_type_hints(Point), typing.Optional[int], list[int | None])`,
  ),
  py(
    "contextlib and traceback",
    `import contextlib, io, traceback
@contextlib.contextmanager
def tag(name):
    print(f"<{name}>")
    yield name
    print(f"</{name}>")
with tag("b") as n, contextlib.suppress(KeyError):
    print("inside", n)
    {}["x"]
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    print("captured")
print(repr(buf.getvalue()))
with contextlib.ExitStack() as stack:
    for i in range(2):
        stack.callback(print, "exit", i)
try:
    int("x")
except ValueError:
    print(traceback.format_exc().splitlines()[-1])
print(traceback.format_exception_only(ValueError("v"))[0], end="")`,
  ),
  py(
    "array and sets",
    `import array
a = array.array("i", range(5)); a.append(10); a.byteswap(); print(a.tolist()[:2], a.itemsize, array.array("d", [1.5]).tobytes().hex())
s = {3, 1, 2}; t = frozenset({2, 3, 4})
print(sorted(s | t), sorted(s & t), sorted(s ^ t), s <= {1, 2, 3, 4}, sorted(s - t), len(t))`,
  ),
  py(
    "operator, functools.singledispatch and sorting stability",
    `import operator, functools
rows = [{"n": "b", "v": 2}, {"n": "a", "v": 2}, {"n": "c", "v": 1}]
print(sorted(rows, key=operator.itemgetter("v")), list(map(operator.attrgetter("real"), [1, 2.5])))
@functools.singledispatch
def kind(x):
    return "object"
@kind.register
def _(x: int):
    return "int"
@kind.register(list)
def _(x):
    return "list"
print(kind(1), kind([]), kind("s"), operator.methodcaller("upper")("abc"), sorted([3, 1, 2], key=functools.cmp_to_key(lambda a, b: b - a)))`,
  ),
  py(
    "doctest of a small function",
    `import doctest
def square(x):
    """
    >>> square(3)
    9
    >>> square(-2)
    4
    >>> square(2)
    5
    """
    return x * x
print(doctest.run_docstring_examples(square, {"square": square}, name="square"))`,
  ),
  py(
    "unittest runs a small test case",
    `import unittest, io, sys
class T(unittest.TestCase):
    def test_ok(self):
        self.assertEqual(sorted([3, 1, 2]), [1, 2, 3])
    def test_fails(self):
        self.assertIn("z", "abc")
    @unittest.skip("not here")
    def test_skipped(self):
        pass
r = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(unittest.defaultTestLoader.loadTestsFromTestCase(T))
print(r.testsRun, len(r.failures), len(r.skipped), r.wasSuccessful())`,
  ),
  py(
    "locale-free str predicates and casing",
    `for s in ["123", "٣", "½", "abc", "ABC", "Ǆ", " ", "x1", "é"]:
    print(repr(s), s.isdigit(), s.isdecimal(), s.isnumeric(), s.isalpha(), s.isupper(), s.isspace(), s.isalnum(), s.swapcase())`,
  ),
  py(
    "sys and builtins details",
    `import sys, builtins
print(sys.version_info[:3], sys.byteorder, sys.float_info.dig, sys.hash_info.width >= 32)
print(sys.argv, sys.flags.optimize, sys.getdefaultencoding(), sys.stdout.encoding, sys.stdin.encoding, sys.getfilesystemencoding())
print(len(dir(builtins)) > 100, callable(print), isinstance(True, int), type(...), NotImplemented, eval("1 + 2"), repr(exec("x = 1")))`,
  ),
  py(
    "compile, ast and dis",
    `import ast
tree = ast.parse("x = 1 + 2 * y")
print(ast.dump(tree.body[0].value))
print(ast.unparse(ast.parse("def f(a, *, b=2):\\n    return [i for i in a if i > b]")))
print(ast.literal_eval("{'a': (1, 2.5, None)}"))
code = compile("a = 40 + 2", "<s>", "exec"); ns = {}; exec(code, ns); print(ns["a"], code.co_names)
try:
    compile("def f(:", "<bad>", "exec")
except SyntaxError as e:
    print("syntax error:", e.msg, e.lineno, e.offset)`,
  ),
  {
    name: "a syntax error in a script",
    args: ["bad.py"],
    files: { "bad.py": "x = 1\nif x\n    print(x)\n" },
  },
  {
    name: "a missing script",
    args: ["nowhere.py"],
    differs: { ours: /\[Errno 44\]/, native: "[Errno 2]", why: ERRNO, stream: "stderr" },
  },
  py(
    "a 32-bit machine with a smaller C stack",
    `import sys, struct
print(sys.maxsize, struct.calcsize("P"), sys.getrecursionlimit())`,
    {
      differs: {
        ours: /^2147483647 4 600$/m,
        native: "9223372036854775807 8 1000",
        why: "wasm32 has 32-bit pointers; CPython's WASI build starts with a recursion limit of 600 (its C stack is 512 KiB, not Linux's 8 MiB)",
      },
    },
  ),
  py(
    "subprocess: run, pipes, the shell and exit statuses",
    `import subprocess, sys
r = subprocess.run(["echo", "hello", "world"], capture_output=True, text=True)
print(repr(r.stdout), r.returncode)
print(subprocess.check_output("echo $((6 * 7)) | tr 4 x", shell=True))
p = subprocess.Popen(["sort"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
out, _ = p.communicate("pear\napple\nfig\n")
print(out.split(), p.returncode)
print(subprocess.run(["sh", "-c", "exit 3"]).returncode, subprocess.call("true", shell=True))
try:
    subprocess.check_call(["false"])
except subprocess.CalledProcessError as e:
    print("failed:", e)
r = subprocess.run([sys.executable, "-c", "import sys; print(sys.argv[1:]); sys.exit(5)", "a b"], capture_output=True, text=True)
print(r.stdout.strip(), r.returncode)`,
  ),
  py(
    "subprocess: a program that does not exist",
    `import subprocess
try:
    subprocess.run(["nosuch-program", "x"])
except FileNotFoundError as e:
    print(e)`,
    { differs: { ours: /^\[Errno 44\]/m, native: "[Errno 2]", why: ERRNO } },
  ),
  py(
    "warnings and logging to standard error",
    `import warnings, logging
warnings.warn("careful", DeprecationWarning)
warnings.warn("user warning")
logging.basicConfig(format="%(levelname)s:%(name)s:%(message)s", level=logging.INFO)
logging.getLogger("app").info("started %d", 3)
logging.debug("hidden")
logging.warning("warned")`,
  ),
  py(
    "a module imported from the working directory",
    `import helper, sys
print(helper.double(21), helper.__name__, helper.__file__.endswith("helper.py"), sys.path[0] == "")`,
    { files: { "helper.py": "def double(x):\n    return x * 2\n" } },
  ),
  {
    name: "python3 -m runs a module of the working directory",
    args: ["-m", "tool", "arg"],
    files: { "tool.py": "import sys\nprint('module', __name__, sys.argv[1:])\n" },
  },
  // Sockets over the container's loopback (the host's, natively).
  py(
    "socket: a server and a client over 127.0.0.1, both ways",
    `import socket
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
port = srv.getsockname()[1]
c = socket.create_connection(("127.0.0.1", port))
s, peer = srv.accept()
named = c.getpeername() == ("127.0.0.1", port) and s.getpeername() == c.getsockname()
c.sendall(b"ping " * 1000)
c.shutdown(socket.SHUT_WR)
got = b""
while chunk := s.recv(4096):
    got += chunk
s.sendall(got.upper())
s.close()
back = b"".join(iter(lambda: c.recv(65536), b""))
print(len(got), len(back), back[:10], peer[0], named)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.sendto(b"datagram", u.getsockname())
data, sender = u.recvfrom(100)
print(data, sender[0], sender[1] == v.getsockname()[1])
srv.close()
try:
    socket.create_connection(("127.0.0.1", port))
except ConnectionRefusedError as e:
    print("refused:", e.strerror)`,
  ),
  py(
    "asyncio: a TCP server and its client on one event loop",
    `import asyncio
async def main():
    async def handle(reader, writer):
        writer.write((await reader.readline()).upper())
        await writer.drain()
        writer.close()
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"over asyncio\n")
    print(await reader.readline())
    writer.close()
    server.close()
    await server.wait_closed()
    print(await asyncio.gather(asyncio.sleep(0.01, "a"), asyncio.sleep(0, "b")))
asyncio.run(main())`,
  ),
  {
    name: "python3 -V",
    args: ["-V"],
  },
];

compareWithNative(
  "python3 in the python image, against Debian's python3.11",
  "python3",
  "/usr/bin/python3.11",
  SNIPPETS,
  60,
  { image: "python" },
);
