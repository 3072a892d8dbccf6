import pkg from "../package.json" with { type: "json" };

declare const COMFY_ENV_COMMIT: string | undefined;
declare const COMFY_ENV_TARGET: string | undefined;

/** Tool version; part of every config hash, so a new version builds new environments. */
export const VERSION: string = pkg.version;
/** Injected by build.ts through `define`; "dev" when running from sources. */
export const COMMIT: string = typeof COMFY_ENV_COMMIT === "string" ? COMFY_ENV_COMMIT : "dev";
export const TARGET: string = typeof COMFY_ENV_TARGET === "string" ? COMFY_ENV_TARGET : `${process.platform}-${process.arch}`;
