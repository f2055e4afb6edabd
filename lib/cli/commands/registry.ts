import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { EXIT } from "../errors.ts";
import { relativePath, resolvePath } from "../../core/mod.ts";
import { underWorkspaceLock } from "../workspace_lock.ts";

/** `rtt-deno registry ingest|verify|ls|cat|gc|pack|export|import` */
export function registerRegistry(program: Command): void {
  const reg = program.command("registry")
    .description("the signed content-addressed registry (CAS, index, pack, air-gap bundles)");

  reg.command("ingest")
    .description(
      "store manifests by sha256 of their canonical JSON, signed, and index them (default: everything the last scan found)",
    )
    .argument("[paths...]", "manifest files (default: the scan roots)")
    .option("--sign", "vouch for the input: sign every new object with your key")
    .option("--key <name>", "key to sign with", "default")
    .action(async (paths: string[], opts: { sign?: boolean; key: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const { collectInputs, ingestManifests } = await import("../../registry/mod.ts");
      const { loadKey } = await import("../../security/mod.ts");
      const t0 = performance.now();
      const inputs = await collectInputs(ws, paths);
      const signWith = opts.sign ? await loadKey(ws, opts.key) : undefined;
      const r = await underWorkspaceLock(
        ws,
        "registry ingest",
        () => ingestManifests(ws, inputs, { signWith, hooks: ctx.hooks }),
        { hooks: ctx.hooks },
      );
      const ms = performance.now() - t0;
      ctx.out.result({
        added: r.added,
        unchanged: r.unchanged.length,
        repaired: r.repaired.map((i) => i.hash),
        index_written: r.indexWritten,
        elapsed_ms: Math.round(ms),
      });
      if (r.added.length) {
        ctx.out.table(
          ["SADDR", "VERSION", "HASH", "SIGNED BY"],
          r.added.map((a) => [a.saddr, a.version, a.hash.slice(7, 19), a.signers.join(",")]),
        );
      }
      ctx.out.line(
        `[30] [INFO] Ingested ${r.added.length} new object(s), ${r.unchanged.length} unchanged, in ${
          ms.toFixed(0)
        } ms${r.indexWritten ? "" : "; index unchanged"}`,
      );
      for (const i of r.repaired) {
        ctx.out.warn(
          `repaired ${i.saddr}@${i.version}: the stored object ${i.hash} no longer matched its hash and was rewritten`,
        );
      }
    });

  reg.command("verify")
    .description(
      "re-hash every object, check every signature against the trust root, check index and pack (exit 77 on any failure)",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { verifyRegistry } = await import("../../registry/mod.ts");
      const t0 = performance.now();
      const r = await verifyRegistry(ctx.workspace());
      const ms = performance.now() - t0;
      ctx.out.result({ ok: r.problems.length === 0, ...r, elapsed_ms: Math.round(ms) });
      for (const p of r.problems) ctx.out.error(`${p.file}: ${p.message}`);
      if (r.problems.length) {
        ctx.setExit(EXIT.refused);
        ctx.out.line(`[30] [ERROR] registry verify: ${r.problems.length} problem(s)`);
      } else {
        ctx.out.line(
          `[30] [INFO] registry verified: ${r.objects} object(s), ${r.signatures} signature(s), ${r.entries} index entr${
            r.entries === 1 ? "y" : "ies"
          }${r.packed ? `, ${r.packed} packed` : ""} in ${ms.toFixed(0)} ms`,
        );
      }
    });

  reg.command("ls")
    .description("list registered symbols, versions and hashes")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { readIndex } = await import("../../registry/mod.ts");
      const entries = await readIndex(ctx.workspace());
      ctx.out.result({ entries });
      ctx.out.table(["SADDR", "VERSION", "HASH"], entries.map((e) => [e.saddr, e.version, e.hash]));
      ctx.out.note(`${entries.length} entr${entries.length === 1 ? "y" : "ies"}`);
    });

  reg.command("cat")
    .description("print a verified object: by hash, saddr (highest version) or saddr@version")
    .argument("<ref>", "sha256:<hex> | rtt://ns/kind/name[@version]")
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const { readIndex, readObject, resolveRef } = await import("../../registry/mod.ts");
      const entry = ref.startsWith("sha256:") && !ref.includes("@")
        ? undefined
        : resolveRef(await readIndex(ws), ref);
      const hash = entry?.hash ?? ref;
      const obj = await readObject(ws, hash, { expect: entry });
      ctx.out.result({ hash, ...obj });
      ctx.out.line(JSON.stringify(obj.manifest, null, 2));
      ctx.out.note(
        `# ${hash} signed by ${obj.signatures.map((s) => s.key_id).join(", ") || "nobody"}`,
      );
    });

  reg.command("gc")
    .description("remove objects no index entry, plan or committed state refers to")
    .option("--dry-run", "only list what would be removed")
    .action(async (opts: { dryRun?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { collectGarbage } = await import("../../registry/mod.ts");
      const ws = ctx.workspace();
      const r = opts.dryRun
        ? await collectGarbage(ws, { dryRun: true })
        : await underWorkspaceLock(ws, "registry gc", () => collectGarbage(ws), {
          hooks: ctx.hooks,
        });
      ctx.out.result(r);
      for (const h of r.removed) ctx.out.note(`  ${opts.dryRun ? "would remove" : "removed"} ${h}`);
      ctx.out.line(
        `${
          opts.dryRun ? "would remove" : "removed"
        } ${r.removed.length} unreferenced object(s) and ${r.temps.length} stale temp file(s); kept ${r.kept}`,
      );
    });

  reg.command("pack")
    .description("build pack/agents.pack and pack/index.lut from every indexed object")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { buildPack } = await import("../../registry/mod.ts");
      const t0 = performance.now();
      const ws = ctx.workspace();
      const r = await underWorkspaceLock(
        ws,
        "registry pack",
        () => buildPack(ws, { hooks: ctx.hooks }),
        { hooks: ctx.hooks },
      );
      const ms = performance.now() - t0;
      ctx.out.result({ ...r, elapsed_ms: Math.round(ms) });
      ctx.out.line(
        `[30] [INFO] pack: ${r.objects} object(s), ${r.packBytes} bytes + LUT ${r.lutBytes} bytes${
          r.written ? "" : " (unchanged)"
        } in ${ms.toFixed(0)} ms`,
      );
    });

  reg.command("export")
    .description(
      "write one signed, compressed bundle (pack, LUT, index, trust chain) for an air gap",
    )
    .argument("<file>", "bundle file to write")
    .option("--key <name>", "key that signs the bundle index", "default")
    .action(async (file: string, opts: { key: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const { exportBundle } = await import("../../registry/mod.ts");
      const { loadKey } = await import("../../security/mod.ts");
      const key = await loadKey(ws, opts.key);
      const r = await exportBundle(ws, resolvePath(file), { key, hooks: ctx.hooks });
      ctx.out.result(r);
      ctx.out.line(
        `exported ${r.objects} object(s) and trust root v${r.trustVersion} to ${file} (${r.bytes} bytes, signed by ${r.signer})`,
      );
    });

  reg.command("import")
    .description(
      "verify a bundle completely offline, then add its objects (all or nothing; idempotent)",
    )
    .argument("<file>", "bundle file")
    .option("--trust-key <pubkey-file>", "trust this key (the exporter's) for manifests")
    .action(async (file: string, opts: { trustKey?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const { importBundle } = await import("../../registry/mod.ts");
      const r = await underWorkspaceLock(
        ws,
        "registry import",
        () =>
          importBundle(ws, resolvePath(file), {
            trustKeyFile: opts.trustKey ? resolvePath(opts.trustKey) : undefined,
            hooks: ctx.hooks,
          }),
        { hooks: ctx.hooks },
      );
      ctx.out.result(r);
      if (r.trusted) ctx.out.note(`  now trusting ${r.trusted} for manifests`);
      ctx.out.line(
        r.added || r.entriesAdded || r.trusted
          ? `imported ${r.added} new object(s), ${r.entriesAdded} index entr${
            r.entriesAdded === 1 ? "y" : "ies"
          } from ${relativePath(ws.root, resolvePath(file))} (signed by ${r.signer})`
          : `nothing to import: all ${r.objects} object(s) already present`,
      );
    });
}
