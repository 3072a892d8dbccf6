// The steps only a build needs, gathered so that `index.ts` loads them in one chunk when an env
// has to be built: a warm install (every env on the fast path) never loads the TOML parser,
// detection, pixi or HTTP.
export { loadEnvs } from "./parse.ts";
export { decideBuild, decideCudaTarget, hostPythonPin } from "./decide.ts";
export { installCudaWheels, planCudaWheels } from "./cuda-wheels.ts";
export { lockBuildFolder } from "./lock.ts";
export { pixiOrDownload, runPixi } from "./pixi.ts";
export { finishBuild, rewriteStatusScripts } from "./finish.ts";
