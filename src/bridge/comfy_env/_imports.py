"""Stub modules for packages a Python lacks, in two places:
- setup_isolated_imports(): a pack's modules import, in ComfyUI's Python, packages that only
  its environments have (the older API form imported every node class in the host first);
- in a worker, ComfyUI's own modules (comfy.utils, comfy_api.latest...) import ComfyUI's
  requirements that the env lacks (stand_in_requirements): there, using a stub fails at once.

A finder placed last on sys.meta_path answers only when every other finder failed, only for an
import made by a module of the pack, and only for a top-level name that one of the pack's
environments has in its site-packages. It answers with a stub module: its attributes are stub
classes (they can be subclassed, instantiated and used as decorators, so class bodies and module
level code run), and calling a stub instance with anything but one function raises an error
that names the package and the environment. The nodes themselves run in their worker, with the
real package. Once the pack has wrapped its nodes (enable_isolation and the other older forms),
the stubs leave sys.modules.
"""
import glob
import importlib
import importlib.abc
import importlib.machinery
import os
import re
import sys
import types

WINDOWS = sys.platform == "win32"
# ComfyUI's requirements.txt names distributions; these import under another name.
_IMPORT_NAMES = {"pyyaml": "yaml", "pillow": "PIL", "opencv-python": "cv2", "opencv-python-headless": "cv2",
                 "scikit-image": "skimage", "scikit-learn": "sklearn", "protobuf": "google"}


def inside(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _site_packages(env_dir):
    if WINDOWS:
        return [os.path.join(env_dir, "Lib", "site-packages")]
    return glob.glob(os.path.join(env_dir, "lib", "python*", "site-packages"))


def _top_level_names(site):
    names = set()
    try:
        entries = os.listdir(site)
    except OSError:
        return names
    for e in entries:
        if e.endswith((".dist-info", ".egg-info", ".pth")) or e.startswith(("_", ".")):
            continue
        names.add(e.split(".", 1)[0])
    return names


class _Owner(object):
    """Who a set of stubs stands in for, and what using one says.

    In ComfyUI's Python (`strict` off) a stub class can be instantiated, so a pack's module-level
    code runs; in a worker (`strict` on) calling one is using the package, and fails."""

    def __init__(self, env, strict):
        self.env = env
        self.strict = strict

    def error(self, name):
        if self.strict:
            top = name.split(".", 1)[0]
            return ModuleNotFoundError(
                "comfy-env: %s is not installed in the environment %s; %s was used. ComfyUI's own modules import "
                "it, so the worker stands in for it until it is used: add it to the folder's comfy-env.toml and "
                "run comfy-env install" % (top, self.env, name), name=top)
        return RuntimeError(
            "comfy-env: %s comes from a package that only the environment %s has; it was called in ComfyUI's Python. "
            "The pack's nodes run in that environment's worker: move this call into a node's function, "
            "or switch the pack to register_nodes()" % (name, self.env))


class _StubMeta(type):
    def __getattr__(cls, name):
        # Only a stub itself makes up attributes: a pack's class deriving from one is real.
        if name.startswith("_") or "_ce_name" not in cls.__dict__:
            raise AttributeError(name)
        return _stub_class("%s.%s" % (cls._ce_name, name), cls._ce_owner)

    def __call__(cls, *args, **kwargs):
        owner = cls._ce_owner
        if owner.strict:
            if len(args) == 1 and not kwargs and callable(args[0]) and "_ce_name" in cls.__dict__:
                return args[0]  # `@stub` on a function or class at module level
            raise owner.error(cls._ce_name)
        return type.__call__(cls, *args, **kwargs)

    def __repr__(cls):
        if "_ce_name" not in cls.__dict__:
            return type.__repr__(cls)
        return "<comfy-env stub %s>" % cls._ce_name


def _stub_call(self, *args, **kwargs):
    # `@stub(...)` on a function: hand the function back, so module-level decorators work.
    if len(args) == 1 and not kwargs and callable(args[0]):
        return args[0]
    raise type(self)._ce_owner.error(type(self)._ce_name)


def _stub_class(name, owner):
    return _StubMeta(name.rsplit(".", 1)[-1], (object,), {
        "_ce_name": name,
        "_ce_owner": owner,
        "__init__": lambda self, *a, **k: None,
        "__call__": _stub_call,
        "__getattr__": _stub_instance_attr,
    })


def _stub_instance_attr(self, attr):
    if attr.startswith("_") or "_ce_name" not in type(self).__dict__:
        raise AttributeError(attr)
    return _stub_class("%s().%s" % (type(self)._ce_name, attr), type(self)._ce_owner)


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        value = _stub_class("%s.%s" % (self.__name__, name), self.__comfy_env__)
        setattr(self, name, value)
        return value


def _working_parts():
    """What a worker's stand-ins do instead of failing: module name -> {attribute: value}."""
    from . import _sysmem

    return {"psutil": {"virtual_memory": _sysmem.virtual_memory}}


class _Loader(importlib.abc.Loader):
    def __init__(self, owner):
        self.owner = owner

    def create_module(self, spec):
        mod = _StubModule(spec.name)
        mod.__comfy_env__ = self.owner
        mod.__path__ = []  # a package: its submodules come to this finder too
        if self.owner.strict:
            mod.__dict__.update(_working_parts().get(spec.name, {}))
        return mod

    def exec_module(self, module):
        pass


def _caller_file():
    """The file of the import statement (or import_module call) being served."""
    f = sys._getframe(2)  # 0: here, 1: find_spec, 2: importlib
    while f is not None:
        name = f.f_code.co_filename
        if not name.startswith("<frozen importlib") and name != importlib.__file__:
            return os.path.realpath(name)
        f = f.f_back
    return None


class _EnvOnlyFinder(importlib.abc.MetaPathFinder):
    def __init__(self, pack_dir, names, stubbed):
        self.pack_dir = pack_dir
        self.names = names  # top-level name -> the stubs' owner (the env that has it)
        self.stubbed = stubbed

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".", 1)[0]
        owner = self.names.get(top)
        if owner is None:
            return None
        if "." in fullname:
            if not isinstance(sys.modules.get(top), _StubModule):
                return None  # a real package's missing submodule stays an ImportError
        elif not self._from_callers(_caller_file()):
            return None
        if fullname not in self.stubbed:
            self.stubbed.append(fullname)
        return importlib.machinery.ModuleSpec(fullname, _Loader(owner), is_package=True)

    def _from_callers(self, file):
        """Whether an import in `file` gets stubs: one in the pack's files."""
        return file is not None and inside(file, self.pack_dir)


class _ComfyRequirementsFinder(_EnvOnlyFinder):
    """In a worker: ComfyUI's requirements the env lacks, for imports in ComfyUI's own files."""

    def __init__(self, comfy_dirs, names):
        _EnvOnlyFinder.__init__(self, None, names, [])
        self.comfy_dirs = comfy_dirs

    def _from_callers(self, file):
        return file is not None and any(
            inside(file, d) and not inside(file, os.path.join(d, "custom_nodes")) for d in self.comfy_dirs)


def release():
    """Take the stubs out of sys.modules once the pack's nodes are imported (its modules keep
    theirs), so another pack's `import` of the same name fails as it would without us."""
    for name, mod in list(sys.modules.items()):
        if isinstance(mod, _StubModule):
            del sys.modules[name]


def setup(pack_dir):
    """Install the finder for `pack_dir`; returns the list of stubbed names (filled on import)."""
    from . import _discovery

    names = {}
    for folder in _discovery.config_folders(pack_dir):
        env = _discovery.find_env(folder)
        if env is None:
            continue
        owner = _Owner(env, strict=False)
        for site in _site_packages(env):
            for n in _top_level_names(site):
                names.setdefault(n, owner)
    stubbed = []
    if names:
        sys.meta_path.append(_EnvOnlyFinder(pack_dir, names, stubbed))
    return stubbed


# Imported by ComfyUI's modules but installed with its requirements, not named by them
# (comfy_api.internal imports packaging, which transformers brings).
_IMPLIED = ("packaging",)


def requirement_modules(comfy_dir):
    """Top-level module names of the packages in ComfyUI's requirements.txt, and those they bring
    that ComfyUI's modules import (_IMPLIED)."""
    names = set(_IMPLIED)
    try:
        with open(os.path.join(comfy_dir, "requirements.txt"), "r", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return names
    for line in lines:
        dist = re.split(r"[\s<>=!~;\[@#]", line.strip(), 1)[0].lower()
        if dist:
            names.add(_IMPORT_NAMES.get(dist, dist.replace("-", "_")))
    return names


def stand_in_requirements(comfy_dirs, env_label):
    """In a worker: imports, made by ComfyUI's own modules, of its requirements that the env does
    not have resolve to stubs that fail, naming the module and the env, only when used. The env's
    own package wins wherever it has one (the finder is asked last)."""
    owner = _Owner(env_label, strict=True)
    names = {}
    for d in comfy_dirs:
        for n in requirement_modules(d):
            names[n] = owner
    if names:
        sys.meta_path.append(_ComfyRequirementsFinder([os.path.realpath(d) for d in comfy_dirs], names))
