import { describe, expect, it } from "vitest";
import { parseEmbedParams } from "./params.ts";

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
      warnings: [],
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
