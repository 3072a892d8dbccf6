export type LinkError =
  | { kind: "link-failed"; link: string; target: string; code?: string; message: string }
  /** Something that is not a link sits where the link goes; we never delete it. */
  | { kind: "link-blocked"; link: string; target: string }
  /** A file of the env would be out of reach through the link (Windows' MAX_PATH): `path` is the longest. */
  | { kind: "path-too-long"; link: string; target: string; path: string; length: number; limit: number; through: "link" | "build" };

/** How this OS makes a folder point at a cache environment. */
export interface Linker {
  /** "symlink" on Unix, "junction" on Windows (no admin rights or Developer Mode needed). */
  readonly kind: "symlink" | "junction";
  create(target: string, link: string): void;
  /** Target of a link in this linker's normal form, or undefined when `link` is not a link. */
  read(link: string): string | undefined;
  /** Whether `link` points at `target`, in this OS's path rules. */
  pointsAt(link: string, target: string): boolean;
  /** Removes the link only, never what it points at. */
  remove(link: string): void;
  /** Longest path, in characters, programs can open through a link; undefined: no limit to check. */
  pathLimit(): number | undefined;
}
