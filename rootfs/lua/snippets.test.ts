/**
 * The `tools` image's Lua (rootfs/lua) against Debian's native lua5.4 (the
 * apt package, the same 5.4.4 source): each snippet is a script run by
 * `lua5.4 s.lua x y` (rootfs/snippets.ts).
 */
import { compareWithNative, type Snippet } from "../snippets.ts";

/**
 * The errno numbers wasi-libc's programs see are WASI's, not Linux's
 * (ENOENT is 44, not 2): Lua's io and os functions return that number
 * third. The messages are Linux's.
 */
const WASI_ENOENT = {
  ours: /\t44\n/g,
  native: "\t2\n",
  why: "errno numbers are wasi-libc's (ENOENT 44), not Linux's (2)",
};

/** A Lua script, run as `lua5.4 s.lua x y`. */
interface Script extends Omit<Snippet, "args" | "files"> {
  script: string;
}

const SCRIPTS: Script[] = [
  {
    name: "integers and floats",
    script: `print(7 // 2, 7 / 2, 7 % -3, -7 // 2, 2^53, 1e15, 0.1 + 0.2, 3 | 5, 6 & 3, 1 << 62, math.maxinteger + 1 == math.mininteger)`,
  },
  {
    name: "float formatting",
    script: `for _, x in ipairs{1/3, 1e100, -0.0, 1/0, -1/0, 123456789012345678} do print(x, tostring(x), string.format("%.3f %g %e %a", x, x, x, x)) end`,
  },
  {
    name: "integer conversions",
    script: `print(math.tointeger(3.0), math.tointeger(3.5), math.type(1), math.type(1.0), math.type("1"), tonumber("0x10"), tonumber("10", 2), tonumber(" 12 "), tonumber("1e2"), math.ult(1, -1))`,
  },
  {
    name: "math library",
    script: `print(math.floor(-3.5), math.ceil(-3.5), math.abs(math.mininteger), math.fmod(7, -3), math.fmod(-7, 3), math.max(3, 7.5, -1), math.min(2, 2.0), math.sqrt(2), math.pi, math.huge, math.exp(1), math.log(8, 2), math.log(100, 10))`,
  },
  {
    name: "string.format",
    script: `print(string.format("%5d|%-5d|%05.1f|%x|%X|%o|%q|%s|%10.4s|%c%c", 42, 42, 3.14159, 255, 255, 8, 'a "quoted"\\n line', nil, "truncated", 72, 105))`,
  },
  {
    name: "string methods",
    script: `local s = "Hello, World" print(s:upper(), s:lower(), s:len(), s:sub(-5), s:sub(2, 4), s:rep(2, "-"), s:reverse(), s:byte(1, 3), string.char(76, 117, 97))`,
  },
  {
    name: "patterns: find and match",
    script: `print(("key = value"):match("(%w+)%s*=%s*(%w+)")) print(("abc123def"):find("%d+")) print(("hello world"):find("o w", 1, true)) print(("2024-01-15"):match("(%d+)-(%d+)-(%d+)")) print(("  trim  "):match("^%s*(.-)%s*$") .. "|")`,
  },
  {
    name: "patterns: gsub and gmatch",
    script: `print(("hello world"):gsub("o", "0")) print(("abc"):gsub("%w", "%0%0")) print(("$name is $age"):gsub("%$(%w+)", {name = "Lua", age = 30})) print(("one two three"):gsub("(%w+)", string.upper, 2)) for k, v in ("a=1, b=2, c=3"):gmatch("(%w+)=(%w+)") do io.write(k, v, ";") end print() print(("THE (quick) fox"):find("%((%a+)%)")) print(("f(a(b)c)"):match("%b()"))`,
  },
  {
    name: "tables: insert, remove, concat, unpack",
    script: `local t = {1, 2, 3} table.insert(t, 4) table.insert(t, 1, 0) print(table.concat(t, ",")) print(table.remove(t), table.remove(t, 1), table.concat(t, " ")) print(table.unpack({1, 2, 3})) print(select("#", table.unpack({1, nil, 3}, 1, 3))) print(#t, table.pack(1, 2, nil).n) print(table.concat(table.move({1, 2, 3}, 1, 3, 2), ","))`,
  },
  {
    name: "table.sort with and without a comparator",
    script: `local t = {5, 2, 8, 1, 9, 3} table.sort(t) print(table.concat(t, " ")) table.sort(t, function(a, b) return a > b end) print(table.concat(t, " ")) local w = {"pear", "Apple", "fig", "banana"} table.sort(w) print(table.concat(w, " ")) table.sort(w, function(a, b) return #a < #b or (#a == #b and a < b) end) print(table.concat(w, " "))`,
  },
  {
    name: "pairs in insertion order of an array part, and next",
    script: `local t = {} for i = 1, 10 do t[i] = i * i end local sum = 0 for k, v in pairs(t) do sum = sum + k * v end print(sum, next({}), rawlen({1, 2}), rawequal(t, t), rawget(t, 3))`,
  },
  {
    name: "metatables: operators and __index",
    script: `local V = {} V.__index = V V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end V.__tostring = function(v) return "V(" .. v.x .. ")" end V.__eq = function(a, b) return a.x == b.x end V.__lt = function(a, b) return a.x < b.x end V.__len = function(v) return v.x end V.__call = function(v, n) return v.x * n end local a, b = setmetatable({x = 1}, V), setmetatable({x = 2}, V) print(tostring(a + b), a == b, a < b, #b, b(10), getmetatable(a) == V)`,
  },
  {
    name: "inheritance through __index",
    script: `local Animal = {} Animal.__index = Animal function Animal.new(name) return setmetatable({name = name}, Animal) end function Animal:speak() return self.name .. " makes a sound" end local Dog = setmetatable({}, {__index = Animal}) Dog.__index = Dog function Dog.new(name) return setmetatable(Animal.new(name), Dog) end function Dog:speak() return self.name .. " barks" end print(Animal.new("cat"):speak(), Dog.new("rex"):speak())`,
  },
  {
    name: "closures and upvalues",
    script: `local function counter() local n = 0 return function() n = n + 1 return n end end local c1, c2 = counter(), counter() print(c1(), c1(), c1(), c2()) local fs = {} for i = 1, 3 do fs[i] = function() return i end end print(fs[1](), fs[2](), fs[3]())`,
  },
  {
    name: "varargs and multiple results",
    script: `local function f(...) return select("#", ...), ... end print(f()) print(f(nil, nil)) print((f(1, 2, 3))) local function g() return 1, 2, 3 end local t = {g(), g()} print(#t, select(-1, g()), select(2, "a", "b", "c"))`,
  },
  {
    name: "coroutines",
    script: `local co = coroutine.create(function(a, b) local c = coroutine.yield(a + b) local d, e = coroutine.yield(c * 2) return d + e end) print(coroutine.resume(co, 1, 2)) print(coroutine.resume(co, 10)) print(coroutine.resume(co, 3, 4)) print(coroutine.resume(co)) print(coroutine.status(co)) local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end) print(gen(), gen(), gen(), coroutine.isyieldable())`,
  },
  {
    name: "goto and numeric for with float steps",
    script: `for i = 1, 3 do for j = 1, 3 do if j == 2 then goto continue end io.write(i, j, " ") ::continue:: end end print() for x = 1, 2, 0.25 do io.write(x, " ") end print() for i = 10, 1, -3 do io.write(i, " ") end print()`,
  },
  {
    name: "errors: messages and positions",
    script: `print(pcall(function() local x = nil return x.y end)) print(pcall(function() return 1 + {} end)) print(pcall(function() return #5 end)) print(type(select(2, pcall(error, {code = 1})))) print(pcall(error, "plain", 0)) print(pcall(error)) print(select(2, pcall(string.rep)))`,
  },
  {
    name: "xpcall with a traceback handler and error levels",
    script: `local function lvl() error("deep", 2) end local function caller() lvl() end print(pcall(caller)) print(xpcall(function() error("boom") end, function(m) return "handled: " .. m end)) print(pcall(assert, false, "assertion text")) print(pcall(assert, nil))`,
  },
  {
    name: "an uncaught error: the message, traceback and status",
    script: `local function inner() error("uncaught here") end\nlocal function outer() inner() end\nouter()`,
  },
  {
    name: "load and string chunks",
    script: `local f = load("return 1 + ...") print(f(41)) print(load("syntax error here")) local env = {x = 5} print(load("return x", "chunk", "t", env)()) local parts = {"return ", "2 * ", "21"} local i = 0 print(load(function() i = i + 1 return parts[i] end)())`,
  },
  {
    name: "string.pack and unpack",
    script: `local p = string.pack("<i4 >i2 z s1 d", -2, 513, "zero", "len", 1.5) print(#p, (p:gsub(".", function(c) return string.format("%02x", c:byte()) end))) print(string.unpack("<i4 >i2 z s1 d", p)) print(string.packsize("i4i8"), string.unpack("B", "\\255"))`,
  },
  {
    name: "utf8 library",
    script: `local s = "héllo wörld ✓" print(utf8.len(s), #s, utf8.char(72, 228, 8364, 128512)) for p, c in utf8.codes("añ€") do io.write(p, ":", c, " ") end print() print(utf8.codepoint(s, 1, 3), utf8.offset(s, 3), utf8.charpattern)`,
  },
  {
    name: "integer overflow wraps, division by zero",
    script: `print(math.maxinteger * 2, math.mininteger // -1, 5 // 0.0, -5 // 0.0, 0/0 ~= 0/0, pcall(function() return 5 // 0 end)) print(pcall(function() return 5 % 0 end)) print(3 % math.huge, -3 % math.huge)`,
  },
  {
    name: "string to number coercions and comparisons",
    script: `print("10" + 5, "3" * "4", 10 .. 20, "2" ^ 2, 1 == 1.0, "1" == 1, pcall(function() return 1 < "2" end)) print(math.type("10" + 0), math.type("10.0" + 0), "0x10" + 0, pcall(function() return "abc" + 1 end))`,
  },
  {
    name: "reads lines and numbers from standard input",
    stdin: "3 4.5\nsecond line\nthird\n",
    script: `local a, b = io.read("n", "n") print(a + b, math.type(a), math.type(b)) print(io.read("L")) for line in io.lines() do print("[" .. line .. "]") end print(io.read("l"), io.read(0))`,
  },
  {
    name: "reads all of standard input",
    stdin: "alpha\nbeta\n\ngamma",
    script: `local all = io.read("a") print(#all, select(2, all:gsub("\\n", "")), all:upper())`,
  },
  {
    name: "writes, appends, seeks and reads a file",
    leaves: "data.txt",
    script: `local f = assert(io.open("data.txt", "w")) f:write("line one\\n", 42, " ", 1.5, "\\n") f:close() f = assert(io.open("data.txt", "a")) f:write("appended\\n") f:close() f = assert(io.open("data.txt", "r+")) print(f:seek("end")) f:seek("set", 5) f:write("ONE") f:seek("set") print(f:read("a")) f:close() for l in io.lines("data.txt") do io.write("<", l, ">") end print()`,
  },
  {
    name: "file errors as return values",
    differs: WASI_ENOENT,
    script: `print(io.open("/nonexistent/file")) print(io.open("missing.txt", "r")) print(pcall(io.lines, "missing.txt")) print(os.remove("missing.txt")) print(os.rename("missing.txt", "other.txt")) print(io.type(io.stdout), io.type(42))`,
  },
  {
    name: "os.rename, os.remove and os.tmpname",
    leaves: "renamed.txt",
    differs: WASI_ENOENT,
    script: `local f = io.open("a.txt", "w") f:write("moved") f:close() print(os.rename("a.txt", "renamed.txt")) print(io.open("a.txt")) local t = os.tmpname() print(t:match("^/tmp/lua_") ~= nil, os.remove(t))`,
  },
  {
    name: "os.date and os.time in UTC",
    script: `print(os.time({year = 2024, month = 2, day = 29, hour = 12})) print(os.date("!%Y-%m-%d %H:%M:%S %A %B %j", 1700000000)) local d = os.date("!*t", 86400 * 365) print(d.year, d.month, d.day, d.yday, d.wday, d.isdst) print(os.date("!%c", 0), os.difftime(10, 4))`,
  },
  {
    name: "os.getenv and arg",
    script: `print(os.getenv("TZ"), os.getenv("NOT_SET"), arg[0], #arg, ...)`,
  },
  {
    name: "io.popen reads a command's output and os.execute's statuses",
    script: `local p = io.popen("echo from a shell; echo second") print(p:read("a")) print(p:close()) print(os.execute("exit 3")) print(os.execute("true")) print(os.execute()) local w = io.popen("cat > popen.txt", "w") w:write("written through popen\\n") w:close() print(io.open("popen.txt"):read("a"))`,
  },
  {
    name: "string.rep, long strings and escapes",
    script: `print(("ab"):rep(3, ","), [[long
string]], "tab\\tnew\\\\", "\\65\\x42\\u{43}", #string.rep("x", 100000), "\\z
       continued")`,
  },
  {
    name: "integer keys, float keys and the length operator",
    script: `local t = {} t[1.0] = "a" t[2] = "b" t["3"] = "c" print(t[1], t[2.0], t[3], #t) t[3] = "d" print(#t, next({}, nil)) local n = {n = 0} for i = 1, 100 do n[i] = i end print(#n)`,
  },
  {
    name: "recursion: a deep Lua stack and a stack overflow",
    script: `local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end print(depth(10000)) local function forever(n) return 1 + forever(n + 1) end local ok, msg = pcall(forever, 1) print(ok, (msg:gsub("^.-:%d+: ", "")))`,
  },
  {
    name: "garbage collection: weak tables and finalizers",
    script: `local weak = setmetatable({}, {__mode = "k"}) do local key = {} weak[key] = true end collectgarbage() collectgarbage() local n = 0 for _ in pairs(weak) do n = n + 1 end print(n) local log = {} do setmetatable({}, {__gc = function() log[#log + 1] = "finalized" end}) end collectgarbage() print(log[1]) print(collectgarbage("isrunning"), collectgarbage("step"))`,
  },
  {
    name: "a small program: word frequencies",
    stdin: "the quick brown fox jumps over the lazy dog the end\nquick quick\n",
    script: `local counts = {} for word in io.read("a"):gmatch("%a+") do counts[word] = (counts[word] or 0) + 1 end local words = {} for w in pairs(counts) do words[#words + 1] = w end table.sort(words, function(a, b) return counts[a] > counts[b] or (counts[a] == counts[b] and a < b) end) for i = 1, 5 do print(words[i], counts[words[i]]) end`,
  },
  {
    name: "a small program: sieve and string building",
    script: `local N = 200 local sieve = {} for i = 2, N do sieve[i] = true end for i = 2, N do if sieve[i] then for j = i * i, N, i do sieve[j] = false end end end local primes = {} for i = 2, N do if sieve[i] then primes[#primes + 1] = i end end print(#primes, table.concat(primes, " ", 1, 10), primes[#primes]) local parts = {} for i = 1, 20 do parts[#parts + 1] = string.format("%02d", i * 7 % 13) end print(table.concat(parts, "-"))`,
  },
];

compareWithNative(
  "Lua in the tools image, against Debian's lua5.4",
  "lua5.4",
  "/usr/bin/lua5.4",
  SCRIPTS.map(({ script, ...s }) => ({
    ...s,
    args: ["s.lua", "x", "y"],
    files: { "s.lua": script },
  })),
  30,
);
