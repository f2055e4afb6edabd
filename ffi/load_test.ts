import assert from "node:assert/strict";
import { loadNative, nativeStatus } from "./load.ts";
import { NativeUnavailableError } from "./errors.ts";

const local = decodeURIComponent(
  new URL("./target/release/librtt_ffi.so", import.meta.url).pathname,
);
const built = (() => {
  try {
    return Deno.statSync(local).isFile;
  } catch {
    return false;
  }
})();

Deno.test("loadNative() lists every path tried with its reason", () => {
  let err: unknown;
  try {
    loadNative({
      envPath: "/nonexistent/env/librtt_ffi.so",
      localPath: "/nonexistent/local/librtt_ffi.so",
      cacheDir: "/nonexistent/cache",
      disabled: false,
    });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof NativeUnavailableError);
  assert.equal(err.attempts.length, 3);
  assert.match(err.message, /\/nonexistent\/env\/librtt_ffi\.so: RTT_FFI_PATH/);
  assert.match(err.message, /\/nonexistent\/local\/librtt_ffi\.so:/);
  assert.match(err.message, /\/nonexistent\/cache\/<sha256>\/librtt_ffi\.so:/);
});

Deno.test("loadNative() refuses when disabled and says so", () => {
  assert.throws(() => loadNative({ disabled: true }), /RTT_FFI_DISABLE=1/);
});

Deno.test({
  name: "loadNative() prefers RTT_FFI_PATH over the local build",
  ignore: !built,
  fn() {
    const l = loadNative({ envPath: local, disabled: false });
    try {
      assert.equal(l.source, "env");
      assert.equal(l.path, local);
    } finally {
      l.lib.close();
    }
  },
});

Deno.test({
  name: "loadNative() copies an unloadable-in-place library to a hash-keyed cache and loads it",
  ignore: !built,
  async fn() {
    // Simulates the compiled-binary case, where the file is readable but dlopen cannot
    // open it in place.
    const dir = await Deno.makeTempDir();
    try {
      const cache = `${dir}/cache`;
      // "librtt_ffi.so" without a slash makes dlopen search the system library path (fails),
      // while Deno.readFile resolves it relative to the cwd (succeeds), like a VFS file.
      const cwd = Deno.cwd();
      await Deno.copyFile(local, `${dir}/librtt_ffi.so`);
      Deno.chdir(dir);
      try {
        const l = loadNative({
          envPath: null,
          localPath: "librtt_ffi.so",
          cacheDir: cache,
          disabled: false,
        });
        try {
          assert.equal(l.source, "cache");
          assert.ok(l.path.startsWith(`${cache}/`));
          assert.ok(l.path.endsWith("/librtt_ffi.so"));
        } finally {
          l.lib.close();
        }
      } finally {
        Deno.chdir(cwd);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("nativeStatus() gives a reason whenever the library is unavailable", () => {
  const st = nativeStatus();
  if (Deno.env.get("RTT_FFI_DISABLE") === "1") assert.equal(st.available, false);
  if (!st.available) assert.match(st.reason, /Cannot load librtt_ffi; tried:/);
  else assert.ok(st.path.endsWith("librtt_ffi.so"));
});
