#!/usr/bin/env python3
"""Writes a large catalogue CSV for import tests and benchmarks: the items of a CSV exported by
`server export-catalogue FILE.csv`, repeated with new codes (GEN-000000 …) until N rows.

    target/release/server export-catalogue /tmp/demo.csv
    scripts/generate-catalogue-csv.py /tmp/demo.csv 3600 > /tmp/gen-3600.csv
    target/release/server import-catalogue /tmp/gen-3600.csv
"""
import csv
import sys


def main() -> None:
    source, count = sys.argv[1], int(sys.argv[2])
    with open(source, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    items = [row for row in rows if row["record"] == "item"]
    if not items:
        sys.exit(f"{source} has no item rows")
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0].keys()), lineterminator="\n")
    writer.writeheader()
    for index in range(count):
        row = dict(items[index % len(items)])
        round_ = index // len(items)
        row["code"] = f"GEN-{index:06d}"
        row["name_zh"] = f"{row['name_zh']}（{round_}）"
        row["name_en"] = f"{row['name_en']} ({round_})"
        writer.writerow(row)


if __name__ == "__main__":
    main()
