/**
 * Maps JSON pointers to line/column in the source text, for JSON and YAML, so validation
 * errors can name `file:line:column`.
 *
 * @module
 */
import jsonSourceMap from "json-source-map";
import { isMap, isSeq, LineCounter, type Node as YamlNode, parseDocument } from "yaml";

/** 1-based position of a pointer, or undefined when the source has no such node. */
export type Locator = (pointer: string) => { line: number; column: number } | undefined;

/** Line/column (1-based) of a character offset. */
export function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** Builds a locator over JSON text (parses it once more, only on the error path). */
export function jsonLocator(text: string): Locator {
  let pointers: Record<
    string,
    { value: { line: number; column: number }; key?: { line: number; column: number } }
  >;
  try {
    pointers = jsonSourceMap.parse(text).pointers as typeof pointers;
  } catch {
    return () => undefined;
  }
  return (pointer) => {
    const p = pointers[pointer];
    if (!p) return undefined;
    const at = p.key ?? p.value;
    return { line: at.line + 1, column: at.column + 1 };
  };
}

function decodePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Builds a locator over YAML text. */
export function yamlLocator(text: string): Locator {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  return (pointer) => {
    let node: unknown = doc.contents;
    let keyNode: YamlNode | undefined;
    for (const seg of decodePointer(pointer)) {
      if (isMap(node)) {
        const pair = node.items.find((it) =>
          String((it.key as { value?: unknown })?.value ?? it.key) === seg
        );
        if (!pair) return undefined;
        keyNode = pair.key as YamlNode;
        node = pair.value;
      } else if (isSeq(node)) {
        node = node.items[Number(seg)];
        keyNode = undefined;
      } else return undefined;
    }
    const target = (keyNode ?? node) as YamlNode | undefined;
    const range = target?.range;
    if (!range) return undefined;
    const pos = lc.linePos(range[0]);
    return { line: pos.line, column: pos.col };
  };
}
