/**
 * Human and machine output. Every command that prints results goes through
 * an {@linkcode Output} so `--json` and `--quiet` behave the same everywhere.
 *
 * @module
 */

const encoder = new TextEncoder();

// Human text may carry names from the workspace (file names, saddrs); a control character in one
// (an escape sequence) must not reach the terminal raw. Newlines and tabs are layout, kept.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` with control characters other than newline and tab shown as `\u001b`-style escapes. */
export function safeText(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Whether stdout/stderr are terminals (decides colour and progress). */
function isTty(rid: "stdout" | "stderr"): boolean {
  try {
    return Deno[rid].isTerminal();
  } catch {
    return false;
  }
}

/** Output switches set by the global options. */
export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

/** Writes results for people or machines. */
export class Output {
  /** `--json` given: print exactly one JSON document on stdout. */
  readonly json: boolean;
  /** `--quiet` given: human notes are suppressed; results and errors are not. */
  readonly quiet: boolean;
  /** `--debug` given: stacks and extra diagnostics. */
  readonly debug: boolean;
  /** Colour on stderr. */
  readonly color: boolean;
  #sink: (s: string) => void;
  #errSink: (s: string) => void;
  #onResult?: (value: unknown) => void;

  /**
   * Creates the output.
   *
   * @param options global output switches
   * @param sinks where text goes instead of stdout/stderr (tests)
   */
  constructor(
    options: OutputOptions = {},
    sinks?: { out?: (s: string) => void; err?: (s: string) => void },
  ) {
    this.json = !!options.json;
    this.quiet = !!options.quiet;
    this.debug = !!options.debug;
    this.color = !sinks && isTty("stderr") && !Deno.env.get("NO_COLOR");
    this.#sink = sinks?.out ?? ((s) => Deno.stdout.writeSync(encoder.encode(s)));
    this.#errSink = sinks?.err ?? ((s) => Deno.stderr.writeSync(encoder.encode(s)));
  }

  #copy(): Output {
    const copy = new Output(this, { out: this.#sink, err: this.#errSink });
    (copy as { color: boolean }).color = this.color;
    return copy;
  }

  /**
   * The same output, except that machine results go to `collect` instead of
   * stdout: `auto --json` gathers each stage's results into its one document.
   */
  collecting(collect: (value: unknown) => void): Output {
    const child = this.#copy();
    child.#onResult = collect;
    return child;
  }

  /** Prints a line of human output (ignored in --json mode). */
  line(text = ""): void {
    if (!this.json) this.#sink(safeText(text) + "\n");
  }

  /** Prints a human note unless --quiet or --json. */
  note(text: string): void {
    if (!this.json && !this.quiet) this.#sink(safeText(text) + "\n");
  }

  /** Prints a warning on stderr unless --quiet. */
  warn(text: string): void {
    if (!this.quiet) {
      this.#errSink(
        (this.color ? "\x1b[33mwarning\x1b[0m: " : "warning: ") + safeText(text) + "\n",
      );
    }
  }

  /** Prints the machine result (only in --json mode). */
  result(value: unknown): void {
    if (!this.json) return;
    if (this.#onResult) this.#onResult(value);
    else this.#sink(JSON.stringify(value, null, 2) + "\n");
  }

  /** Prints one red error line on stderr. */
  error(text: string): void {
    this.#errSink((this.color ? "\x1b[31merror\x1b[0m: " : "error: ") + safeText(text) + "\n");
  }

  /** Raw text on stderr (stacks with --debug). */
  stderr(text: string): void {
    this.#errSink(text + "\n");
  }

  /**
   * Shows transient progress on stderr when it is a terminal (and neither
   * --json nor --quiet is set); `done()` clears the line.
   */
  progress(text: string): void {
    if (!this.#progressOn()) return;
    this.#errSink(`\r\x1b[2K${text}`);
  }

  /** Clears a progress line. */
  progressDone(): void {
    if (this.#progressOn()) this.#errSink("\r\x1b[2K");
  }

  #progressOn(): boolean {
    return this.color && !this.json && !this.quiet;
  }

  /** Prints rows as an aligned table (human mode only). */
  table(headers: string[], rows: Array<Array<string | number>>): void {
    if (this.json) return;
    this.#sink(safeText(formatTable(headers, rows)));
  }
}

/** Formats rows as a left-aligned text table with a header rule. */
export function formatTable(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length))
  );
  const fmt = (r: string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  const lines = [fmt(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(fmt)];
  return lines.join("\n") + "\n";
}
