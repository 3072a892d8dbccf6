import type { HttpError } from "../util/http.ts";
import type { PixiPlatform } from "../util/platform.ts";

/** What a CUDA wheel must fit: the env's CUDA, torch and Python, and its platform. */
export interface WheelQuery {
  pkg: string;
  /** "12.8" (major.minor; a patch part is ignored). */
  cuda: string;
  /** "2.8" (major.minor; "2.8.0" works too). */
  torch: string;
  /** "3.11". */
  python: string;
  platform: PixiPlatform;
  /** glibc of a Linux target ("2.31"): manylinux wheels needing a newer one are not chosen. */
  glibc?: string;
  /** macOS version of a macOS target ("14.0"): macosx wheels needing a newer one are not chosen. */
  macos?: string;
}

/** Where a package comes from: one wheel URL in the CUDA-wheel index, or a plain PyPI name. */
export type WheelResolution =
  | { source: "index"; url: string; filename: string; version: string; reason: string }
  | { source: "pypi"; requirement: string; reason: string };

export type IndexWheel = Extract<WheelResolution, { source: "index" }>;

/** One (CUDA, torch) build the index has, with the Pythons and platforms it covers. */
export interface WheelCombo {
  /** "cu128". */
  cuda: string;
  /** "2.8". */
  torch: string;
  /** "cp311", "cp312"... in ascending order. */
  pythons: string[];
  /** pixi platforms ("linux-64", "win-64") or, when unknown, the raw wheel platform tag. */
  platforms: string[];
}

/** Everything the wheels module can fail with. */
export type WheelsError =
  | { kind: "bad-wheel-query"; field: "pkg" | "cuda" | "torch" | "python" | "glibc" | "macos"; value: string }
  | {
      kind: "no-matching-wheel";
      query: WheelQuery;
      /** The index page that was read (set by resolveCudaWheel). */
      page?: string;
      /** Nearest builds first; those for the query's platform when it has any. */
      available: WheelCombo[];
      /** False when the index has no wheel of this package for the query's platform at all. */
      platformCovered: boolean;
      /** Wheels fit but for the target's glibc or macOS: the oldest one they need ("2.34"). */
      needs?: { glibc: string } | { macos: string };
    }
  | { kind: "index-unreachable"; url: string; cause: HttpError }
  | { kind: "installer-spawn-failed"; command: string[]; message: string }
  | { kind: "wheel-install-failed"; command: string[]; exitCode: number | null; tail: string[] };
