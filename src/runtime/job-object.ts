import { dlopen, FFIType, type Pointer, ptr } from "bun:ffi";
import type { ProcessGroup, ProcessGroups } from "./process-group.ts";

// Windows job objects: every process a worker starts is in the worker's job (children inherit
// it), TerminateJobObject ends them all, and with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE the OS
// ends them when the last handle closes, which is when the supervisor exits however it exits.
// https://learn.microsoft.com/en-us/windows/win32/procthread/job-objects
// Not yet run on a real Windows machine.

/** JobObjectExtendedLimitInformation (JOBOBJECTINFOCLASS 9). */
const EXTENDED_LIMIT_INFORMATION = 9;
/** sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION) on 64-bit Windows. */
const EXTENDED_LIMIT_SIZE = 144;
/** Offset of BasicLimitInformation.LimitFlags (after two LARGE_INTEGERs). */
const LIMIT_FLAGS_AT = 16;
const JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000;
const PROCESS_SET_QUOTA = 0x0100;
const PROCESS_TERMINATE = 0x0001;

type Kernel32 = {
  CreateJobObjectW(attrs: null, name: null): Pointer | null;
  SetInformationJobObject(job: Pointer, infoClass: number, info: Pointer, size: number): number;
  OpenProcess(access: number, inherit: number, pid: number): Pointer | null;
  AssignProcessToJobObject(job: Pointer, proc: Pointer): number;
  TerminateJobObject(job: Pointer, code: number): number;
  CloseHandle(h: Pointer): number;
};

let kernel32: Kernel32 | null = null;

function k32(): Kernel32 {
  kernel32 ??= dlopen("kernel32.dll", {
    CreateJobObjectW: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
    SetInformationJobObject: { args: [FFIType.ptr, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    OpenProcess: { args: [FFIType.u32, FFIType.i32, FFIType.u32], returns: FFIType.ptr },
    AssignProcessToJobObject: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    TerminateJobObject: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    CloseHandle: { args: [FFIType.ptr], returns: FFIType.i32 },
  }).symbols as unknown as Kernel32;
  return kernel32;
}

/** A job holding `pid`, or null where Windows refuses (the worker then runs without one). */
function jobFor(pid: number): Pointer | null {
  const k = k32();
  const job = k.CreateJobObjectW(null, null);
  if (!job) return null;
  const info = new Uint8Array(EXTENDED_LIMIT_SIZE);
  new DataView(info.buffer).setUint32(LIMIT_FLAGS_AT, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, true);
  const proc = k.OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, 0, pid);
  const assigned = proc !== null && k.SetInformationJobObject(job, EXTENDED_LIMIT_INFORMATION, ptr(info), EXTENDED_LIMIT_SIZE) !== 0 && k.AssignProcessToJobObject(job, proc) !== 0;
  if (proc) k.CloseHandle(proc);
  if (assigned) return job;
  k.CloseHandle(job);
  return null;
}

export function windowsJobGroup(): ProcessGroups {
  return {
    detached: false,
    adopt: (pid): ProcessGroup => {
      let job: Pointer | null;
      try {
        job = jobFor(pid);
      } catch {
        job = null; // no kernel32 (not Windows): nothing to hold the group
      }
      return {
        // Without a job only the worker itself can be ended, which the supervisor does anyway.
        kill: () => {
          if (job) k32().TerminateJobObject(job, 1);
        },
        close: () => {
          if (job) k32().CloseHandle(job);
          job = null;
        },
      };
    },
  };
}
