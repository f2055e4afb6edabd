/**
 * RFC 8785 (JCS) canonical JSON.
 *
 * Every hash and signature in RTT is computed over these bytes, so two
 * documents that differ only in key order or insignificant whitespace get
 * the same identity.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Serialises a JSON value canonically: object keys sorted by UTF-16 code
 * units, no whitespace, numbers in ECMAScript shortest form.
 *
 * @example
 * ```ts
 * canonicalize({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 * @throws {TypeError} for values JSON cannot represent (undefined, functions,
 * symbols, bigint, NaN, Infinity) or cyclic structures.
 */
export function canonicalize(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, new Set(), "");
  return parts.join("");
}

/** Canonical JSON encoded as UTF-8 bytes (what gets hashed and signed). */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalize(value));
}

function write(value: unknown, out: string[], seen: Set<object>, path: string): void {
  switch (typeof value) {
    case "string":
      out.push(JSON.stringify(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "number":
      if (!Number.isFinite(value)) {
        throw new TypeError(
          `Cannot canonicalize ${value} at "${path || "/"}": not a finite number`,
        );
      }
      // JSON.stringify yields the ECMAScript shortest round-trip form JCS requires (-0 -> 0).
      out.push(JSON.stringify(value));
      return;
    case "object": {
      if (value === null) {
        out.push("null");
        return;
      }
      if (seen.has(value)) throw new TypeError(`Cannot canonicalize a cyclic value at "${path}"`);
      seen.add(value);
      if (Array.isArray(value)) {
        out.push("[");
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.push(",");
          const item = value[i];
          write(item === undefined ? null : item, out, seen, `${path}/${i}`);
        }
        out.push("]");
      } else {
        const obj = value as Record<string, unknown>;
        if (typeof (obj as { toJSON?: unknown }).toJSON === "function") {
          seen.delete(value);
          write((obj as { toJSON: () => unknown }).toJSON(), out, seen, path);
          return;
        }
        // Default sort compares UTF-16 code units, exactly what RFC 8785 asks for.
        const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
        out.push("{");
        for (let i = 0; i < keys.length; i++) {
          if (i > 0) out.push(",");
          out.push(JSON.stringify(keys[i]), ":");
          write(obj[keys[i]], out, seen, `${path}/${keys[i]}`);
        }
        out.push("}");
      }
      seen.delete(value);
      return;
    }
    default:
      throw new TypeError(
        `Cannot canonicalize a value of type ${typeof value} at "${path || "/"}"`,
      );
  }
}
