import type { PixiDownloadError } from "./download.ts";
import type { PixiFindError } from "./find.ts";
import type { ManifestError } from "./manifest.ts";
import type { PixiRunError } from "./run.ts";

/**
 * Everything the pixi module can fail with: finding pixi, downloading it (its archive's errors
 * are the `cause` of `bad-archive`), writing `pixi.toml` (whose torch choice fails with the
 * detect module's TorchSelectError, passed through unchanged), running `pixi install`.
 */
export type PixiError = PixiFindError | PixiDownloadError | ManifestError | PixiRunError;
