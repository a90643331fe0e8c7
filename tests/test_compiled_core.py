"""The advisor core runs compiled only when the compiled modules are whole and current, and then
answers exactly as its sources do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import compiled
from bot.advisor import Advisor
from bot.advisor.knowledge import load_directory

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = ".cpython-311-x86_64-linux-gnu.so"


@pytest.fixture
def core(tmp_path, monkeypatch):
    """A core directory of two sources; the extension suffix is pinned so the test runs anywhere."""
    monkeypatch.delenv("FANZHA_PURE_PYTHON", raising=False)
    monkeypatch.setattr(compiled.importlib.machinery, "EXTENSION_SUFFIXES", [SUFFIX])
    for name in ("__init__", "matcher"):
        (tmp_path / f"{name}.py").write_text("# source\n", encoding="utf-8")
    return tmp_path


def build(core: Path, *names: str, age: int = 0) -> None:
    """Compiled modules for names, `age` seconds newer than their sources (negative: older)."""
    for name in names:
        module = core / f"{name}{SUFFIX}"
        module.write_bytes(b"")
        source_time = (core / f"{name}.py").stat().st_mtime
        os.utime(module, (source_time + age, source_time + age))


def test_a_core_without_compiled_modules_runs_from_its_sources(core):
    assert compiled.why_not_compiled(core, shared_library_found=True) == compiled.NOT_BUILT


def test_a_whole_and_current_compiled_core_runs(core):
    build(core, "__init__", "matcher", age=5)
    assert compiled.why_not_compiled(core, shared_library_found=True) is None


def test_a_source_edited_after_the_build_makes_the_core_run_from_sources(core):
    build(core, "__init__", age=5)
    build(core, "matcher", age=-5)
    assert compiled.why_not_compiled(core, shared_library_found=True) == "changed since it was compiled: matcher.py"


def test_sources_an_installer_writes_right_after_their_compiled_modules_are_current(core):
    build(core, "__init__", "matcher", age=-1)
    assert compiled.why_not_compiled(core, shared_library_found=True) is None


def test_a_source_added_after_the_build_makes_the_core_run_from_sources(core):
    build(core, "__init__", "matcher", age=5)
    (core / "similarity.py").write_text("# new\n", encoding="utf-8")
    assert compiled.why_not_compiled(core, shared_library_found=True) == "not compiled: similarity.py"


def test_a_missing_shared_library_makes_the_core_run_from_sources(core):
    build(core, "__init__", "matcher", age=5)
    reason = compiled.why_not_compiled(core, shared_library_found=False)
    assert reason is not None and compiled.SHARED_LIBRARY in reason


def test_the_environment_can_ask_for_the_sources(core, monkeypatch):
    build(core, "__init__", "matcher", age=5)
    monkeypatch.setenv("FANZHA_PURE_PYTHON", "1")
    assert compiled.why_not_compiled(core, shared_library_found=True) == compiled.ASKED_FOR_SOURCES
    monkeypatch.setenv("FANZHA_PURE_PYTHON", "0")
    assert compiled.why_not_compiled(core, shared_library_found=True) is None


def test_the_source_finder_serves_only_the_core_and_from_its_source_files(core):
    finder = compiled.SourceFinder(core)
    package = finder.find_spec(compiled.PACKAGE)
    module = finder.find_spec(compiled.PACKAGE + ".matcher")
    assert package.origin == str(core / "__init__.py")
    assert package.submodule_search_locations == [str(core)]
    assert module.origin == str(core / "matcher.py")
    assert finder.find_spec(compiled.PACKAGE + ".missing") is None
    assert finder.find_spec("bot.db") is None


@pytest.mark.skipif(not compiled.running_compiled(), reason="the advisor core is not compiled here")
def test_the_compiled_core_answers_as_its_sources_do():
    """Every message of one labelled set, through `fanzha check --json -` run from the sources,
    against the compiled core in this process: the same analyses, field by field."""
    lines = (ROOT / "tests" / "eval" / "independent_38.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"].replace("\n", " ") for line in lines if line.strip()]
    environment = {**os.environ, "FANZHA_PURE_PYTHON": "1"}
    which = subprocess.run([sys.executable, "-c", "import bot.advisor, bot.compiled; print(bot.compiled.running_compiled())"],
                           capture_output=True, text=True, env=environment, cwd=ROOT, check=True, timeout=60)
    assert which.stdout.strip() == "False"
    result = subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", "check", "--json", "-"],
                            input="\n".join(texts) + "\n", capture_output=True, text=True, env=environment,
                            cwd=ROOT, check=True, timeout=120)
    from_sources = [json.loads(line) for line in result.stdout.splitlines()]
    advisor = Advisor(load_directory(ROOT / "knowledge"))
    assert len(from_sources) == len(texts) > 200
    assert from_sources == [advisor.analyze(text).to_json() for text in texts]
