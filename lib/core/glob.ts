/**
 * Glob matching for scan ignore lists, `security.allow_unsigned` and saddr
 * ACLs: `*` matches within one segment, `**` across segments, `**` then `/`
 * zero or more whole segments, `?` one character other than `/`.
 *
 * Globs come from files users (or a checked-out repository) control, so the
 * matcher must not backtrack: a glob like `**a**a**a...b` compiled to a
 * regular expression takes exponential time on a 60-character name. This one
 * simulates the glob as a set of positions, one pass over the text:
 * O(text length x glob length), whatever the glob.
 *
 * @example
 * ```ts
 * import { globMatch } from "./glob.ts";
 * globMatch("rtt://agents/**", "rtt://agents/agent/x"); // true
 * globMatch("rtt://agents/*", "rtt://agents/agent/x"); // false
 * ```
 *
 * @module
 */

/** One step of a compiled glob. */
type Token =
  | { kind: "char"; c: string }
  | { kind: "one" } // ?
  | { kind: "star" } // * : any run without "/"
  | { kind: "globstar" } // ** : any run
  | { kind: "skip"; over: number }; // matches nothing; may also jump over the next `over` tokens

const cache = new Map<string, Token[]>();

function compile(glob: string): Token[] {
  let tokens = cache.get(glob);
  if (tokens) return tokens;
  tokens = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      i++;
      if (glob[i + 1] === "/") {
        i++;
        // `**/` is `(?:.*/)?`: nothing at all, or any run that ends in "/".
        tokens.push({ kind: "skip", over: 2 }, { kind: "globstar" }, { kind: "char", c: "/" });
      } else tokens.push({ kind: "globstar" });
    } else if (c === "*") tokens.push({ kind: "star" });
    else if (c === "?") tokens.push({ kind: "one" });
    else tokens.push({ kind: "char", c });
  }
  cache.set(glob, tokens);
  return tokens;
}

// Adds state `i` and every state reachable from it without consuming a character.
function close(tokens: Token[], states: Uint8Array, i: number): void {
  while (i <= tokens.length && !states[i]) {
    states[i] = 1;
    const t = tokens[i];
    if (!t || t.kind === "char" || t.kind === "one") return;
    if (t.kind === "skip") close(tokens, states, i + 1 + t.over);
    i++; // star, globstar and skip may all match nothing
  }
}

/** True when the whole of `text` matches `glob`. */
export function globMatch(glob: string, text: string): boolean {
  const tokens = compile(glob);
  const m = tokens.length;
  let now = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  close(tokens, now, 0);
  for (const ch of text) {
    next.fill(0);
    let any = false;
    for (let i = 0; i < m; i++) {
      if (!now[i]) continue;
      const t = tokens[i];
      switch (t.kind) {
        case "char":
          if (t.c === ch) (close(tokens, next, i + 1), any = true);
          break;
        case "one":
          if (ch !== "/") (close(tokens, next, i + 1), any = true);
          break;
        case "star":
          if (ch !== "/") (close(tokens, next, i), any = true);
          break;
        case "globstar":
          close(tokens, next, i);
          any = true;
          break;
        case "skip":
          break;
      }
    }
    if (!any) return false;
    [now, next] = [next, now];
  }
  return now[m] === 1;
}
