import type { ConfigError } from "../config/types.ts";
import type { LockError } from "../cache/lock.ts";
import type { FsError } from "../util/fs.ts";
import type { LinkError } from "../link/index.ts";
import type { PixiFindError } from "../pixi/find.ts";
import type { PixiRunError } from "../pixi/run.ts";
import type { ManifestError } from "../pixi/manifest.ts";
import type { HostPythonError } from "./host-python.ts";
import type { DetectError } from "../detect/types.ts";
import type { PixiDownloadError } from "../pixi/download.ts";
import type { WheelError } from "../wheels/types.ts";
import type { RootError } from "../cache/root.ts";

/** Everything that can stop an install, one union for the CLI to render. */
export type BuildError =
  | ConfigError
  | LockError
  | FsError
  | LinkError
  | PixiFindError
  | PixiRunError
  | ManifestError
  | HostPythonError
  | DetectError
  | PixiDownloadError
  | WheelError
  | RootError;
