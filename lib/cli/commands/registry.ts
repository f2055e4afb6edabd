/**
 * `rtt-deno registry ingest|verify|ls|cat|gc|pack|export|import` (stage 30):
 * parse, call the registry use cases, render; {@linkcode showIngest} and
 * {@linkcode showVerify} are shared with `auto`.
 *
 * @module
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import { contextOf } from "../context.ts";
import { EXIT } from "../errors.ts";
import { relativePath } from "../../core/mod.ts";
import type { IngestReport, VerifyRegistryReport } from "../../pipeline/mod.ts";
import type { Output } from "../output.ts";
import { stageReporter } from "../stage_reporter.ts";

function entryWord(n: number): string {
  return n === 1 ? "entry" : "entries";
}

/** `rtt-deno registry ingest|verify|ls|cat|gc|pack|export|import` */
export function registerRegistry(program: Command): void {
  const reg = program.command("registry")
    .description("the signed content-addressed registry (CAS, index, pack, air-gap bundles)");
  registerIngest(reg);
  registerVerify(reg);
  registerLs(reg);
  registerCat(reg);
  registerGc(reg);
  registerPack(reg);
  registerExport(reg);
  registerImport(reg);
}

function registerIngest(reg: Command): void {
  reg.command("ingest")
    .description(
      "store manifests by sha256 of their canonical JSON, signed, and index them (default: everything the last scan found)",
    )
    .argument("[paths...]", "manifest files (default: the scan roots)")
    .option("--sign", "vouch for the input: sign every new object with your key")
    .option("--key <name>", "key to sign with", "default")
    .action(async (paths: string[], opts: { sign?: boolean; key: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { ingest } = await import("../../pipeline/mod.ts");
      const r = await ingest(ctx.workspace(), {
        paths: paths.map((p) => resolve(p)),
        sign: opts.sign,
        key: opts.key,
        hooks: ctx.hooks,
        onEvent: stageReporter(ctx.out, "30").onEvent,
      });
      showIngest(ctx.out, r);
    });
}

/** Prints an ingest report: the machine result and the human lines. */
export function showIngest(out: Output, r: IngestReport): void {
  out.result({
    added: r.added,
    unchanged: r.unchanged.length,
    repaired: r.repaired.map((i) => i.hash),
    index_written: r.indexWritten,
    elapsed_ms: Math.round(r.elapsedMs),
  });
  if (r.added.length) {
    out.table(
      ["SADDR", "VERSION", "HASH", "SIGNED BY"],
      r.added.map((a) => [a.saddr, a.version, a.hash.slice(7, 19), a.signers.join(",")]),
    );
  }
  stageReporter(out, "30").info(
    `Ingested ${r.added.length} new object(s), ${r.unchanged.length} unchanged, in ${
      r.elapsedMs.toFixed(0)
    } ms${r.indexWritten ? "" : "; index unchanged"}`,
  );
}

function registerVerify(reg: Command): void {
  reg.command("verify")
    .description(
      "re-hash every object, check every signature against the trust root, check index and pack (exit 77 on any failure)",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { verifyRegistry } = await import("../../pipeline/mod.ts");
      const r = await verifyRegistry(ctx.workspace());
      ctx.setExit(showVerify(ctx.out, r));
    });
}

/**
 * Prints a registry verification (the machine result and the human lines)
 * and returns its exit code: 77 when any problem was found.
 */
export function showVerify(out: Output, r: VerifyRegistryReport): number {
  const { elapsedMs, ...rest } = r;
  out.result({ ...rest, elapsed_ms: Math.round(elapsedMs) });
  for (const p of r.problems) out.error(`${p.file}: ${p.message}`);
  const stage = stageReporter(out, "30");
  if (!r.ok) stage.error(`registry verify: ${r.problems.length} problem(s)`);
  else {
    stage.info(
      `registry verified: ${r.objects} object(s), ${r.signatures} signature(s), ${r.entries} index ${
        entryWord(r.entries)
      }${r.packed ? `, ${r.packed} packed` : ""} in ${r.elapsedMs.toFixed(0)} ms`,
    );
  }
  return r.ok ? EXIT.ok : EXIT.refused;
}

function registerLs(reg: Command): void {
  reg.command("ls")
    .description("list registered symbols, versions and hashes")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { listRegistry } = await import("../../pipeline/mod.ts");
      const r = await listRegistry(ctx.workspace());
      ctx.out.result(r);
      ctx.out.table(
        ["SADDR", "VERSION", "HASH"],
        r.entries.map((e) => [e.saddr, e.version, e.hash]),
      );
      ctx.out.note(`${r.entries.length} ${entryWord(r.entries.length)}`);
    });
}

function registerCat(reg: Command): void {
  reg.command("cat")
    .description("print a verified object: by hash, saddr (highest version) or saddr@version")
    .argument("<ref>", "sha256:<hex> | rtt://ns/kind/name[@version]")
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { catRegistry } = await import("../../pipeline/mod.ts");
      const { hash, object } = await catRegistry(ctx.workspace(), { ref });
      ctx.out.result({ hash, ...object });
      ctx.out.line(JSON.stringify(object.manifest, null, 2));
      ctx.out.note(
        `# ${hash} signed by ${object.signatures.map((s) => s.key_id).join(", ") || "nobody"}`,
      );
    });
}

function registerGc(reg: Command): void {
  reg.command("gc")
    .description("remove objects no index entry, plan or committed state refers to")
    .option("--dry-run", "only list what would be removed")
    .action(async (opts: { dryRun?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { gcRegistry } = await import("../../pipeline/mod.ts");
      const r = await gcRegistry(ctx.workspace(), { dryRun: opts.dryRun, hooks: ctx.hooks });
      ctx.out.result(r);
      const verb = r.dryRun ? "would remove" : "removed";
      for (const h of r.removed) ctx.out.note(`  ${verb} ${h}`);
      ctx.out.line(
        `${verb} ${r.removed.length} unreferenced object(s) and ${r.temps.length} stale temp file(s); kept ${r.kept}`,
      );
    });
}

function registerPack(reg: Command): void {
  reg.command("pack")
    .description("build pack/agents.pack and pack/index.lut from every indexed object")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { packRegistry } = await import("../../pipeline/mod.ts");
      const { elapsedMs, ...r } = await packRegistry(ctx.workspace(), { hooks: ctx.hooks });
      ctx.out.result({ ...r, elapsed_ms: Math.round(elapsedMs) });
      stageReporter(ctx.out, "30").info(
        `pack: ${r.objects} object(s), ${r.packBytes} bytes + LUT ${r.lutBytes} bytes${
          r.written ? "" : " (unchanged)"
        } in ${elapsedMs.toFixed(0)} ms`,
      );
    });
}

function registerExport(reg: Command): void {
  reg.command("export")
    .description(
      "write one signed, compressed bundle (pack, LUT, index, trust chain) for an air gap",
    )
    .argument("<file>", "bundle file to write")
    .option("--key <name>", "key that signs the bundle index", "default")
    .action(async (file: string, opts: { key: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { exportRegistry } = await import("../../pipeline/mod.ts");
      const r = await exportRegistry(ctx.workspace(), {
        file: resolve(file),
        key: opts.key,
        hooks: ctx.hooks,
      });
      ctx.out.result(r);
      ctx.out.line(
        `exported ${r.objects} object(s) and trust root v${r.trustVersion} to ${file} (${r.bytes} bytes, signed by ${r.signer})`,
      );
    });
}

function registerImport(reg: Command): void {
  reg.command("import")
    .description(
      "verify a bundle completely offline, then add its objects (all or nothing; idempotent)",
    )
    .argument("<file>", "bundle file")
    .option("--trust-key <pubkey-file>", "trust this key (the exporter's) for manifests")
    .action(async (file: string, opts: { trustKey?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { importRegistry } = await import("../../pipeline/mod.ts");
      const ws = ctx.workspace();
      const r = await importRegistry(ws, {
        file: resolve(file),
        trustKeyFile: opts.trustKey ? resolve(opts.trustKey) : undefined,
        hooks: ctx.hooks,
      });
      ctx.out.result(r);
      if (r.trusted) ctx.out.note(`  now trusting ${r.trusted} for manifests`);
      ctx.out.line(
        r.added || r.entriesAdded || r.trusted
          ? `imported ${r.added} new object(s), ${r.entriesAdded} index ${
            entryWord(r.entriesAdded)
          } from ${relativePath(ws.root, resolve(file))} (signed by ${r.signer})`
          : `nothing to import: all ${r.objects} object(s) already present`,
      );
    });
}
