/**
 * Symbol manifests: parsing, validation beyond the schema, and identity.
 *
 * @module
 */
import { hashJson, SchemaError } from "../core/mod.ts";
import {
  locate,
  parseSource,
  type SourceDocument,
  type SymbolManifest,
  validateDocument,
} from "../config/mod.ts";
import { InputError } from "../core/mod.ts";

/** Pattern of a symbol address `rtt://<namespace>/<kind>/<name>`. */
export const SADDR =
  /^rtt:\/\/([a-z0-9][a-z0-9_.-]*)\/([a-z0-9][a-z0-9_.-]*)\/([a-z0-9][a-z0-9_.-]*)$/;

/** Splits a saddr into its parts. @throws {SyntaxError} when malformed. */
export function parseSaddr(saddr: string): { namespace: string; kind: string; name: string } {
  const m = SADDR.exec(saddr);
  if (!m) {
    throw new InputError(
      `Invalid symbol address "${saddr}": expected rtt://<namespace>/<kind>/<name>`,
    );
  }
  return { namespace: m[1], kind: m[2], name: m[3] };
}

/** Fields that are not part of a symbol's identity (signature, editor hints). */
const NON_IDENTITY = new Set(["sign", "$schema"]);

/** The manifest without its signature and editor hints: what gets hashed and signed. */
export function manifestBody(manifest: SymbolManifest): SymbolManifest {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(manifest)) if (!NON_IDENTITY.has(k)) body[k] = v;
  return body as SymbolManifest;
}

/**
 * Content identity of a manifest: `sha256:<hex>` of the RFC 8785 canonical
 * JSON of {@linkcode manifestBody}. The registry stores the manifest under
 * this hash and plans pin symbols by it.
 */
export function symbolHash(manifest: SymbolManifest): string {
  return hashJson(manifestBody(manifest));
}

/** Which schema a file is checked against, from its name and declared kind. */
export function schemaForManifest(file: string, value: unknown): "agent" | "skill" | "symbol" {
  const kind = (value as { kind?: unknown })?.kind;
  if (file.endsWith(".agent.json") || kind === "agent") return "agent";
  if (file.endsWith(".skill.json") || kind === "skill") return "skill";
  return "symbol";
}

/**
 * Parses and validates manifest text.
 * @throws {SchemaError} with file/line/column/pointer for every problem.
 */
export async function parseManifest(
  file: string,
  text: string,
): Promise<{ manifest: SymbolManifest; doc: SourceDocument }> {
  const doc = parseSource(file, text, { format: "json" });
  await validateDocument(schemaForManifest(file, doc.value), doc);
  const manifest = doc.value as SymbolManifest;
  const { kind } = parseSaddr(manifest.saddr);
  if (kind !== manifest.kind) {
    throw new SchemaError([{
      file,
      pointer: "/saddr",
      ...locate(doc, "/saddr"),
      message: `kind segment "${kind}" of saddr does not match kind "${manifest.kind}"`,
    }]);
  }
  return { manifest, doc };
}
