import { describe, expect, test } from "bun:test";
import { architectureOf, architectureOfText, isPreTuring, parseComputeCapability } from "../../src/detect/arch.ts";

describe("compute capability", () => {
  test.each([
    ["8.6", { major: 8, minor: 6 }],
    ["86", { major: 8, minor: 6 }],
    ["12.0", { major: 12, minor: 0 }],
    ["120", { major: 12, minor: 0 }],
    [" 9.0 ", { major: 9, minor: 0 }],
  ])("parses %p", (text, cc) => expect(parseComputeCapability(text)).toEqual(cc));

  test.each(["", "N/A", "8.x", "8"])("rejects %p", (text) => expect(parseComputeCapability(text)).toBeNull());

  test.each([
    ["5.2", "Maxwell"],
    ["6.1", "Pascal"],
    ["7.0", "Volta"],
    ["7.5", "Turing"],
    ["8.0", "Ampere"],
    ["8.6", "Ampere"],
    ["8.9", "Ada Lovelace"],
    ["9.0", "Hopper"],
    ["10.0", "Blackwell"],
    ["10.3", "Blackwell"],
    ["11.0", "Blackwell"],
    ["12.0", "Blackwell"],
    ["12.1", "Blackwell"],
  ])("%s is %s", (cc, arch) => expect(architectureOfText(cc)).toBe(arch));

  test("unknown and future majors have no name", () => {
    expect(architectureOf({ major: 13, minor: 0 })).toBeNull();
    expect(architectureOfText(null)).toBeNull();
  });

  test("pre-Turing boundary", () => {
    expect(isPreTuring({ major: 6, minor: 1 })).toBe(true);
    expect(isPreTuring({ major: 7, minor: 0 })).toBe(true);
    expect(isPreTuring({ major: 7, minor: 5 })).toBe(false);
    expect(isPreTuring({ major: 12, minor: 0 })).toBe(false);
  });
});
