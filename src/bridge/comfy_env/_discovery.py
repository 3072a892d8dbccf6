"""Which folders of a pack hold nodes, which of them are isolated, which built environment each
isolated one runs in, and the names a folder goes by. Reads the file system only.

Sources (as the Python comfy-env): `<pack>/nodes/comfy-env.toml` makes `nodes/` one isolated
source; otherwise each `nodes/<child>/` (sorted, not starting with . or _) is a source, isolated
when it holds a comfy-env.toml; with no config anywhere, `nodes/` is imported in-process.

Which environment: the folder's `_env_*` links made by `comfy-env install`; the newest one (by
the link's own mtime) whose Python exists wins.
"""
import os
import re
import sys

CONFIG = "comfy-env.toml"
WINDOWS = sys.platform == "win32"
# 6 hex for a config's first build, 16 or 64 for another decision or a 6-hex collision (see install).
ENV_RE = re.compile(r"^_env_(?:[0-9a-f]{6}|[0-9a-f]{16}|[0-9a-f]{64})$")


def env_python(env_dir):
    return os.path.join(env_dir, "python.exe" if WINDOWS else os.path.join("bin", "python"))


def find_env(folder):
    """The newest `_env_<hash>` link in `folder` whose Python exists, or None."""
    best = None
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    for n in names:
        if not ENV_RE.match(n):
            continue
        p = os.path.join(folder, n)
        if not os.path.exists(env_python(p)):
            continue
        t = os.lstat(p).st_mtime_ns
        if best is None or t > best[0]:
            best = (t, p)
    return best[1] if best else None


def comfyui_dir(pack_dir):
    parent = os.path.dirname(os.path.abspath(pack_dir))
    if os.path.basename(parent) == "custom_nodes":
        return os.path.dirname(parent)
    fp = sys.modules.get("folder_paths")
    return getattr(fp, "base_path", None)


def discover(pack_dir, nodes_package="nodes"):
    """[(folder, isolated)] in load order."""
    nodes = os.path.join(pack_dir, nodes_package)
    if not os.path.isdir(nodes):
        return []
    if os.path.isfile(os.path.join(nodes, CONFIG)):
        return [(nodes, True)]
    children = []
    for n in sorted(os.listdir(nodes)):
        p = os.path.join(nodes, n)
        if n.startswith((".", "_")) or not os.path.isdir(p):
            continue
        iso = os.path.isfile(os.path.join(p, CONFIG))
        if iso or os.path.isfile(os.path.join(p, "__init__.py")):
            children.append((p, iso))
    if not any(iso for _, iso in children):
        return [(nodes, False)] if os.path.isfile(os.path.join(nodes, "__init__.py")) else []
    return children


def config_folders(pack_dir):
    """Folders under `pack_dir` holding a comfy-env.toml, deepest first (a class belongs to the
    nearest one)."""
    found = []
    for root, dirs, files in os.walk(pack_dir):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_env_")) and d != "__pycache__"]
        if CONFIG in files:
            found.append(os.path.realpath(root))
    return sorted(found, key=len, reverse=True)


def label(pack_dir, folder):
    """How messages name a folder: "<pack>/<path inside it>"."""
    return "%s/%s" % (os.path.basename(pack_dir), os.path.relpath(folder, pack_dir).replace(os.sep, "/"))


def module_name(pack_dir, folder):
    """The module name a folder is imported under (in its worker, or in-process without a config)."""
    return "_comfy_env_%s__%s" % (re.sub(r"\W", "_", os.path.basename(pack_dir)),
                                  re.sub(r"\W", "_", os.path.relpath(folder, pack_dir)))
