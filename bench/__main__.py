"""`make bench`: the webhook under load and the advisor on one core, with the figures printed.

The raw figures are also written to bench-results/latest.json for comparison between runs.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

from bench import advisor, webhook

RESULTS = Path(__file__).resolve().parent.parent / "bench-results" / "latest.json"


def main() -> None:
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
          flush=True)
    advisor_results = advisor.run()
    print(advisor.report(advisor_results), flush=True)
    webhook_results = webhook.run()
    print(webhook.report(webhook_results), flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"advisor": advisor_results, "webhook": webhook_results},
                                  ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"raw figures: {RESULTS}")


if __name__ == "__main__":
    main()
