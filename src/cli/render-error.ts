// The install command's files (src/cli/install*.ts) read install errors through here until the
// install pipeline's move lands and its BuildError nests its modules' errors; then this goes.
import type { BuildError } from "../install/errors.ts";
import { exitCodeOf as cliExitCode, renderError, type RenderedError } from "./errors/index.ts";
import { fromBuildError } from "./errors/install.ts";

export { printError, reportRendered as reportError } from "./errors/index.ts";

export function renderBuildError(e: BuildError): RenderedError {
  return renderError(fromBuildError(e));
}

export function exitCodeOf(e: BuildError): number {
  return cliExitCode(fromBuildError(e));
}
