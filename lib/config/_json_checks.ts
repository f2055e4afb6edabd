/**
 * What `JSON.parse` lets through silently, refused with a position: a key
 * given twice in one object (the last one wins, so `{"acl": deny, "acl":
 * allow}` would plan allow-all), an integer beyond 2^53 (rounded), and a
 * number out of range (`1e999` becomes Infinity, which canonical JSON cannot
 * hold). One linear pass over text that `JSON.parse` already accepted.
 *
 * @module
 */
import { SchemaError } from "../core/mod.ts";

interface Frame {
  /** Keys seen so far (objects), or null (arrays). */
  keys: Set<string> | null;
  /** Pointer of this container. */
  pointer: string;
  /** Array index of the next element. */
  index: number;
  /** The key whose value comes next (objects). */
  key: string | null;
}

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** Throws a positioned {@linkcode SchemaError} for the first problem in `text` (valid JSON). */
export function checkJsonText(file: string, text: string): void {
  const stack: Frame[] = [];
  let line = 1;
  let lineStart = 0;
  const fail = (at: number, pointer: string, message: string): never => {
    throw new SchemaError([{ file, pointer, line, column: at - lineStart + 1, message }]);
  };
  const valuePointer = (): string => {
    const top = stack.at(-1);
    if (!top) return "";
    return `${top.pointer}/${top.keys ? escapePointer(top.key ?? "") : top.index}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") (line++, lineStart = i + 1);
    else if (c === "{" || c === "[") {
      stack.push({
        keys: c === "{" ? new Set() : null,
        pointer: valuePointer(),
        index: 0,
        key: null,
      });
    } else if (c === "}" || c === "]") {
      stack.pop();
      afterValue(stack);
    } else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const top = stack.at(-1);
      if (top?.keys && top.key === null) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const pointer = `${top.pointer}/${escapePointer(key)}`;
        if (top.keys.has(key)) fail(i, pointer, `duplicate key "${key}" (a key may appear once)`);
        top.keys.add(key);
        top.key = key;
      } else afterValue(stack);
      i = j;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))!;
      const n = Number(m[0]);
      if (!Number.isFinite(n)) fail(i, valuePointer(), `number ${m[0]} is out of range`);
      if (!m[1] && !m[2] && !Number.isSafeInteger(n)) {
        fail(i, valuePointer(), `integer ${m[0]} is beyond 2^53 and would be rounded`);
      }
      afterValue(stack);
      i += m[0].length - 1;
    } else if (c === "t" || c === "f" || c === "n") {
      afterValue(stack);
      i += c === "f" ? 4 : 3;
    }
  }
}

// A value ended: an object waits for its next key, an array counts the element.
function afterValue(stack: Frame[]): void {
  const top = stack.at(-1);
  if (!top) return;
  if (top.keys) top.key = null;
  else top.index++;
}

/** Throws for a non-finite number or an unsafe integer anywhere in a parsed (YAML) value. */
export function checkNumbers(file: string, value: unknown, pointer = ""): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new SchemaError([{ file, pointer, message: `number ${value} is not a finite number` }]);
    }
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw new SchemaError([{ file, pointer, message: `integer ${value} is beyond 2^53` }]);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkNumbers(file, v, `${pointer}/${i}`));
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      checkNumbers(file, v, `${pointer}/${escapePointer(k)}`);
    }
  }
}
