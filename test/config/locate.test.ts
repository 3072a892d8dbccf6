import { describe, expect, test } from "bun:test";
import { locateKey, scanKeyLines, valueTextAt } from "../../src/config/locate.ts";

const SRC = `# comment [not] = a header
python = "3.11"

[workspace]
channels = [
  "conda-forge",  # trailing comment
  "pozzettiandrea",
]

[target.linux-64.dependencies]
mesalib = "*"
"quoted.name" = "*"
'lit' = 1

[pypi-dependencies]
trimesh = { version = "*", extras = ["easy"] }
a.b.c = 2
desc = """
fake = "line"
[fake.header]
"""

[[tasks.steps]]
name = "one"
[[tasks.steps]]
name = "two"
[tasks.steps.env]
X = "1"
`;

describe("locateKey", () => {
  test("top-level key", () => expect(locateKey(SRC, ["python"])).toBe(2));
  test("table header", () => expect(locateKey(SRC, ["workspace"])).toBe(4));
  test("multi-line array and its elements", () => {
    expect(locateKey(SRC, ["workspace", "channels"])).toBe(5);
    expect(locateKey(SRC, ["workspace", "channels", 0])).toBe(6);
    expect(locateKey(SRC, ["workspace", "channels", 1])).toBe(7);
  });
  test("implicit parent table points at the first line inside it", () => {
    expect(locateKey(SRC, ["target"])).toBe(10);
    expect(locateKey(SRC, ["target", "linux-64"])).toBe(10);
  });
  test("keys under a dotted header, quoted and literal keys", () => {
    expect(locateKey(SRC, ["target", "linux-64", "dependencies", "mesalib"])).toBe(11);
    expect(locateKey(SRC, ["target", "linux-64", "dependencies", "quoted.name"])).toBe(12);
    expect(locateKey(SRC, ["target", "linux-64", "dependencies", "lit"])).toBe(13);
  });
  test("inline table keys and dotted keys", () => {
    expect(locateKey(SRC, ["pypi-dependencies", "trimesh", "extras", 0])).toBe(16);
    expect(locateKey(SRC, ["pypi-dependencies", "a", "b", "c"])).toBe(17);
    expect(locateKey(SRC, ["pypi-dependencies", "a"])).toBe(17);
  });
  test("text inside a multi-line string is not a key or header", () => {
    expect(locateKey(SRC, ["pypi-dependencies", "desc"])).toBe(18);
    expect(locateKey(SRC, ["pypi-dependencies", "fake"])).toBe(15); // falls back to the holding table
    expect(locateKey(SRC, ["fake"])).toBeUndefined();
  });
  test("arrays of tables are indexed", () => {
    expect(locateKey(SRC, ["tasks", "steps", 0, "name"])).toBe(24);
    expect(locateKey(SRC, ["tasks", "steps", 1, "name"])).toBe(26);
    expect(locateKey(SRC, ["tasks", "steps", 1, "env", "X"])).toBe(28);
  });
  test("comment lines are skipped", () => {
    expect(scanKeyLines(SRC).some((l) => l.line === 1)).toBe(false);
  });
  test("unknown key: deepest holder, or nothing", () => {
    expect(locateKey(SRC, ["workspace", "platforms"])).toBe(4);
    expect(locateKey(SRC, ["nope"])).toBeUndefined();
  });
});

describe("valueTextAt", () => {
  test("returns what was written, without the comment", () => {
    const src = 'a = 1\npython = 3.10   # py\n';
    expect(valueTextAt(src, 2)).toBe("3.10");
    expect(valueTextAt(src, 5)).toBeUndefined();
  });
});
