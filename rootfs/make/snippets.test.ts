/**
 * The `tools` image's GNU make (rootfs/make) against Debian's native make
 * (the apt package, the same 4.3 source): each snippet runs `make ARGS...`
 * on the same makefile and files (rootfs/snippets.ts). Recipes run with
 * each side's /bin/sh (BusyBox's ash here, dash natively), so they stick
 * to what both shells print alike.
 */
import { compareWithNative, type Snippet } from "../snippets.ts";

/** `make ARGS...` with `makefile` as ./Makefile (tabs for the recipes' `>`). */
const mk = (
  name: string,
  makefile: string,
  args: string[] = [],
  more: Omit<Snippet, "name" | "args"> = {},
): Snippet => ({
  name,
  args,
  ...more,
  files: { Makefile: makefile.replace(/^> /gm, "\t"), ...more.files },
});

const SNIPPETS: Snippet[] = [
  mk(
    "builds a target from its prerequisites, in order",
    `final.txt: middle.txt
> cat middle.txt middle.txt > final.txt
middle.txt: first.txt
> sed 's/one/two/' first.txt > middle.txt
first.txt:
> echo one > first.txt
`,
    [],
    { leaves: "final.txt" },
  ),
  mk(
    "has nothing to do the second time (a recursive make says so)",
    `all:
> @$(MAKE) -s out.txt
> $(MAKE) out.txt
out.txt:
> echo made > out.txt
`,
  ),
  mk(
    "variables: recursive, simple, conditional, appended, and from the command line",
    `A = $(B) later
B = early
C := $(D) now
D = unseen
E ?= default
E ?= ignored
F = one
F += two
override G = kept
X = file
all:
> @echo "$(A)|$(C)|$(E)|$(F)|$(G)|$(X)"
`,
    ["X=cmdline", "G=lost"],
  ),
  mk(
    "automatic variables",
    `out/%.o: src/%.c inc.h | out
> @echo "target=$@ first=$< all=$^ newer=$? stem=$* dir=$(@D) file=$(@F)"
> @touch $@
out:
> @mkdir -p out
all: out/main.o
`,
    ["all"],
    { files: { "src/main.c": "int main;\n", "inc.h": "\n" } },
  ),
  mk(
    "pattern rules, static pattern rules and suffix rules",
    `OBJS = a.o b.o
all: $(OBJS) c.out
$(OBJS): %.o: %.src
> @echo "static $< -> $@"; cp $< $@
%.out: %.in
> @echo "pattern $< -> $@"; cp $< $@
`,
    [],
    { files: { "a.src": "a\n", "b.src": "b\n", "c.in": "c\n" } },
  ),
  mk(
    "text functions",
    `L = c a b a  d
all:
> @echo "$(subst a,A,$(L))|$(patsubst %,x%y,$(L))|$(strip  $(L) )|$(findstring b,$(L))|$(findstring z,$(L))"
> @echo "$(filter a b,$(L))|$(filter-out a,$(L))|$(sort $(L))|$(word 2,$(L))|$(words $(L))|$(wordlist 2,3,$(L))"
> @echo "$(firstword $(L))|$(lastword $(L))|$(L:a=z)|$(L:%=<%>)"
`,
  ),
  mk(
    "file name functions",
    `P = src/main.c lib/util.h README
all:
> @echo "$(dir $(P))|$(notdir $(P))|$(suffix $(P))|$(basename $(P))"
> @echo "$(addsuffix .bak,$(P))|$(addprefix ./,$(P))|$(join a b c,1 2)|$(sort $(wildcard *.txt))"
> @echo "$(notdir $(abspath sub/../x.txt))|$(notdir $(realpath one.txt))|$(realpath missing)"
`,
    [],
    { files: { "one.txt": "1\n", "two.txt": "2\n" } },
  ),
  mk(
    "foreach, if, or, and, call, value, origin and flavor",
    `pair = $(1)=$(2)
LIST = x y z
V = $(LIST) unexpanded
S := simple
$(info value: $(value V))
all:
> @echo "$(foreach v,$(LIST),[$(v)])|$(if $(LIST),yes,no)|$(if ,yes,no)|$(or ,,b,c)|$(and a,b,c)|$(and a,,c)"
> @echo "$(call pair,k,v)|$(origin LIST)|$(origin PATH)|$(origin undefined)|$(flavor S)|$(flavor pair)"
`,
  ),
  mk(
    "eval makes rules, and $(shell) and != run commands",
    `define RULE
$(1):
> @echo rule for $(1)
endef
$(foreach t,one two,$(eval $(call RULE,$(t))))
NOW := $(shell echo from the shell)
LINES != printf 'a\\nb\\n'
all: one two
> @echo "$(NOW)|$(LINES)"
`,
  ),
  mk(
    "conditionals",
    `MODE = release
ifeq ($(MODE),release)
  FLAGS = -O2
else
  FLAGS = -g
endif
ifneq ($(strip $(EXTRA)),)
  FLAGS += $(EXTRA)
endif
ifdef MODE
  HAS = mode
endif
ifndef NOPE
  HAS += no-nope
endif
all:
> @echo "$(FLAGS)|$(HAS)"
`,
    ["EXTRA=-Wall"],
  ),
  mk(
    "define, $(info) and $(warning)",
    `define GREETING
hello
  world
endef
$(info info: $(words $(GREETING)) words)
$(info $(GREETING))
$(warning careful)
all:
> @echo done
`,
  ),
  mk(
    "$(error) stops with its message and status 2",
    `$(error this is fatal)\nall:\n> @echo never\n`,
  ),
  mk(
    "a failing recipe stops make, naming the target",
    `all: fail after
fail:
> @echo failing; exit 3
after:
> @echo not reached
`,
  ),
  mk(
    "-k keeps going after an error",
    `all: fail other
fail:
> false
other:
> @echo other still made
`,
    ["-k"],
  ),
  mk(
    "- ignores one command's failure, -i every one",
    `all:
> -false
> @echo after the ignored failure
> false
> @echo after -i
`,
    ["-i"],
  ),
  mk(
    "-n prints the commands without running them",
    `all: out.txt
out.txt:
> echo made > out.txt
> @echo silent but printed by -n
`,
    ["-n"],
  ),
  mk(
    "-s and @ keep commands from being echoed",
    `all:
> echo shown by -s only in its output
> @echo quiet
`,
    ["-s"],
  ),
  mk(
    ".PHONY targets run even when a file has their name",
    `.PHONY: clean
clean:
> @echo cleaning
build:
> @echo never: build is a file
`,
    ["clean", "build"],
    { files: { clean: "", build: "" } },
  ),
  mk("no rule to make a missing target", `all:\n> @echo all\n`, ["missing"]),
  mk(
    "include and -include",
    `include common.mk
-include optional.mk
all:
> @echo "$(COMMON)"
`,
    [],
    { files: { "common.mk": "COMMON = from common.mk\n" } },
  ),
  mk(
    "-C runs in a directory, and recursive makes say where they are",
    `all:
> @$(MAKE) -C sub
`,
    [],
    { files: { "sub/Makefile": "all:\n\t@echo in sub: $(notdir $(CURDIR)) level $(MAKELEVEL)\n" } },
  ),
  mk(
    "-j2 builds independent targets, each into its file",
    `all: a.txt b.txt c.txt
> cat a.txt b.txt c.txt
%.txt:
> echo $* > $@
`,
    ["-j2", "-s"],
  ),
  mk(
    "order-only prerequisites do not make a target out of date",
    `out/file.txt: in.txt | out
> cp in.txt $@
out:
> mkdir out
all: out/file.txt
> @$(MAKE) -s --no-print-directory out/file.txt && echo second run done
`,
    ["all"],
    { files: { "in.txt": "input\n" } },
  ),
  mk(
    "vpath and VPATH find prerequisites elsewhere",
    `vpath %.h include
VPATH = src
all: main.c defs.h
> @echo "found $^"
`,
    [],
    { files: { "src/main.c": "", "include/defs.h": "" } },
  ),
  mk(
    "exported variables reach the recipes' environment",
    `export GREETING = hello from make
unexport HIDDEN
all:
> @echo "$$GREETING|$$\${HIDDEN-unset}"
`,
    [],
  ),
  mk(
    "double-colon rules run each of their recipes",
    `all:: ; @echo first
all:: ; @echo second
`,
  ),
  mk(
    "target-specific and pattern-specific variables",
    `V = global
all: one two.p
one: V = for one
%.p: V = for patterns
one two.p:
> @echo "$@: $(V)"
`,
  ),
  mk("a makefile read from standard input", "", ["-f", "-"], {
    stdin: "all:\n\t@echo from stdin $(words a b c)\n",
  }),
  mk(
    "MAKEFLAGS passes options to recursive makes",
    `all:
> @$(MAKE) --no-print-directory sub X=1
sub:
> @echo "X=$(X) flags=$(findstring X=1,$(MAKEFLAGS)) level=$(MAKELEVEL)"
`,
  ),
];

compareWithNative(
  "make in the tools image, against Debian's make",
  "make",
  "/usr/bin/make",
  SNIPPETS,
  20,
);
