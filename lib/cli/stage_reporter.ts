/**
 * The structured log lines of the pipeline stages: `[NN] [LEVEL] text`, NN
 * the stage number (00 init ... 50 apply), LEVEL one of INFO, NOTE, WARN,
 * ERROR. Every command that belongs to a stage prints its stage lines
 * through a {@linkcode StageReporter}, so `auto` and log readers can rely on
 * the format.
 *
 * @example
 * ```ts
 * import { Output } from "./output.ts";
 * import { stageReporter } from "./stage_reporter.ts";
 * const stage = stageReporter(new Output(), "40");
 * stage.info("Planned 5 route(s)"); // [40] [INFO] Planned 5 route(s)
 * ```
 *
 * @module
 */
import type { StageEvent } from "../pipeline/mod.ts";
import type { Output } from "./output.ts";

/** Level of a stage line (warnings of a use case go to stderr instead, see `onEvent`). */
export type StageLevel = "INFO" | "NOTE" | "WARN" | "ERROR";

/** Formats one stage line. */
export function stageLine(stage: string, level: StageLevel, text: string): string {
  return `[${stage}] [${level}] ${text}`;
}

/** Prints the stage lines of one stage (human mode only; `--json` prints none). */
export interface StageReporter {
  /** The stage number, e.g. "40". */
  readonly stage: string;
  /** A result line (`[NN] [INFO]`); shown even with `--quiet`. */
  info(text: string): void;
  /** A progress line (`[NN] [INFO]`); hidden by `--quiet`. */
  progress(text: string): void;
  /** A note (`[NN] [NOTE]`); hidden by `--quiet`. */
  note(text: string): void;
  /** A failure line (`[NN] [ERROR]`); shown even with `--quiet`. */
  error(text: string): void;
  /**
   * Renders a use case's progress event (pass it as the use case's
   * `onEvent`): info as progress, note as a note, warn as a warning on
   * stderr, where warnings go so that a piped stdout keeps only results.
   */
  readonly onEvent: (event: StageEvent) => void;
}

/** A reporter printing stage `stage`'s lines to `out`. */
export function stageReporter(out: Output, stage: string): StageReporter {
  const line = (level: StageLevel, text: string) => stageLine(stage, level, text);
  const reporter: StageReporter = {
    stage,
    info: (text) => out.line(line("INFO", text)),
    progress: (text) => out.note(line("INFO", text)),
    note: (text) => out.note(line("NOTE", text)),
    error: (text) => out.line(line("ERROR", text)),
    onEvent(e) {
      if (e.level === "info") reporter.progress(e.message);
      else if (e.level === "note") reporter.note(e.message);
      else out.warn(e.message);
    },
  };
  return reporter;
}
