import path from "node:path";

/** The fixtures the tests read, all inside the repository (test/fixtures/README.md says where each came from). */
export const FIXTURES_DIR = path.resolve(import.meta.dir, "..", "fixtures");
/** 145 real comfy-env.toml / comfy-env-root.toml files from public node packs, byte for byte. */
export const CONFIGS_DIR = path.join(FIXTURES_DIR, "configs");
/** Real pages of the public CUDA-wheel index (serve on loopback, point COMFY_ENV_WHEELS_INDEX at `<url>/v2/`). */
export const CUDA_WHEELS_DIR = path.join(FIXTURES_DIR, "cuda-wheels");
