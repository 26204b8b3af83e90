"""lakebox's `awsglue` library on a real SparkSession: arguments, readers, writers, transforms, bookmarks,
and the guide's Glue ETL script run unchanged through the Spark launcher."""

from __future__ import annotations

import datetime
import json
import os

import pytest
from awsglue_helpers import (LAZY_SIMPLE, OPENX_JSON, PARQUET, add_partition, clients, create_table, json_lines,
                             lake_files, parquet_bytes, parquet_rows)

from awsglue import DynamicFrame
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.transforms import *  # noqa: F403 - the star import scripts use must work
from awsglue.utils import GlueArgumentError, getResolvedOptions


@pytest.fixture(scope="module")
def glue_ctx(spark):
    return GlueContext(spark.sparkContext)


@pytest.fixture(scope="module")
def aws(lake_server):
    return clients(lake_server)


@pytest.fixture
def bucket(aws, request):
    """A bucket of this test's own, so tests sharing the module's lake do not see each other's files."""
    name = request.node.name.replace("_", "-")[:50].strip("-").lower()
    aws[0].create_bucket(Bucket=name)
    return name


@pytest.fixture(autouse=True)
def no_active_bookmark():
    from awsglue import bookmarks

    yield
    bookmarks.activate(None)


def rows(frame, *columns):
    df = frame.toDF() if isinstance(frame, DynamicFrame) else frame
    return sorted((tuple(r[c] for c in columns) for r in df.collect()),
                  key=lambda values: tuple((v is None, v) for v in values))


# -- getResolvedOptions -----------------------------------------------------------------------------
def test_get_resolved_options_reads_space_and_equals_forms():
    argv = ["script.py", "--JOB_NAME", "orders-etl", "--input_path=s3://raw/in/", "--output_path", "-1",
            "--job-bookmark-option", "job-bookmark-enable", "--JOB_RUN_ID", "jr_1", "--unasked", "x"]
    args = getResolvedOptions(argv, ["JOB_NAME", "input_path", "output_path"])
    assert args["JOB_NAME"] == "orders-etl"
    assert args["input_path"] == "s3://raw/in/"
    assert args["output_path"] == "-1"
    assert args["job_bookmark_option"] == "job-bookmark-enable"
    assert args["JOB_RUN_ID"] == "jr_1"
    assert args["TempDir"] is None
    assert "unasked" not in args


def test_get_resolved_options_missing_option_is_named():
    with pytest.raises(GlueArgumentError, match=r"required: --output_path"):
        getResolvedOptions(["s.py", "--JOB_NAME", "j", "--input_path", "a"], ["JOB_NAME", "input_path", "output_path"])
    with pytest.raises(GlueArgumentError, match=r"--input_path: expected one argument"):
        getResolvedOptions(["s.py", "--input_path", "--JOB_NAME", "j"], ["input_path"])


def test_get_resolved_options_reserved_and_invalid_bookmark_option():
    with pytest.raises(GlueArgumentError, match="reserved"):
        getResolvedOptions(["s.py"], ["job-bookmark-option"])
    with pytest.raises(GlueArgumentError, match="invalid choice"):
        getResolvedOptions(["s.py", "--job-bookmark-option", "on"], [])
    assert getResolvedOptions(["s.py"], [])["job_bookmark_option"] == "job-bookmark-disable"


# -- from_options -----------------------------------------------------------------------------------
def test_from_options_reads_csv_json_and_parquet(glue_ctx, aws, bucket):
    s3 = aws[0]
    s3.put_object(Bucket=bucket, Key="csv/a.csv", Body=b"id,name,amount\n1,ann,1.5\n2,bob,2.5\n")
    s3.put_object(Bucket=bucket, Key="csv/sub/b.csv", Body=b"id,name,amount\n3,cy,3.5\n")
    s3.put_object(Bucket=bucket, Key="tsv/a.tsv", Body=b"7|x\n8|y\n")
    s3.put_object(Bucket=bucket, Key="json/day=1/a.json", Body=json_lines([{"id": 1, "tags": ["a"]}]))
    s3.put_object(Bucket=bucket, Key="json/day=2/b.json", Body=json_lines([{"id": 2, "tags": []}]))
    s3.put_object(Bucket=bucket, Key="pq/x.parquet", Body=parquet_bytes({"k": [1, 2], "v": ["p", "q"]}))
    s3.put_object(Bucket=bucket, Key="pq/_SUCCESS", Body=b"")

    reader = glue_ctx.create_dynamic_frame
    top = reader.from_options("s3", {"paths": [f"s3://{bucket}/csv/"]}, format="csv",
                              format_options={"withHeader": True})
    assert rows(top, "id", "name", "amount") == [(1, "ann", 1.5), (2, "bob", 2.5)]  # not recursed
    deep = reader.from_options("s3", {"paths": [f"s3://{bucket}/csv/"], "recurse": True}, format="csv",
                               format_options={"withHeader": True})
    assert rows(deep, "id") == [(1,), (2,), (3,)]
    positional = reader.from_options(connection_type="s3", connection_options={"paths": [f"s3://{bucket}/tsv/"]},
                                     format="csv", format_options={"separator": "|"})
    assert positional.toDF().columns == ["col0", "col1"]
    assert rows(positional, "col0", "col1") == [(7, "x"), (8, "y")]

    js = reader.from_options("s3", {"paths": [f"s3://{bucket}/json/"], "recurse": True}, format="json",
                             push_down_predicate="day = 2")
    assert rows(js, "id", "day") == [(2, 2)]

    pq = reader.from_options("s3", {"paths": [f"s3://{bucket}/pq/"]}, format="parquet")
    assert rows(pq, "k", "v") == [(1, "p"), (2, "q")]
    assert glue_ctx.create_data_frame.from_options("s3", {"paths": [f"s3://{bucket}/pq/x.parquet"]},
                                                   format="parquet").count() == 2


def test_from_options_rejects_other_connection_types_and_formats(glue_ctx, bucket):
    with pytest.raises(NotImplementedError, match="connection_type 'mysql'"):
        glue_ctx.create_dynamic_frame.from_options("mysql", {"url": "jdbc:mysql://x"})
    with pytest.raises(NotImplementedError, match="'xml'"):
        glue_ctx.create_dynamic_frame.from_options("s3", {"paths": [f"s3://{bucket}/"]}, format="xml")
    with pytest.raises(ValueError, match="'paths'"):
        glue_ctx.create_dynamic_frame.from_options("s3", {}, format="json")


# -- from_catalog -----------------------------------------------------------------------------------
def test_from_catalog_partitioned_parquet_with_push_down_predicate(glue_ctx, aws, bucket):
    s3, glue = aws
    location = f"s3://{bucket}/sales/"
    create_table(glue, "lakedb", "sales_pq", location, [("order_id", "bigint"), ("amount", "double")], PARQUET,
                 partition_keys=[("year", "string"), ("month", "string")])
    for year, month, ids in (("2023", "12", [1]), ("2024", "01", [2, 3]), ("2024", "02", [4])):
        key = f"sales/year={year}/month={month}/part.parquet"
        # int32 ids in the file: the catalog's bigint wins
        s3.put_object(Bucket=bucket, Key=key, Body=parquet_bytes(
            {"ORDER_ID": __import__("pyarrow").array(ids, "int32"), "amount": [float(i) for i in ids]}))
        add_partition(glue, "lakedb", "sales_pq", [year, month], f"{location}year={year}/month={month}/")
    # a folder the catalog does not list is not part of the table
    s3.put_object(Bucket=bucket, Key="sales/year=2025/month=01/part.parquet",
                  Body=parquet_bytes({"order_id": [99], "amount": [9.0]}))

    frame = glue_ctx.create_dynamic_frame.from_catalog(database="lakedb", table_name="sales_pq",
                                                       push_down_predicate="year == '2024' and month >= '01'")
    df = frame.toDF()
    assert df.columns == ["order_id", "amount", "year", "month"]
    assert dict(df.dtypes)["order_id"] == "bigint"
    assert rows(df, "order_id", "year", "month") == [(2, "2024", "01"), (3, "2024", "01"), (4, "2024", "02")]
    everything = glue_ctx.create_data_frame.from_catalog(database="lakedb", table_name="sales_pq")
    assert sorted(r.order_id for r in everything.collect()) == [1, 2, 3, 4]
    server_side = glue_ctx.create_dynamic_frame.from_catalog(
        database="lakedb", table_name="sales_pq", additional_options={"catalogPartitionPredicate": "year='2023'"})
    assert rows(server_side, "order_id") == [(1,)]


def test_from_catalog_reads_csv_and_json_serdes(glue_ctx, aws, bucket):
    s3, glue = aws
    s3.put_object(Bucket=bucket, Key="csv/a.csv", Body=b"id|when|note\n1|2024-03-01 10:00:00|x,y\n2||\n")
    create_table(glue, "lakedb", "pipe_csv", f"s3://{bucket}/csv/",
                 [("id", "int"), ("when", "timestamp"), ("note", "varchar(10)")], LAZY_SIMPLE,
                 serde_params={"field.delim": "|"}, parameters={"skip.header.line.count": "1", "classification": "csv"})
    csv = glue_ctx.create_dynamic_frame.from_catalog(database="lakedb", table_name="pipe_csv").toDF()
    assert rows(csv, "id", "when", "note") == [(1, datetime.datetime(2024, 3, 1, 10, 0), "x,y"), (2, None, None)]

    # the crawler lower-cases names; OpenX's SerDe matches JSON keys case-insensitively
    s3.put_object(Bucket=bucket, Key="js/dt=2024-01-01/a.json",
                  Body=json_lines([{"orderId": 5, "Items": [{"sku": "a", "qty": 2}]}]))
    create_table(glue, "lakedb", "orders_json", f"s3://{bucket}/js/",
                 [("orderid", "bigint"), ("items", "array<struct<sku:string,qty:int>>")], OPENX_JSON,
                 partition_keys=[("dt", "date")])
    add_partition(glue, "lakedb", "orders_json", ["2024-01-01"], f"s3://{bucket}/js/dt=2024-01-01/")
    js = glue_ctx.create_dynamic_frame.from_catalog(database="lakedb", table_name="orders_json").toDF()
    [row] = js.collect()
    assert (row.orderid, row.items[0].sku, row.items[0].qty, row.dt) == (5, "a", 2, datetime.date(2024, 1, 1))


# -- writers ----------------------------------------------------------------------------------------
def test_write_from_options_with_partition_keys(glue_ctx, spark, lake_server, bucket):
    df = spark.createDataFrame([(1, "a", 2024, 1), (2, "b", 2024, 2), (3, "c", 2023, 12)],
                               "id long, name string, year int, month int")
    frame = DynamicFrame.fromDF(df, glue_ctx, "out")
    glue_ctx.write_dynamic_frame.from_options(frame=frame, connection_type="s3",
                                              connection_options={"path": f"s3://{bucket}/silver/",
                                                                  "partitionKeys": ["year", "month"]},
                                              format="parquet")
    folders = sorted({os.path.dirname(f) for f in lake_files(lake_server, bucket, "silver")})
    assert folders == ["year=2023/month=12", "year=2024/month=1", "year=2024/month=2"]
    written = parquet_rows(lake_server, bucket, "silver", "id")
    assert [(r["id"], r["name"], r["year"], r["month"]) for r in written] == \
        [(1, "a", 2024, 1), (2, "b", 2024, 2), (3, "c", 2023, 12)]
    frame.coalesce(1).write("s3", {"path": f"s3://{bucket}/csv-out/"}, format="csv")  # a header row
    [part] = [f for f in lake_files(lake_server, bucket, "csv-out") if f.endswith(".csv")]
    text = (lake_server.data_dir / "s3" / bucket / "csv-out" / part).read_text()
    assert text.splitlines()[0] == "id,name,year,month" and len(text.splitlines()) == 4


def test_sink_with_update_catalog_creates_table_and_partitions(glue_ctx, spark, aws, bucket):
    s3, glue = aws
    df = spark.createDataFrame([(1, "2024-01-01"), (2, "2024-01-02")], "id long, dt string")
    sink = glue_ctx.getSink(connection_type="s3", path=f"s3://{bucket}/events/", enableUpdateCatalog=True,
                            updateBehavior="UPDATE_IN_DATABASE", partitionKeys=["dt"])
    sink.setFormat("glueparquet")
    sink.setCatalogInfo(catalogDatabase="lakedb", catalogTableName="events")
    sink.writeFrame(DynamicFrame.fromDF(df, glue_ctx, "events"))
    table = glue.get_table(DatabaseName="lakedb", Name="events")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id"]
    assert table["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    partitions = glue.get_partitions(DatabaseName="lakedb", TableName="events")["Partitions"]
    assert sorted(p["Values"][0] for p in partitions) == ["2024-01-01", "2024-01-02"]
    # written through the catalog: appended to the table, read back through it
    more = DynamicFrame.fromDF(spark.createDataFrame([(3, "2024-01-03")], "id long, dt string"), glue_ctx, "m")
    glue_ctx.write_dynamic_frame.from_catalog(frame=more, database="lakedb", table_name="events",
                                              additional_options={"enableUpdateCatalog": True})
    back = glue_ctx.create_dynamic_frame.from_catalog(database="lakedb", table_name="events")
    assert rows(back, "id", "dt") == [(1, "2024-01-01"), (2, "2024-01-02"), (3, "2024-01-03")]


# -- DynamicFrame and transforms --------------------------------------------------------------------
@pytest.fixture(scope="module")
def people(spark, glue_ctx):
    df = spark.createDataFrame(
        [(1, "Ann", "12", ("Lisbon", "PT"), None), (2, "Bob", "x", ("Porto", "PT"), None),
         (3, "Cy", "40", ("Paris", "FR"), None)],
        "id int, name string, age string, address struct<city:string,country:string>, nothing string")
    return DynamicFrame.fromDF(df, glue_ctx, "people")


def test_field_transforms(people, capsys):
    mapped = ApplyMapping.apply(frame=people, mappings=[  # noqa: F405
        ("id", "int", "person.id", "long"), ("address.city", "string", "city", "string"),
        ("age", "string", "age", "int"), ("missing", "string", "gone", "string")])
    assert mapped.toDF().columns == ["person", "city", "age"]
    assert rows(mapped.toDF().selectExpr("person.id AS id", "city", "age"), "id", "city", "age") == \
        [(1, "Lisbon", 12), (2, "Porto", None), (3, "Paris", 40)]
    mapped.printSchema()
    assert "|-- person: struct\n|    |-- id: long\n|-- city: string\n|-- age: int" in capsys.readouterr().out

    selected = SelectFields.apply(frame=people, paths=["name", "address.country"])  # noqa: F405
    assert [f.name for f in selected.schema().fields] == ["name", "address"]
    assert selected.schema().getField("address").dataType.field_names() == ["country"]
    dropped = DropFields.apply(frame=people, paths=["age", "address.city"])  # noqa: F405
    assert dropped.toDF().columns == ["id", "name", "address", "nothing"]
    renamed = RenameField.apply(frame=people, old_name="address.city", new_name="address.town")  # noqa: F405
    assert rows(renamed.toDF().select("id", "address.town"), "id", "town")[0] == (1, "Lisbon")
    cast = ResolveChoice.apply(frame=people, specs=[("age", "cast:long"), ("name", "make_cols")])  # noqa: F405
    assert dict(cast.toDF().dtypes)["age"] == "bigint" and rows(cast, "id", "age") == [(1, 12), (2, None), (3, 40)]
    assert DropNullFields.apply(frame=people).toDF().columns == ["id", "name", "age", "address"]  # noqa: F405
    split = SplitFields.apply(frame=people, paths=["id", "name"])  # noqa: F405
    assert sorted(split.keys()) == ["people1", "people2"]
    assert split["people1"].toDF().columns == ["id", "name"]
    assert people.unnest().toDF().columns == ["id", "name", "age", "address.city", "address.country", "nothing"]
    people.show(1)
    assert json.loads(capsys.readouterr().out.strip()) == {
        "id": 1, "name": "Ann", "age": "12", "address": {"city": "Lisbon", "country": "PT"}, "nothing": None}
    with pytest.raises(ValueError, match="Unknown resolveChoice action"):
        people.resolveChoice(specs=[("age", "cast_to:long")])


def test_record_transforms_filter_map_join_split_rows(people, spark, glue_ctx):
    adults = Filter.apply(frame=people, f=lambda r: int(r["age"]) >= 18)  # noqa: F405
    assert rows(adults, "name") == [("Cy",)]
    assert adults.errorsCount() == 0  # "x" is not a number: a ValueError is "no match", as in AWS's Filter
    ratio = Filter.apply(frame=people, f=lambda r: 100 / (len(r["name"]) - 3) > 0)  # noqa: F405
    assert ratio.errorsCount() == 2  # any other exception is an error record, not a crash
    error = ratio.errorsAsDynamicFrame().toDF().collect()[0]
    assert "ZeroDivisionError" in error.error and json.loads(error.record)["name"] in ("Ann", "Bob")

    def tag(record):
        record["label"] = f"{record['name']}@{record['address']['country']}"
        del record["nothing"]
        return record

    tagged = Map.apply(frame=people, f=tag)  # noqa: F405
    assert tagged.toDF().columns == ["id", "name", "age", "address", "label"]
    assert dict(tagged.toDF().dtypes)["id"] == "int"
    assert rows(tagged, "id", "label") == [(1, "Ann@PT"), (2, "Bob@PT"), (3, "Cy@FR")]

    orders = DynamicFrame.fromDF(spark.createDataFrame([(10, 1), (11, 3), (12, 9)], "order_id int, person_id int"),
                                 glue_ctx, "orders")
    joined = Join.apply(frame1=orders, frame2=people, keys1="person_id", keys2="id")  # noqa: F405
    assert rows(joined, "order_id", "name") == [(10, "Ann"), (11, "Cy")]
    halves = SplitRows.apply(frame=people, comparison_dict={"id": {">": 1, "<=": 2}},  # noqa: F405
                             name1="two", name2="others")
    assert rows(halves["two"], "id") == [(2,)] and rows(halves["others"], "id") == [(1,), (3,)]
    assert SelectFromCollection.apply(dfc=halves, key="two").count() == 1  # noqa: F405


def test_relationalize_moves_arrays_to_child_tables(spark, glue_ctx):
    df = spark.createDataFrame([(1, ["a", "b"]), (2, ["c"])], "id int, tags array<string>")
    tables = DynamicFrame.fromDF(df, glue_ctx, "t").relationalize("root", "s3://unused/")
    root, child = tables["root"].toDF(), tables["root_tags"].toDF()
    owner = {r["tags"]: r["id"] for r in root.collect()}  # the root's array field now holds a link id
    assert sorted((owner[r["id"]], r["index"], r["tags.val"]) for r in child.collect()) == \
        [(1, 0, "a"), (1, 1, "b"), (2, 0, "c")]


def test_merge_unbox_union_and_spigot(spark, glue_ctx, lake_server, bucket):
    source = DynamicFrame.fromDF(spark.createDataFrame(
        [(1, "a", '{"x": 1, "y": [1, 2]}'), (2, "b", None)], "id int, v string, js string"), glue_ctx, "source")
    staged = DynamicFrame.fromDF(spark.createDataFrame([(2, "B"), (3, "C")], "id int, v string"), glue_ctx, "stage")
    merged = source.mergeDynamicFrame(staged, ["id"])
    assert rows(merged, "id", "v", "js") == [(1, "a", '{"x": 1, "y": [1, 2]}'), (2, "B", None), (3, "C", None)]
    unboxed = source.unbox("js", "json").toDF()
    assert [(r.id, r.js and (r.js.x, r.js.y)) for r in unboxed.orderBy("id").collect()] == [(1, (1, [1, 2])), (2, None)]
    assert source.union(staged).count() == 4
    Spigot.apply(frame=source, path=f"s3://{bucket}/sample/", options={"topk": 1})  # noqa: F405
    [sample] = [f for f in lake_files(lake_server, bucket, "sample") if f.endswith(".json")]
    assert len((lake_server.data_dir / "s3" / bucket / "sample" / sample).read_text().splitlines()) == 1


def test_catalog_csv_write_then_purge_table(spark, glue_ctx, aws, lake_server, bucket):
    glue = aws[1]
    create_table(glue, "lakedb", "events_csv", f"s3://{bucket}/ev/", [("v", "string"), ("id", "bigint")],
                 LAZY_SIMPLE, partition_keys=[("p", "int")], serde_params={"field.delim": ";"})
    frame = DynamicFrame.fromDF(spark.createDataFrame([(1, "a", 5), (2, "b", 6)], "id int, v string, p int"),
                                glue_ctx, "f")
    glue_ctx.write_dynamic_frame.from_catalog(frame=frame, database="lakedb", table_name="events_csv",
                                              additional_options={"enableUpdateCatalog": True})
    written = {os.path.dirname(f): (lake_server.data_dir / "s3" / bucket / "ev" / f).read_text().strip()
               for f in lake_files(lake_server, bucket, "ev") if f.endswith(".csv")}
    assert written == {"p=5": "a;1", "p=6": "b;2"}  # the catalog's column order and delimiter
    back = glue_ctx.create_dynamic_frame.from_catalog(database="lakedb", table_name="events_csv")
    assert rows(back, "id", "v", "p") == [(1, "a", 5), (2, "b", 6)]
    glue_ctx.purge_table("lakedb", "events_csv", {"retentionPeriod": 0, "partitionPredicate": "p = 5"})
    assert [f for f in lake_files(lake_server, bucket, "ev") if f.endswith(".csv")][0].startswith("p=6/")
    partitions = glue.get_partitions(DatabaseName="lakedb", TableName="events_csv")["Partitions"]
    assert [p["Values"] for p in partitions] == [["6"]]


# -- job bookmarks ----------------------------------------------------------------------------------
def run_bookmarked(glue_ctx, bucket, run_id, commit=True):
    job = Job(glue_ctx)
    job.init("bm-job", getResolvedOptions(["s.py", "--JOB_NAME", "bm-job", "--JOB_RUN_ID", run_id,
                                           "--job-bookmark-option", "job-bookmark-enable"], ["JOB_NAME"]))
    frame = glue_ctx.create_dynamic_frame.from_options("s3", {"paths": [f"s3://{bucket}/in/"]}, format="json",
                                                       transformation_ctx="source")
    ids = rows(frame, "id") if frame.toDF().columns else []
    if commit:
        job.commit()
    return [i for (i,) in ids]


def test_bookmarks_second_run_reads_only_new_files(glue_ctx, aws, bucket, tmp_path, monkeypatch):
    s3 = aws[0]
    state = tmp_path / "bookmark.json"
    monkeypatch.setenv("LAKEBOX_GLUE_BOOKMARK_PATH", str(state))
    s3.put_object(Bucket=bucket, Key="in/1.json", Body=json_lines([{"id": 1}]))
    assert run_bookmarked(glue_ctx, bucket, "jr_1") == [1]
    saved = json.loads(state.read_text())
    assert (saved["job_name"], saved["version"], saved["run_id"], saved["previous_run_id"]) == \
        ("bm-job", 1, "jr_1", None)
    assert list(saved["contexts"]["source"]["files"]) == [f"s3://{bucket}/in/1.json"]

    s3.put_object(Bucket=bucket, Key="in/2.json", Body=json_lines([{"id": 2}]))
    assert run_bookmarked(glue_ctx, bucket, "jr_2") == [2]
    saved = json.loads(state.read_text())
    assert (saved["version"], saved["run_id"], saved["previous_run_id"]) == (2, "jr_2", "jr_1")

    assert run_bookmarked(glue_ctx, bucket, "jr_3") == []  # nothing new: an empty frame
    s3.put_object(Bucket=bucket, Key="in/3.json", Body=json_lines([{"id": 3}]))
    before = state.read_text()
    assert run_bookmarked(glue_ctx, bucket, "jr_4", commit=False) == [3]
    assert state.read_text() == before  # no commit, nothing saved
    assert run_bookmarked(glue_ctx, bucket, "jr_5") == [3]  # so the next run reads it again


def test_bookmarks_off_without_env_var_or_when_disabled(glue_ctx, aws, bucket, tmp_path, monkeypatch):
    aws[0].put_object(Bucket=bucket, Key="in/1.json", Body=json_lines([{"id": 1}]))
    monkeypatch.delenv("LAKEBOX_GLUE_BOOKMARK_PATH", raising=False)
    assert run_bookmarked(glue_ctx, bucket, "jr_1") == [1]
    assert run_bookmarked(glue_ctx, bucket, "jr_2") == [1]
    state = tmp_path / "bookmark.json"
    monkeypatch.setenv("LAKEBOX_GLUE_BOOKMARK_PATH", str(state))
    job = Job(glue_ctx)
    job.init("bm-job", {"JOB_NAME": "bm-job", "job_bookmark_option": "job-bookmark-disable"})
    glue_ctx.create_dynamic_frame.from_options("s3", {"paths": [f"s3://{bucket}/in/"]}, format="json",
                                               transformation_ctx="source").count()
    job.commit()
    assert not state.exists()


# -- housekeeping -----------------------------------------------------------------------------------
def test_purge_s3_path_keeps_files_newer_than_retention(glue_ctx, aws, lake_server, bucket, capsys):
    s3 = aws[0]
    for key in ("old/a.json", "old/b/c.json"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"{}\n")
    glue_ctx.purge_s3_path(f"s3://{bucket}/old/")  # default retention: a week, so nothing goes
    assert lake_files(lake_server, bucket, "old") == ["a.json", "b/c.json"]
    glue_ctx.purge_s3_path(f"s3://{bucket}/old/", {"retentionPeriod": 0, "manifestFilePath": f"s3://{bucket}/m/"})
    assert lake_files(lake_server, bucket, "old") == []
    manifest = (lake_server.data_dir / "s3" / bucket / "m" / "Success.csv").read_text().split()
    assert sorted(manifest) == [f"s3://{bucket}/old/a.json", f"s3://{bucket}/old/b/c.json"]
    glue_ctx.get_logger().info("purged")
    assert "INFO GlueLogger: purged" in capsys.readouterr().err
