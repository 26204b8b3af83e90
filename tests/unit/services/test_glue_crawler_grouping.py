"""Crawler grouping: AWS's rules for turning sampled files into tables and partitions, one test per
rule, on small generated file lists."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from lakebox.services.glue.crawler_grouping import (
    LeafFile,
    group_tables,
    schema_similarity,
    table_name,
)


@dataclass
class StubSchema:
    """Stands in for crawler_infer.FileSchema: only what grouping reads."""

    columns: list[dict]
    classification: str = "json"
    compression: str | None = None
    record_count: int = 10
    sample_bytes: int = 100
    serde: str = "org.openx.data.jsonserde.JsonSerDe"
    input_format: str = "org.apache.hadoop.mapred.TextInputFormat"
    output_format: str = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    parameters: dict = field(default_factory=dict)


def cols(*spec: str) -> list[dict]:
    """cols("id:bigint", "name") -> [{"Name": "id", "Type": "bigint"}, {"Name": "name", ...}]"""
    out = []
    for item in spec:
        name, _, type_ = item.partition(":")
        out.append({"Name": name, "Type": type_ or "string"})
    return out


def union_columns(a: list[dict], b: list[dict]) -> list[dict]:
    """Stands in for crawler_infer.merge_columns: union by name, the first type wins."""
    names = {column["Name"] for column in a}
    return a + [column for column in b if column["Name"] not in names]


def leaf(key: str, columns: list[dict], size: int = 1000, **schema: object) -> LeafFile:
    return LeafFile(key=key, size=size, schema=StubSchema(columns=columns, **schema))


def group(target: str, files: list[LeafFile], **options: object) -> list:
    return group_tables(target, files, merge_columns=union_columns, **options)


ORDERS = cols("order_id:bigint", "customer:string", "total:double")


def test_hive_folders_make_one_table_with_named_keys_and_one_partition_per_leaf_folder():
    days = [("2024", "01", "15"), ("2024", "01", "16"), ("2024", "02", "01")]
    files = [
        leaf(f"year={y}/month={m}/day={d}/part-{n}.json", ORDERS, size=100 + n)
        for y, m, d in days
        for n in range(2)
    ]
    [table] = group("s3://my-data-lake/bronze/orders/", files)
    assert table.name == "orders"
    assert table.location == "s3://my-data-lake/bronze/orders/"
    assert table.partition_keys == cols("year", "month", "day")
    assert [p.values for p in table.partitions] == [list(day) for day in days]
    assert table.partitions[0].location == (
        "s3://my-data-lake/bronze/orders/year=2024/month=01/day=15/"
    )
    assert table.columns == ORDERS
    assert (table.object_count, table.record_count, table.size) == (6, 60, 6 * 100 + 3)
    assert (table.partitions[0].object_count, table.partitions[0].size) == (2, 201)


def test_table_and_partition_columns_exclude_the_partition_keys():
    files = [leaf(f"year={y}/f.json", ORDERS + cols("year:bigint")) for y in ("2023", "2024")]
    [table] = group("s3://lake/orders", files)
    assert table.columns == ORDERS
    assert all(p.columns == ORDERS for p in table.partitions)


def test_non_hive_folders_make_partition_0_to_n():
    files = [leaf(f"{y}/{m}/data.json", ORDERS) for y in ("2023", "2024") for m in ("01", "02")]
    [table] = group("s3://lake/events/", files)
    assert table.partition_keys == cols("partition_0", "partition_1")
    assert [p.values for p in table.partitions][:2] == [["2023", "01"], ["2023", "02"]]


def test_siblings_with_unrelated_schemas_split_into_tables_named_after_their_folders():
    # AWS's example: {"A","B"} and {"C","D"} are not similar enough: tables year_2017, year_2018.
    files = [
        leaf("year=2017/data1.json", cols("a:int", "b:int")),
        leaf("year=2018/data2.json", cols("c:int", "d:int")),
    ]
    tables = group("s3://bucket/table1/", files)
    assert [t.name for t in tables] == ["year_2017", "year_2018"]
    assert [t.location for t in tables] == [
        "s3://bucket/table1/year=2017/",
        "s3://bucket/table1/year=2018/",
    ]
    assert [t.columns for t in tables] == [cols("a:int", "b:int"), cols("c:int", "d:int")]
    assert all(t.partition_keys == [] for t in tables)


def test_threshold_is_the_share_of_files_in_the_dominant_schema_so_80_percent_merges():
    files = [leaf(f"part={i}/f.json", ORDERS) for i in range(8)]
    files += [leaf(f"part={i}/f.json", cols("city", "country")) for i in (8, 9)]
    [table] = group("s3://lake/mixed/", files)
    assert len(table.partitions) == 10
    assert [c["Name"] for c in table.columns] == [c["Name"] for c in ORDERS] + ["city", "country"]


def test_threshold_must_be_strictly_above_70_percent():
    files = [leaf(f"part={i}/f.json", ORDERS) for i in range(7)]
    files += [leaf(f"part={i}/f.json", cols("city", "country")) for i in (7, 8, 9)]
    tables = group("s3://lake/mixed/", files)
    assert [t.name for t in tables] == [f"part_{i}" for i in range(10)]


def test_added_columns_are_the_same_schema_so_partitions_stay_together():
    files = [leaf("dt=1/f.json", ORDERS), leaf("dt=2/f.json", ORDERS + cols("coupon"))]
    [table] = group("s3://lake/orders/", files)
    assert [c["Name"] for c in table.columns] == ["order_id", "customer", "total", "coupon"]
    assert table.partitions[0].columns == ORDERS


def test_more_than_five_distinct_schemas_split_even_above_the_threshold():
    files = [leaf(f"k={i}/f.json", ORDERS) for i in range(30)]  # 30 of 35 files: 86%
    files += [leaf(f"k=x{i}/f.json", cols(f"only_{i}")) for i in range(5)]  # six clusters in all
    tables = group("s3://lake/t/", files)
    assert len(tables) == 35


def test_five_distinct_schemas_above_the_threshold_still_merge():
    files = [leaf(f"k={i}/f.json", ORDERS) for i in range(30)]
    files += [leaf(f"k=x{i}/f.json", cols(f"only_{i}")) for i in range(4)]  # five clusters
    [table] = group("s3://lake/t/", files)
    assert len(table.partitions) == 34


@pytest.mark.parametrize(
    "other",
    [
        {"classification": "csv"},
        {"compression": "gzip"},
    ],
    ids=["format", "compression"],
)
def test_siblings_of_another_format_or_compression_split(other):
    files = [leaf("a/f.json", ORDERS), leaf("b/f.json", ORDERS, **other)]
    tables = group("s3://lake/root/", files)
    assert [(t.name, t.schema.classification, t.schema.compression) for t in tables] == [
        ("a", "json", None),
        ("b", other.get("classification", "json"), other.get("compression")),
    ]


def test_split_recurses_so_each_folder_keeps_its_own_partitions():
    files = [leaf(f"orders/dt={d}/f.json", ORDERS, classification="json") for d in (1, 2)]
    files += [leaf(f"users/dt={d}/f.csv", cols("id", "name"), classification="csv") for d in (1, 2)]
    orders, users = group("s3://lake/bronze/", files)
    assert (orders.name, orders.location) == ("orders", "s3://lake/bronze/orders/")
    assert [p.values for p in orders.partitions] == [["1"], ["2"]]
    assert users.partition_keys == cols("dt")


def test_files_directly_under_the_target_make_a_table_named_after_the_target():
    files = [leaf("a.json", ORDERS), leaf("b.json", ORDERS)]
    [table] = group("s3://lake/raw/customers", files)
    assert (table.name, table.location) == ("customers", "s3://lake/raw/customers/")
    assert table.partition_keys == [] and table.partitions == []
    assert table.object_count == 2


def test_files_directly_under_a_bucket_target_take_the_bucket_name():
    [table] = group("s3://my-bucket", [leaf("a.json", ORDERS)])
    assert (table.name, table.location) == ("my_bucket", "s3://my-bucket/")


def test_files_beside_folders_that_split_become_tables_of_their_own():
    files = [
        leaf("a/f.json", cols("x")),
        leaf("b/f.json", cols("y")),
        leaf("notes.json", cols("z")),
    ]
    tables = group("s3://lake/root/", files)
    assert [(t.name, t.location) for t in tables] == [
        ("a", "s3://lake/root/a/"),
        ("b", "s3://lake/root/b/"),
        ("notes_json", "s3://lake/root/notes.json"),
    ]


def test_folders_of_different_depths_do_not_share_a_table():
    files = [leaf("a/x/f.json", ORDERS), leaf("b/f.json", ORDERS)]
    tables = group("s3://lake/root/", files)
    assert [(t.name, [p.values for p in t.partitions]) for t in tables] == [
        ("a", [["x"]]),
        ("b", []),
    ]


def test_table_level_forces_the_table_root_counted_from_the_bucket_as_level_1():
    # s3://lake = 1, data = 2, year=... = 3: one table per year, months are its partitions.
    files = [leaf(f"year={y}/month={m}/f.json", ORDERS) for y in (2023, 2024) for m in (1, 2)]
    tables = group("s3://lake/data/", files, table_level=3)
    assert [(t.name, t.location) for t in tables] == [
        ("year_2023", "s3://lake/data/year=2023/"),
        ("year_2024", "s3://lake/data/year=2024/"),
    ]
    assert tables[0].partition_keys == cols("month")
    assert [p.values for p in tables[0].partitions] == [["1"], ["2"]]


def test_table_level_keeps_one_table_even_where_schemas_would_split():
    files = [leaf("year=2017/d.json", cols("a", "b")), leaf("year=2018/d.json", cols("c", "d"))]
    [table] = group("s3://bucket/table1/", files, table_level=2)
    assert (table.name, table.partition_keys) == ("table1", cols("year"))


def test_table_level_above_the_target_uses_the_target():
    [table] = group("s3://lake/a/b/", [leaf("k=1/f.json", ORDERS)], table_level=1)
    assert table.location == "s3://lake/a/b/"


def test_combine_compatible_schemas_makes_one_table_of_dissimilar_siblings():
    # AWS's example: with CombineCompatibleSchemas, one table a,b,c,d with partition key year.
    files = [
        leaf("year=2017/data1.json", cols("a:int", "b:int")),
        leaf("year=2018/data2.json", cols("c:int", "d:int")),
    ]
    [table] = group("s3://bucket/table1/", files, combine_compatible=True)
    assert table.name == "table1"
    assert table.columns == cols("a:int", "b:int", "c:int", "d:int")
    assert table.partition_keys == cols("year")


def test_combine_compatible_schemas_still_splits_incompatible_data():
    files = [leaf("a/f.json", ORDERS), leaf("b/f.csv", ORDERS, classification="csv")]
    assert len(group("s3://lake/root/", files, combine_compatible=True)) == 2


def test_table_prefix_is_prepended_and_names_are_sanitized():
    files = [leaf("a/f.json", cols("x")), leaf("b/f.json", cols("y"))]
    tables = group("s3://lake/My-Data.Set/", files, table_prefix="Raw-")
    assert [t.name for t in tables] == ["raw_a", "raw_b"]
    [single] = group("s3://lake/My-Data.Set/", [leaf("f.json", ORDERS)], table_prefix="Raw-")
    assert single.name == "raw_my_data_set"


@pytest.mark.parametrize(
    "raw, prefix, expected",
    [
        ("orders", "", "orders"),
        ("Orders", "", "orders"),
        ("year=2017", "", "year_2017"),
        ("g-drive", "", "g_drive"),
        ("data.csv", "raw_", "raw_data_csv"),
        ("sales 2024", "X-", "x_sales_2024"),
    ],
)
def test_table_name_sanitizing(raw, prefix, expected):
    assert table_name(raw, prefix) == expected


def test_names_that_collide_get_a_stable_suffix():
    files = [leaf("x/data/f.json", cols("a")), leaf("y/data/f.json", cols("b"))]
    first, second = group("s3://lake/root/", files, table_level=4)
    assert first.name == "data"
    assert second.name.startswith("data_") and len(second.name) == len("data_") + 8
    assert group("s3://lake/root/", files, table_level=4)[1].name == second.name


def test_output_is_ordered_by_location_whatever_the_input_order():
    files = [leaf(f"{n}/f.json", cols(n)) for n in ("c", "a", "b")]
    assert [t.location for t in group("s3://l/r/", files)] == [
        "s3://l/r/a/",
        "s3://l/r/b/",
        "s3://l/r/c/",
    ]


def test_representative_schema_is_the_first_file_of_the_table():
    files = [leaf("dt=2/f.json", ORDERS, record_count=7), leaf("dt=1/f.json", ORDERS)]
    [table] = group("s3://lake/t/", files)
    assert table.schema is files[1].schema


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (cols("a", "b"), cols("a", "b"), 1.0),
        (cols("a", "b"), cols("a", "b", "c"), 1.0),  # an added column is the same schema
        (cols("a", "b"), cols("c", "d"), 0.0),
        (cols("a", "b", "c", "d"), cols("a", "b", "x", "y"), 0.5),
        (cols("A:bigint"), cols("a:double"), 1.0),  # numeric types widen
        (cols("a:bigint"), cols("a:string"), 1.0),  # anything widens to string
        (cols("a:boolean"), cols("a:bigint"), 0.0),
        ([], [], 1.0),
        ([], cols("a"), 0.0),
    ],
)
def test_schema_similarity(a, b, expected):
    assert schema_similarity(a, b) == expected


def test_no_files_no_tables():
    assert group("s3://lake/empty/", []) == []
