// zod shapes of the typed config sections. Messages are worded to follow the key name
// ("dependencies.numpy must be ..."), see FileIssues.check.
import { z } from "zod";
import { describeValue } from "./file-issues.ts";
import type { TomlTable, TomlValue } from "./types.ts";

const not = (iss: { input?: unknown }) => `not ${describeValue(iss.input)}`;

export const tableSchema = z.record(z.string(), z.custom<TomlValue>(), {
  error: (iss) => `must be a table, ${not(iss)}`,
}) as unknown as z.ZodType<TomlTable>;

const specTable = z.record(z.string(), z.custom<TomlValue>()) as unknown as z.ZodType<TomlTable>;

/** `[dependencies]` / `[pypi-dependencies]`: name → version string or spec table. */
export const depTableSchema = z.record(
  z.string(),
  z.union([z.string(), specTable], {
    error: (iss) => `must be a version string such as "*" or a table such as { version = "*" }, ${not(iss)}`,
  }),
  { error: (iss) => `must be a table of name = version entries, ${not(iss)}` },
);

export const stringListSchema = z.array(z.string({ error: (iss) => `must be a string, ${not(iss)}` }), {
  error: (iss) => `must be a list of strings, ${not(iss)}`,
});

/** `[cuda] packages`: a list, or one package as a plain string. */
export const cudaPackagesSchema = z.union([z.string(), stringListSchema], {
  error: (iss) => `must be a list of package names, ${not(iss)}`,
});

export const envVarsSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean()], {
    error: (iss) => `must be a string or a number, ${not(iss)}`,
  }),
  { error: (iss) => `must be a table of NAME = "value" entries, ${not(iss)}` },
);

export const secondsSchema = z
  .number({ error: (iss) => `must be a number of seconds, ${not(iss)}` })
  .positive({ error: "must be more than 0 seconds" });

export const socketTypesSchema = z.record(
  z.string(),
  z.enum(["builtin", "custom"], { error: (iss) => `must be "builtin" or "custom", ${not(iss)}` }),
  { error: (iss) => `must be a table of TYPE = "builtin" | "custom" entries, ${not(iss)}` },
);

export const boolSchema = z.boolean({ error: (iss) => `must be true or false, ${not(iss)}` });

export const budgetSchema = z
  .number({ error: (iss) => `must be a number of GB, ${not(iss)}` })
  .nonnegative({ error: "must be 0 (auto) or more" });
