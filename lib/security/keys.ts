/**
 * Signing keys on disk. Private keys live in `.rtt/keys/<name>.key.json`
 * with mode 0600 and never enter the CAS, a pack or a bundle; the public
 * half is written next to it as `<name>.pub.json` for sharing.
 *
 * @module
 */
import {
  exists,
  generateKeyPair,
  type Hooks,
  keyIdOf,
  type KeyPair,
  keyPairFromSeed,
  relativePath,
  type Workspace,
  writeJsonAtomic,
} from "../core/mod.ts";
import {
  asFileError,
  InputError,
  IoError,
  isNotFound,
  MissingInputError,
  UsageError,
} from "../core/mod.ts";
import { parseInternalJson, readInternalJsonIfExists } from "../config/mod.ts";
import { INPUT_LIMITS, readInputText } from "../core/mod.ts";

/** Public key file contents (`*.pub.json`). */
export interface PublicKeyFile {
  /** Signature algorithm; the only one supported. */
  alg: "ed25519";
  /** `ed25519:` + the first 16 hex digits of the key's SHA-256 (see `keyIdOf`). */
  key_id: string;
  /** The 32-byte public key, base64. */
  public: string;
  /** Name the key was created under, when it has one. */
  name?: string;
}

/** Private key file contents (`*.key.json`). */
interface PrivateKeyFile {
  alg: "ed25519";
  name?: string;
  key_id: string;
  public?: string;
  seed: string;
}

function noKey(name: string, rel: string, cause?: unknown): MissingInputError {
  return new MissingInputError(
    `No signing key "${name}" ("${rel}"): run "rtt-deno keys gen" or "rtt-deno init"`,
    { file: rel, cause },
  );
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
    public: pair.publicKey.toBase64(),
    seed: pair.seed.toBase64(),
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
    public: pair.publicKey.toBase64(),
    ...(name ? { name } : {}),
  };
}

/**
 * Loads a private key.
 * @throws {MissingInputError} when it does not exist; {SchemaError} / {InputError} when
 * damaged (exit 65); {IoError} when the file is readable by others.
 */
export async function loadKey(ws: Workspace, name: string = DEFAULT_KEY): Promise<KeyPair> {
  const path = privateKeyPath(ws, name);
  const rel = relativePath(ws.root, path);
  try {
    const st = await Deno.stat(path);
    if (st.mode !== null && (st.mode & 0o077) !== 0) {
      throw new IoError(
        `Refusing private key "${rel}": mode ${
          (st.mode & 0o777).toString(8)
        } lets others read it (chmod 600)`,
        { file: rel },
      );
    }
  } catch (err) {
    if (isNotFound(err)) throw noKey(name, rel, err);
    throw asFileError(err, rel, "Cannot read key");
  }
  const raw = await readInternalJsonIfExists<PrivateKeyFile>(path, "privateKey", {
    display: rel,
  });
  if (!raw) throw noKey(name, rel);
  let seed: Uint8Array;
  try {
    seed = Uint8Array.fromBase64(raw.seed);
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

/**
 * The key id recorded in a key's public file, or null when the key does not
 * exist or its public file is not JSON. Never touches the private key, so
 * read-only commands such as `status` can show which key signs.
 * @throws {IoError} when the public file exists but cannot be read
 */
export async function publicKeyId(
  ws: Workspace,
  name: string = DEFAULT_KEY,
): Promise<string | null> {
  try {
    const file = JSON.parse(await Deno.readTextFile(publicKeyPath(ws, name)));
    return typeof file?.key_id === "string" ? file.key_id : null;
  } catch (err) {
    if (isNotFound(err) || err instanceof SyntaxError) return null;
    throw asFileError(
      err,
      relativePath(ws.root, publicKeyPath(ws, name)),
      "Cannot read public key",
    );
  }
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
 * @throws {SchemaError} / {InputError} when it holds no valid Ed25519 public key (exit 65).
 */
export async function readPublicKeyFile(
  path: string,
): Promise<{ keyId: string; publicKey: Uint8Array }> {
  const raw = await readInputText(path, { what: "public key", maxBytes: INPUT_LIMITS.publicKey });
  const text = raw.trim();
  // A pub.json file is an internal format; a bare base64 line is what other tools print.
  const b64 = text.startsWith("{")
    ? (await parseInternalJson<PublicKeyFile>(raw, "publicKey", { display: path })).public
    : text;
  let publicKey: Uint8Array;
  try {
    publicKey = Uint8Array.fromBase64(b64);
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
