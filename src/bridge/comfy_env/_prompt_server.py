"""ComfyUI's `server` module as node code sees it inside a worker.

ComfyUI's own server.py is of no use there: its PromptServer.instance exists only in the ComfyUI
process, and importing it needs aiohttp and the rest of ComfyUI. Packs touch it when imported
(route decorators, `PromptServer.instance.app`) and while running (send_sync to the browser), so
the worker installs this module as `server` before it imports the pack:
- send_sync / send reach ComfyUI's PromptServer through the host (a worker callback);
- routes are recorded, not served: the metadata lists them and the host warns at start-up.
"""
import functools

from . import _current_call


class BinaryEventTypes(object):
    PREVIEW_IMAGE = 1
    UNENCODED_PREVIEW_IMAGE = 2
    TEXT = 3


class _Routes(object):
    """aiohttp's RouteTableDef (decorators) and app.router (add_*) in one, recording."""

    def __init__(self):
        self.recorded = []

    def add_route(self, method, path, handler=None, **kwargs):
        self.recorded.append("%s %s" % (method.upper(), path))
        return handler

    def route(self, method, path, **kwargs):
        return functools.partial(self.add_route, method, path)

    get = functools.partialmethod(route, "GET")
    post = functools.partialmethod(route, "POST")
    put = functools.partialmethod(route, "PUT")
    patch = functools.partialmethod(route, "PATCH")
    delete = functools.partialmethod(route, "DELETE")
    head = functools.partialmethod(route, "HEAD")
    view = functools.partialmethod(route, "*")
    add_get = functools.partialmethod(add_route, "GET")
    add_post = functools.partialmethod(add_route, "POST")

    def static(self, prefix, path, **kwargs):
        self.recorded.append("STATIC %s" % prefix)

    add_static = static


class _App(object):
    def __init__(self, routes):
        self.router = routes

    def add_routes(self, routes):
        for r in routes:
            self.router.recorded.append(str(r))


class PromptServer(object):
    instance = None

    def __init__(self):
        self.routes = _Routes()
        self.app = _App(self.routes)
        self.client_id = None
        self.last_node_id = None
        self.supports = set()

    def send_sync(self, event, data, sid=None):
        _current_call.callback("send_sync", event, data, sid)

    async def send(self, event, data, sid=None):
        self.send_sync(event, data, sid)

    def add_on_prompt_handler(self, handler):
        pass


PromptServer.instance = PromptServer()
