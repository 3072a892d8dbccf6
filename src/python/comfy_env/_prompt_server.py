"""ComfyUI's `server` module as node code sees it inside a worker.

ComfyUI's own server.py is of no use there: its PromptServer.instance exists only in the ComfyUI
process, and importing it needs aiohttp and the rest of ComfyUI. Packs touch it when imported
(route decorators, `PromptServer.instance.app`) and while running (send_sync to the browser), so
the worker installs this module as `server` before it imports the pack:
- send_sync / send reach ComfyUI's PromptServer through the host (a worker callback);
- routes are recorded, not served: the metadata lists them and the host warns at start-up.
"""
class BinaryEventTypes(object):
    PREVIEW_IMAGE = 1
    UNENCODED_PREVIEW_IMAGE = 2
    TEXT = 3


class _Routes(object):
    """aiohttp's RouteTableDef, recording."""

    def __init__(self, recorded):
        self.recorded = recorded

    def route(self, method, path, **kwargs):
        def record(handler):
            self.recorded.append("%s %s" % (method.upper(), path))
            return handler

        return record

    def get(self, path, **kwargs):
        return self.route("GET", path)

    def post(self, path, **kwargs):
        return self.route("POST", path)

    def put(self, path, **kwargs):
        return self.route("PUT", path)

    def patch(self, path, **kwargs):
        return self.route("PATCH", path)

    def delete(self, path, **kwargs):
        return self.route("DELETE", path)

    def head(self, path, **kwargs):
        return self.route("HEAD", path)

    def view(self, path, **kwargs):
        return self.route("*", path)

    def static(self, prefix, path, **kwargs):
        self.recorded.append("STATIC %s" % prefix)


class _Router(object):
    def __init__(self, recorded):
        self.recorded = recorded

    def add_route(self, method, path, handler, **kwargs):
        self.recorded.append("%s %s" % (method.upper(), path))

    def add_get(self, path, handler, **kwargs):
        self.add_route("GET", path, handler)

    def add_post(self, path, handler, **kwargs):
        self.add_route("POST", path, handler)

    def add_static(self, prefix, path, **kwargs):
        self.recorded.append("STATIC %s" % prefix)


class _App(object):
    def __init__(self, recorded):
        self.router = _Router(recorded)

    def add_routes(self, routes):
        for r in routes:
            self.router.recorded.append(str(r))


class PromptServer(object):
    instance = None

    def __init__(self):
        self.recorded_routes = []
        self.routes = _Routes(self.recorded_routes)
        self.app = _App(self.recorded_routes)
        self.client_id = None
        self.last_node_id = None
        self.supports = set()

    def send_sync(self, event, data, sid=None):
        from . import _worker

        _worker.callback("send_sync", event, data, sid)

    async def send(self, event, data, sid=None):
        self.send_sync(event, data, sid)

    def add_on_prompt_handler(self, handler):
        pass


PromptServer.instance = PromptServer()
