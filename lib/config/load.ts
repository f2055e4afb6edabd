/**
 * Loading of the workspace configuration files, validated fail-closed.
 *
 * @module
 */
import { parse as parseYaml } from "yaml";
import { relativePath, type Workspace } from "../core/mod.ts";
import { DEFAULT_PANEL_YAML } from "./defaults.ts";
import type { PanelConfig, Policy, ProvidersFile, RoutesFile } from "./types.ts";
import { parseSource, type SourceDocument, validateDocument } from "./validate.ts";
import type { SchemaName } from "./schemas.ts";
import { INPUT_LIMITS, readInputText } from "../core/mod.ts";
import { isNotFound } from "../core/mod.ts";

/**
 * Reads, parses and validates one file against a schema.
 * @throws {SchemaError} on malformed text or schema mismatch (exit 65)
 * @throws {MissingInputError} when the file is missing (exit 66); {InputError} when it is not a
 * regular file or is larger than {@linkcode INPUT_LIMITS}.config (exit 65)
 */
export async function loadValidated<T>(
  ws: Workspace,
  path: string,
  schema: SchemaName,
): Promise<{ value: T; doc: SourceDocument }> {
  const file = relativePath(ws.root, path);
  const text = await readInputText(path, {
    what: `${schema} configuration`,
    display: file,
    maxBytes: /\.ya?ml$/.test(path) ? INPUT_LIMITS.yaml : INPUT_LIMITS.config,
    missingHint: 'run "rtt-deno init" to create it',
  });
  const doc = parseSource(file, text);
  await validateDocument(schema, doc);
  return { value: doc.value as T, doc };
}

/** `.rtt/panel.yaml`, or the defaults when the file does not exist. */
export async function loadPanelConfig(ws: Workspace): Promise<PanelConfig> {
  try {
    return (await loadValidated<PanelConfig>(ws, ws.panelConfig, "panel")).value;
  } catch (err) {
    if (isNotFound(err)) return parseYaml(DEFAULT_PANEL_YAML) as PanelConfig;
    throw err;
  }
}

/** `.rtt/policy.json` (required). */
export async function loadPolicy(ws: Workspace): Promise<Policy> {
  return (await loadValidated<Policy>(ws, ws.policyConfig, "policy")).value;
}

/** `.rtt/routes.json` (required), with its source document for error positions. */
export async function loadRoutes(
  ws: Workspace,
): Promise<{ value: RoutesFile; doc: SourceDocument }> {
  return await loadValidated<RoutesFile>(ws, ws.routesConfig, "routes");
}

/** A providers file such as `providers/providers.yaml`. */
export async function loadProviders(ws: Workspace, path: string): Promise<ProvidersFile> {
  return (await loadValidated<ProvidersFile>(ws, path, "providers")).value;
}
