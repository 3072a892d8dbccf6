import { afterEach, describe, expect, test } from "bun:test";
import { parseRequest } from "../../src/install/request.ts";

const saved = process.env.COMFY_ENV_CUDA_VERSION;
afterEach(() => {
  if (saved === undefined) delete process.env.COMFY_ENV_CUDA_VERSION;
  else process.env.COMFY_ENV_CUDA_VERSION = saved;
});

describe("parseRequest", () => {
  test("--cuda X.Y.Z names the X.Y build; none/cpu are CPU; the flag wins over the variable", () => {
    process.env.COMFY_ENV_CUDA_VERSION = "12.4";
    expect(parseRequest({ cuda: "12.8.1" })._unsafeUnwrap().cuda).toEqual({ cuda: "12.8", reason: "--cuda 12.8.1" });
    expect(parseRequest({ cuda: "CPU" })._unsafeUnwrap().cuda?.cuda).toBeNull();
    expect(parseRequest({})._unsafeUnwrap().cuda).toEqual({ cuda: "12.4", reason: "COMFY_ENV_CUDA_VERSION=12.4" });
    delete process.env.COMFY_ENV_CUDA_VERSION;
    expect(parseRequest({ refresh: true })._unsafeUnwrap()).toEqual({ refresh: true, force: false });
  });

  test("bad values are errors before anything else runs", () => {
    expect(parseRequest({ cuda: "banana" })._unsafeUnwrapErr()).toEqual({ kind: "install", error: { kind: "invalid-cuda", cuda: "banana" } });
    expect(parseRequest({ python: "/does/not/exist" })._unsafeUnwrapErr()).toMatchObject({ kind: "install", error: { kind: "host-python-failed", python: "/does/not/exist" } });
    expect(parseRequest({ python: "no-such-python-anywhere" })._unsafeUnwrapErr()).toMatchObject({ kind: "install", error: { kind: "host-python-failed", message: "not found on PATH" } });
    process.env.COMFY_ENV_CUDA_VERSION = "banana";
    expect(parseRequest({})._unsafeUnwrapErr()).toEqual({ kind: "detect", error: { kind: "bad-cuda-override", value: "banana" } });
  });
});
