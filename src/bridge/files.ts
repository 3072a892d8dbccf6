import init from "./comfy_env/__init__.py" with { type: "text" };
import afterImport from "./comfy_env/_after_import.py" with { type: "text" };
import client from "./comfy_env/_client.py" with { type: "text" };
import codec from "./comfy_env/_codec.py" with { type: "text" };
import connection from "./comfy_env/_connection.py" with { type: "text" };
import contract from "./comfy_env/_contract.py" with { type: "text" };
import currentCall from "./comfy_env/_current_call.py" with { type: "text" };
import discovery from "./comfy_env/_discovery.py" with { type: "text" };
import failures from "./comfy_env/_failures.py" with { type: "text" };
import hostCallbacks from "./comfy_env/_host_callbacks.py" with { type: "text" };
import hostState from "./comfy_env/_host_state.py" with { type: "text" };
import imports from "./comfy_env/_imports.py" with { type: "text" };
import memory from "./comfy_env/_memory.py" with { type: "text" };
import msgpack from "./comfy_env/_msgpack.py" with { type: "text" };
import nodeCache from "./comfy_env/_node_cache.py" with { type: "text" };
import nodeLoader from "./comfy_env/_node_loader.py" with { type: "text" };
import promptServer from "./comfy_env/_prompt_server.py" with { type: "text" };
import protocol from "./comfy_env/_protocol.py" with { type: "text" };
import proxies from "./comfy_env/_proxies.py" with { type: "text" };
import registry from "./comfy_env/_registry.py" with { type: "text" };
import shm from "./comfy_env/_shm.py" with { type: "text" };
import supervisor from "./comfy_env/_supervisor.py" with { type: "text" };
import sysmem from "./comfy_env/_sysmem.py" with { type: "text" };
import transport from "./comfy_env/_transport.py" with { type: "text" };
import turn from "./comfy_env/_turn.py" with { type: "text" };
import watchdog from "./comfy_env/_watchdog.py" with { type: "text" };
import worker from "./comfy_env/_worker.py" with { type: "text" };

/** The `comfy_env` package, path relative to site-packages → text; embedded in the binary. */
export const PACKAGE_FILES: Readonly<Record<string, string>> = {
  "comfy_env/__init__.py": init,
  "comfy_env/_after_import.py": afterImport,
  "comfy_env/_client.py": client,
  "comfy_env/_codec.py": codec,
  "comfy_env/_connection.py": connection,
  "comfy_env/_contract.py": contract,
  "comfy_env/_current_call.py": currentCall,
  "comfy_env/_discovery.py": discovery,
  "comfy_env/_failures.py": failures,
  "comfy_env/_host_callbacks.py": hostCallbacks,
  "comfy_env/_host_state.py": hostState,
  "comfy_env/_imports.py": imports,
  "comfy_env/_memory.py": memory,
  "comfy_env/_msgpack.py": msgpack,
  "comfy_env/_node_cache.py": nodeCache,
  "comfy_env/_node_loader.py": nodeLoader,
  "comfy_env/_prompt_server.py": promptServer,
  "comfy_env/_protocol.py": protocol,
  "comfy_env/_proxies.py": proxies,
  "comfy_env/_registry.py": registry,
  "comfy_env/_shm.py": shm,
  "comfy_env/_supervisor.py": supervisor,
  "comfy_env/_sysmem.py": sysmem,
  "comfy_env/_transport.py": transport,
  "comfy_env/_turn.py": turn,
  "comfy_env/_watchdog.py": watchdog,
  "comfy_env/_worker.py": worker,
};

/** Written by `bridge install` beside the package: how the bridge reaches the binary. */
export const BINARY_FILE = "comfy_env/_binary.json";
