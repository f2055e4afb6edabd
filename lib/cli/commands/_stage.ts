/**
 * The structured log line of a pipeline stage, `[NN] [LEVEL] text`, which
 * `auto` and scripts grep for.
 *
 * @module
 */

/** Pipeline stages by number. */
export type Stage = "00" | "10" | "20" | "30" | "40" | "50";

/** Severity of a stage line. */
export type StageLevel = "INFO" | "NOTE" | "WARN" | "ERROR";

/** Formats one stage line. */
export function stageLine(stage: Stage, level: StageLevel, text: string): string {
  return `[${stage}] [${level}] ${text}`;
}
