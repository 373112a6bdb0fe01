import { describe, expect, it } from "vitest";
import { commandProgram, networkAllowed, parseEmbedParams } from "./params.ts";

describe("the embed's URL parameters", () => {
  it("default to an ephemeral busybox container, dark, 14 px, the API off", () => {
    expect(parseEmbedParams("")).toEqual({
      image: "busybox",
      container: "ephemeral",
      command: "",
      readOnly: false,
      theme: "dark",
      fontSize: 14,
      origins: [],
      network: false,
      proxy: "",
      preview: null,
      warnings: [],
    });
  });

  it("take a port to preview, with a path, and refuse what is not one", () => {
    expect(parseEmbedParams("?preview=8080").preview).toEqual({ port: 8080, path: "/" });
    expect(parseEmbedParams("?preview=8080/docs/a.html?x=1").preview).toEqual({
      port: 8080,
      path: "/docs/a.html?x=1",
    });
    for (const bad of ["0", "65536", "http", "80 80", "8080docs"]) {
      expect(parseEmbedParams(`?preview=${encodeURIComponent(bad)}`)).toMatchObject({
        preview: null,
        warnings: [`preview ${bad}: a port from 1 to 65535, and a path from / (8080/docs/)`],
      });
    }
  });

  it("take the network only when asked, and from a page origins names", () => {
    const on = parseEmbedParams("?network=1&origins=https://docs.example");
    expect(networkAllowed(on, true, "https://docs.example")).toBe(true);
    expect(networkAllowed(on, true, "https://elsewhere.example")).toBe(false);
    expect(networkAllowed(on, true, null)).toBe(false);
    // Opened as a page of its own: whoever opened it sees what it runs.
    expect(networkAllowed(on, false, null)).toBe(true);
    const off = parseEmbedParams("?origins=https://docs.example");
    expect(networkAllowed(off, true, "https://docs.example")).toBe(false);
    expect(networkAllowed(off, false, null)).toBe(false);
  });

  it("take a CORS proxy that is an http(s) URL", () => {
    expect(parseEmbedParams("?proxy=https://proxy.example/?url=").proxy).toBe(
      "https://proxy.example/?url=",
    );
    expect(parseEmbedParams("?proxy=javascript:alert(1)")).toMatchObject({
      proxy: "",
      warnings: ["proxy javascript:alert(1): not an http(s) URL, ignored"],
    });
  });

  it("take each parameter as given", () => {
    const q = new URLSearchParams({
      image: "tools",
      container: "docs",
      command: "ls -l /etc",
      readonly: "true",
      theme: "light",
      fontSize: "12.5",
      origins: "https://docs.example",
    });
    expect(parseEmbedParams(`?${q}`)).toMatchObject({
      image: "tools",
      container: "docs",
      command: "ls -l /etc",
      readOnly: true,
      theme: "light",
      fontSize: 12.5,
      origins: ["https://docs.example"],
    });
    expect(parseEmbedParams("?readonly=1").readOnly).toBe(true);
    expect(parseEmbedParams("?readonly=0").readOnly).toBe(false);
  });

  it("keep the origin of each URL in origins, once, and refuse a wildcard and opaque origins", () => {
    const p = parseEmbedParams(
      "?origins=" +
        encodeURIComponent(
          "https://docs.example/guide/, http://localhost:5173,*,null,file:///tmp/x,https://docs.example",
        ),
    );
    expect(p.origins).toEqual(["https://docs.example", "http://localhost:5173"]);
    expect(p.warnings).toEqual([
      "origin *: not an http(s) origin, ignored",
      "origin null: not an http(s) origin, ignored",
      "origin file:///tmp/x: not an http(s) origin, ignored",
    ]);
  });

  it("replace a malformed theme or font size by its default, and say so", () => {
    const p = parseEmbedParams("?theme=solarized&fontSize=200");
    expect(p).toMatchObject({ theme: "dark", fontSize: 14 });
    expect(p.warnings).toEqual([
      "theme solarized: dark or light",
      "fontSize 200: a number from 6 to 48",
    ]);
    expect(parseEmbedParams("?fontSize=big").fontSize).toBe(14);
  });
});

describe("the program an embed's command runs first", () => {
  it("is the command's first word, past variable assignments", () => {
    expect(commandProgram("python3")).toEqual(["python3"]);
    expect(commandProgram("  sqlite3 -box :memory: 'select 1'\n")).toEqual(["sqlite3"]);
    expect(commandProgram("LANG=C _X=1 lua -e 'print(1)'")).toEqual(["lua"]);
    expect(commandProgram("/usr/bin/jq -n 1")).toEqual(["/usr/bin/jq"]);
  });

  it("is none for an empty command or assignments alone", () => {
    expect(commandProgram("")).toEqual([]);
    expect(commandProgram("  \n")).toEqual([]);
    expect(commandProgram("A=1 B=2")).toEqual([]);
  });
});
