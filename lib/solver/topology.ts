/**
 * Machine topology for placement: NUMA nodes and their CPUs. Read from
 * `/sys/devices/system/node` on Linux; anywhere else (or when that folder is
 * missing) the machine is one node holding every CPU. Pure TypeScript so the
 * planner works without the native library; tests inject a fake sysfs root
 * or a ready {@linkcode Topology}.
 *
 * @module
 */

/** One NUMA node. */
export interface NumaNode {
  /** Node number as the kernel names it (`node<id>`). */
  id: number;
  /** CPUs of the node, ascending. */
  cpus: number[];
}

/** NUMA nodes sorted by id. */
export interface Topology {
  nodes: NumaNode[];
  /** Where the figures came from (`sysfs` or `single-node`). */
  source: "sysfs" | "single-node";
}

/**
 * Parses a kernel CPU list such as `0-3,8,10-11`.
 * @throws {SyntaxError} on anything else.
 */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  const t = text.trim();
  if (t === "") return out;
  for (const part of t.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new SyntaxError(`Cannot parse CPU list "${t}": bad element "${part}"`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new SyntaxError(`Cannot parse CPU list "${t}": range "${part}" is reversed`);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return [...new Set(out)].sort((x, y) => x - y);
}

/** Options for {@linkcode readTopology}. */
export interface ReadTopologyOptions {
  /** sysfs node folder (default `/sys/devices/system/node`); tests point it at a fake tree. */
  sysfsNodeRoot?: string;
  /** CPU count used for the single-node fallback (default `navigator.hardwareConcurrency`). */
  cpuCount?: number;
}

/**
 * Reads the NUMA topology. Nodes without CPUs (memory-only nodes) are left
 * out because nothing can be placed on them.
 *
 * Deno asks for `--allow-all` to read `/sys` directly; under the narrower
 * `rtt` permission set the same files are read by a `/bin/sh` child
 * (allowed by `--allow-run`), so the result does not depend on how the CLI
 * was started.
 */
export async function readTopology(options: ReadTopologyOptions = {}): Promise<Topology> {
  const root = options.sysfsNodeRoot ?? "/sys/devices/system/node";
  let lists: Array<[number, string]> = [];
  if (options.sysfsNodeRoot !== undefined || Deno.build.os === "linux") {
    try {
      lists = await readCpuListsDirect(root);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied)) {
        throw err;
      }
      lists = await readCpuListsViaShell(root);
    }
  }
  const nodes = lists.map(([id, text]) => ({ id, cpus: parseCpuList(text) }))
    .filter((n) => n.cpus.length > 0)
    .sort((a, b) => a.id - b.id);
  if (nodes.length) return { nodes, source: "sysfs" };
  return singleNodeTopology(options.cpuCount ?? navigator.hardwareConcurrency ?? 1);
}

async function readCpuListsDirect(root: string): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  try {
    for await (const e of Deno.readDir(root)) {
      const m = /^node(\d+)$/.exec(e.name);
      if (!m) continue;
      try {
        out.push([Number(m[1]), await Deno.readTextFile(`${root}/${e.name}/cpulist`)]);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) return [];
    throw err;
  }
  return out;
}

async function readCpuListsViaShell(root: string): Promise<Array<[number, string]>> {
  const script = 'for d in "$1"/node[0-9]*; do [ -r "$d/cpulist" ] && ' +
    'printf \'%s %s\\n\' "${d##*/node}" "$(cat "$d/cpulist")"; done; exit 0';
  let stdout: Uint8Array;
  try {
    const r = await new Deno.Command("/bin/sh", {
      args: ["-c", script, "sh", root],
      stdout: "piped",
      stderr: "null",
    }).output();
    stdout = r.stdout;
  } catch {
    return [];
  }
  const out: Array<[number, string]> = [];
  for (const line of new TextDecoder().decode(stdout).split("\n")) {
    const m = /^(\d+) (.*)$/.exec(line.trim());
    if (m) out.push([Number(m[1]), m[2]]);
  }
  return out;
}

/** The fallback: one node 0 holding CPUs `0..cpuCount-1`. */
export function singleNodeTopology(cpuCount: number): Topology {
  const n = Math.max(1, Math.floor(cpuCount));
  return {
    nodes: [{ id: 0, cpus: Array.from({ length: n }, (_, i) => i) }],
    source: "single-node",
  };
}
