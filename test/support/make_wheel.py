#!/usr/bin/env python3
"""Write a wheel from a JSON spec on stdin; print its path. Used by wheel.ts (stdlib only).

Spec: {name, version, files: {archive path: text}, requires: [...], entryPoints: {script: "mod:func"},
       pythonTag, abiTag, platformTag, outDir}
"""
import base64
import hashlib
import json
import os
import re
import sys
import zipfile


def record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main():
    spec = json.load(sys.stdin)
    dist = re.sub(r"[-_.]+", "_", spec["name"]).lower()
    version = spec["version"]
    py, abi, plat = spec.get("pythonTag") or "py3", spec.get("abiTag") or "none", spec.get("platformTag") or "any"
    info = f"{dist}-{version}.dist-info"
    entries = dict(spec.get("files") or {})
    meta = ["Metadata-Version: 2.1", f"Name: {spec['name']}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in spec.get("requires") or []]
    entries[f"{info}/METADATA"] = "\n".join(meta) + "\n"
    tags = [f"{p}-{a}-{pl}" for p in py.split(".") for a in abi.split(".") for pl in plat.split(".")]
    wheel = ["Wheel-Version: 1.0", "Generator: comfy-env-tests (make_wheel.py)",
             f"Root-Is-Purelib: {'true' if plat == 'any' else 'false'}"] + [f"Tag: {t}" for t in tags]
    entries[f"{info}/WHEEL"] = "\n".join(wheel) + "\n"
    eps = spec.get("entryPoints") or {}
    if eps:
        entries[f"{info}/entry_points.txt"] = "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items())
    out = os.path.join(spec["outDir"], f"{dist}-{version}-{py}-{abi}-{plat}.whl")
    os.makedirs(spec["outDir"], exist_ok=True)
    record = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path, text in entries.items():
            data = text.encode()
            zi = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            is_script = "/scripts/" in path and path.split("/", 1)[0].endswith(".data")
            zi.external_attr = (0o755 if is_script else 0o644) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
            record.append(f"{path},{record_hash(data)},{len(data)}")
        record.append(f"{info}/RECORD,,")
        zi = zipfile.ZipInfo(f"{info}/RECORD", date_time=(2020, 1, 1, 0, 0, 0))
        zi.external_attr = 0o644 << 16
        z.writestr(zi, "\n".join(record) + "\n")
    print(out)


main()
