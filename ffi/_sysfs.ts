/**
 * Pure-TS reading of the same sysfs/procfs files the native probe reads, with the same rules:
 * the fallback of the topology probe and of {@linkcode processAlive}.
 *
 * @module
 */

/** CPU ids of a kernel cpu list such as `0-3,8,10-11`; malformed parts are skipped. */
export function parseCpuList(s: string): number[] {
  const out: number[] = [];
  for (const raw of s.trim().split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const dash = part.indexOf("-");
    if (dash >= 0) {
      const a = Number(part.slice(0, dash));
      const b = Number(part.slice(dash + 1));
      if (Number.isInteger(a) && Number.isInteger(b) && a >= 0 && a <= b && b - a < 65536) {
        for (let c = a; c <= b; c++) out.push(c);
      }
    } else {
      const a = Number(part);
      if (Number.isInteger(a) && a >= 0 && /^\d+$/.test(part)) out.push(a);
    }
  }
  return out;
}

/**
 * Text of a /proc or /sys file, or null when it cannot be read. Deno 2.9 refuses reads under
 * /proc and /sys unless the process has --allow-all, even with --allow-read; `cat` (needs
 * --allow-run) is the way in for the usual permission set.
 */
export function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)) {
      return null;
    }
  }
  try {
    const out = new Deno.Command("cat", { args: [path], stdout: "piped", stderr: "null" })
      .outputSync();
    return out.success ? new TextDecoder().decode(out.stdout) : null;
  } catch {
    return null;
  }
}

/** 64-bit FNV-1a of the UTF-8 bytes of `s`, as 16 hex digits (a fingerprint, not a MAC). */
export function fnv1a64(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(s)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}
