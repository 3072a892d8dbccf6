"""Run a function on a module right after its first import, in the worker.

ComfyUI's modules decide things while they are imported (comfy.cli_args parses, folder_paths
sets its directories, comfy.model_management picks a device), and a node imports them whenever
it likes. A finder first on sys.meta_path hands the import to the finder that would have found
the module, wrapping its loader so that the hook runs once the module's code ran and before the
importer sees it. Modules imported already get their hook at once.
"""
import importlib.abc
import sys

_hooks = {}  # module name -> [fn(module)]


class _Loader(importlib.abc.Loader):
    """The real loader, with the hooks after exec_module (everything else is the real one's)."""

    def __init__(self, loader, name):
        self._loader = loader
        self._name = name

    def __getattr__(self, attr):
        return getattr(self._loader, attr)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        for fn in _hooks.get(self._name, ()):
            fn(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname not in _hooks:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader, fullname)
                return spec
        return None


_finder = _Finder()


def register(name, fn):
    """Call fn(module) once `name` is imported (now, if it is)."""
    _hooks.setdefault(name, []).append(fn)
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    mod = sys.modules.get(name)
    if mod is not None:
        fn(mod)
