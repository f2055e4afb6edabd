/**
 * Minimal glob matching for scan ignore lists and saddr ACLs: `*` matches
 * within one segment, `**` across segments, `?` one character.
 *
 * @module
 */

const cache = new Map<string, RegExp>();

/** Compiles a glob to an anchored RegExp (cached). */
export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let src = "^";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (glob[i + 1] === "/") {
          i++;
          src += "(?:.*/)?";
        } else src += ".*";
      } else src += "[^/]*";
    } else if (c === "?") src += "[^/]";
    else src += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  re = new RegExp(src + "$");
  cache.set(glob, re);
  return re;
}

/** True when `text` matches `glob`. */
export function globMatch(glob: string, text: string): boolean {
  return globToRegExp(glob).test(text);
}
