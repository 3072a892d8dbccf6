/** One doctor check: its group, status and, when not ok, the fix (docs/json.md, "doctor"). */
export type Status = "ok" | "warn" | "fail";

export interface Check {
  group: "tools" | "network" | "cache" | "envs" | "gpu" | "comfyui";
  name: string;
  status: Status;
  summary: string;
  fix?: string;
  details?: Record<string, unknown>;
}
