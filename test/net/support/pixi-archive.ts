import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The stand-in "pixi" packed in generated archives: a shell script that prints a version. */
export const FAKE_PIXI = "#!/bin/sh\necho 'pixi 0.75.0 (test stand-in)'\n";

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function run(cmd: string[], cwd: string, stdin?: string): void {
  const r = Bun.spawnSync(cmd, { cwd, stdin: stdin === undefined ? "ignore" : Buffer.from(stdin), stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed: ${r.stderr.toString()}`);
}

/** A .tar.gz holding only `pixi` at its root, like the real release archives (via system tar). */
export function makePixiTarGz(content = FAKE_PIXI): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ce-pixi-tgz-"));
  try {
    writeFileSync(path.join(dir, "pixi"), content, { mode: 0o755 });
    run(["tar", "-czf", "pixi.tar.gz", "pixi"], dir);
    return readFileSync(path.join(dir, "pixi.tar.gz"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A zip (deflate, or stored) holding `members` (name → text), written by python3's zipfile. */
export function makeZip(members: Record<string, string>, stored = false): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ce-pixi-zip-"));
  try {
    const script = [
      "import json, sys, zipfile",
      "spec = json.load(sys.stdin)",
      `mode = zipfile.ZIP_STORED if spec['stored'] else zipfile.ZIP_DEFLATED`,
      "with zipfile.ZipFile('out.zip', 'w', mode) as z:",
      "    for name, text in spec['members'].items():",
      "        z.writestr(name, text)",
    ].join("\n");
    run(["python3", "-c", script], dir, JSON.stringify({ members, stored }));
    return readFileSync(path.join(dir, "out.zip"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A .tar.gz with a long (GNU or pax) member path, written by python3's tarfile. */
export function makeTarGzWithLongName(member: string, content: string, format: "gnu" | "pax"): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ce-pixi-tar-"));
  try {
    const script = [
      "import io, json, sys, tarfile",
      "spec = json.load(sys.stdin)",
      "fmt = tarfile.GNU_FORMAT if spec['format'] == 'gnu' else tarfile.PAX_FORMAT",
      "with tarfile.open('out.tar.gz', 'w:gz', format=fmt) as t:",
      "    d = tarfile.TarInfo('somedir'); d.type = tarfile.DIRTYPE; t.addfile(d)",
      "    data = spec['content'].encode()",
      "    info = tarfile.TarInfo(spec['member']); info.size = len(data); info.mode = 0o755",
      "    t.addfile(info, io.BytesIO(data))",
    ].join("\n");
    run(["python3", "-c", script], dir, JSON.stringify({ member, content, format }));
    return readFileSync(path.join(dir, "out.tar.gz"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
