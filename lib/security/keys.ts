/**
 * Signing keys on disk. Private keys live in `.rtt/keys/<name>.key.json`
 * with mode 0600 and never enter the CAS, a pack or a bundle; the public
 * half is written next to it as `<name>.pub.json` for sharing.
 *
 * @module
 */
import {
  exists,
  fromBase64,
  generateKeyPair,
  type Hooks,
  keyIdOf,
  type KeyPair,
  keyPairFromSeed,
  relativePath,
  toBase64,
  type Workspace,
  writeJsonAtomic,
} from "../core/mod.ts";
import { InputError, MissingInputError } from "../core/mod.ts";
import { IoError, UsageError } from "../core/mod.ts";
import { isNotFound } from "../core/mod.ts";

/** Public key file contents (`*.pub.json`). */
export interface PublicKeyFile {
  alg: "ed25519";
  key_id: string;
  public: string;
  name?: string;
}

/** Default key name. */
export const DEFAULT_KEY = "default";

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new UsageError(
      `Invalid key name "${name}": use letters, digits, ".", "_" and "-" (at most 64)`,
    );
  }
}

/** Path of a private key file. */
export function privateKeyPath(ws: Workspace, name: string): string {
  checkName(name);
  return `${ws.keys}/${name}.key.json`;
}

/** Path of a public key file. */
export function publicKeyPath(ws: Workspace, name: string): string {
  checkName(name);
  return `${ws.keys}/${name}.pub.json`;
}

/**
 * Generates a key pair named `name`.
 * @throws {IoError} when a key of that name exists.
 */
export async function generateKey(
  ws: Workspace,
  name: string = DEFAULT_KEY,
  options: { hooks?: Hooks } = {},
): Promise<KeyPair> {
  const priv = privateKeyPath(ws, name);
  if (await exists(priv)) {
    throw new IoError(
      `Cannot create key "${name}": "${relativePath(ws.root, priv)}" already exists`,
    );
  }
  await Deno.mkdir(ws.keys, { recursive: true, mode: 0o700 });
  const pair = await generateKeyPair();
  await writeJsonAtomic(priv, {
    alg: "ed25519",
    name,
    key_id: pair.keyId,
    public: toBase64(pair.publicKey),
    seed: toBase64(pair.seed),
  }, { mode: 0o600, label: "key", hooks: options.hooks });
  await writeJsonAtomic(publicKeyPath(ws, name), publicKeyFile(pair, name), {
    hooks: options.hooks,
  });
  return pair;
}

/** The shareable public half of a key pair. */
export function publicKeyFile(pair: KeyPair, name?: string): PublicKeyFile {
  return {
    alg: "ed25519",
    key_id: pair.keyId,
    public: toBase64(pair.publicKey),
    ...(name ? { name } : {}),
  };
}

/**
 * Loads a private key.
 * @throws {Deno.errors.NotFound} when it does not exist; {SyntaxError} when malformed;
 * {Deno.errors.PermissionDenied} when the file is readable by others.
 */
export async function loadKey(ws: Workspace, name: string = DEFAULT_KEY): Promise<KeyPair> {
  const path = privateKeyPath(ws, name);
  const rel = relativePath(ws.root, path);
  let text: string;
  try {
    const st = await Deno.stat(path);
    if (st.mode !== null && (st.mode & 0o077) !== 0) {
      throw new IoError(
        `Refusing private key "${rel}": mode ${
          (st.mode & 0o777).toString(8)
        } lets others read it (chmod 600)`,
      );
    }
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (isNotFound(err)) {
      throw new MissingInputError(
        `No signing key "${name}" ("${rel}"): run "rtt-deno keys gen" or "rtt-deno init"`,
        { cause: err },
      );
    }
    throw err;
  }
  let raw: { seed?: unknown; key_id?: unknown };
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new InputError(`Cannot parse key "${rel}": malformed JSON`, { cause });
  }
  if (typeof raw.seed !== "string") {
    throw new InputError(`Cannot parse key "${rel}": missing field "seed"`);
  }
  let seed: Uint8Array;
  try {
    seed = fromBase64(raw.seed);
  } catch (cause) {
    throw new InputError(`Cannot parse key "${rel}": field "seed" is not base64`, { cause });
  }
  if (seed.length !== 32) {
    throw new InputError(
      `Cannot parse key "${rel}": field "seed" must hold 32 bytes, it holds ${seed.length}`,
    );
  }
  const pair = await keyPairFromSeed(seed);
  if (raw.key_id !== pair.keyId) {
    throw new InputError(
      `Cannot use key "${rel}": key_id ${raw.key_id} does not match its seed (${pair.keyId})`,
    );
  }
  return pair;
}

/** Names of the private keys in the workspace, sorted. */
export async function listKeyNames(ws: Workspace): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(ws.keys)) {
      if (e.isFile && e.name.endsWith(".key.json")) {
        names.push(e.name.slice(0, -".key.json".length));
      }
    }
  } catch (err) {
    if (!(isNotFound(err))) throw err;
  }
  return names.sort();
}

/**
 * Reads a public key file (`*.pub.json`, or a raw base64 key on one line).
 * @throws {SyntaxError} when it holds no valid Ed25519 public key.
 */
export async function readPublicKeyFile(
  path: string,
): Promise<{ keyId: string; publicKey: Uint8Array }> {
  let text: string;
  try {
    text = (await Deno.readTextFile(path)).trim();
  } catch (err) {
    if (isNotFound(err)) {
      throw new MissingInputError(`Cannot read public key "${path}": file not found`, {
        cause: err,
      });
    }
    throw err;
  }
  let b64 = text;
  if (text.startsWith("{")) {
    let obj: { public?: unknown; alg?: unknown };
    try {
      obj = JSON.parse(text);
    } catch (cause) {
      throw new InputError(`Cannot parse public key "${path}": malformed JSON`, { cause });
    }
    if (obj.alg !== undefined && obj.alg !== "ed25519") {
      throw new InputError(`Cannot use public key "${path}": alg must be "ed25519"`);
    }
    if (typeof obj.public !== "string") {
      throw new InputError(`Cannot parse public key "${path}": missing field "public"`);
    }
    b64 = obj.public;
  }
  let publicKey: Uint8Array;
  try {
    publicKey = fromBase64(b64);
  } catch (cause) {
    throw new InputError(
      `Cannot parse public key "${path}": expected a *.pub.json file or one base64 Ed25519 key`,
      { cause },
    );
  }
  if (publicKey.length !== 32) {
    throw new InputError(
      `Cannot use public key "${path}": expected 32 bytes, got ${publicKey.length}`,
    );
  }
  return { keyId: keyIdOf(publicKey), publicKey };
}
