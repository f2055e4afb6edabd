/**
 * `registry verify`: re-hash every CAS object, check every signature against
 * the trust root, check the index against the CAS and, when there is one,
 * the pack. Reports every problem, not just the first.
 *
 * @module
 */
import { errorMessage, relativePath, type Workspace } from "../core/mod.ts";
import { decodeObject, loadSignaturePolicy, type SignaturePolicy, verifyObject } from "./object.ts";
import { readIndex } from "./registry_index.ts";
import { Pack, packFiles } from "./pack.ts";
import { sameBytes } from "./_pack_format.ts";
import { mapConcurrent } from "./_durable.ts";
import { isNotFound } from "../core/mod.ts";

/** One thing wrong in the registry. */
export interface RegistryProblem {
  /** File (relative to the workspace) the problem is in. */
  file: string;
  /** Object hash concerned, when there is one. */
  hash?: string;
  /** What is wrong, naming the signer or the hashes involved. */
  message: string;
}

/** Result of {@linkcode verifyRegistry}. */
export interface VerifyResult {
  /** Objects checked. */
  objects: number;
  /** Signatures checked. */
  signatures: number;
  /** Index entries checked. */
  entries: number;
  /** Pack records checked (0 without a pack). */
  packed: number;
  /** Every problem found (none: the registry verified). */
  problems: RegistryProblem[];
}

const OBJECT_NAME = /^[0-9a-f]{64}\.json$/;

/** Verifies the whole registry. Never throws for a bad object: it is reported. */
export async function verifyRegistry(
  ws: Workspace,
  options: { policy?: SignaturePolicy } = {},
): Promise<VerifyResult> {
  const policy = options.policy ?? await loadSignaturePolicy(ws);
  const problems: RegistryProblem[] = [];
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(ws.cas)) {
      if (e.name.endsWith(".tmp")) continue; // an interrupted write; gc removes it
      if (!e.isFile || !OBJECT_NAME.test(e.name)) {
        problems.push({
          file: relativePath(ws.root, `${ws.cas}/${e.name}`),
          message: "unexpected entry in the CAS (not <64 hex>.json)",
        });
      } else names.push(e.name);
    }
  } catch (err) {
    if (!(isNotFound(err))) throw err;
  }
  names.sort();
  const stored = new Set(names.map((n) => `sha256:${n.slice(0, 64)}`));
  const found = new Map<string, { saddr: string; version: string; bytes: Uint8Array }>();
  let signatures = 0;
  await mapConcurrent(names, async (name) => {
    const hash = `sha256:${name.slice(0, 64)}`;
    const file = relativePath(ws.root, `${ws.cas}/${name}`);
    try {
      const bytes = await Deno.readFile(`${ws.cas}/${name}`);
      const obj = await decodeObject(bytes, file);
      signatures += obj.signatures.length;
      await verifyObject(obj, { hash, policy, what: `object "${file}"` });
      found.set(hash, { saddr: obj.manifest.saddr, version: obj.manifest.version, bytes });
    } catch (err) {
      problems.push({ file, hash, message: errorMessage(err) });
    }
  });

  const indexFile = relativePath(ws.root, `${ws.registry}/index.json`);
  let entries = 0;
  try {
    const index = await readIndex(ws);
    entries = index.length;
    for (const e of index) {
      const obj = found.get(e.hash);
      if (!obj) {
        if (!stored.has(e.hash)) {
          problems.push({
            file: indexFile,
            hash: e.hash,
            message: `${e.saddr}@${e.version} refers to ${e.hash}, which is not in the CAS`,
          });
        }
      } else if (obj.saddr !== e.saddr || obj.version !== e.version) {
        problems.push({
          file: indexFile,
          hash: e.hash,
          message:
            `${e.saddr}@${e.version} refers to ${e.hash}, which holds ${obj.saddr}@${obj.version}`,
        });
      }
    }
  } catch (err) {
    problems.push({ file: indexFile, message: errorMessage(err) });
  }

  let packed = 0;
  const files = packFiles(ws);
  if (await Deno.lstat(files.lut).then(() => true, () => false)) {
    try {
      using pack = await Pack.open(ws);
      for (const hash of pack.hashes()) {
        const record = pack.get(hash)!;
        packed++;
        // A record equal to its verified CAS object is verified; anything else is re-hashed.
        const cas = found.get(hash)?.bytes;
        if (cas && sameBytes(cas, record)) continue;
        const what = `pack record ${hash}`;
        try {
          await verifyObject(await decodeObject(record, what), { hash, policy, what });
          if (!stored.has(hash)) {
            problems.push({
              file: relativePath(ws.root, files.pack),
              hash,
              message: `pack holds ${hash}, which is not in the CAS`,
            });
          }
        } catch (err) {
          problems.push({
            file: relativePath(ws.root, files.pack),
            hash,
            message: errorMessage(err),
          });
        }
      }
    } catch (err) {
      // Pack.open names the file it found damaged (pack or LUT) in its message.
      const lut = /index\.lut/.test(errorMessage(err)) && !/agents\.pack/.test(errorMessage(err));
      problems.push({
        file: relativePath(ws.root, lut ? files.lut : files.pack),
        message: errorMessage(err),
      });
    }
  }
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { objects: names.length, signatures, entries, packed, problems };
}
