"""Resolve references to skmicrobi objects by any name they are importable as.

Docstrings name objects where they are defined (``skmicrobi.export.export_c``,
``skmicrobi.int8.engine.predict_logits``, ``skmicrobi.network.MicroBiConvLSTM``)
while the API reference documents each once, under the name users import
(``skmicrobi.export_c``, ``skmicrobi.int8.predict_logits``, ...). When a Python
reference to ``skmicrobi.*`` finds no target, this imports the object it names
and links to the documented name of the same object.
"""

from __future__ import annotations

import importlib


def _import(dotted: str):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _documented_names(env) -> dict[int, str]:
    cache = getattr(env, "_skmicrobi_alias_cache", None)
    if cache is None:
        cache = {}
        for name in sorted(env.get_domain("py").objects, key=len):
            if name.startswith("skmicrobi"):
                obj = _import(name)
                if obj is not None:
                    cache.setdefault(id(obj), name)
        env._skmicrobi_alias_cache = cache
    return cache


def _candidates(node) -> list[str]:
    """Full names a reference may mean: as written, then relative to where it is."""
    target = node.get("reftarget", "")
    names = [target]
    module, cls = node.get("py:module"), node.get("py:class")
    scopes = [module]
    if module and cls:
        scopes.insert(0, f"{module}.{cls}")
        owner = _import(f"{module}.{cls}")
        real = getattr(owner, "__module__", None)
        if real and real != module:
            scopes += [f"{real}.{cls}", real]
    names += [f"{scope}.{target}" for scope in scopes if scope]
    return [n for n in names if n.startswith("skmicrobi.")]


def _by_short_name(env, target: str) -> str | None:
    """The one documented skmicrobi object whose name ends with ``.target``."""
    suffix = "." + target
    names = {
        name
        for name in env.get_domain("py").objects
        if name.startswith("skmicrobi.") and name.endswith(suffix)
    }
    return names.pop() if len(names) == 1 else None


def _resolve(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    domain = env.get_domain("py")
    documented = _documented_names(env)
    names = []
    for candidate in _candidates(node):
        obj = _import(candidate)
        if obj is not None and id(obj) in documented:
            names.append(documented[id(obj)])
    # A name written relative to a module other than the page's (summary lines
    # in the API tables): unambiguous within the package, so link it.
    short = _by_short_name(env, node.get("reftarget", "").lstrip("~."))
    if short is not None:
        names.append(short)
    for name in names:
        results = domain.resolve_any_xref(
            env, node["refdoc"], app.builder, name, node, contnode
        )
        if results:
            return results[0][1]
    return None


def _reset(app, env, docnames):
    env._skmicrobi_alias_cache = None


def setup(app):
    app.connect("env-before-read-docs", _reset)
    app.connect("missing-reference", _resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
