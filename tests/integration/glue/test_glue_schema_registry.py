"""The Glue Schema Registry through boto3: registries and schemas round-trip, the default registry,
version registration (identical definitions, FAILURE versions), real Avro and JSON Schema compatibility
under each mode, diffs, metadata, deletes, tags, persistence across a restart, and bad input answered
with Glue's code and status."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from glue_helpers import error_of, make_glue

ACCOUNT = "000000000000"


def avro(*fields, name="Person"):
    return json.dumps({"type": "record", "name": name, "namespace": "lakebox.test", "fields": list(fields)})


NAME = {"name": "name", "type": "string"}
AGE = {"name": "age", "type": "int"}
AGE_LONG = {"name": "age", "type": "long"}
EMAIL_DEFAULT = {"name": "email", "type": ["null", "string"], "default": None}
EMAIL_REQUIRED = {"name": "email", "type": "string"}


def jschema(properties, required=(), closed=False):
    doc = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": properties,
           "required": list(required)}
    if closed:
        doc["additionalProperties"] = False
    return json.dumps(doc)


def make_schema(glue, definition, compatibility="BACKWARD", data_format="AVRO", name="people", registry="reg"):
    return glue.create_schema(RegistryId={"RegistryName": registry}, SchemaName=name, DataFormat=data_format,
                              Compatibility=compatibility, SchemaDefinition=definition)


def register(glue, definition, name="people", registry="reg"):
    return glue.register_schema_version(SchemaId={"RegistryName": registry, "SchemaName": name},
                                        SchemaDefinition=definition)


def expect_error(call, *args, **kwargs):
    with pytest.raises(ClientError) as exc:
        call(*args, **kwargs)
    return error_of(exc)


@pytest.fixture
def reg(glue):
    glue.create_registry(RegistryName="reg", Description="test registry", Tags={"team": "data"})
    return "reg"


def test_registry_round_trip_update_list_tags_and_delete(glue, reg):
    arn = f"arn:aws:glue:us-east-1:{ACCOUNT}:registry/reg"
    got = glue.get_registry(RegistryId={"RegistryArn": arn})
    assert (got["RegistryName"], got["RegistryArn"], got["Description"], got["Status"]) == \
        ("reg", arn, "test registry", "AVAILABLE")
    glue.update_registry(RegistryId={"RegistryName": "reg"}, Description="new words")
    assert glue.get_registry(RegistryId={"RegistryName": "reg"})["Description"] == "new words"
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"team": "data"}
    glue.tag_resource(ResourceArn=arn, TagsToAdd={"env": "dev"})
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"team": "data", "env": "dev"}
    glue.create_registry(RegistryName="other")
    assert [r["RegistryName"] for r in glue.list_registries()["Registries"]] == ["other", "reg"]
    assert expect_error(glue.create_registry, RegistryName="reg") == \
        (400, "AlreadyExistsException", "Registry already exists. RegistryName: reg")
    make_schema(glue, avro(NAME))
    assert glue.delete_registry(RegistryId={"RegistryName": "reg"})["Status"] == "DELETING"
    status, code, _ = expect_error(glue.get_registry, RegistryId={"RegistryName": "reg"})
    assert (status, code) == (400, "EntityNotFoundException")
    assert expect_error(glue.get_schema, SchemaId={"RegistryName": "reg", "SchemaName": "people"})[1] == \
        "EntityNotFoundException"
    assert [r["RegistryName"] for r in glue.list_registries()["Registries"]] == ["other"]


def test_schema_round_trip_defaults_and_tags(glue, reg):
    out = glue.create_schema(RegistryId={"RegistryName": "reg"}, SchemaName="people", DataFormat="AVRO",
                             SchemaDefinition=avro(NAME), Description="people", Tags={"k": "v"})
    arn = f"arn:aws:glue:us-east-1:{ACCOUNT}:schema/reg/people"
    assert (out["SchemaArn"], out["Compatibility"], out["SchemaCheckpoint"], out["LatestSchemaVersion"],
            out["NextSchemaVersion"], out["SchemaVersionStatus"]) == (arn, "BACKWARD", 1, 1, 2, "AVAILABLE")
    got = glue.get_schema(SchemaId={"SchemaArn": arn})
    assert (got["SchemaName"], got["RegistryName"], got["DataFormat"], got["Description"]) == \
        ("people", "reg", "AVRO", "people")
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"k": "v"}
    listed = glue.list_schemas(RegistryId={"RegistryName": "reg"})["Schemas"]
    assert [(s["SchemaName"], s["SchemaStatus"]) for s in listed] == [("people", "AVAILABLE")]
    glue.update_schema(SchemaId={"SchemaArn": arn}, Description="changed")
    assert glue.get_schema(SchemaId={"SchemaArn": arn})["Description"] == "changed"
    assert glue.delete_schema(SchemaId={"SchemaArn": arn})["Status"] == "DELETING"
    assert expect_error(glue.get_schema, SchemaId={"SchemaArn": arn}) == \
        (400, "EntityNotFoundException", f"Schema is not found. RegistryName: null, SchemaName: null, SchemaArn: {arn}")
    assert expect_error(glue.get_tags, ResourceArn=arn)[1] == "EntityNotFoundException"


def test_schema_without_registry_lands_in_the_implicit_default_registry(glue):
    out = glue.create_schema(SchemaName="orders", DataFormat="JSON", SchemaDefinition=jschema({"id": {"type": "integer"}}))
    assert out["RegistryName"] == "default-registry"
    assert out["SchemaArn"] == f"arn:aws:glue:us-east-1:{ACCOUNT}:schema/default-registry/orders"
    assert glue.get_registry(RegistryId={"RegistryName": "default-registry"})["Status"] == "AVAILABLE"
    assert glue.get_schema(SchemaId={"SchemaName": "orders"})["RegistryName"] == "default-registry"


def test_identical_definition_returns_the_existing_version(glue, reg):
    first = make_schema(glue, avro(NAME, AGE))
    # Whitespace and key order do not make a new definition.
    same = json.dumps(json.loads(avro(NAME, AGE)), indent=4, sort_keys=True)
    again = register(glue, same)
    assert (again["SchemaVersionId"], again["VersionNumber"], again["Status"]) == \
        (first["SchemaVersionId"], 1, "AVAILABLE")
    found = glue.get_schema_by_definition(SchemaId={"RegistryName": "reg", "SchemaName": "people"},
                                          SchemaDefinition=same)
    assert found["SchemaVersionId"] == first["SchemaVersionId"]
    assert len(glue.list_schema_versions(SchemaId={"RegistryName": "reg", "SchemaName": "people"})["Schemas"]) == 1


@pytest.mark.parametrize("mode, old, new, status", [
    ("BACKWARD", [NAME, AGE], [NAME, AGE, EMAIL_DEFAULT], "AVAILABLE"),   # added with a default
    ("BACKWARD", [NAME, AGE], [NAME], "AVAILABLE"),                       # removed: new readers skip it
    ("BACKWARD", [NAME, AGE], [NAME, AGE, EMAIL_REQUIRED], "FAILURE"),    # added without a default
    ("BACKWARD", [NAME, AGE], [NAME, AGE_LONG], "AVAILABLE"),             # int promotes to long
    ("BACKWARD", [NAME, AGE_LONG], [NAME, AGE], "FAILURE"),               # long does not narrow to int
    ("FORWARD", [NAME, AGE], [NAME, AGE, EMAIL_REQUIRED], "AVAILABLE"),   # old readers skip the new field
    ("FORWARD", [NAME, AGE], [NAME], "FAILURE"),                          # old readers need age, no default
    ("FULL", [NAME, AGE], [NAME, AGE, EMAIL_DEFAULT], "AVAILABLE"),
    ("FULL", [NAME, AGE], [NAME, AGE, EMAIL_REQUIRED], "FAILURE"),
    ("NONE", [NAME, AGE], [{"name": "name", "type": "int"}], "AVAILABLE"),
])
def test_avro_compatibility_modes(glue, reg, mode, old, new, status):
    make_schema(glue, avro(*old), compatibility=mode)
    out = register(glue, avro(*new))
    assert (out["VersionNumber"], out["Status"]) == (2, status)
    schema = glue.get_schema(SchemaId={"RegistryName": "reg", "SchemaName": "people"})
    assert schema["LatestSchemaVersion"] == (2 if status == "AVAILABLE" else 1)
    assert schema["NextSchemaVersion"] == 3
    assert glue.get_schema_version(SchemaVersionId=out["SchemaVersionId"])["Status"] == status


def test_avro_record_renamed_or_enum_narrowed_fails_backward(glue, reg):
    make_schema(glue, avro(NAME, {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}}))
    narrowed = register(glue, avro(NAME, {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A"]}}))
    assert narrowed["Status"] == "FAILURE"
    assert register(glue, avro(NAME, name="Other"))["Status"] == "FAILURE"
    widened = register(glue, avro(NAME, {"name": "kind", "type": {"type": "enum", "name": "Kind",
                                                                   "symbols": ["A", "B", "C"]}}))
    assert (widened["Status"], widened["VersionNumber"]) == ("AVAILABLE", 4)


def test_backward_all_checks_every_version_since_the_checkpoint(glue, reg):
    age_text = {"name": "age", "type": "string", "default": ""}
    for name, mode in (("all", "BACKWARD_ALL"), ("latest", "BACKWARD")):
        make_schema(glue, avro(NAME, AGE), compatibility=mode, name=name)
        assert register(glue, avro(NAME), name=name)["Status"] == "AVAILABLE"       # v2 drops age
    # v3 brings age back as a string: readable against v2, not against v1's int.
    assert register(glue, avro(NAME, age_text), name="latest")["Status"] == "AVAILABLE"
    assert register(glue, avro(NAME, age_text), name="all")["Status"] == "FAILURE"
    # Moving the checkpoint past v1 leaves only v2 to compare with.
    glue.update_schema(SchemaId={"RegistryName": "reg", "SchemaName": "all"}, Compatibility="BACKWARD_ALL",
                       SchemaVersionNumber={"VersionNumber": 2})
    schema = glue.get_schema(SchemaId={"RegistryName": "reg", "SchemaName": "all"})
    assert (schema["Compatibility"], schema["SchemaCheckpoint"], schema["LatestSchemaVersion"]) == ("BACKWARD_ALL", 2, 2)
    out = register(glue, avro(NAME, age_text, {"name": "x", "type": "int", "default": 0}), name="all")
    assert (out["Status"], out["VersionNumber"]) == ("AVAILABLE", 4)


@pytest.mark.parametrize("mode, old, new, status", [
    ("BACKWARD", jschema({"a": {"type": "string"}}), jschema({"a": {"type": "string"}, "b": {"type": "integer"}}),
     "AVAILABLE"),
    ("BACKWARD", jschema({"a": {"type": "string"}}), jschema({"a": {"type": "string"}, "b": {"type": "integer"}},
                                                             required=["b"]), "FAILURE"),
    ("BACKWARD", jschema({"a": {"type": "integer"}}), jschema({"a": {"type": "number"}}), "AVAILABLE"),
    ("BACKWARD", jschema({"a": {"type": "number"}}), jschema({"a": {"type": "integer"}}), "FAILURE"),
    ("FORWARD", jschema({"a": {"type": "string"}}, closed=True),
     jschema({"a": {"type": "string"}, "b": {"type": "integer"}}), "FAILURE"),
    ("FULL", jschema({"a": {"type": "string"}}), jschema({"a": {"type": "string"}, "b": {"type": "integer"}}),
     "AVAILABLE"),
    ("FULL", jschema({"a": {"type": "string"}}, required=["a"]), jschema({"a": {"type": "string"}}), "FAILURE"),
    ("NONE", jschema({"a": {"type": "string"}}), jschema({"a": {"type": "boolean"}}, required=["a"]), "AVAILABLE"),
])
def test_json_schema_compatibility_modes(glue, reg, mode, old, new, status):
    make_schema(glue, old, compatibility=mode, data_format="JSON")
    out = register(glue, new)
    assert (out["VersionNumber"], out["Status"]) == (2, status)


def test_disabled_refuses_any_new_version(glue, reg):
    make_schema(glue, avro(NAME), compatibility="DISABLED")
    status, code, message = expect_error(register, glue, avro(NAME, EMAIL_DEFAULT))
    assert (status, code) == (400, "InvalidInputException")
    assert message.startswith("Compatibility DISABLED does not allow versioning.")


@pytest.mark.parametrize("data_format, definition", [
    ("AVRO", '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "strin"}]}'),
    ("AVRO", '{"type": "record", "name": "1R", "fields": []}'),
    ("AVRO", '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "default": "x"}]}'),
    ("AVRO", '{"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "int"], "default": 1}]}'),
    ("AVRO", '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]}'),
    ("AVRO", '{"type":: "record"}'),
    ("JSON", '{"type": "objekt"}'),
    ("JSON", '{"type": "object", "required": "a"}'),
    ("JSON", '[1, 2]'),
    ("PROTOBUF", 'message A { int32 a = 1; }'),
    ("PROTOBUF", 'syntax = "proto3"; message A { int32 a = 1;'),
])
def test_invalid_definitions_are_refused_and_reported(glue, reg, data_format, definition):
    status, code, message = expect_error(make_schema, glue, definition, data_format=data_format)
    assert (status, code) == (400, "InvalidInputException")
    assert message.startswith(f"Schema definition of {data_format} data format is invalid")
    check = glue.check_schema_version_validity(DataFormat=data_format, SchemaDefinition=definition)
    assert check["Valid"] is False and data_format in check["Error"]
    assert expect_error(glue.get_schema, SchemaId={"RegistryName": "reg", "SchemaName": "people"})[1] == \
        "EntityNotFoundException"


def test_valid_definitions_check_valid(glue):
    proto = 'syntax = "proto3";\n// a comment with a { brace\nmessage A { string s = 1; }\n'
    for data_format, definition in (("AVRO", avro(NAME)), ("JSON", jschema({})), ("PROTOBUF", proto)):
        out = glue.check_schema_version_validity(DataFormat=data_format, SchemaDefinition=definition)
        assert out["Valid"] is True and "Error" not in out


def test_get_schema_version_by_number_latest_and_list(glue, reg):
    v1 = make_schema(glue, avro(NAME))
    v2 = register(glue, avro(NAME, EMAIL_DEFAULT))
    sid = {"RegistryName": "reg", "SchemaName": "people"}
    latest = glue.get_schema_version(SchemaId=sid, SchemaVersionNumber={"LatestVersion": True})
    assert (latest["SchemaVersionId"], latest["VersionNumber"]) == (v2["SchemaVersionId"], 2)
    first = glue.get_schema_version(SchemaId=sid, SchemaVersionNumber={"VersionNumber": 1})
    assert first["SchemaDefinition"] == avro(NAME) and first["SchemaVersionId"] == v1["SchemaVersionId"]
    listed = glue.list_schema_versions(SchemaId=sid, MaxResults=1)
    assert [v["VersionNumber"] for v in listed["Schemas"]] == [1]
    rest = glue.list_schema_versions(SchemaId=sid, NextToken=listed["NextToken"])
    assert [v["VersionNumber"] for v in rest["Schemas"]] == [2] and "NextToken" not in rest
    assert expect_error(glue.get_schema_version, SchemaId=sid, SchemaVersionNumber={"VersionNumber": 9}) == \
        (400, "EntityNotFoundException", "Schema version is not found.")


def test_versions_diff_is_a_unified_diff(glue, reg):
    old = json.dumps(json.loads(avro(NAME)), indent=2)
    new = json.dumps(json.loads(avro(NAME, EMAIL_DEFAULT)), indent=2)
    make_schema(glue, old)
    register(glue, new)
    diff = glue.get_schema_versions_diff(SchemaId={"RegistryName": "reg", "SchemaName": "people"},
                                         FirstSchemaVersionNumber={"VersionNumber": 1},
                                         SecondSchemaVersionNumber={"LatestVersion": True},
                                         SchemaDiffType="SYNTAX_DIFF")["Diff"]
    lines = diff.splitlines()
    assert lines[0] == "--- version 1" and lines[1] == "+++ version 2" and lines[2].startswith("@@ ")
    assert '+      "name": "email",' in lines
    assert all(line[:1] in " +-@" for line in lines) and not any(line.startswith("-  ") for line in lines)


def test_version_metadata_put_query_remove_and_limit(glue, reg):
    v1 = make_schema(glue, avro(NAME))["SchemaVersionId"]
    put = glue.put_schema_version_metadata(SchemaVersionId=v1, MetadataKeyValue={"MetadataKey": "owner",
                                                                                 "MetadataValue": "alice"})
    assert (put["VersionNumber"], put["LatestVersion"], put["SchemaName"]) == (1, True, "people")
    glue.put_schema_version_metadata(SchemaId={"RegistryName": "reg", "SchemaName": "people"},
                                     SchemaVersionNumber={"VersionNumber": 1},
                                     MetadataKeyValue={"MetadataKey": "owner", "MetadataValue": "bob"})
    info = glue.query_schema_version_metadata(SchemaVersionId=v1)["MetadataInfoMap"]
    assert info["owner"]["MetadataValue"] == "bob"
    assert [o["MetadataValue"] for o in info["owner"]["OtherMetadataValueList"]] == ["alice"]
    assert expect_error(glue.put_schema_version_metadata, SchemaVersionId=v1,
                        MetadataKeyValue={"MetadataKey": "owner", "MetadataValue": "bob"})[1] == "AlreadyExistsException"
    for i in range(8):
        glue.put_schema_version_metadata(SchemaVersionId=v1, MetadataKeyValue={"MetadataKey": f"k{i}",
                                                                               "MetadataValue": "v"})
    assert expect_error(glue.put_schema_version_metadata, SchemaVersionId=v1,
                        MetadataKeyValue={"MetadataKey": "k9", "MetadataValue": "v"}) == \
        (400, "ResourceNumberLimitExceededException",
         "Your resource limits for Schema Version Metadata have been exceeded.")
    filtered = glue.query_schema_version_metadata(SchemaVersionId=v1,
                                                  MetadataList=[{"MetadataKey": "k3"}])["MetadataInfoMap"]
    assert list(filtered) == ["k3"]
    glue.remove_schema_version_metadata(SchemaVersionId=v1, MetadataKeyValue={"MetadataKey": "owner",
                                                                              "MetadataValue": "bob"})
    info = glue.query_schema_version_metadata(SchemaVersionId=v1)["MetadataInfoMap"]
    assert info["owner"]["MetadataValue"] == "alice" and info["owner"]["OtherMetadataValueList"] == []
    assert expect_error(glue.remove_schema_version_metadata, SchemaVersionId=v1,
                        MetadataKeyValue={"MetadataKey": "owner", "MetadataValue": "bob"})[1] == "EntityNotFoundException"
    assert expect_error(glue.put_schema_version_metadata, SchemaVersionId=v1,
                        MetadataKeyValue={"MetadataKey": "bad~key", "MetadataValue": "v"})[:2] == \
        (400, "InvalidInputException")


def test_delete_schema_versions_ranges_checkpoint_and_errors(glue, reg):
    make_schema(glue, avro(NAME), compatibility="NONE")
    for extra in range(2, 7):
        register(glue, avro(NAME, {"name": f"f{extra}", "type": "int", "default": 0}))
    sid = {"RegistryName": "reg", "SchemaName": "people"}
    assert expect_error(glue.delete_schema_versions, SchemaId=sid, Versions="1-2")[:2] == (409, "ConflictException")
    glue.update_schema(SchemaId=sid, SchemaVersionNumber={"VersionNumber": 6})
    out = glue.delete_schema_versions(SchemaId=sid, Versions="2-3,5,9")
    assert [(e["VersionNumber"], e["ErrorDetails"]["ErrorCode"]) for e in out["SchemaVersionErrors"]] == \
        [(9, "EntityNotFoundException")]
    left = glue.list_schema_versions(SchemaId=sid)["Schemas"]
    assert [v["VersionNumber"] for v in left] == [1, 4, 6]
    assert glue.delete_schema_versions(SchemaId=sid, Versions="1")["SchemaVersionErrors"][0]["ErrorDetails"][
        "ErrorCode"] == "InvalidInputException"
    assert expect_error(glue.delete_schema_versions, SchemaId=sid, Versions="3-1")[:2] == (400, "InvalidInputException")


def test_bad_ids_and_enums_are_invalid_input(glue, reg):
    make_schema(glue, avro(NAME))
    cases = [
        (glue.create_registry, {"RegistryName": "A,B"},
         "The parameter value contains one or more characters that are not valid. Parameter Name: registryName"),
        (glue.create_schema, {"RegistryId": {"RegistryName": "reg", "RegistryArn": "arn:aws:glue:us-east-1:"
                                             f"{ACCOUNT}:registry/reg"}, "SchemaName": "x", "DataFormat": "AVRO"},
         "One of registryName or registryArn has to be provided, both cannot be provided."),
        (glue.create_schema, {"RegistryId": {"RegistryName": "reg"}, "SchemaName": "x", "DataFormat": "XML"},
         "Data format is not valid."),
        (glue.create_schema, {"RegistryId": {"RegistryName": "reg"}, "SchemaName": "x", "DataFormat": "AVRO",
                              "Compatibility": "SIDEWAYS"}, "Compatibility is not valid."),
        (glue.get_schema_version, {}, "At least one of (registryName and schemaName) or schemaArn has to be provided."),
        (glue.get_schema_version, {"SchemaId": {"RegistryName": "reg", "SchemaName": "people"}},
         "One of version number (or) latest version is required."),
        (glue.get_schema_version, {"SchemaVersionId": "00000000-0000-0000-0000-00000000000p"},
         "The parameter value contains one or more characters that are not valid. Parameter Name: SchemaVersionId"),
        (glue.update_schema, {"SchemaId": {"RegistryName": "reg", "SchemaName": "people"}, "Compatibility": "FULL"},
         "SchemaVersionNumber (the checkpoint) is required when Compatibility is updated."),
    ]
    for call, kwargs, message in cases:
        assert expect_error(call, **kwargs) == (400, "InvalidInputException", message), call
    assert expect_error(glue.create_schema, RegistryId={"RegistryName": "nope"}, SchemaName="x", DataFormat="AVRO",
                        SchemaDefinition=avro(NAME)) == \
        (400, "EntityNotFoundException", "Registry is not found. RegistryName: nope")
    assert expect_error(register, glue, avro(NAME), name="ghost") == \
        (400, "EntityNotFoundException", "Schema is not found. RegistryName: reg, SchemaName: ghost, SchemaArn: null")
    assert expect_error(make_schema, glue, avro(NAME))[:2] == (400, "AlreadyExistsException")


def test_protobuf_schemas_register_versions_without_a_compatibility_check(glue, reg):
    proto = 'syntax = "proto3";\nmessage A {\n  string s = 1;\n}\n'
    out = make_schema(glue, proto, data_format="PROTOBUF")
    again = register(glue, proto.replace("\n", "  \n"))
    assert again["SchemaVersionId"] == out["SchemaVersionId"]
    changed = register(glue, 'syntax = "proto3";\nmessage A {\n  int64 s = 1;\n}\n')
    assert (changed["VersionNumber"], changed["Status"]) == (2, "AVAILABLE")


def test_registry_state_survives_a_restart(tmp_path):
    from lakebox.testing import running_lakebox

    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        glue.create_registry(RegistryName="reg", Tags={"t": "1"})
        v1 = make_schema(glue, avro(NAME))["SchemaVersionId"]
        register(glue, avro(NAME, EMAIL_DEFAULT))
        register(glue, avro(NAME, EMAIL_REQUIRED))  # FAILURE
        glue.put_schema_version_metadata(SchemaVersionId=v1, MetadataKeyValue={"MetadataKey": "k", "MetadataValue": "v"})
        before = glue.get_schema(SchemaId={"RegistryName": "reg", "SchemaName": "people"})
        versions = glue.list_schema_versions(SchemaId={"RegistryName": "reg", "SchemaName": "people"})["Schemas"]
    assert (data / ".lakebox" / "glue" / "schemas.db").exists()
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        after = glue.get_schema(SchemaId={"RegistryName": "reg", "SchemaName": "people"})
        drop = ("ResponseMetadata",)
        assert {k: v for k, v in after.items() if k not in drop} == {k: v for k, v in before.items() if k not in drop}
        assert glue.list_schema_versions(SchemaId={"RegistryName": "reg", "SchemaName": "people"})["Schemas"] == versions
        assert [v["Status"] for v in versions] == ["AVAILABLE", "AVAILABLE", "FAILURE"]
        assert glue.query_schema_version_metadata(SchemaVersionId=v1)["MetadataInfoMap"]["k"]["MetadataValue"] == "v"
        assert glue.get_tags(ResourceArn=f"arn:aws:glue:us-east-1:{ACCOUNT}:registry/reg")["Tags"] == {"t": "1"}
