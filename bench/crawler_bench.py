"""Crawler benchmark (issue 4): one crawl of 10,000 files in 1,000 Hive partitions, half Parquet and
half JSON lines. Targets: under 30 s on 2 cores and under 500 MiB of server memory.

moto is not run: its StartCrawler flips a state field and never reads a file, and LocalStack's
crawler is in the paid image, so there is no peer that does this work. The catalog side, where moto
does answer, is compared in glue_bench.py.

    .venv/bin/python bench/crawler_bench.py [--partitions N] [--files-per-partition N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from glue_bench import measure_crawler  # noqa: E402
from s3_bench import start_lakebox  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partitions", type=int, default=1000)
    parser.add_argument("--files-per-partition", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lakebox-crawler-bench-") as tmp:
        server = start_lakebox(Path(tmp))
        try:
            r = measure_crawler(server, Path(tmp) / "lakebox-data", args.partitions, args.files_per_partition)
        finally:
            server.stop()
    print(f"crawled {r['crawl_files']} files in {args.partitions} partitions: {r['crawl_s']:.1f} s "
          f"(target < 30 s: {'OK' if r['crawl_s'] < 30 else 'MISSED'}), server RSS peak "
          f"{r['crawl_rss_peak_mib']:.0f} MiB (target < 500 MiB: {'OK' if r['crawl_rss_peak_mib'] < 500 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
