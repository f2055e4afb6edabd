/**
 * `registry export`: writes an air-gap bundle (format in `bundle.ts`) of
 * every indexed object, verified first, with the index and the trust-root
 * chain, signed by the exporter.
 *
 * @module
 */
import {
  canonicalBytes,
  type Hooks,
  type KeyPair,
  type Workspace,
  writeFileAtomic,
} from "../core/mod.ts";
import { BUNDLE_ENTRIES, bundleRootEntry, encodeBundle } from "./bundle.ts";
import { collectPackRecords, encodePack } from "./build_pack.ts";
import { decodeObject, loadSignaturePolicy, type SignaturePolicy, verifyObject } from "./object.ts";
import { readIndexFile } from "./registry_index.ts";

/** What {@linkcode exportBundle} wrote. */
export interface ExportResult {
  /** Bundle written. */
  file: string;
  /** Objects in it. */
  objects: number;
  /** Its size. */
  bytes: number;
  /** Highest trust-root version in its chain. */
  trustVersion: number;
  /** Key id that signed the bundle index. */
  signer: string;
}

/**
 * Writes a bundle of every indexed object (verified first), the index and
 * the trust-root chain, signed with `key`.
 */
export async function exportBundle(
  ws: Workspace,
  file: string,
  options: { key: KeyPair; policy?: SignaturePolicy; hooks?: Hooks },
): Promise<ExportResult> {
  const policy = options.policy ?? await loadSignaturePolicy(ws, { hooks: options.hooks });
  const records = await collectPackRecords(ws);
  for (const r of records) {
    const what = `object ${r.hash}`;
    await verifyObject(await decodeObject(r.bytes, what), { hash: r.hash, policy, what });
  }
  const { pack, lut } = await encodePack(records);
  const files = new Map<string, Uint8Array>([
    [BUNDLE_ENTRIES.pack, pack],
    [BUNDLE_ENTRIES.lut, lut],
    [BUNDLE_ENTRIES.index, canonicalBytes(await readIndexFile(ws))],
  ]);
  for (let v = 1; v <= policy.trust.signed.version; v++) {
    files.set(bundleRootEntry(v), await Deno.readFile(`${ws.trust}/root.${v}.json`));
  }
  const bytes = await encodeBundle(files, options.key);
  await writeFileAtomic(file, bytes, { label: "bundle", hooks: options.hooks });
  return {
    file,
    objects: records.length,
    bytes: bytes.length,
    trustVersion: policy.trust.signed.version,
    signer: options.key.keyId,
  };
}
