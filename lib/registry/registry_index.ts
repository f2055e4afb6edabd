/**
 * `index.json`: which object holds each version of each symbol. Written
 * atomically after the objects it names are durable, so a reader never finds
 * an index entry without its object.
 *
 * @module
 */
import {
  HASH_REF,
  type Hooks,
  relativePath,
  type Workspace,
  writeFileAtomic,
} from "../core/mod.ts";
import { compareVersions, SADDR } from "../symbols/mod.ts";
import { readInternalJsonIfExists } from "../config/mod.ts";
import { InputError, MissingInputError } from "../core/mod.ts";

/** The file: saddr -> version -> hash. */
export interface RegistryIndexFile {
  /** Format version; only 1 exists. */
  index_version: 1;
  /** saddr -> version -> `sha256:<hex>` of the object. */
  symbols: Record<string, Record<string, string>>;
}

/** One index entry. */
export interface IndexEntry {
  /** Symbol address. */
  saddr: string;
  /** Semantic version. */
  version: string;
  /** Object holding that version (`sha256:<hex>`, see readObject). */
  hash: string;
}

/** Path of `index.json`. */
export function indexPath(ws: Workspace): string {
  return `${ws.registry}/index.json`;
}

/** An index with no entries. */
export function emptyIndex(): RegistryIndexFile {
  return { index_version: 1, symbols: {} };
}

/**
 * Reads `index.json` (empty when the registry has none yet).
 * @throws {SchemaError} naming the file and position when it is damaged (exit 65).
 */
export async function readIndexFile(ws: Workspace): Promise<RegistryIndexFile> {
  const path = indexPath(ws);
  return await readInternalJsonIfExists<RegistryIndexFile>(path, "registryIndex", {
    display: relativePath(ws.root, path),
  }) ?? emptyIndex();
}

/** Flattens an index: saddr ascending, highest version first. */
export function indexEntries(idx: RegistryIndexFile): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const saddr of Object.keys(idx.symbols).sort()) {
    const versions = Object.keys(idx.symbols[saddr]).sort((a, b) => compareVersions(b, a));
    for (const version of versions) out.push({ saddr, version, hash: idx.symbols[saddr][version] });
  }
  return out;
}

/**
 * Every registered symbol version (saddr ascending, highest version first).
 * Hashes name objects {@linkcode readObject} returns verified.
 */
export async function readIndex(ws: Workspace): Promise<IndexEntry[]> {
  return indexEntries(await readIndexFile(ws));
}

/** Writes `index.json` atomically, keys sorted so equal indexes are equal bytes. */
export async function writeIndex(
  ws: Workspace,
  idx: RegistryIndexFile,
  options: { hooks?: Hooks } = {},
): Promise<void> {
  const symbols: Record<string, Record<string, string>> = {};
  for (const saddr of Object.keys(idx.symbols).sort()) {
    const versions: Record<string, string> = {};
    for (const v of Object.keys(idx.symbols[saddr]).sort((a, b) => compareVersions(a, b))) {
      versions[v] = idx.symbols[saddr][v];
    }
    symbols[saddr] = versions;
  }
  await Deno.mkdir(ws.registry, { recursive: true });
  await writeFileAtomic(
    indexPath(ws),
    JSON.stringify({ index_version: 1, symbols }, null, 2) + "\n",
    { label: "registry-index", hooks: options.hooks },
  );
}

/**
 * Resolves `hash`, `saddr` (highest version) or `saddr@version` to an entry.
 * @throws {MissingInputError} when nothing matches; {InputError} when malformed.
 */
export function resolveRef(entries: readonly IndexEntry[], ref: string): IndexEntry {
  if (ref.startsWith("sha256:")) {
    if (!HASH_REF.test(ref)) {
      throw new InputError(`Invalid object hash "${ref}": expected sha256:<64 lower-case hex>`);
    }
    const e = entries.find((x) => x.hash === ref);
    if (!e) throw new MissingInputError(`No index entry refers to ${ref}`);
    return e;
  }
  const at = ref.lastIndexOf("@");
  const saddr = at > 0 ? ref.slice(0, at) : ref;
  const version = at > 0 ? ref.slice(at + 1) : undefined;
  if (!SADDR.test(saddr)) {
    throw new InputError(
      `Invalid reference "${ref}": expected sha256:<hex>, rtt://<ns>/<kind>/<name> or <saddr>@<version>`,
    );
  }
  const e = entries.find((x) =>
    x.saddr === saddr && (version === undefined || x.version === version)
  );
  if (!e) {
    throw new MissingInputError(`No registered symbol ${saddr}${version ? `@${version}` : ""}`);
  }
  return e;
}
