// install.ps1, read as text: no PowerShell runs on the test machines (Debian packages none, and
// the wine suite runs comfy-env.exe, not powershell.exe). What can be checked without one is:
// every path reaches a cmdlet literally, the help names the invocations that work under the
// default execution policy, and the asset names are the ones build.ts publishes.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { executableName, releaseAssetName } from "../../src/util/release.ts";
import { REPO_ROOT } from "../support/cli.ts";

const SCRIPT = fs.readFileSync(path.join(REPO_ROOT, "install.ps1"), "utf8");
const HELP = SCRIPT.slice(SCRIPT.indexOf("<#"), SCRIPT.indexOf("#>"));
/** The code: the help block and `#` comments left out, so prose cannot satisfy or trip a check. */
const CODE = SCRIPT.slice(SCRIPT.indexOf("#>") + 2)
  .split("\n")
  .map((l) => l.replace(/(^|\s)#.*$/, ""))
  .join("\n");

/** Provider cmdlets that take a path; each reads `-Path` (and a bare first argument) as a wildcard pattern. */
const PATH_CMDLETS = ["Get-Item", "Get-ChildItem", "Test-Path", "Remove-Item", "Copy-Item", "Move-Item", "Rename-Item", "Get-Content", "Set-Content", "Add-Content", "Clear-Content", "Get-FileHash", "Resolve-Path", "Split-Path", "Expand-Archive", "Out-File", "Set-Location", "Push-Location", "Invoke-Item", "Get-ItemProperty"];

describe("install.ps1", () => {
  test("every path cmdlet it calls takes the path with -LiteralPath ([ and ] in folder names)", () => {
    const calls = [...CODE.matchAll(new RegExp(`\\b(${PATH_CMDLETS.join("|")})\\b[^\\n|;)}]*`, "g"))].map((m) => m[0]);
    expect(calls.length).toBeGreaterThan(10);
    const notLiteral = calls.filter((c) => !/\s-LiteralPath\s/.test(c));
    expect(notLiteral).toEqual([]);
  });

  test("no cmdlet that reads a path as a wildcard is used at all (New-Item -Path, -OutFile, -FilePath, -Path)", () => {
    expect(CODE).not.toMatch(/\bNew-Item\b/);
    expect(CODE).not.toMatch(/\s-(OutFile|FilePath|Path)\s/i);
  });

  test("the help shows the two invocations that work under the default execution policy, and -Help prints it", () => {
    expect(HELP).toContain("irm https://github.com/comfy-env/comfy-env/releases/latest/download/install.ps1 | iex");
    expect(HELP).toContain("powershell -ExecutionPolicy Bypass -File install.ps1");
    expect(HELP.match(/^\.EXAMPLE$/gm)?.length).toBe(2);
    for (const p of ["Version", "InstallDir", "Quiet", "Help"]) {
      expect(HELP).toContain(`.PARAMETER ${p}`);
      expect(CODE).toMatch(new RegExp(`\\] \\$${p}\\b`));
    }
    expect(CODE).toContain("if ($Help) { Show-Help }");
  });

  test("it installs the zip build.ts publishes and the comfy-env.exe inside it", () => {
    const zip = releaseAssetName("X", "windows-x64").replace("X", "$pinned").replace("windows-x64", "$target");
    expect(CODE).toContain(`"${zip}"`);
    expect(CODE).toContain(`'${executableName("windows-x64")}'`);
  });
});
