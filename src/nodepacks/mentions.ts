/**
 * Whether a root file names node packs: a cheap text test, so that `install` parses (and
 * loads the fetching code) only for the root files that do; most have no [node_reqs].
 */
export function mentionsNodePacks(text: string): boolean {
  return /^[ \t]*\[?[ \t]*["']?node_(?:reqs|packs)\b/m.test(text);
}
