// Commands printed in hints paste and run as they are, in the shell of the OS they are shown on.
import { expect, test } from "bun:test";
import { commandLine, quoteArg } from "../../src/util/command-line.ts";

test("plain arguments stay as they are", () => {
  expect(commandLine(["git", "clone", "--depth", "1", "https://github.com/a/b", "/home/u/ComfyUI/custom_nodes/b"], "linux")).toBe(
    "git clone --depth 1 https://github.com/a/b /home/u/ComfyUI/custom_nodes/b",
  );
  expect(quoteArg("C:\\ComfyUI_windows_portable\\python_embeded\\python.exe", "windows")).toBe("C:\\ComfyUI_windows_portable\\python_embeded\\python.exe");
});

test("POSIX: single quotes around a space or a character the shell reads, a quote inside closed and reopened", () => {
  expect(quoteArg("/home/u/My ComfyUI/python", "darwin")).toBe("'/home/u/My ComfyUI/python'");
  expect(quoteArg("/srv/$HOME (old)/x", "linux")).toBe("'/srv/$HOME (old)/x'");
  expect(quoteArg("it's", "linux")).toBe("'it'\\''s'");
  expect(quoteArg("C:\\x", "linux")).toBe("'C:\\x'");
  expect(quoteArg("", "linux")).toBe("''");
});

test("Windows: double quotes around a space, a parenthesis or %, backslashes kept", () => {
  expect(commandLine(["comfy-env", "bridge", "install", "--python", "C:\\Program Files (x86)\\Python311\\python.exe"], "windows")).toBe(
    'comfy-env bridge install --python "C:\\Program Files (x86)\\Python311\\python.exe"',
  );
  expect(quoteArg("C:\\%USERPROFILE%\\x", "windows")).toBe('"C:\\%USERPROFILE%\\x"');
});
