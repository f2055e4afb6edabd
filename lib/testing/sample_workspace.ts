/**
 * The committed sample workspace (config and manifests, no runtime state),
 * copied for tests that need a realistic workspace.
 *
 * @module
 */

const REPO_ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** Copies the committed sample workspace (config and manifests only) to `dest`. */
export async function copySample(dest: string): Promise<void> {
  for (const dir of [".rtt/manifests", "agents", "skills", "providers"]) {
    await copyDir(`${REPO_ROOT}/${dir}`, `${dest}/${dir}`);
  }
  for (const f of [".rtt/panel.yaml", ".rtt/policy.json", ".rtt/routes.json"]) {
    await Deno.mkdir(`${dest}/.rtt`, { recursive: true });
    await Deno.copyFile(`${REPO_ROOT}/${f}`, `${dest}/${f}`);
  }
}

/** Copies a folder tree (files and folders only). */
export async function copyDir(src: string, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  for await (const e of Deno.readDir(src)) {
    if (e.isDirectory) await copyDir(`${src}/${e.name}`, `${dest}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${src}/${e.name}`, `${dest}/${e.name}`);
  }
}
