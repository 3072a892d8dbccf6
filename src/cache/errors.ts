import type { LockError } from "./lock.ts";
import type { RootError } from "./root.ts";

/** The `.links/` records of a build: gc keeps a build whose records it cannot read. */
export type LinksError =
  | { kind: "links-unreadable"; path: string; code?: string; message: string }
  | { kind: "link-record-failed"; path: string; code?: string; message: string };

/** Everything the cache module can fail with. */
export type CacheError = RootError | LockError | LinksError;
