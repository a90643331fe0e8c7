"""Build hook: the advisor's pure-Python core (bot/advisor) is compiled with mypyc.

Every resident's message runs through the advisor, and compiled it answers about 30% faster on
one core. The sources stay the only code: the compiled modules are made from them at install
(`make install`), and `bot/compiled.py` imports the sources instead whenever a compiled module is
older than its source, or when FANZHA_PURE_PYTHON=1. Where no C compiler is at hand the install
goes on with the sources alone; a type error in the core stops it, as a syntax error would.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

CORE = sorted(str(path) for path in Path("bot", "advisor").glob("*.py"))
# ahocorasick, jieba and opencc ship no type information: their values are treated as Any. Only the
# core must type-check; the rest of the project is read for its types alone.
MYPY_OPTIONS = ["--ignore-missing-imports", "--follow-imports=silent"]


class OptionalBuildExt(build_ext):
    """Compile the core when a C compiler is at hand; otherwise the sources run as they are (a core
    compiled only in part is not used: see bot/compiled.py)."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # no compiler, no Python headers: the sources still work
            print(f"warning: the advisor core was not compiled ({error}); it runs from its sources",
                  file=sys.stderr)


def core_extensions() -> list:
    if os.environ.get("FANZHA_PURE_PYTHON", "") not in ("", "0"):
        return []
    from mypyc.build import mypycify

    return mypycify([*MYPY_OPTIONS, *CORE], group_name="fanzha_core")


setup(ext_modules=core_extensions(), cmdclass={"build_ext": OptionalBuildExt})
