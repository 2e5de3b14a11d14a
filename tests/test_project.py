"""Project-level checks: packaging agrees with the conda file, lint passes, imports work."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # standard library from Python 3.11

ROOT = Path(__file__).resolve().parents[1]
# PyPI name -> conda-forge name, where they differ (conda-forge's `playwright` is the Node.js
# tool; the Python bindings are `playwright-python`).
CONDA_FORGE_NAMES = {"playwright": "playwright-python"}


def _name_and_spec(requirement: str) -> tuple[str, str]:
    """Split 'numpy>=1.24' into ('numpy', '>=1.24'), normalising the name as pip does."""
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$", requirement)
    assert m, f"cannot parse requirement {requirement!r}"
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    """The install and test requirements of pyproject.toml, under their conda-forge names."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"]) + list(meta["optional-dependencies"]["test"])
    named = (_name_and_spec(r) for r in reqs)
    return {CONDA_FORGE_NAMES.get(name, name): spec for name, spec in named}


def _conda_requirements() -> dict[str, str]:
    """The conda packages of environment.yml (not python, pip, or the pip: sub-list)."""
    out = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"^  - ([A-Za-z0-9_.\-]+[^#]*?)\s*(#.*)?$", line)
        if m:
            name, spec = _name_and_spec(m.group(1))
            if name not in {"python", "pip"}:
                out[name] = spec
    return out


def test_environment_yml_lists_the_same_packages_as_pyproject():
    py, conda = _pyproject_requirements(), _conda_requirements()
    assert py, "no requirements parsed from pyproject.toml"
    missing = sorted(set(py) - set(conda))
    extra = sorted(set(conda) - set(py))
    assert not missing, f"in pyproject.toml but not environment.yml: {missing}"
    assert not extra, f"in environment.yml but not pyproject.toml: {extra}"
    differing = {n: (py[n], conda[n]) for n in py if py[n] != conda[n]}
    assert not differing, f"version constraints differ (pyproject, conda): {differing}"


def test_parser_sees_a_disagreement(tmp_path, monkeypatch):
    """The comparison above can fail: a package dropped from the conda list is noticed."""
    conda = _conda_requirements()
    conda.pop("nbval")
    assert set(_pyproject_requirements()) - set(conda) == {"nbval"}


def test_conda_file_names_the_python_playwright_bindings():
    """conda-forge's `playwright` is the Node.js tool: the file must ask for `playwright-python`."""
    conda = _conda_requirements()
    assert "playwright-python" in conda and "playwright" not in conda, sorted(conda)
    assert _pyproject_requirements()["playwright-python"] == conda["playwright-python"]


def test_helpers_is_installed_not_path_hacked():
    """The kernel's Python imports helpers from the repo through the editable install."""
    code = "import helpers, sys; print(helpers.__file__)"
    out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()).resolve().parent == ROOT / "helpers"


@pytest.mark.skipif(shutil.which("ruff", path=str(Path(sys.executable).parent)) is None,
                    reason="ruff is not installed in this environment")
def test_ruff_passes_on_package_tests_and_notebooks():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    targets = [p for p in ("helpers", "tests", "lectures", "solutions", "benchmarks", "tools")
               if (ROOT / p).exists()]
    out = subprocess.run([ruff, "check", *targets], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_plot_functions_are_reexported_lazily():
    """`helpers` names every plotting function, but matplotlib loads only when one is used."""
    import helpers
    import helpers.plots

    assert set(helpers._PLOTS) == set(helpers.plots.__all__)
    assert set(helpers._PLOTS) <= set(helpers.__all__)
    for name in helpers.plots.__all__:
        assert getattr(helpers, name) is getattr(helpers.plots, name)
    with pytest.raises(AttributeError, match="no attribute 'plot_nothing'"):
        helpers.plot_nothing  # noqa: B018
    code = ("import sys, helpers.grading; assert 'matplotlib' not in sys.modules, 'eager'; "
            "from helpers import plot_loss; assert 'matplotlib.pyplot' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


GRADING_KERNEL_IMPORTS = ("ipykernel.kernelapp", "IPython.core.interactiveshell", "zmq",
                          "numpy.linalg", "jupyter_client.session")


def _modules_without_bytecode(names, pycache_prefix=None) -> list[str]:
    """Modules among ``names`` whose bytecode this interpreter would not find (and so would
    compile from source at every start where no .pyc can be written)."""
    code = (
        "import importlib, importlib.util, sys, os\n"
        "for n in sys.argv[1:]:\n"
        "    f = importlib.import_module(n).__file__\n"
        "    if not os.path.exists(importlib.util.cache_from_source(f)): print(n)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    if pycache_prefix:
        env["PYTHONPYCACHEPREFIX"] = str(pycache_prefix)
    out = subprocess.run([sys.executable, "-c", code, *names], env=env, capture_output=True,
                         text=True, check=True).stdout
    return out.split()


def test_the_set_up_wrote_the_bytecode_grading_kernels_import():
    """Grading kernels run where no .pyc can be written (a throw-away uid, or with
    PYTHONDONTWRITEBYTECODE as in CI): without the bytecode the set-up writes at install
    (UV_COMPILE_BYTECODE in the Makefile), each one compiles IPython, ipykernel and numpy again.
    If this fails in an old checkout: `make clean-venv setup`."""
    assert _modules_without_bytecode(GRADING_KERNEL_IMPORTS) == []


def test_the_bytecode_check_sees_missing_bytecode(tmp_path):
    """An interpreter told to look for bytecode in an empty folder finds none."""
    missing = _modules_without_bytecode(GRADING_KERNEL_IMPORTS, pycache_prefix=tmp_path)
    assert missing == list(GRADING_KERNEL_IMPORTS)
