"""Product and stand-in stay apart: what the wheel and the Lambda asset ship, and who imports whom."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAMBDAS = REPO / "lambdas"


def wheel_files() -> list[str]:
    """The modules the advisor's wheel would hold, from pyproject's package list (as setuptools builds it)."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    package_dirs = setuptools.get("package-dir", {})
    files = []
    for package in setuptools["packages"]:
        top, _, rest = package.partition(".")
        folder = REPO / package_dirs.get(top, top) / rest.replace(".", "/")
        files += [f"{package.replace('.', '/')}/{path.name}" for path in sorted(folder.glob("*.py"))]
    return files


def asset_files(tmp_path: Path) -> list[str]:
    """The files CDK stages for the Lambda, with the stack's own Code and exclude rules."""
    from aws_cdk import App, Stack

    from stacks.advisor import lambda_code

    lambda_code().bind(Stack(App(outdir=str(tmp_path)), "Packaging"))
    [staged] = tmp_path.glob("asset.*")
    return sorted(str(path.relative_to(staged)) for path in staged.rglob("*") if path.is_file())


def test_the_wheel_ships_the_advisor_and_its_cli_but_no_stand_in() -> None:
    files = wheel_files()
    assert "advisor/cli.py" in files and "advisor/rules/base.py" in files
    assert not [path for path in files if path.startswith("standin/")]


def test_the_lambda_asset_has_the_handler_and_engine_but_no_cli_and_no_stand_in(tmp_path: Path) -> None:
    files = asset_files(tmp_path)
    assert "handler.py" in files and "advisor/engine.py" in files and "advisor/rules/base.py" in files
    assert "advisor/cli.py" not in files
    assert not [path for path in files if path.startswith("standin") or "__pycache__" in path]


def _imported_roots(path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    roots = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_stand_in_imports_nothing_of_the_product_but_the_demo_that_runs_it() -> None:
    # The demo and the coverage replay drive the real product end to end, so they may call it; the world the
    # advisor is tested against (scenarios, moto gaps, statistics, faults, server) must not borrow its tables.
    runners = {"demo.py", "coverage.py"}
    offenders = {path.name for path in (REPO / "standin").glob("*.py")
                 if path.name not in runners and _imported_roots(path, top_level_only=False) & {"advisor", "handler"}}
    assert offenders == set()


def test_the_product_never_imports_the_stand_in_at_module_level() -> None:
    offenders = {str(path.relative_to(REPO)) for path in LAMBDAS.rglob("*.py")
                 if _imported_roots(path, top_level_only=True) & {"standin", "moto"}}
    assert offenders == set()
    # And importing every module of it (the CLI included) loads neither.
    code = ("import pkgutil, sys, advisor, handler\n"
            "for module in pkgutil.walk_packages(advisor.__path__, 'advisor.'): __import__(module.name)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'standin', 'moto'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=LAMBDAS, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_replay_without_the_stand_in_says_what_to_install_in_one_line() -> None:
    # moto missing, as in an environment with only the advisor's wheel and its runtime dependencies.
    code = ("import sys; sys.modules['moto'] = None\n"
            "from advisor.cli import main; sys.exit(main(['replay', 'scenario.json']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("advisor: replay needs the offline stand-in (module 'moto' is missing): "
                           "run `make setup` (dev dependencies)\n")
