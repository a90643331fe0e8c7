"""The advisor on one core: throughput, latency and worker memory, with the knowledge base at 1×, 10× and 100×.

`run()` measures each size in a fresh worker process pinned to one CPU and returns the figures:
throughput by CPU time over several passes through the messages, each pass new to the process
(the word-edge memory is emptied first), reported as the best pass (as timeit does, since other
load only adds time), the median and the worst; `python -m bench.advisor` prints them. Synthetic
entries copy the bundled ones with every signal word lengthened by a unique suffix, so the pattern
count grows with the size while the messages (the labelled evaluation set: pasted scams,
descriptions, questions, notices, greetings) stay the same.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALES = (1, 10, 100)
# Each a pass over every message, as new to the process. A burst of load from elsewhere on the machine
# slows a few passes; with this many the median pass is the steady speed of the core.
BATCHES = 16
FLOOR = 5000  # messages per second, at every size


def realistic_messages() -> list[str]:
    """The labelled evaluation messages, in file order."""
    texts = []
    for path in sorted((ROOT / "tests" / "eval").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def scaled_documents(scale: int) -> tuple[list[dict], dict, dict]:
    """The bundled entries plus (scale - 1) synthetic copies of each, as entry documents."""
    from bot.advisor.knowledge import entry_to_document, load_directory

    knowledge = load_directory(ROOT / "knowledge")
    documents = [entry_to_document(entry) for entry in knowledge.entries]
    synthetic = []
    for copy in range(1, scale):
        suffix = _suffix(copy)
        for document in documents:
            clone = json.loads(json.dumps(document))
            clone["id"] = f"{document['id']}-syn{copy}"
            for signal in clone["signals"]:
                signal["words"] = [word + suffix for word in signal["words"]]
            for combo in clone.get("combos", []):
                combo["all"] = ["|".join(w if w.startswith("@") else w + suffix for w in part.split("|"))
                                for part in combo["all"]]
            synthetic.append(clone)
    return documents + synthetic, knowledge.texts, knowledge.disguises


def _suffix(number: int) -> str:
    """Two rare characters that make every synthetic word unique."""
    base = 0x4DC0  # Yijing hexagram symbols: never in a resident's message
    return chr(base + number % 64) + chr(base + number // 64 % 64)


def measure(scale: int) -> dict:
    """Build the advisor at one size and time it on realistic messages (runs inside a worker)."""
    from bot.advisor import Advisor
    from bot.advisor.knowledge import KnowledgeBase
    from bot.advisor.matcher import SEGMENTER
    from bot.compiled import running_compiled

    documents, texts, disguises = scaled_documents(scale)
    started = time.perf_counter()
    knowledge = KnowledgeBase.from_documents(documents, texts, disguises)
    advisor = Advisor(knowledge)
    build_seconds = time.perf_counter() - started
    messages = realistic_messages()
    advisor.analyze("部门经理说集中奖励，要我先转账")  # loads jieba's dictionary, once per process
    core_before = calibrate()
    latencies, rates = [], []
    for _ in range(BATCHES):
        SEGMENTER.forget()  # every batch is new to the process: nothing learnt from an earlier one
        cpu = time.process_time()
        for text in messages:
            begin = time.perf_counter_ns()
            advisor.analyze(text)
            latencies.append(time.perf_counter_ns() - begin)
        rates.append(len(messages) / (time.process_time() - cpu))
    latencies.sort()
    return {
        "scale": scale, "code": "compiled" if running_compiled() else "sources", "entries": len(knowledge.entries),
        "patterns": sum(len(s.words) for e in knowledge.entries for s in e.signals),
        "build_seconds": round(build_seconds, 3), "messages": len(latencies),
        "messages_per_second": round(max(rates)),
        "messages_per_second_median": round(statistics.median(rates)),
        "messages_per_second_worst": round(min(rates)),
        "p50_ms": round(latencies[len(latencies) // 2] / 1e6, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] / 1e6, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "loop_10m_seconds": [core_before, calibrate()],
    }


def calibrate() -> float:
    """CPU seconds for ten million iterations of a bare Python loop: how fast this core is right now."""
    started, total = time.process_time(), 0
    for number in range(10_000_000):
        total += number
    return round(time.process_time() - started, 2)


def _worker(scale: int) -> dict:
    """Measure one size in a fresh process pinned to one CPU, so sizes do not share memory or caches."""
    result = subprocess.run([sys.executable, "-m", "bench.advisor", "--worker", str(scale)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run() -> dict:
    """Figures for every size, and whether the median batch of each stays above the floor."""
    sizes = [_worker(scale) for scale in SCALES]
    return {"sizes": sizes, "floor_messages_per_second": FLOOR,
            "flat": all(size["messages_per_second_median"] >= FLOOR for size in sizes),
            "worker_peak_rss_mb": sizes[0]["peak_rss_mb"], "code": sizes[0]["code"]}


def report(results: dict) -> str:
    code = {"compiled": "compiled at install", "sources": "run from its sources"}[results["code"]]
    lines = [f"advisor ({code}; one core; msg/s by CPU time over {BATCHES} passes through the evaluation messages,"
             " each pass new to the process: the best, median and worst pass)",
             f"  {'size':>5} {'entries':>8} {'patterns':>9} {'build s':>8} {'best':>7} {'median':>7} "
             f"{'worst':>7} {'p50 ms':>7} {'p99 ms':>7} {'peak MB':>8}"]
    for size in results["sizes"]:
        lines.append(f"  {size['scale']:>4}× {size['entries']:>8} {size['patterns']:>9} {size['build_seconds']:>8} "
                     f"{size['messages_per_second']:>7} {size['messages_per_second_median']:>7} "
                     f"{size['messages_per_second_worst']:>7} "
                     f"{size['p50_ms']:>7} {size['p99_ms']:>7} {size['peak_rss_mb']:>8}")
    verdict = "yes" if results["flat"] else "NO"
    lines.append(f"  median pass ≥ {results['floor_messages_per_second']} msg/s at every size: {verdict}; "
                 f"worker peak memory (bundled base): {results['worker_peak_rss_mb']} MB")
    loops = ", ".join("/".join(map(str, size["loop_10m_seconds"])) for size in results["sizes"])
    lines.append(f"  core speed before/after each size: a 10M-iteration Python loop took {loops} CPU s "
                 f"(about 0.4 s on an unloaded modern core)")
    return "\n".join(lines)


def _pin_to_one_cpu() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        _pin_to_one_cpu()
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        print(report(run()))
