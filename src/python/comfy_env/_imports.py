"""setup_isolated_imports(): let a pack's modules import, in ComfyUI's Python, packages that only
its environments have (the older API form imported every node class in the host first).

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
import sys
import types

from . import _registry


def _site_packages(env_dir):
    if _registry.WINDOWS:
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


class _StubMeta(type):
    def __getattr__(cls, name):
        # Only a stub itself makes up attributes: a pack's class deriving from one is real.
        if name.startswith("_") or "_ce_name" not in cls.__dict__:
            raise AttributeError(name)
        return _stub_class("%s.%s" % (cls._ce_name, name), cls._ce_env)

    def __repr__(cls):
        if "_ce_name" not in cls.__dict__:
            return type.__repr__(cls)
        return "<comfy-env stub %s>" % cls._ce_name


def _stub_call(self, *args, **kwargs):
    # `@stub(...)` on a function: hand the function back, so module-level decorators work.
    if len(args) == 1 and not kwargs and callable(args[0]):
        return args[0]
    raise RuntimeError(
        "comfy-env: %s comes from a package that only the environment %s has; it was called in ComfyUI's Python. "
        "The pack's nodes run in that environment's worker: move this call into a node's function, "
        "or switch the pack to register_nodes()" % (type(self)._ce_name, type(self)._ce_env))


def _stub_class(name, env):
    return _StubMeta(name.rsplit(".", 1)[-1], (object,), {
        "_ce_name": name,
        "_ce_env": env,
        "__init__": lambda self, *a, **k: None,
        "__call__": _stub_call,
        "__getattr__": _stub_instance_attr,
    })


def _stub_instance_attr(self, attr):
    if attr.startswith("_") or "_ce_name" not in type(self).__dict__:
        raise AttributeError(attr)
    return _stub_class("%s().%s" % (type(self)._ce_name, attr), type(self)._ce_env)


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        value = _stub_class("%s.%s" % (self.__name__, name), self.__comfy_env__)
        setattr(self, name, value)
        return value


class _Loader(importlib.abc.Loader):
    def __init__(self, env):
        self.env = env

    def create_module(self, spec):
        mod = _StubModule(spec.name)
        mod.__comfy_env__ = self.env
        mod.__path__ = []  # a package: its submodules come to this finder too
        return mod

    def exec_module(self, module):
        pass


class _EnvOnlyFinder(importlib.abc.MetaPathFinder):
    def __init__(self, pack_dir, names, stubbed):
        self.pack_dir = pack_dir
        self.names = names  # top-level name -> the env that has it
        self.stubbed = stubbed

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".", 1)[0]
        env = self.names.get(top)
        if env is None:
            return None
        if "." in fullname:
            if not isinstance(sys.modules.get(top), _StubModule):
                return None  # a real package's missing submodule stays an ImportError
        elif not self._from_pack():
            return None
        if fullname not in self.stubbed:
            self.stubbed.append(fullname)
        return importlib.machinery.ModuleSpec(fullname, _Loader(env), is_package=True)

    def _from_pack(self):
        """Whether the import statement (or import_module call) is in one of the pack's files."""
        f = sys._getframe(2)
        while f is not None:
            name = f.f_code.co_filename
            if not name.startswith("<frozen importlib") and name != importlib.__file__:
                return _registry._inside(os.path.realpath(name), self.pack_dir)
            f = f.f_back
        return False


def release():
    """Take the stubs out of sys.modules once the pack's nodes are imported (its modules keep
    theirs), so another pack's `import` of the same name fails as it would without us."""
    for name, mod in list(sys.modules.items()):
        if isinstance(mod, _StubModule):
            del sys.modules[name]


def setup(pack_dir):
    """Install the finder for `pack_dir`; returns the list of stubbed names (filled on import)."""
    names = {}
    for folder in _registry.config_folders(pack_dir):
        env = _registry.find_env(folder)
        if env is None:
            continue
        for site in _site_packages(env):
            for n in _top_level_names(site):
                names.setdefault(n, env)
    stubbed = []
    if names:
        sys.meta_path.append(_EnvOnlyFinder(pack_dir, names, stubbed))
    return stubbed
