/**
 * Schema validation with precise positions. Every file a user writes is
 * checked against its JSON Schema before anything uses it; a mismatch becomes
 * a {@linkcode SchemaError} naming file, line, column, JSON pointer and what
 * was expected.
 *
 * @module
 */
import jsonSourceMap from "json-source-map";
import { parse as parseYaml } from "yaml";
import { SchemaError, type SourcePosition } from "../core/mod.ts";
import { jsonLocator, type Locator, offsetToPosition, yamlLocator } from "./_positions.ts";
import {
  type AjvError,
  type InternalSchemaName,
  type SchemaName,
  validatorFor,
} from "./schemas.ts";
import { checkJsonText, checkNumbers } from "./_json_checks.ts";

/** A parsed document with what is needed to report positions in it. */
export interface SourceDocument {
  /** File path as shown to the user. */
  file: string;
  /** Original text. */
  text: string;
  /** json or yaml. */
  format: "json" | "yaml";
  /** Parsed value. */
  value: unknown;
}

/**
 * Parses JSON or YAML text. Malformed text becomes a SchemaError with the
 * position of the syntax error.
 */
export function parseSource(
  file: string,
  text: string,
  options: { format?: "json" | "yaml" } = {},
): SourceDocument {
  const format = options.format ?? (/\.ya?ml$/i.test(file) ? "yaml" : "json");
  try {
    const value = format === "json"
      ? JSON.parse(text)
      : parseYaml(text, { prettyErrors: false, uniqueKeys: true });
    if (format === "json") checkJsonText(file, text);
    else checkNumbers(file, value);
    return { file, text, format, value };
  } catch (cause) {
    if (cause instanceof SchemaError) throw cause;
    let msg = cause instanceof Error ? cause.message : String(cause);
    if (format === "json") msg = jsonSyntaxMessage(text) ?? msg;
    let pos: { line: number; column: number } | undefined;
    const m = /position (\d+)/.exec(msg);
    const lc = /line (\d+) column (\d+)/.exec(msg);
    const yamlOffset = (cause as { pos?: number[] }).pos?.[0];
    if (lc) pos = { line: Number(lc[1]), column: Number(lc[2]) };
    else if (m) pos = offsetToPosition(text, Number(m[1]));
    else if (format === "yaml" && typeof yamlOffset === "number") {
      pos = offsetToPosition(text, yamlOffset);
    } else if (format === "json" && text.trim() === "") pos = { line: 1, column: 1 };
    // A truncated file (a torn write) ends early: point at its end.
    else if (format === "json" && /end of (JSON )?input/i.test(msg)) {
      pos = offsetToPosition(text, text.length);
    }
    const what = format === "json" ? "malformed JSON" : "malformed YAML";
    throw new SchemaError([{
      file,
      pointer: "",
      ...pos,
      message: `${what}: ${msg.split("\n")[0]}`,
    }], { cause });
  }
}

// V8's JSON.parse messages carry no position; json-source-map's parser does.
function jsonSyntaxMessage(text: string): string | undefined {
  try {
    jsonSourceMap.parse(text);
  } catch (err) {
    return err instanceof Error ? err.message : undefined;
  }
  return undefined;
}

function describe(err: AjvError): string {
  const p = err.params;
  switch (err.keyword) {
    case "required":
      return `missing field "${p.missingProperty}"`;
    case "additionalProperties":
      return `unknown field "${p.additionalProperty}"`;
    case "type":
      return `expected ${p.type}`;
    case "enum":
      return `expected one of ${
        (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")
      }`;
    case "const":
      return `expected ${JSON.stringify(p.allowedValue)}`;
    case "pattern": {
      const d = err.parentSchema?.description;
      return `expected a string matching ${p.pattern}${d ? ` (${d})` : ""}`;
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `expected a number ${p.comparison} ${p.limit}`;
    case "minItems":
      return `expected at least ${p.limit} item(s)`;
    case "uniqueItems":
      return `expected unique items (items ${p.j} and ${p.i} are equal)`;
    case "minLength":
      return `expected a non-empty string`;
    case "minProperties":
      return `expected at least ${p.limit} field(s)`;
    default:
      return err.message ?? err.keyword;
  }
}

function problemsFrom(
  errors: AjvError[],
  doc: SourceDocument,
): Array<SourcePosition & { message: string }> {
  let locate: Locator | undefined;
  const seen = new Set<string>();
  const out: Array<SourcePosition & { message: string }> = [];
  // allOf/if branches repeat errors; keep the first per pointer+message.
  for (const e of errors) {
    if (e.keyword === "if" || e.keyword === "allOf") continue;
    let pointer = e.instancePath;
    if (e.keyword === "additionalProperties") {
      pointer = `${pointer}/${
        String(e.params.additionalProperty).replace(/~/g, "~0").replace(/\//g, "~1")
      }`;
    }
    const message = describe(e);
    const key = pointer + "\0" + message;
    if (seen.has(key)) continue;
    seen.add(key);
    locate ??= doc.format === "json" ? jsonLocator(doc.text) : yamlLocator(doc.text);
    out.push({ file: doc.file, pointer, ...locate(pointer) ?? locate(e.instancePath), message });
  }
  return out;
}

/**
 * Validates a parsed document against a schema.
 * @throws {SchemaError} listing every mismatch with its position.
 */
export async function validateDocument(
  name: SchemaName | InternalSchemaName,
  doc: SourceDocument,
): Promise<void> {
  const validate = await validatorFor(name);
  if (!validate(doc.value)) throw new SchemaError(problemsFrom(validate.errors ?? [], doc));
}

/** Position of a pointer in a document (for checks done in code, beyond the schema). */
export function locate(
  doc: SourceDocument,
  pointer: string,
): { line: number; column: number } | undefined {
  return (doc.format === "json" ? jsonLocator(doc.text) : yamlLocator(doc.text))(pointer);
}
