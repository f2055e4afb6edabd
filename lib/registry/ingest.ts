/**
 * `registry ingest`: manifests -> canonical bytes -> sha256 -> signed CAS
 * object -> index. Everything is checked before anything is written: one
 * refused input refuses the whole batch and the registry stays as it was.
 *
 * @module
 */
import { resolve } from "node:path";
import {
  type Hooks,
  type KeyPair,
  relativePath,
  type SignatureBlock,
  signPayload,
  VerificationError,
  type Workspace,
} from "../core/mod.ts";
import { loadPanelConfig, type PanelConfig, type SymbolManifest } from "../config/mod.ts";
import {
  manifestBody,
  parseManifest,
  readLastScan,
  scanWorkspace,
  symbolHash,
} from "../symbols/mod.ts";
import {
  encodeObject,
  loadSignaturePolicy,
  objectIntact,
  objectPath,
  type SignaturePolicy,
  trustedSigner,
  unsignedAllowed,
  verifySignature,
} from "./object.ts";
import { readIndexFile, writeIndex } from "./registry_index.ts";
import { type FileContent, writeFilesDurably } from "./_durable.ts";
import { InputError } from "../core/mod.ts";
import { isNotFound } from "../core/mod.ts";
import { INPUT_LIMITS, readInputText } from "../core/mod.ts";

/** One manifest to ingest. */
export interface IngestInput {
  /** Where it came from (relative to the workspace), for messages. */
  file: string;
  /** The parsed, schema-valid manifest (with its `sign`, if any). */
  manifest: SymbolManifest;
}

/** One ingested manifest. */
export interface IngestItem {
  /** Input file, relative to the workspace. */
  file: string;
  /** Symbol address. */
  saddr: string;
  /** Semantic version. */
  version: string;
  /** Object hash (symbolHash of the manifest). */
  hash: string;
  /** Key ids of the signatures written with it (new objects) or found on the input (unchanged ones). */
  signers: string[];
}

/** What {@linkcode ingestManifests} did. */
export interface IngestResult {
  /** Newly stored objects. */
  added: IngestItem[];
  /** Inputs already stored with identical content (nothing written for them). */
  unchanged: IngestItem[];
  /** Stored objects that no longer matched their hash and were rewritten from the input. */
  repaired: IngestItem[];
  /** The index was rewritten. */
  indexWritten: boolean;
}

/** Options for {@linkcode ingestManifests}. */
export interface IngestOptions {
  /** Sign each new object with this key (the workspace owner vouching for the input). */
  signWith?: KeyPair;
  /** Signature policy (default: loaded from the workspace). */
  policy?: SignaturePolicy;
  /** Test hooks for the object and index writes. */
  hooks?: Hooks;
}

/**
 * Reads the manifests to ingest: the files given (parsed and validated), or
 * everything the last scan found (a scan runs first when there is none;
 * run `rtt-deno scan` after editing manifests).
 * @throws {SchemaError} for an invalid file; {SyntaxError} when the scan found
 * invalid files or collisions (they must be fixed first).
 */
export async function collectInputs(
  ws: Workspace,
  paths: readonly string[],
  options: { panel?: PanelConfig } = {},
): Promise<IngestInput[]> {
  if (paths.length) {
    const out: IngestInput[] = [];
    for (const p of paths) {
      const abs = resolve(p);
      const file = relativePath(ws.root, abs);
      const text = await readInputText(abs, {
        what: "manifest",
        display: file,
        maxBytes: INPUT_LIMITS.manifest,
      });
      const { manifest } = await parseManifest(file, text);
      out.push({ file, manifest });
    }
    return out;
  }
  let scan;
  try {
    scan = await readLastScan(ws);
  } catch (err) {
    if (!(isNotFound(err))) throw err;
    scan = await scanWorkspace(ws, options.panel ?? await loadPanelConfig(ws));
  }
  if (scan.invalid.length || scan.collisions.length) {
    const first = scan.invalid[0]
      ? `"${scan.invalid[0].file}" at ${scan.invalid[0].pointer || "/"}: ${scan.invalid[0].message}`
      : `collision of ${scan.collisions[0].saddr}@${scan.collisions[0].version}`;
    throw new InputError(
      `Cannot ingest: the scan found ${scan.invalid.length} problem(s) and ${scan.collisions.length} collision(s), first ${first} (run "rtt-deno scan")`,
    );
  }
  return scan.manifests.map((m) => ({ file: m.file, manifest: m.manifest }));
}

/**
 * Stores manifests in the CAS and the index.
 *
 * An author signature (`sign` in the manifest) is kept when a key trusted
 * for manifests made it; a signature that does not match the content is
 * always refused. Input left without a trusted signature is refused in
 * strict mode unless its saddr is in `security.allow_unsigned` or
 * `signWith` vouches for it.
 * @throws {VerificationError} (exit 77) naming the file and the signer;
 * nothing is written then.
 */
export async function ingestManifests(
  ws: Workspace,
  inputs: readonly IngestInput[],
  options: IngestOptions = {},
): Promise<IngestResult> {
  const policy = options.policy ?? await loadSignaturePolicy(ws, { hooks: options.hooks });
  const index = await readIndexFile(ws);
  const planned = new Map<
    string,
    { item: IngestItem; manifest: SymbolManifest; sigs: SignatureBlock[]; exists: boolean }
  >();
  const claimed = new Map<string, { hash: string; file: string }>();
  const problems: string[] = [];
  const repairs = new Set<string>();
  const stored = await storedObjects(ws);

  for (const input of inputs) {
    const m = input.manifest;
    const hash = symbolHash(m);
    const what = `"${input.file}" (${m.saddr}@${m.version})`;
    const id = `${m.saddr}@${m.version}`;
    const registered = index.symbols[m.saddr]?.[m.version];
    if (registered && registered !== hash) {
      problems.push(
        `${what} differs from the registered ${id} (${registered}); a registered version is immutable: bump the version`,
      );
      continue;
    }
    const other = claimed.get(id);
    if (other && other.hash !== hash) {
      problems.push(
        `${what} collides with "${other.file}": same saddr and version, different content`,
      );
      continue;
    }
    claimed.set(id, { hash, file: input.file });
    if (planned.has(hash)) continue;
    // A stored object is only "unchanged" if it still holds what its name says.
    const exists = stored.has(hash.slice(7)) && await objectIntact(ws, hash);
    if (stored.has(hash.slice(7)) && !exists) repairs.add(hash);
    const sigs: SignatureBlock[] = [];
    if (m.sign) {
      try {
        await verifySignature(m, m.sign, { policy, what });
        sigs.push(m.sign);
      } catch (err) {
        // An unknown author is vouched for by the owner's signature; a trusted key's bad one never.
        if (
          trustedSigner(policy, m.sign.key_id) ||
          !(options.signWith || unsignedAllowed(policy, m.saddr))
        ) {
          problems.push(err instanceof Error ? err.message : String(err));
          continue;
        }
      }
    }
    if (!sigs.length && !options.signWith && !unsignedAllowed(policy, m.saddr)) {
      problems.push(
        `${what} is unsigned and strict_manifests is on: vouch for it with "rtt-deno registry ingest --sign" or list it in security.allow_unsigned`,
      );
      continue;
    }
    planned.set(hash, {
      item: { file: input.file, saddr: m.saddr, version: m.version, hash, signers: [] },
      manifest: manifestBody(m),
      sigs,
      exists,
    });
  }
  if (problems.length) {
    throw new VerificationError(
      `Cannot ingest: ${problems[0]}${
        problems.length > 1 ? ` (and ${problems.length - 1} more refused input(s))` : ""
      }; nothing was written`,
    );
  }

  const added: IngestItem[] = [];
  const unchanged: IngestItem[] = [];
  const repaired: IngestItem[] = [];
  const writes: Array<[string, FileContent]> = [];
  const key = options.signWith;
  for (const p of planned.values()) {
    const ownerSigns = !p.exists && !!key && !p.sigs.some((s) => s.key_id === key.keyId);
    p.item.signers = [...p.sigs.map((s) => s.key_id), ...(ownerSigns ? [key!.keyId] : [])];
    if (p.exists) unchanged.push(p.item);
    else {
      (repairs.has(p.item.hash) ? repaired : added).push(p.item);
      // Signed inside the write window so signing overlaps other files' I/O.
      writes.push([objectPath(ws, p.item.hash), async () => {
        const signatures = ownerSigns
          ? [...p.sigs, await signPayload(key!, "manifest", p.manifest)]
          : p.sigs;
        return encodeObject({ manifest: p.manifest, signatures });
      }]);
    }
  }
  await Deno.mkdir(ws.cas, { recursive: true });
  await writeFilesDurably(ws.cas, writes, { label: "cas-object", hooks: options.hooks });

  let indexWritten = false;
  for (const p of planned.values()) {
    const { saddr, version, hash } = p.item;
    const versions = index.symbols[saddr] ??= {};
    if (versions[version] !== hash) {
      versions[version] = hash;
      indexWritten = true;
    }
  }
  if (indexWritten) await writeIndex(ws, index, options);
  return { added, unchanged, repaired, indexWritten };
}

/** Hex names of the objects in the CAS (one folder listing instead of a stat per input). */
async function storedObjects(ws: Workspace): Promise<Set<string>> {
  const out = new Set<string>();
  try {
    for await (const e of Deno.readDir(ws.cas)) {
      if (e.isFile && e.name.length === 69 && e.name.endsWith(".json")) {
        out.add(e.name.slice(0, 64));
      }
    }
  } catch (err) {
    if (!(isNotFound(err))) throw err;
  }
  return out;
}
