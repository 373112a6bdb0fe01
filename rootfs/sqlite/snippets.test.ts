/**
 * The `tools` image's SQLite shell (rootfs/sqlite) against Debian's native
 * sqlite3 (the apt package, the same 3.40.1 source): each snippet runs
 * `sqlite3 ARGS...` with SQL on its standard input or in its arguments
 * (rootfs/snippets.ts).
 */
import { compareWithNative, type Snippet } from "../snippets.ts";

const PEOPLE = `
create table people(id integer primary key, name text not null, city text, born int, salary real);
insert into people(name, city, born, salary) values
  ('Ada', 'London', 1815, 1200.5), ('Grace', 'New York', 1906, 3400),
  ('Alan', 'London', 1912, 2800.25), ('Edsger', 'Rotterdam', 1930, null),
  ('Barbara', 'New York', 1939, 4100), ('Donald', 'Milwaukee', 1938, 3900.75);
`;

/** SQL on standard input to `sqlite3 ARGS...` (an in-memory database unless ARGS names one). */
const sql = (name: string, input: string, args: string[] = []): Snippet => ({
  name,
  args,
  stdin: input,
});

const SNIPPETS: Snippet[] = [
  sql("creates, inserts and selects", `${PEOPLE} select * from people order by id;`),
  sql(
    "aggregates, group by and having",
    `${PEOPLE} select city, count(*), avg(born), sum(salary), min(name), max(salary) from people group by city having count(*) > 0 order by city;`,
  ),
  sql(
    "joins, left joins and subqueries",
    `${PEOPLE} create table langs(person int, lang text); insert into langs values (1,'Analytical'),(2,'COBOL'),(3,'ACE'),(2,'FLOW-MATIC'),(6,'TeX');
select p.name, group_concat(l.lang, '+') from people p left join langs l on l.person = p.id group by p.id order by p.id;
select name from people where id in (select person from langs where lang like '%O%') order by name;
select name, (select count(*) from langs where person = people.id) as n from people order by n desc, name;`,
  ),
  sql(
    "window functions",
    `${PEOPLE} select name, city, salary, rank() over (order by salary desc), row_number() over (partition by city order by born), sum(salary) over (order by born rows between 1 preceding and current row), lag(name) over (order by born), ntile(3) over (order by id) from people order by id;`,
  ),
  sql(
    "recursive common table expressions",
    `with recursive fib(n, a, b) as (select 1, 0, 1 union all select n + 1, b, a + b from fib where n < 20) select n, a from fib;
with recursive tree(x) as (values(1) union all select x * 2 from tree where x < 1000) select group_concat(x, ',') from tree;`,
  ),
  sql(
    "JSON functions",
    `select json('{"a":1,"b":[1,2,{"c":null}]}'), json_extract('{"a":{"b":[10,20]}}', '$.a.b[1]'), json_array(1, 'two', 3.5, null), json_object('k', json('[1,2]')), json_type('{"x":1.5}', '$.x'), json_valid('{bad'), json_insert('{"a":1}', '$.b', 2), json_set('{"a":1}', '$.a', 'x'), json_remove('[1,2,3]', '$[1]');
select key, value, type from json_each('{"n":1,"s":"t","l":[1],"o":{}}');
select json_group_array(x), json_group_object(x, x * x) from (select 1 as x union select 2 union select 3);
select '{"a":[1,2]}' -> '$.a', '{"a":[1,2]}' ->> '$.a[0]';`,
  ),
  sql(
    "math functions",
    `select sqrt(2), pow(2, 10), exp(1), ln(10), log(100), log2(8), log(2, 64), pi(), sin(pi()/2), cos(0), atan2(1, 1), ceil(-1.5), floor(-1.5), trunc(2.7), mod(10, 3), degrees(pi()), radians(180), sign(-5), abs(-3.5);`,
  ),
  sql(
    "date and time functions on fixed times",
    `select date('2024-02-28', '+1 day'), date('2023-02-28', '+1 day'), datetime(1700000000, 'unixepoch'), strftime('%Y-%m-%d %H:%M:%S %j %w %W', '2024-12-31 23:59:59'), julianday('2000-01-01'), time('12:34:56', '+90 minutes'), date('2024-01-31', '+1 month'), date('2024-03-15', 'start of month', '-1 day'), unixepoch('2024-01-01'), datetime('2024-01-01', 'weekday 0');`,
  ),
  sql(
    "string functions",
    `select upper('abc'), lower('ÀBC'), length('héllo'), length(x'00ff'), substr('hello world', 7), substr('hello', -3, 2), instr('hello', 'll'), replace('aaa', 'a', 'bb'), trim('  x  '), ltrim('xxyxx', 'x'), rtrim('xxyxx', 'x'), hex('Az'), unhex('417A'), quote('it''s'), quote(x'0102'), char(72, 105), unicode('é'), printf('%5.2f|%-6s|%04d|%x|%q|%c', 3.14159, 'ab', 42, 255, 'o''k', 'x'), format('%s=%d', 'n', 5), soundex('Robert'), like('a%', 'ABC'), glob('a*', 'ABC');`,
  ),
  sql(
    "types, affinity and typeof",
    `create table t(i integer, r real, x text, b blob, n numeric, a);
insert into t values ('12', '3', 42, x'41', '1e3', '7'), (1.0, 2, 1.5, 'text', '0x10', 2.50);
select typeof(i), i, typeof(r), r, typeof(x), x, typeof(b), typeof(n), n, typeof(a), a from t;
select 1 = 1.0, '1' = 1, 1 < 'a', null = null, null is null, 10 / 3, 10 / 3.0, 10 % 3, -7 / 2, 9223372036854775807 + 1, cast('12abc' as integer), cast(3.99 as int), cast(x'3132' as text);`,
  ),
  sql(
    "NULL handling and coalesce",
    `${PEOPLE} select name, coalesce(salary, -1), ifnull(salary, 'none'), nullif(city, 'London'), iif(salary > 3000, 'high', 'low'), case when born < 1900 then 'old' when born < 1935 then 'mid' else 'young' end from people order by id;
select count(*), count(salary), sum(salary), total(salary), avg(null) from people;`,
  ),
  sql(
    "ordering, collations and limits",
    `create table w(s text); insert into w values ('banana'), ('Apple'), ('cherry'), ('apple'), ('Banana'), ('10'), ('9');
select s from w order by s; select '--';
select s from w order by s collate nocase, s; select '--';
select s from w order by length(s) desc, s limit 3 offset 1; select '--';
select distinct lower(s) from w order by 1;`,
  ),
  sql(
    "indexes, unique constraints and the query plan",
    `${PEOPLE} create index by_city on people(city, born); create unique index by_name on people(name);
explain query plan select name from people where city = 'London' and born > 1900;
explain query plan select * from people where name = 'Ada';
insert into people(name) values ('Ada');`,
  ),
  sql(
    "upsert and returning",
    `create table kv(k text primary key, v int, n int default 0);
insert into kv(k, v) values ('a', 1), ('b', 2) returning *;
insert into kv(k, v) values ('a', 10) on conflict(k) do update set v = excluded.v, n = n + 1 returning k, v, n;
insert or ignore into kv values ('b', 99, 0); insert or replace into kv values ('c', 3, 7);
update kv set v = v * 2 where k <> 'c' returning k, v; delete from kv where v > 10 returning k;
select * from kv order by k;`,
  ),
  sql(
    "triggers and views",
    `${PEOPLE} create table audit(msg text);
create trigger on_raise after update of salary on people when new.salary > old.salary begin insert into audit values (new.name || ' ' || old.salary || '->' || new.salary); end;
create view rich as select name, salary from people where salary > 3000;
update people set salary = salary * 1.1 where city = 'New York';
select * from audit; select * from rich order by salary;`,
  ),
  sql(
    "transactions, rollback and savepoints",
    `create table t(x); begin; insert into t values (1); savepoint s1; insert into t values (2); rollback to s1; insert into t values (3); release s1; commit;
begin; insert into t values (4); rollback;
select group_concat(x) from t;`,
  ),
  sql(
    "foreign keys",
    `pragma foreign_keys = on; create table a(id integer primary key); create table b(a_id int references a(id) on delete cascade);
insert into a values (1), (2); insert into b values (1), (2), (2);
delete from a where id = 2; select count(*) from b;
insert into b values (5);`,
  ),
  sql(
    "generated columns and strict tables",
    `create table g(a int, b int, s int as (a + b) stored, v text as (a || '-' || b) virtual) strict;
insert into g(a, b) values (1, 2), (10, 20); select * from g;
insert into g(a, b) values ('x', 1);`,
  ),
  sql(
    "full-text search with FTS5",
    `create virtual table docs using fts5(title, body);
insert into docs values ('SQLite', 'a small fast self-contained SQL database engine'), ('Lua', 'a powerful efficient lightweight embeddable scripting language'), ('jq', 'a lightweight and flexible command-line JSON processor');
select title from docs where docs match 'lightweight' order by rank;
select title, snippet(docs, 1, '[', ']', '...', 4) from docs where docs match 'sql*';
select highlight(docs, 0, '<', '>') from docs where docs match 'title:lua';`,
  ),
  sql(
    "full-text search with FTS4, and an R*Tree",
    `create virtual table notes using fts4(content); insert into notes values ('the quick brown fox'), ('the lazy dog'), ('quick thinking');
select content from notes where notes match 'quick' order by content;
create virtual table box using rtree(id, minx, maxx, miny, maxy);
insert into box values (1, 0, 10, 0, 10), (2, 5, 15, 5, 15), (3, 20, 30, 20, 30);
select id from box where minx <= 7 and maxx >= 6 and miny <= 7 and maxy >= 6 order by id;`,
  ),
  sql(
    "floats, big integers and blobs",
    `select 0.1 + 0.2, 1e308 * 10, -1e308 * 10, 1.0 / 3, 123456789012345678901234567890, 9007199254740993, 2.5e-300 * 1e-300, round(2.675, 2), round(-0.5), 1e15 + 0.5, x'00414243', zeroblob(3), length(zeroblob(1000)), typeof(randomblob(4));`,
  ),
  sql(
    "errors: a syntax error and a missing table, with the status",
    `select 1; selct 2; select 3;\n`,
  ),
  {
    name: "errors in arguments: the status and message",
    args: [":memory:", "select * from nowhere"],
  },
  {
    name: "SQL given as an argument, in CSV mode with headers",
    args: [
      "-csv",
      "-header",
      ":memory:",
      "select 1 as a, 'x,y' as b, 'say \"hi\"' as c, null as d",
    ],
  },
  sql(
    "output modes: column, box, markdown, line, list, json, html, insert, quote, tabs",
    `${PEOPLE}
.mode column
select name, born from people where id < 3;
.mode box
select name, born from people where id < 3;
.mode markdown
select name, born from people where id < 3;
.mode line
select name, born from people where id = 1;
.mode list
.separator " | "
select name, born from people where id < 3;
.mode json
select name, born, salary from people where id < 3;
.mode html
select name from people where id = 1;
.mode insert people2
select name, born from people where id < 3;
.mode quote
select name, salary from people where id = 4;
.mode tabs
select name, city from people where id = 2;`,
  ),
  {
    ...sql(
      ".schema, .tables, .indexes and .dump",
      `${PEOPLE} create index by_born on people(born); create view v as select name from people;
.tables
.indexes
.schema
.dump people`,
    ),
    differs: {
      ours: /2800\.25|3900\.75/g,
      native: (m) => (m === "2800.25" ? "2800.2499999999999999" : "3900.7500000000000001"),
      why: "the shell's .dump prints reals with 20 digits of long double: x86's 80-bit one shows 2800.25 as 2800.2499999999999999, wasm32's 128-bit one exactly; both read back as the same double",
    },
  },
  {
    name: ".import of a CSV file, then queries over it",
    args: [],
    files: { "data.csv": 'city,pop\nLondon,8900000\nParis,2100000\n"New York, NY",8400000\n' },
    stdin: `.mode csv\n.import data.csv cities\n.mode list\nselect city, pop * 2, typeof(pop) from cities order by pop desc;\n`,
  },
  {
    name: "a database file written, then dumped to a file",
    args: ["kept.db"],
    stdin:
      "create table t(a, b); insert into t values (1, 'one'), (2, 'two');\n" +
      ".output out.sql\n.dump\n.output stdout\nselect count(*) from t;\n",
    leaves: "out.sql",
  },
  {
    name: ".once and .output write query results to a file",
    args: [],
    stdin: `.once first.txt\nselect 'to the file';\nselect 'to the screen';\n.output out.txt\nselect 42;\nselect 'more';\n.output stdout\nselect 'back';\n`,
    leaves: "out.txt",
  },
  {
    name: ".read runs a file of SQL, and .print and .echo",
    args: [],
    files: { "setup.sql": "create table r(x);\ninsert into r values (7), (8);\n" },
    stdin: `.read setup.sql\n.print printed text\n.echo on\nselect sum(x) from r;\n.echo off\nselect count(*) from r;\n`,
  },
  sql(
    "pragmas and the sqlite_schema table",
    `${PEOPLE} pragma table_info(people); pragma index_list(people); select type, name, tbl_name from sqlite_schema order by name; pragma page_size; pragma encoding; pragma user_version = 7; pragma user_version; pragma integrity_check;`,
  ),
  sql(
    "a larger query: 10,000 generated rows, grouped",
    `create table n(i integer primary key, g int, v real);
with recursive c(i) as (values(1) union all select i + 1 from c where i < 10000) insert into n select i, i % 7, (i * 37 % 101) / 3.0 from c;
select g, count(*), round(sum(v), 3), round(avg(v), 6), min(v), max(v) from n group by g order by g;
select count(distinct v), sum(i) from n;`,
  ),
  sql(
    "the .parameter command and bound values",
    `.parameter init
.parameter set :name 'Ada'
.parameter set :n 3
select :name, :n * 2, typeof(:n);
.parameter list`,
  ),
];

compareWithNative(
  "SQLite in the tools image, against Debian's sqlite3",
  "sqlite3",
  "/usr/bin/sqlite3",
  SNIPPETS,
  30,
);
