import { describe, expect, test } from "bun:test";
import { mergeSpecs, parseCondaRequirement, parsePypiRequirement } from "../../src/config/requirement.ts";

describe("parsePypiRequirement", () => {
  test("name and version spec", () => {
    expect(parsePypiRequirement("numpy>=1.23.0,<2.0.0")).toEqual({ name: "numpy", spec: ">=1.23.0,<2.0.0" });
    expect(parsePypiRequirement("  bpy ")).toEqual({ name: "bpy", spec: "*" });
    expect(parsePypiRequirement("ftfy==6.1.1")).toEqual({ name: "ftfy", spec: "==6.1.1" });
    expect(parsePypiRequirement("pkg (>=1.0)")).toEqual({ name: "pkg", spec: ">=1.0" });
    expect(parsePypiRequirement("huggingface_hub>=0.20.0, <1.0.0")).toEqual({ name: "huggingface_hub", spec: ">=0.20.0, <1.0.0" });
  });
  test("extras, urls, markers", () => {
    expect(parsePypiRequirement("trimesh[easy,recommend]>=4")).toEqual({ name: "trimesh", spec: { version: ">=4", extras: ["easy", "recommend"] } });
    expect(parsePypiRequirement("nvdiffrast @ https://x.invalid/a.whl")).toEqual({ name: "nvdiffrast", spec: { url: "https://x.invalid/a.whl" } });
    expect(parsePypiRequirement("pywin32>=300; sys_platform == 'win32'")).toEqual({ name: "pywin32", spec: ">=300", marker: "sys_platform == 'win32'" });
  });
  test("not requirements", () => {
    expect(parsePypiRequirement("")).toBeUndefined();
    expect(parsePypiRequirement("not a req!")).toBeUndefined();
    expect(parsePypiRequirement("pkg @ ")).toBeUndefined();
  });
});

describe("parseCondaRequirement", () => {
  test("forms", () => {
    expect(parseCondaRequirement("cgal")).toEqual({ name: "cgal", spec: "*" });
    expect(parseCondaRequirement("cgal >=5.6")).toEqual({ name: "cgal", spec: ">=5.6" });
    expect(parseCondaRequirement("conda-forge::cgal")).toEqual({ name: "cgal", spec: { version: "*", channel: "conda-forge" } });
  });
});

describe("mergeSpecs", () => {
  test("keeps every constraint", () => {
    expect(mergeSpecs("*", "<2")).toBe("<2");
    expect(mergeSpecs("<2", "*")).toBe("<2");
    expect(mergeSpecs(">=1", "<2")).toBe(">=1,<2");
    expect(mergeSpecs("<2", "<2")).toBe("<2");
    expect(mergeSpecs("<2", { url: "u" })).toEqual({ url: "u" });
  });
});
