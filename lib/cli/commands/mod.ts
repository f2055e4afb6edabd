/**
 * Registration of every command group. Each command module registers its
 * subcommands and imports its heavy dependencies lazily inside the action.
 *
 * @module
 */
import type { CliCommand } from "../context.ts";
import { registerInit } from "./init.ts";
import { registerScan } from "./scan.ts";
import { registerDoctor } from "./doctor.ts";
import { registerKeys } from "./keys.ts";
import { registerRegistry } from "./registry.ts";
import { registerPlan } from "./plan.ts";
import { registerApply } from "./apply.ts";
import { registerRollback } from "./rollback.ts";
import { registerRecover } from "./recover.ts";
import { registerWal } from "./wal.ts";
import { registerStatus } from "./status.ts";
import { registerBench } from "./bench.ts";
import { registerAuto } from "./auto.ts";

export type { CliCommand } from "../context.ts";

/** Adds every command to the program, in help order. */
export function registerCommands(program: CliCommand): void {
  registerInit(program);
  registerScan(program);
  registerDoctor(program);
  registerKeys(program);
  registerRegistry(program);
  registerPlan(program);
  registerApply(program);
  registerRollback(program);
  registerRecover(program);
  registerWal(program);
  registerStatus(program);
  registerAuto(program);
  registerBench(program);
}
