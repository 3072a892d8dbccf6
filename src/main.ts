import { main } from "./cli/index.ts";
import { quietOnClosedPipes } from "./cli/pipe.ts";

quietOnClosedPipes();
// No top-level await: it keeps the bundle eligible for bytecode compilation (faster start).
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
