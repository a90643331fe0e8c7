"""Measure the advisor on the labelled evaluation set: `python -m tests.evaluation` (also `make eval`).

Prints accuracy per category, the detection rate, the false-alarm rate and urgency recall, and exits
non-zero when any figure misses the bar the advisor is held to.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.advisor import Advisor
from bot.advisor.knowledge import CATEGORIES, load_directory
from bot.config import PROJECT_ROOT

EVAL_DIR = Path(__file__).resolve().parent / "eval"
LABEL_KEYS = {"text", "category", "urgent"}
BARS = {"category accuracy": 0.85, "detection rate": 0.95, "false-alarm rate": 0.05, "urgency recall": 0.90}


@dataclass
class Report:
    per_category: dict[str, Counter] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def figures(self) -> dict[str, float]:
        c = self.counts
        return {
            "category accuracy": c["category_right"] / max(1, c["scams"]),
            "detection rate": c["detected"] / max(1, c["scams"]),
            "false-alarm rate": c["false_alarms"] / max(1, c["benign"]),
            "urgency recall": c["urgent_found"] / max(1, c["urgent"]),
        }

    def failures(self) -> list[str]:
        figures = self.figures()
        return [name for name, bar in BARS.items()
                if (figures[name] > bar if name == "false-alarm rate" else figures[name] < bar)]


def load_messages(folder: Path = EVAL_DIR, files: list[Path] | None = None) -> list[dict]:
    """The labelled messages of every set in folder, or of the given files only."""
    messages = []
    for path in files or sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    item = json.loads(line)
                except ValueError as error:
                    raise ValueError(f"{path}:{number}: not JSON ({error})") from None
                if not isinstance(item, dict) or not LABEL_KEYS <= item.keys():
                    raise ValueError(f"{path}:{number}: a labelled message needs {', '.join(sorted(LABEL_KEYS))}")
                if item["category"] is not None and item["category"] not in CATEGORIES:
                    raise ValueError(f"{path}:{number}: unknown category {item['category']!r}")
                messages.append(item)
    return messages


def evaluate(advisor: Advisor, messages: list[dict]) -> Report:
    report = Report(per_category={name: Counter() for name in CATEGORIES})
    for item in messages:
        analysis = advisor.analyze(item["text"])
        expected = item["category"]
        if expected is None:
            report.counts["benign"] += 1
            if analysis.is_scam:
                report.counts["false_alarms"] += 1
                report.misses.append(f"false alarm ({analysis.category}): {item['text']}")
            continue
        tally = report.per_category[expected]
        report.counts["scams"] += 1
        tally["total"] += 1
        report.counts["detected"] += analysis.is_scam
        right = analysis.is_scam and analysis.category == expected
        report.counts["category_right"] += right
        tally["right"] += right
        if not right:
            report.misses.append(f"{expected} → {analysis.category if analysis.is_scam else 'not scam'}"
                                 f" [{analysis.score}]: {item['text']}")
        if item.get("urgent"):
            report.counts["urgent"] += 1
            report.counts["urgent_found"] += analysis.urgent
            if not analysis.urgent:
                report.misses.append(f"urgency missed: {item['text']}")
        elif analysis.urgent:
            report.counts["urgent_false"] += 1
            report.misses.append(f"urgent but should not be: {item['text']}")
    return report


def print_report(report: Report, verbose: bool) -> None:
    print("accuracy per category")
    for name, tally in report.per_category.items():
        if tally["total"]:
            print(f"  {name:<12} {tally['right']:>3}/{tally['total']:<3} {tally['right'] / tally['total']:6.1%}")
    c = report.counts
    print(f"messages: {c['scams']} scams, {c['benign']} benign, {c['urgent']} urgent")
    for name, value in report.figures().items():
        bar = BARS[name]
        sign = "≤" if name == "false-alarm rate" else "≥"
        print(f"{name:<18} {value:6.1%}   (bar {sign} {bar:.0%})")
    print(f"urgent when not   {c['urgent_false']}")
    if verbose:
        print("\n".join(["", "misses:", *report.misses]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", default=str(PROJECT_ROOT / "knowledge"))
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    parser.add_argument("files", nargs="*", type=Path, help="score these sets only (default: every set in tests/eval)")
    args = parser.parse_args(argv)
    try:
        messages = load_messages(files=args.files)
    except (OSError, ValueError) as error:
        parser.error(str(error))
    report = evaluate(Advisor(load_directory(args.knowledge)), messages)
    print_report(report, args.verbose)
    failures = report.failures()
    if failures:
        print("BELOW THE BAR: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
