import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { underWorkspaceLock } from "../workspace_lock.ts";
import { relativePath, resolvePath } from "../../core/mod.ts";
import { UsageError } from "../../core/mod.ts";

// Repeatable options also take comma-separated lists (`--sign-with a,b` = `--sign-with a --sign-with b`).
function collect(value: string, prev: string[] = []): string[] {
  return [...prev, ...value.split(",").map((v) => v.trim()).filter((v) => v !== "")];
}

/** `rtt-deno keys gen|list|trust|untrust|rotate|threshold|renew` */
export function registerKeys(program: Command): void {
  const keys = program.command("keys")
    .description("signing keys and the trust root (who may sign manifests and plans)");

  keys.command("gen")
    .description("create an Ed25519 key pair in .rtt/keys/ (private key mode 600)")
    .option("--name <name>", "key name", "default")
    .action(async (opts: { name: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const { generateKey, publicKeyPath } = await import("../../security/mod.ts");
      const pair = await generateKey(ws, opts.name, { hooks: ctx.hooks });
      const pub = relativePath(ws.root, publicKeyPath(ws, opts.name));
      ctx.out.result({ name: opts.name, key_id: pair.keyId, public_key_file: pub });
      ctx.out.line(`created key "${opts.name}" ${pair.keyId}`);
      ctx.out.note(`  public key: ${pub} (share it; trust it elsewhere with "keys trust")`);
    });

  keys.command("list")
    .description("list the keys the trust root trusts, with their roles")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { listTrust } = await import("../../security/mod.ts");
      const t = await listTrust(ctx.workspace());
      ctx.out.result(t);
      ctx.out.line(`trust root v${t.version}, threshold ${t.threshold}, expires ${t.expires}`);
      ctx.out.table(
        ["KEY ID", "NAME", "ROLES", "LOCAL KEY"],
        t.keys.map((k) => [k.key_id, k.name ?? "", k.roles.join(","), k.local ?? ""]),
      );
    });

  keys.command("trust")
    .description("trust a public key for roles (writes trust root version N+1)")
    .argument("<pubkey-file>", "public key file (*.pub.json or raw base64)")
    .requiredOption(
      "--role <role>",
      "root, manifests or plans (repeat or comma-separate)",
      collect,
    )
    .option("--name <label>", "label stored with the key")
    .option("--sign-with <key>", "workspace key(s) signing the change (default: default)", collect)
    .action(
      async (
        file: string,
        opts: { role: string[]; name?: string; signWith?: string[] },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const { trustKey, parseRoles } = await import("../../security/mod.ts");
        const ws = ctx.workspace();
        const r = await underWorkspaceLock(ws, "keys trust", () =>
          trustKey(ws, resolvePath(file), {
            roles: parseRoles(opts.role),
            name: opts.name,
            signWith: opts.signWith,
            hooks: ctx.hooks,
          }), { hooks: ctx.hooks });
        const roles = r.root.signed.keys[r.keyId].roles;
        ctx.out.result({
          key_id: r.keyId,
          changed: r.changed,
          version: r.root.signed.version,
          roles,
        });
        ctx.out.line(
          r.changed
            ? `trust root v${r.root.signed.version}: ${r.keyId} trusted for ${roles.join(", ")}`
            : `${r.keyId} already trusted for ${roles.join(", ")}; nothing changed`,
        );
      },
    );

  keys.command("untrust")
    .description("remove a key (or some of its roles) from the trust root")
    .argument("<key-id>", "key id as shown by keys list")
    .option("--role <role>", "only remove these roles", collect)
    .option("--sign-with <key>", "workspace key(s) signing the change (default: default)", collect)
    .action(async (keyId: string, opts: { role?: string[]; signWith?: string[] }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { untrustKey, parseRoles } = await import("../../security/mod.ts");
      const ws = ctx.workspace();
      const root = await underWorkspaceLock(ws, "keys untrust", () =>
        untrustKey(ws, keyId, {
          roles: opts.role ? parseRoles(opts.role) : undefined,
          signWith: opts.signWith,
          hooks: ctx.hooks,
        }), { hooks: ctx.hooks });
      const left = root.signed.keys[keyId]?.roles ?? [];
      ctx.out.result({ key_id: keyId, version: root.signed.version, roles: left });
      ctx.out.line(
        left.length
          ? `trust root v${root.signed.version}: ${keyId} keeps ${left.join(", ")}`
          : `trust root v${root.signed.version}: ${keyId} is no longer trusted`,
      );
    });

  keys.command("rotate")
    .description(
      "replace a key with a fresh one that takes over its roles (old key keeps only non-root roles, or none with --revoke)",
    )
    .option("--name <name>", "key to rotate", "default")
    .option("--revoke", "drop every role of the old key (what only it signed stops verifying)")
    .action(async (opts: { name: string; revoke?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { rotateKey } = await import("../../security/mod.ts");
      const ws = ctx.workspace();
      const r = await underWorkspaceLock(
        ws,
        "keys rotate",
        () => rotateKey(ws, opts.name, { revoke: opts.revoke, hooks: ctx.hooks }),
        { hooks: ctx.hooks },
      );
      ctx.out.result({
        old_key_id: r.oldKeyId,
        new_key_id: r.newKeyId,
        retired_name: r.retiredName,
        version: r.root.signed.version,
      });
      ctx.out.line(
        `trust root v${r.root.signed.version}: "${opts.name}" is now ${r.newKeyId} (was ${r.oldKeyId}, kept as "${r.retiredName}"${
          opts.revoke ? ", revoked" : ""
        })`,
      );
    });

  keys.command("threshold")
    .description("set how many root-key signatures a trust-root change needs (default 1)")
    .argument("<n>", "threshold (at least 1, at most the number of root keys)")
    .option("--sign-with <key>", "workspace key(s) signing the change (default: default)", collect)
    .action(async (n: string, opts: { signWith?: string[] }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { setThreshold } = await import("../../security/mod.ts");
      if (!/^\d+$/.test(n)) throw new UsageError(`Invalid threshold "${n}": expected a number`);
      const ws = ctx.workspace();
      const root = await underWorkspaceLock(
        ws,
        "keys threshold",
        () => setThreshold(ws, Number(n), { signWith: opts.signWith, hooks: ctx.hooks }),
        { hooks: ctx.hooks },
      );
      ctx.out.result({ version: root.signed.version, threshold: root.signed.threshold });
      ctx.out.line(`trust root v${root.signed.version}: threshold ${root.signed.threshold}`);
    });

  keys.command("renew")
    .description("extend the trust root's expiry (also works once it has expired)")
    .option("--sign-with <key>", "workspace key(s) signing the change (default: default)", collect)
    .action(async (opts: { signWith?: string[] }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { renewTrustRoot } = await import("../../security/mod.ts");
      const ws = ctx.workspace();
      const root = await underWorkspaceLock(
        ws,
        "keys renew",
        () => renewTrustRoot(ws, { signWith: opts.signWith, hooks: ctx.hooks }),
        { hooks: ctx.hooks },
      );
      ctx.out.result({ version: root.signed.version, expires: root.signed.expires });
      ctx.out.line(`trust root v${root.signed.version} expires ${root.signed.expires}`);
    });
}
