import fs from "node:fs";
import path from "node:path";
import { tryFs, writeFileAtomic, type FsError } from "../util/fs.ts";
import type { Result } from "../util/result.ts";

// Scripts at the cache root that list every build and its state without comfy-env itself
// (the Python comfy-env's detect.sh / detect.bat, docs/reference.md §7): useful when the binary is gone or broken.
// Both say "broken" for a finished build whose env's Python was deleted, as `comfy-env status` does.
const SH = `#!/bin/sh
# Written by comfy-env: lists every environment in this cache and its state.
cd "$(dirname "$0")" || exit 1
for d in _env_*; do
  [ -d "$d" ] || continue
  if [ -f "$d/.done" ] && [ -e "$d/.pixi/envs/default/bin/python" ]; then state=done
  elif [ -f "$d/.done" ]; then state=broken
  elif [ -d "$d/.building" ]; then state=building
  else state=failed; fi
  src=$(sed -n 's/^  "source": "\\(.*\\)",$/\\1/p' "$d/.comfy-env-meta.json" 2>/dev/null)
  printf '%s\\t%s\\t%s\\t%s\\n' "$d" "$state" "\${src:--}" "$PWD/$d/install.log"
done
`;

// The same states in cmd; in a subroutine, as an if/else chain inside a for body's parentheses
// breaks on a path holding a parenthesis (a cache under "Program Files (x86)").
const BAT = `@echo off\r
rem Written by comfy-env: lists every environment in this cache and its state.\r
setlocal\r
cd /d "%~dp0"\r
for /d %%d in (_env_*) do call :row "%%d"\r
exit /b 0\r
:row\r
set "state=failed"\r
if exist "%~1\\.building" set "state=building"\r
if exist "%~1\\.done" set "state=broken"\r
if exist "%~1\\.done" if exist "%~1\\.pixi\\envs\\default\\python.exe" set "state=done"\r
echo %~1	%state%	%CD%\\%~1\\install.log\r
exit /b 0\r
`;

export function writeStatusScripts(root: string): Result<void, FsError> {
  const sh = path.join(root, "detect.sh");
  return writeFileAtomic(sh, SH)
    .andThen(() => tryFs("chmod", sh, () => fs.chmodSync(sh, 0o755)))
    .andThen(() => writeFileAtomic(path.join(root, "detect.bat"), BAT));
}
