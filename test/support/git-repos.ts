// Local bare git repositories that stand in for GitHub: COMFY_ENV_GIT_BASE=file://<base>.
import fs from "node:fs";
import path from "node:path";

function git(args: string[], cwd: string): string {
  const r = Bun.spawnSync(["git", ...args], {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t", GIT_CONFIG_GLOBAL: "/dev/null" },
  });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

export interface RepoVersion {
  files: Record<string, string>;
  /** Tag this commit. */
  tag?: string;
}

/**
 * `<base>/<owner/name>` as a bare repository whose history is `versions` in order (each one
 * commit of the whole tree on `main`). Returns the commit ids.
 */
export function makeBareRepo(base: string, ownerRepo: string, versions: RepoVersion[]): string[] {
  const bare = path.join(base, ownerRepo);
  const work = `${bare}.work`;
  fs.mkdirSync(bare, { recursive: true });
  git(["init", "--quiet", "--bare", "--initial-branch=main", bare], base);
  git(["init", "--quiet", "--initial-branch=main", work], base);
  const commits: string[] = [];
  for (const v of versions) {
    for (const f of fs.readdirSync(work)) if (f !== ".git") fs.rmSync(path.join(work, f), { recursive: true });
    for (const [name, text] of Object.entries(v.files)) {
      fs.mkdirSync(path.dirname(path.join(work, name)), { recursive: true });
      fs.writeFileSync(path.join(work, name), text);
    }
    git(["add", "-A"], work);
    git(["commit", "--quiet", "-m", `v${commits.length}`], work);
    if (v.tag) git(["tag", v.tag], work);
    commits.push(git(["rev-parse", "HEAD"], work));
  }
  git(["push", "--quiet", "--tags", bare, "main"], work);
  fs.rmSync(work, { recursive: true });
  return commits;
}
