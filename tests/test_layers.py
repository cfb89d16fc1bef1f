"""The apps' layers (pyproject.toml [tool.importlinter], run by `make lint`): the contract
holds for the code as it is, and it would catch the imports that made the old circle."""

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter import configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
SESSION = {key: value for key, value in CONFIG.items() if key != "contracts"}
CONTRACTS = {contract["id"]: contract for contract in CONFIG["contracts"]}
configuration.configure()  # as lint-imports does before checking (its timer, file system)


def build_graph():
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph(*CONFIG["root_packages"], cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


def check(kind, contract_id, *extra_imports):
    """Whether the contract `contract_id` holds on the code's import graph with these imports
    added ((importer, imported) module names). A new graph each time: checking removes the
    ignored imports from the graph it is given."""
    graph = build_graph()
    for importer, imported in extra_imports:
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="")
    contract = kind(
        name=contract_id, session_options=SESSION, contract_options=CONTRACTS[contract_id]
    )
    return contract.check(graph, verbose=False).kept


def test_lint_imports_passes_on_the_code():
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_the_layers_put_integrity_above_contracts_above_agencies():
    layers = [layer.split(" : ") for layer in CONTRACTS["apps"]["layers"]]
    flat = [name.strip() for layer in layers for name in layer]
    assert flat.index("integrity") < flat.index("contracts") < flat.index("agencies")
    assert all(flat.index(app) < flat.index("integrity") for app in ("alerts", "dashboards"))


def test_the_contract_holds_now():
    assert check(LayersContract, "apps")
    assert check(ForbiddenContract, "helpers")


@pytest.mark.parametrize(
    "importer, imported",
    [
        # The old circle's edges, each alone: any one of them breaks the contract again.
        ("contracts.completeness", "integrity.flags"),
        ("contracts.releases", "alerts.changes"),
        ("integrity.flags", "dashboards.selectors"),
        ("integrity.flags", "alerts.changes"),
        ("contracts.views", "participation.forms"),
        ("agencies.signin", "opendata.ratelimit"),
    ],
)
def test_an_import_of_a_higher_app_is_caught(importer, imported):
    assert not check(LayersContract, "apps", (importer, imported))


def test_a_helper_importing_an_app_is_caught():
    assert not check(ForbiddenContract, "helpers", ("opendata_kontrak.text", "contracts.models"))
