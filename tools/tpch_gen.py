"""TPC-H data generator: the eight tables at any scale factor, one snappy Parquet file per table.

lakebox needs TPC-H data to prove its Athena runs the 22 queries correctly and to benchmark it, and
DuckDB's tpch extension cannot be downloaded at run time here. This module writes the data itself,
vectorized with numpy and pyarrow, following the specification's row counts, key formulas and value
distributions (colors, type syllables, containers, segments, priorities, ship modes, phone country
codes, sparse order keys, customers without orders, date offsets and flag rules), so each query with
the standard validation parameters finds meaningful rows. Comment text is drawn from the spec's
grammar words, so patterns such as '%special%requests%' match about as often as in dbgen's output.
The numbers are not dbgen's byte for byte; answers are compared against DuckDB on the same files.

Types are those Athena users declare: keys int64 (bigint), money, quantities, discounts and taxes
decimal(15,2), dates date32, everything else string.

Usage: python tools/tpch_gen.py --scale 0.1 --out DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

TABLES = ("region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem")

REGIONS = ["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"]
NATIONS = [("ALGERIA", 0), ("ARGENTINA", 1), ("BRAZIL", 1), ("CANADA", 1), ("EGYPT", 4), ("ETHIOPIA", 0),
           ("FRANCE", 3), ("GERMANY", 3), ("INDIA", 2), ("INDONESIA", 2), ("IRAN", 4), ("IRAQ", 4),
           ("JAPAN", 2), ("JORDAN", 4), ("KENYA", 0), ("MOROCCO", 0), ("MOZAMBIQUE", 0), ("PERU", 1),
           ("CHINA", 2), ("ROMANIA", 3), ("SAUDI ARABIA", 4), ("VIETNAM", 2), ("RUSSIA", 3),
           ("UNITED KINGDOM", 3), ("UNITED STATES", 1)]
COLORS = ("almond antique aquamarine azure beige bisque black blanched blue blush brown burlywood burnished "
          "chartreuse chiffon chocolate coral cornflower cornsilk cream cyan dark deep dim dodger drab "
          "firebrick floral forest frosted gainsboro ghost goldenrod green grey honeydew hot indian ivory "
          "khaki lace lavender lawn lemon light lime linen magenta maroon medium metallic midnight mint "
          "misty moccasin navajo navy olive orange orchid pale papaya peach peru pink plum powder puff "
          "purple red rose rosy royal saddle salmon sandy seashell sienna sky slate smoke snow spring "
          "steel tan thistle tomato turquoise violet wheat white yellow").split()
TYPE_SIZES = ["STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"]
TYPE_FINISHES = ["ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"]
TYPE_METALS = ["TIN", "NICKEL", "BRASS", "STEEL", "COPPER"]
CONTAINER_SIZES = ["SM", "LG", "MED", "JUMBO", "WRAP"]
CONTAINER_KINDS = ["CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"]
SEGMENTS = ["AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD"]
PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]
SHIP_INSTRUCTIONS = ["DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"]
SHIP_MODES = ["REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"]


def _words(text: str) -> list[str]:
    """Space-separated words; `_` joins the words of one term (`pinto_beans`)."""
    return [word.replace("_", " ") for word in text.split()]


# The spec's text grammar words (clause 4.2.2.10); comments are random sentences built from them.
NOUNS = _words("foxes ideas theodolites pinto_beans instructions dependencies excuses platelets asymptotes courts "
         "dolphins multipliers sauternes warthogs frets dinos attainments somas Tiresias' patterns forges "
         "braids hockey_players frays warhorses dugouts notornis epitaphs pearls tithes waters orbits gifts "
         "sheaves depths sentiments decoys realms pains grouches escapades packages requests accounts "
         "deposits")
VERBS = ("sleep wake are cajole haggle nag use boost affix detect integrate maintain nod was lose sublate "
         "solve thrash promise engage hinder print x-ray breach eat grow impress mold poach serve run dazzle "
         "snooze doze unwind kindle play hang believe doubt").split()
ADJECTIVES = ("furious sly careful blithe quick fluffy slow quiet ruthless thin close dogged daring brave "
              "stealthy permanent enticing idle busy regular final ironic even bold silent special pending "
              "unusual express").split()
ADVERBS = ("sometimes always never furiously slyly carefully blithely quickly fluffily slowly quietly "
           "ruthlessly thinly closely doggedly daringly bravely stealthily permanently enticingly idly "
           "busily regularly finally ironically evenly boldly silently").split()
PREPOSITIONS = _words("about above according_to across after against along alongside_of among around at atop "
                "before behind beneath beside besides between beyond by despite during except for from "
                "in_place_of inside instead_of into near of on outside over past since through "
                "throughout to toward under until up upon without with within")
TERMINATORS = [".", ";", ":", "?", "!", "--"]

EPOCH = dt.date(1970, 1, 1)
START_DATE = (dt.date(1992, 1, 1) - EPOCH).days
END_DATE = (dt.date(1998, 12, 31) - EPOCH).days
CURRENT_DATE = (dt.date(1995, 6, 17) - EPOCH).days
MONEY = pa.decimal128(15, 2)
TEXT_POOL_SIZE = 1 << 15
CUSTOMER_COMPLAINTS_PER_SF = 5


def generate(scale: float, out_dir: str | Path, seed: int = 1) -> dict[str, Path]:
    """Write every table under `out_dir/<table>/data.parquet`; return each table's folder."""
    return generate_with_progress(scale, out_dir, seed, progress=None)


def generate_with_progress(scale: float, out_dir: str | Path, seed: int = 1,
                           progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """`generate`, calling `progress` with one line per table written (the CLI prints them)."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    out = Path(out_dir)
    counts = row_counts(scale)
    builder = _Builder(counts, seed)
    folders: dict[str, Path] = {}
    for name in TABLES:
        started = time.perf_counter()
        table = getattr(builder, name)()
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / "data.parquet", compression="snappy")
        folders[name] = folder
        if progress:
            progress(f"{name:<9} {table.num_rows:>10,} rows  {time.perf_counter() - started:6.2f}s")
    return folders


def row_counts(scale: float) -> dict[str, int]:
    """Base row counts per the spec; lineitem's count is random (about 4 per order)."""
    def scaled(base: int) -> int:
        return max(1, int(round(base * scale)))
    return {"supplier": scaled(10_000), "customer": scaled(150_000), "part": scaled(200_000),
            "orders": scaled(1_500_000), "clerks": max(1, int(round(1_000 * scale)))}


def _decimal(cents: np.ndarray) -> pa.Array:
    """decimal(15,2) straight from integer cents: 16-byte little-endian two's complement values."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(MONEY, len(cents), [None, pa.py_buffer(words)])


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), type=pa.int32()).cast(pa.date32())


def _pick(words: list[str], index: np.ndarray) -> pa.Array:
    return pa.array(words, type=pa.string()).take(pa.array(index))


def _numbered(prefix: str, keys: np.ndarray, width: int = 9) -> pa.Array:
    digits = pc.utf8_lpad(pa.array(keys).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _join(parts: list, separator: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, separator)


class _Builder:
    """Builds each table as a pyarrow Table; tables that depend on each other share derived arrays."""

    def __init__(self, counts: dict[str, int], seed: int):
        self.counts = counts
        self.seed = seed
        self._text_pool: np.ndarray | None = None

    def _rng(self, table: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, TABLES.index(table)])

    # -- shared pieces ---------------------------------------------------------------------------

    def _text(self, rng: np.random.Generator, n: int, low: int, high: int) -> pa.Array:
        """n comments of low..high characters: random cuts of the grammar's text, as dbgen does,
        drawn from a pool so large tables stay fast."""
        pool = self._pool()
        lengths = rng.integers(low, high + 1, size=TEXT_POOL_SIZE)
        starts = rng.integers(0, len(pool) - high, size=TEXT_POOL_SIZE)
        samples = pa.array([pool[s:s + ln].strip() or "x" for s, ln in zip(starts.tolist(), lengths.tolist())],
                           type=pa.string())
        return samples.take(pa.array(rng.integers(0, TEXT_POOL_SIZE, size=n)))

    def _pool(self) -> str:
        """Sentences of the spec's grammar (adjective noun verb [adverb [preposition the adjective
        noun]] terminator), all words drawn at once."""
        if self._text_pool is None:
            rng = np.random.default_rng([self.seed, 99])
            count = 40_000
            columns = [ADJECTIVES, NOUNS, VERBS, ADVERBS, PREPOSITIONS, ["the"], ADJECTIVES, NOUNS]
            picks = [np.asarray(words, dtype=object)[rng.integers(0, len(words), size=count)] for words in columns]
            lengths = np.array([3, 4, 8, 8])[rng.integers(0, 4, size=count)]
            endings = np.asarray(TERMINATORS, dtype=object)[rng.integers(0, len(TERMINATORS), size=count)]
            rows = zip(*picks, lengths.tolist(), endings)
            self._text_pool = " ".join(" ".join(row[:row[8]]) + row[9] for row in rows)
        return self._text_pool

    def _phones(self, rng: np.random.Generator, nationkeys: np.ndarray) -> pa.Array:
        n = len(nationkeys)
        parts = [pa.array(nationkeys + 10).cast(pa.string()),
                 pa.array(rng.integers(100, 1000, n)).cast(pa.string()),
                 pa.array(rng.integers(100, 1000, n)).cast(pa.string()),
                 pa.array(rng.integers(1000, 10000, n)).cast(pa.string())]
        return _join(parts, "-")

    def _addresses(self, rng: np.random.Generator, n: int) -> pa.Array:
        alphabet = np.frombuffer(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,", dtype=np.uint8)
        lengths = rng.integers(10, 41, size=n)
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
        data = alphabet[rng.integers(0, len(alphabet), size=int(offsets[-1]))]
        return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())])

    @staticmethod
    def _retail_cents(partkeys: np.ndarray) -> np.ndarray:
        return 90000 + ((partkeys // 10) % 20001) + 100 * (partkeys % 1000)

    def _supplier_of(self, partkeys: np.ndarray, which: np.ndarray) -> np.ndarray:
        """The spec's PS_SUPPKEY formula: the i-th of a part's four suppliers."""
        s = self.counts["supplier"]
        return (partkeys + which * (s // 4 + (partkeys - 1) // s)) % s + 1

    # -- tables ----------------------------------------------------------------------------------

    def region(self) -> pa.Table:
        rng = self._rng("region")
        return pa.table({"r_regionkey": pa.array(np.arange(5, dtype=np.int64)),
                         "r_name": pa.array(REGIONS, type=pa.string()),
                         "r_comment": self._text(rng, 5, 31, 115)})

    def nation(self) -> pa.Table:
        rng = self._rng("nation")
        return pa.table({"n_nationkey": pa.array(np.arange(25, dtype=np.int64)),
                         "n_name": pa.array([name for name, _ in NATIONS], type=pa.string()),
                         "n_regionkey": pa.array(np.array([r for _, r in NATIONS], dtype=np.int64)),
                         "n_comment": self._text(rng, 25, 31, 114)})

    def supplier(self) -> pa.Table:
        rng = self._rng("supplier")
        n = self.counts["supplier"]
        keys = np.arange(1, n + 1, dtype=np.int64)
        nations = rng.integers(0, 25, size=n).astype(np.int64)
        comments = self._text(rng, n, 25, 100).to_pylist()
        # The spec plants "Customer ... Complaints" and "Customer ... Recommends" in SF*5 comments each.
        special = max(1, int(round(CUSTOMER_COMPLAINTS_PER_SF * n / 10_000)))
        chosen = rng.choice(n, size=2 * special, replace=False)
        for position, row in enumerate(chosen.tolist()):
            ending = "Complaints" if position < special else "Recommends"
            comments[row] = f"{comments[row][:20]} Customer {ending} {comments[row][20:40]}".strip()
        return pa.table({"s_suppkey": pa.array(keys), "s_name": _numbered("Supplier#", keys),
                         "s_address": self._addresses(rng, n), "s_nationkey": pa.array(nations),
                         "s_phone": self._phones(rng, nations),
                         "s_acctbal": _decimal(rng.integers(-99_999, 1_000_000, size=n)),
                         "s_comment": pa.array(comments, type=pa.string())})

    def customer(self) -> pa.Table:
        rng = self._rng("customer")
        n = self.counts["customer"]
        keys = np.arange(1, n + 1, dtype=np.int64)
        nations = rng.integers(0, 25, size=n).astype(np.int64)
        return pa.table({"c_custkey": pa.array(keys), "c_name": _numbered("Customer#", keys),
                         "c_address": self._addresses(rng, n), "c_nationkey": pa.array(nations),
                         "c_phone": self._phones(rng, nations),
                         "c_acctbal": _decimal(rng.integers(-99_999, 1_000_000, size=n)),
                         "c_mktsegment": _pick(SEGMENTS, rng.integers(0, len(SEGMENTS), size=n)),
                         "c_comment": self._text(rng, n, 29, 116)})

    def part(self) -> pa.Table:
        rng = self._rng("part")
        n = self.counts["part"]
        keys = np.arange(1, n + 1, dtype=np.int64)
        # Five distinct color words per name: the first five of a random ordering of the 92 words.
        words = np.argpartition(rng.random((n, len(COLORS))), 5, axis=1)[:, :5]
        name = _join([_pick(COLORS, words[:, i]) for i in range(5)], " ")
        mfgr = rng.integers(1, 6, size=n)
        brand = mfgr * 10 + rng.integers(1, 6, size=n)
        ptype = _join([_pick(TYPE_SIZES, rng.integers(0, 6, size=n)),
                       _pick(TYPE_FINISHES, rng.integers(0, 5, size=n)),
                       _pick(TYPE_METALS, rng.integers(0, 5, size=n))], " ")
        container = _join([_pick(CONTAINER_SIZES, rng.integers(0, 5, size=n)),
                           _pick(CONTAINER_KINDS, rng.integers(0, 8, size=n))], " ")
        return pa.table({"p_partkey": pa.array(keys), "p_name": name,
                         "p_mfgr": pc.binary_join_element_wise("Manufacturer#", pa.array(mfgr).cast(pa.string()), ""),
                         "p_brand": pc.binary_join_element_wise("Brand#", pa.array(brand).cast(pa.string()), ""),
                         "p_type": ptype, "p_size": pa.array(rng.integers(1, 51, size=n).astype(np.int64)),
                         "p_container": container, "p_retailprice": _decimal(self._retail_cents(keys)),
                         "p_comment": self._text(rng, n, 5, 22)})

    def partsupp(self) -> pa.Table:
        rng = self._rng("partsupp")
        parts = self.counts["part"]
        partkeys = np.repeat(np.arange(1, parts + 1, dtype=np.int64), 4)
        which = np.tile(np.arange(4, dtype=np.int64), parts)
        n = len(partkeys)
        return pa.table({"ps_partkey": pa.array(partkeys), "ps_suppkey": pa.array(self._supplier_of(partkeys, which)),
                         "ps_availqty": pa.array(rng.integers(1, 10_000, size=n).astype(np.int64)),
                         "ps_supplycost": _decimal(rng.integers(100, 100_001, size=n)),
                         "ps_comment": self._text(rng, n, 49, 198)})

    def orders(self) -> pa.Table:
        self._make_orders_and_lines()
        return self._orders

    def lineitem(self) -> pa.Table:
        if not hasattr(self, "_lineitem"):
            self._make_orders_and_lines()
        table = self._lineitem
        del self._lineitem
        return table

    def _make_orders_and_lines(self) -> None:
        rng = self._rng("orders")
        n = self.counts["orders"]
        index = np.arange(1, n + 1, dtype=np.int64)
        orderkeys = ((index >> 3) << 5) | (index & 7)  # sparse keys: 8 used out of every 32
        customers = self.counts["customer"]
        # Every third customer places no orders: draw among the keys that are not multiples of 3.
        choice = rng.integers(0, customers - customers // 3, size=n)
        custkeys = 3 * (choice // 2) + 1 + (choice % 2)
        orderdates = rng.integers(START_DATE, END_DATE - 151 + 1, size=n)
        lines_per_order = rng.integers(1, 8, size=n)
        total = int(lines_per_order.sum())
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(lines_per_order[:-1], out=starts[1:])

        line_orders = np.repeat(orderkeys, lines_per_order)
        line_dates = np.repeat(orderdates, lines_per_order)
        linenumbers = np.arange(total, dtype=np.int64) - np.repeat(starts, lines_per_order) + 1
        partkeys = rng.integers(1, self.counts["part"] + 1, size=total)
        suppkeys = self._supplier_of(partkeys, rng.integers(0, 4, size=total))
        quantity = rng.integers(1, 51, size=total)
        extended = quantity * self._retail_cents(partkeys)
        discount = rng.integers(0, 11, size=total)
        tax = rng.integers(0, 9, size=total)
        shipdate = line_dates + rng.integers(1, 122, size=total)
        commitdate = line_dates + rng.integers(30, 91, size=total)
        receiptdate = shipdate + rng.integers(1, 31, size=total)
        returned = receiptdate <= CURRENT_DATE
        returnflag = np.where(returned, rng.integers(0, 2, size=total), 2)  # R, A, N
        open_line = shipdate > CURRENT_DATE
        charged = np.rint(extended * (100 + tax) * (100 - discount) / 10_000).astype(np.int64)
        totalprice = np.add.reduceat(charged, starts)
        open_count = np.add.reduceat(open_line.astype(np.int64), starts)
        status = np.where(open_count == lines_per_order, 1, np.where(open_count == 0, 0, 2))  # O, F, P

        self._lineitem = pa.table({
            "l_orderkey": pa.array(line_orders), "l_partkey": pa.array(partkeys),
            "l_suppkey": pa.array(suppkeys), "l_linenumber": pa.array(linenumbers),
            "l_quantity": _decimal(quantity * 100), "l_extendedprice": _decimal(extended),
            "l_discount": _decimal(discount), "l_tax": _decimal(tax),
            "l_returnflag": _pick(["R", "A", "N"], returnflag),
            "l_linestatus": _pick(["F", "O"], open_line.astype(np.int64)),
            "l_shipdate": _dates(shipdate), "l_commitdate": _dates(commitdate),
            "l_receiptdate": _dates(receiptdate),
            "l_shipinstruct": _pick(SHIP_INSTRUCTIONS, rng.integers(0, 4, size=total)),
            "l_shipmode": _pick(SHIP_MODES, rng.integers(0, 7, size=total)),
            "l_comment": self._text(rng, total, 10, 43)})
        clerks = rng.integers(1, self.counts["clerks"] + 1, size=n)
        self._orders = pa.table({
            "o_orderkey": pa.array(orderkeys), "o_custkey": pa.array(custkeys.astype(np.int64)),
            "o_orderstatus": _pick(["F", "O", "P"], status), "o_totalprice": _decimal(totalprice),
            "o_orderdate": _dates(orderdates),
            "o_orderpriority": _pick(PRIORITIES, rng.integers(0, 5, size=n)),
            "o_clerk": _numbered("Clerk#", clerks), "o_shippriority": pa.array(np.zeros(n, dtype=np.int64)),
            "o_comment": self._text(rng, n, 19, 78)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate TPC-H tables as Parquet files.")
    parser.add_argument("--scale", type=float, default=0.1, help="scale factor (1 = about 1 GB of CSV)")
    parser.add_argument("--out", required=True, help="folder to write <table>/data.parquet into")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"TPC-H SF{args.scale} -> {args.out}", flush=True)
    generate_with_progress(args.scale, args.out, args.seed, progress=lambda line: print(line, flush=True))
    print(f"done in {time.perf_counter() - started:.2f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
