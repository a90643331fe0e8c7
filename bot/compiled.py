"""Which code of the advisor core runs: the modules compiled from it at install, or its sources.

setup.py compiles bot/advisor with mypyc when the project is installed. The compiled core is used
only when it is whole and current: every source has its compiled module, none is older than its
source (edited, pulled or checked out since the install), and their shared library is there. Else,
or when FANZHA_PURE_PYTHON=1, the whole core is imported from its sources, so what runs is always
what the tree says. `make install` (which every make target runs) compiles it again.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import logging
import os
import sys
from pathlib import Path

PACKAGE = "bot.advisor"
CORE_DIRECTORY = Path(__file__).resolve().parent / "advisor"
SHARED_LIBRARY = "fanzha_core__mypyc"  # setup.py's group name, with mypyc's suffix
NOT_BUILT = "the core was not compiled"
ASKED_FOR_SOURCES = "FANZHA_PURE_PYTHON is set"
# An installer writes each source right after its compiled module (pip unpacks a wheel in well under a
# second); only a source written later than this was changed after the build.
WRITTEN_TOGETHER_SECONDS = 2.0

logger = logging.getLogger(__name__)


def compiled_module(source: Path) -> Path | None:
    """The extension module built from a source file, if there is one."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = source.with_name(source.stem + suffix)
        if candidate.exists():
            return candidate
    return None


def why_not_compiled(directory: Path = CORE_DIRECTORY, shared_library_found: bool | None = None) -> str | None:
    """None when the compiled core may run; otherwise the reason the sources run instead."""
    if os.environ.get("FANZHA_PURE_PYTHON", "") not in ("", "0"):
        return ASKED_FOR_SOURCES
    sources = sorted(directory.glob("*.py"))
    built = {source: compiled_module(source) for source in sources}
    if not any(built.values()):
        return NOT_BUILT
    missing = [source.name for source, module in built.items() if module is None]
    if missing:
        return "not compiled: " + ", ".join(missing)
    stale = [source.name for source, module in built.items()
             if module is not None
             and source.stat().st_mtime - module.stat().st_mtime > WRITTEN_TOGETHER_SECONDS]
    if stale:
        return "changed since it was compiled: " + ", ".join(stale)
    if shared_library_found is None:
        shared_library_found = importlib.util.find_spec(SHARED_LIBRARY) is not None
    if not shared_library_found:
        return f"the compiled core's library {SHARED_LIBRARY} is missing"
    return None


class SourceFinder:
    """Finds every module of the core as its source file, ahead of the compiled modules."""

    def __init__(self, directory: Path = CORE_DIRECTORY):
        self.directory = directory

    def find_spec(self, name: str, path=None, target=None):
        if name == PACKAGE:
            return importlib.util.spec_from_file_location(name, self.directory / "__init__.py",
                                                          submodule_search_locations=[str(self.directory)])
        if name.startswith(PACKAGE + ".") and name.count(".") == PACKAGE.count(".") + 1:
            source = self.directory / (name.rpartition(".")[2] + ".py")
            if source.exists():
                return importlib.util.spec_from_file_location(name, source)
        return None


def choose() -> bool:
    """Arrange for the core to be imported compiled or from its sources; True when compiled."""
    reason = why_not_compiled()
    if reason is None:
        return True
    if reason == NOT_BUILT:
        return False  # only sources are there: Python finds them as usual
    if not any(isinstance(finder, SourceFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, SourceFinder())
    if reason != ASKED_FOR_SOURCES:
        logger.warning("the advisor core runs from its sources (%s); `make install` compiles it again", reason)
    return False


def running_compiled() -> bool:
    """Is the imported advisor core the compiled one?"""
    module = sys.modules.get(PACKAGE + ".matcher")
    return module is not None and module.__file__ is not None and module.__file__.endswith(
        tuple(importlib.machinery.EXTENSION_SUFFIXES))
