"""The layout says which way dependencies point, and this test keeps it so by reading app/ with ast:

- no module imports from a layer above its own (infrastructure < entries, auth, directory, audit <
  domains < stats, push, sync < the factory, CLI, wiring, demo data);
- the entry pipeline never imports a domain, and no domain imports sync;
- every SQLAlchemy event handler and every blinker connection is made in app/wiring.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("app.config", "app.extensions", "app.rest", "app.records", "app.fields", "app.input_rules", "app.db",
     "app.savepoints", "app.pagination", "app.queue", "app.jobs", "app.vocabulary", "app.request_log"),
    ("app.entries", "app.audit", "app.auth", "app.directory", "app.errors", "app.transaction", "app.security"),
    ("app.people", "app.encounters", "app.referrals", "app.cases", "app.tables"),
    ("app.stats", "app.push", "app.sync"),
    ("app.cli", "app.wiring", "app.models", "app.pwa", "app.ops", "app.demo", "app"),
)
DOMAINS = LAYERS[2]
WIRING = "app.wiring"


def _layer(module: str) -> int:
    best: tuple[int, int] | None = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[0]


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(APP.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(), filename=str(path))
    return found


def _imports(tree: ast.Module) -> list[str]:
    """Every app module a file imports from (`from app import jobs` names app.jobs)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and (node.module == "app" or node.module.startswith("app.")):
            names += [f"app.{alias.name}" for alias in node.names] if node.module == "app" else [node.module]
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names if alias.name.startswith("app.")]
    return names


def _in(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_no_import_runs_up_a_layer():
    upward = [f"{module} imports {target}" for module, tree in _modules().items()
              for target in _imports(tree) if _layer(target) > _layer(module)]
    assert upward == []


def test_the_pipeline_never_imports_a_domain_and_no_domain_imports_sync():
    wrong = []
    for module, tree in _modules().items():
        for target in _imports(tree):
            if _in(module, ("app.entries",)) and _in(target, DOMAINS):
                wrong.append(f"{module} imports {target}")
            if _in(module, DOMAINS) and _in(target, ("app.sync",)):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_event_handlers_are_attached_only_in_the_wiring_module():
    attached_elsewhere = []
    for module, tree in _modules().items():
        if module == WIRING:
            continue
        for node in ast.walk(tree):
            calls = [node] if isinstance(node, ast.Call) else []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                calls += [d for d in node.decorator_list if isinstance(d, ast.Call)]
            for call in calls:
                name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
                if name in ("listens_for", "listen", "connect_via") or (
                        name == "connect" and isinstance(call.func, ast.Attribute)
                        and getattr(call.func.value, "attr", "") in {"records_inserted", "referral_created",
                                                                      "referral_moved"}):
                    attached_elsewhere.append(f"{module}:{call.lineno}")
    assert attached_elsewhere == []


def test_the_wiring_module_attaches_what_it_lists(app):
    from sqlalchemy import event

    from app import wiring

    for target, name, handler in wiring.SQLALCHEMY_HANDLERS:
        assert event.contains(target, name, handler), (name, handler.__qualname__)
    for signal, handler in wiring.SIGNAL_HANDLERS:
        assert any(receiver is handler for receiver in signal.receivers.values()), handler.__qualname__
