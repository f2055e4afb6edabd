/**
 * `rtt-deno keys gen|list|trust|untrust|rotate|threshold|renew`: parse, call
 * the key and trust-root use cases, render.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { resolve } from "node:path";
import { contextOf } from "../context.ts";
import { type Role, ROLES } from "../../pipeline/keys.ts";
import { nonNegativeInteger } from "../arguments.ts";
import { listOf } from "./_options.ts";

function signWithOption(): Option {
  return new Option("--sign-with <key>", "workspace key(s) signing the change (default: default)")
    .argParser(listOf("key"));
}

function roleOption(description: string): Option {
  return new Option("--role <role>", description).argParser(listOf("role", ROLES));
}

/** `rtt-deno keys gen|list|trust|untrust|rotate|threshold|renew` */
export function registerKeys(program: Command): void {
  const keys = program.command("keys")
    .description("signing keys and the trust root (who may sign manifests and plans)");
  registerGen(keys);
  registerList(keys);
  registerTrust(keys);
  registerUntrust(keys);
  registerRotate(keys);
  registerThreshold(keys);
  registerRenew(keys);
}

function registerGen(keys: Command): void {
  keys.command("gen")
    .description("create an Ed25519 key pair in .rtt/keys/ (private key mode 600)")
    .option("--name <name>", "key name", "default")
    .action(async (opts: { name: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { generateKey } = await import("../../pipeline/mod.ts");
      const r = await generateKey(ctx.workspace(), { name: opts.name, hooks: ctx.hooks });
      ctx.out.result({ name: r.name, key_id: r.keyId, public_key_file: r.publicKeyFile });
      ctx.out.line(`created key "${r.name}" ${r.keyId}`);
      ctx.out.note(
        `  public key: ${r.publicKeyFile} (share it; trust it elsewhere with "keys trust")`,
      );
    });
}

function registerList(keys: Command): void {
  keys.command("list")
    .description("list the keys the trust root trusts, with their roles")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { listKeys } = await import("../../pipeline/mod.ts");
      const t = await listKeys(ctx.workspace());
      ctx.out.result(t);
      ctx.out.line(`trust root v${t.version}, threshold ${t.threshold}, expires ${t.expires}`);
      ctx.out.table(
        ["KEY ID", "NAME", "ROLES", "LOCAL KEY"],
        t.keys.map((k) => [k.key_id, k.name ?? "", k.roles.join(","), k.local ?? ""]),
      );
    });
}

function registerTrust(keys: Command): void {
  keys.command("trust")
    .description("trust a public key for roles (writes trust root version N+1)")
    .argument("<pubkey-file>", "public key file (*.pub.json or raw base64)")
    .addOption(
      roleOption(`${ROLES.join(", ")} (repeat or comma-separate)`).makeOptionMandatory(),
    )
    .option("--name <label>", "label stored with the key")
    .addOption(signWithOption())
    .action(
      async (
        file: string,
        opts: { role: Role[]; name?: string; signWith?: string[] },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const { trustKey } = await import("../../pipeline/mod.ts");
        const r = await trustKey(ctx.workspace(), {
          publicKeyFile: resolve(file),
          roles: opts.role,
          name: opts.name,
          signWith: opts.signWith,
          hooks: ctx.hooks,
        });
        ctx.out.result({ key_id: r.keyId, changed: r.changed, version: r.version, roles: r.roles });
        ctx.out.line(
          r.changed
            ? `trust root v${r.version}: ${r.keyId} trusted for ${r.roles.join(", ")}`
            : `${r.keyId} already trusted for ${r.roles.join(", ")}; nothing changed`,
        );
      },
    );
}

function registerUntrust(keys: Command): void {
  keys.command("untrust")
    .description("remove a key (or some of its roles) from the trust root")
    .argument("<key-id>", "key id as shown by keys list")
    .addOption(roleOption("only remove these roles"))
    .addOption(signWithOption())
    .action(async (keyId: string, opts: { role?: Role[]; signWith?: string[] }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { untrustKey } = await import("../../pipeline/mod.ts");
      const r = await untrustKey(ctx.workspace(), {
        keyId,
        roles: opts.role,
        signWith: opts.signWith,
        hooks: ctx.hooks,
      });
      ctx.out.result({ key_id: r.keyId, version: r.version, roles: r.roles });
      ctx.out.line(
        r.roles.length
          ? `trust root v${r.version}: ${r.keyId} keeps ${r.roles.join(", ")}`
          : `trust root v${r.version}: ${r.keyId} is no longer trusted`,
      );
    });
}

function registerRotate(keys: Command): void {
  keys.command("rotate")
    .description(
      "replace a key with a fresh one that takes over its roles (old key keeps only non-root roles, or none with --revoke)",
    )
    .option("--name <name>", "key to rotate", "default")
    .option("--revoke", "drop every role of the old key (what only it signed stops verifying)")
    .action(async (opts: { name: string; revoke?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { rotateKey } = await import("../../pipeline/mod.ts");
      const r = await rotateKey(ctx.workspace(), {
        name: opts.name,
        revoke: opts.revoke,
        hooks: ctx.hooks,
      });
      ctx.out.result({
        old_key_id: r.oldKeyId,
        new_key_id: r.newKeyId,
        retired_name: r.retiredName,
        version: r.version,
      });
      ctx.out.line(
        `trust root v${r.version}: "${r.name}" is now ${r.newKeyId} (was ${r.oldKeyId}, kept as "${r.retiredName}"${
          r.revoked ? ", revoked" : ""
        })`,
      );
    });
}

function registerThreshold(keys: Command): void {
  keys.command("threshold")
    .description("set how many root-key signatures a trust-root change needs (default 1)")
    .argument(
      "<n>",
      "threshold (at least 1, at most the number of root keys)",
      nonNegativeInteger("keys threshold expects a whole number"),
    )
    .addOption(signWithOption())
    .action(async (n: number, opts: { signWith?: string[] }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { setThreshold } = await import("../../pipeline/mod.ts");
      const r = await setThreshold(ctx.workspace(), {
        threshold: n,
        signWith: opts.signWith,
        hooks: ctx.hooks,
      });
      ctx.out.result({ version: r.version, threshold: r.threshold });
      ctx.out.line(`trust root v${r.version}: threshold ${r.threshold}`);
    });
}

function registerRenew(keys: Command): void {
  keys.command("renew")
    .description("extend the trust root's expiry (also works once it has expired)")
    .addOption(signWithOption())
    .action(async (opts: { signWith?: string[] }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { renewTrustRoot } = await import("../../pipeline/mod.ts");
      const r = await renewTrustRoot(ctx.workspace(), {
        signWith: opts.signWith,
        hooks: ctx.hooks,
      });
      ctx.out.result({ version: r.version, expires: r.expires });
      ctx.out.line(`trust root v${r.version} expires ${r.expires}`);
    });
}
