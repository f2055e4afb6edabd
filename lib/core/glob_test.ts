import assert from "node:assert/strict";
import { globMatch } from "./glob.ts";

// The regular expression the glob syntax stands for: the reference the matcher must agree with.
function reference(glob: string): RegExp {
  let src = "^";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      i++;
      if (glob[i + 1] === "/") (i++, src += "(?:.*/)?");
      else src += ".*";
    } else if (c === "*") src += "[^/]*";
    else if (c === "?") src += "[^/]";
    else src += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(src + "$", "s");
}

Deno.test("globMatch() handles *, **, **/ and ? like their regular expressions", () => {
  const globs = [
    "*",
    "**",
    "a*b",
    "a**b",
    "**/x",
    "a/**/b",
    "?",
    "a?c",
    "**/node_modules/**",
    "rtt://agents/*",
    "rtt://agents/**",
    "*.json",
    "a/*/c",
    "**/",
    "x**",
    "a.c",
  ];
  const texts = [
    "",
    "a",
    "ab",
    "a/b",
    "axb",
    "a/x/b",
    "x",
    "a/x",
    "abc",
    "a.c",
    "a/b/c",
    "rtt://agents/agent/x",
    "rtt://agents/x",
    "f.json",
    "d/f.json",
    "a/node_modules/b/c.json",
    "/",
    "a/",
    "x/y/",
  ];
  for (const g of globs) {
    for (const t of texts) {
      assert.equal(globMatch(g, t), reference(g).test(t), `${g} vs ${JSON.stringify(t)}`);
    }
  }
});

Deno.test("globMatch() is linear on globs that make a regular expression backtrack", () => {
  // Compiled to a RegExp this pair takes exponential time; here it is one pass.
  const glob = "**a".repeat(16) + "**b";
  const name = "a".repeat(60);
  assert.equal(globMatch(glob, name), false);
  assert.equal(globMatch(glob, name + "b"), true);
  assert.equal(globMatch("*a".repeat(30) + "*b", "a".repeat(5000)), false);
});
