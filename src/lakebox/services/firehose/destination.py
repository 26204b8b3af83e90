"""The S3 destination: what CreateDeliveryStream and UpdateDestination accept, and how it is shown.

A stream keeps its destination as an ExtendedS3DestinationDescription with AWS's defaults filled in
(5 MiB / 300 s buffering, UNCOMPRESSED, no encryption, logging off), and is described under both
S3DestinationDescription and ExtendedS3DestinationDescription, as AWS describes an S3 destination.

Source record backup (S3BackupMode Enabled) is kept as S3BackupDescription: the records as they
arrived, before processing and conversion, go to the backup bucket too, with its own prefix and
compression.

Destinations delivered: S3, Iceberg tables (iceberg_destination.py), Redshift clusters
(redshift_destination.py) and HTTP endpoints (http_destination.py), whose S3Configuration is kept
here as an S3 destination. The others (OpenSearch, Splunk, Snowflake) are refused with
InvalidArgumentException naming the destination, before anything is created.
"""

from __future__ import annotations

import copy
import re
from typing import Optional

from ...protocol.errors import AwsError
from . import prefixes

BUCKET_ARN = re.compile(r"arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])")
OTHER_DESTINATIONS = ("ElasticsearchDestinationConfiguration",
                      "AmazonopensearchserviceDestinationConfiguration", "SplunkDestinationConfiguration",
                      "AmazonOpenSearchServerlessDestinationConfiguration",
                      "SnowflakeDestinationConfiguration")
_PLAIN_FIELDS = ("RoleARN", "BucketARN", "Prefix", "ErrorOutputPrefix", "BufferingHints", "CompressionFormat",
                 "EncryptionConfiguration", "CloudWatchLoggingOptions")
#: Buffering floor when records are converted or partitioned (AWS: 64 MiB; default then 128 MiB).
MIN_CONVERSION_MIB = 64
#: DynamicPartitioningConfiguration.RetryOptions.DurationInSeconds when none is given.
DEFAULT_PARTITION_RETRY_SECONDS = 300


def invalid(message: str) -> AwsError:
    return AwsError("InvalidArgumentException", message, 400)


#: The model's pattern for every BucketARN member: a value outside it is a front-end validation error.
BUCKET_ARN_PATTERN = r"arn:.*:s3:::[\w\.\-]{1,255}"


def bucket_arn_problems(value, path: str = "") -> list[str]:
    """The validation messages of the BucketARN members anywhere in a request's configurations,
    each at its member path as AWS's front end names it (`extendedS3DestinationConfiguration.bucketARN`)."""
    problems: list[str] = []
    if isinstance(value, dict):
        for name, member in value.items():
            member_path = f"{path}.{name[0].lower()}{name[1:]}" if path else f"{name[0].lower()}{name[1:]}"
            if name == "BucketARN" and isinstance(member, str) and not re.fullmatch(BUCKET_ARN_PATTERN, member):
                problems.append(f"Value '{member}' at '{member_path}' failed to satisfy constraint: Member must "
                                f"satisfy regular expression pattern: {BUCKET_ARN_PATTERN}")
            else:
                problems += bucket_arn_problems(member, member_path)
    return problems


def bucket_of(destination: dict) -> str:
    match = BUCKET_ARN.fullmatch(destination.get("BucketARN") or "")
    if match is None:
        raise invalid(f"BucketARN {destination.get('BucketARN')} is not a valid S3 bucket ARN.")
    return match.group(1)


def conversion(destination: dict) -> Optional[dict]:
    """The DataFormatConversionConfiguration if conversion is on, else None."""
    config = destination.get("DataFormatConversionConfiguration")
    return config if config and config.get("Enabled", True) else None


def dynamic_partitioning(destination: dict) -> bool:
    config = destination.get("DynamicPartitioningConfiguration") or {}
    return bool(config.get("Enabled", False))


def processors(destination: dict) -> list[dict]:
    config = destination.get("ProcessingConfiguration") or {}
    return list(config.get("Processors") or []) if config.get("Enabled", False) else []


def from_create(params: dict) -> dict:
    """The ExtendedS3 description for CreateDeliveryStream's destination."""
    others = [name for name in OTHER_DESTINATIONS if params.get(name) is not None]
    if others:
        kind = others[0].replace("DestinationConfiguration", "")
        raise invalid(f"lakebox delivers to Amazon S3, Iceberg tables, Redshift and HTTP endpoints only; the {kind} "
                      "destination is not supported.")
    given_kinds = [params.get(k) for k in ("S3DestinationConfiguration", "ExtendedS3DestinationConfiguration",
                                           "IcebergDestinationConfiguration", "RedshiftDestinationConfiguration",
                                           "HttpEndpointDestinationConfiguration")]
    if sum(g is not None for g in given_kinds) > 1:
        raise invalid("Exactly one destination configuration must be specified.")
    if all(g is None for g in given_kinds):
        raise invalid("A destination configuration must be specified.")
    plain, extended, iceberg, redshift, http = given_kinds
    if iceberg is not None or redshift is not None or http is not None:
        given = copy.deepcopy((iceberg or redshift or http).get("S3Configuration") or {})
    else:
        given = copy.deepcopy(extended if extended is not None else plain)
    backup = given.pop("S3BackupConfiguration", None)
    if given.get("S3BackupMode") == "Enabled":
        if backup is None:
            raise invalid("S3BackupConfiguration must be specified when S3BackupMode is Enabled.")
        given["S3BackupDescription"] = _backup_with_defaults(backup)
    description = _with_defaults(given)
    check(description)
    return description


def _with_defaults(given: dict) -> dict:
    description = dict(given)
    converting = conversion(given) is not None or dynamic_partitioning(given)
    hints = dict(given.get("BufferingHints") or {})
    hints.setdefault("SizeInMBs", 128 if converting else 5)
    hints.setdefault("IntervalInSeconds", 300)
    description["BufferingHints"] = hints
    description.setdefault("CompressionFormat", "UNCOMPRESSED")
    description.setdefault("EncryptionConfiguration", {"NoEncryptionConfig": "NoEncryption"})
    description.setdefault("CloudWatchLoggingOptions", {"Enabled": False})
    description.setdefault("S3BackupMode", "Disabled")
    if "DataFormatConversionConfiguration" in description:
        config = dict(description["DataFormatConversionConfiguration"])
        config.setdefault("Enabled", True)
        schema = config.get("SchemaConfiguration")
        if schema is not None:
            config["SchemaConfiguration"] = {"VersionId": "LATEST", **schema}
        description["DataFormatConversionConfiguration"] = config
    if dynamic_partitioning(description):
        # AWS describes the retry window it applies to a partition's delivery, 300 s unless given.
        config = dict(description["DynamicPartitioningConfiguration"])
        config["RetryOptions"] = {"DurationInSeconds": DEFAULT_PARTITION_RETRY_SECONDS,
                                  **(config.get("RetryOptions") or {})}
        description["DynamicPartitioningConfiguration"] = config
    return description


def _backup_with_defaults(given: dict) -> dict:
    backup = copy.deepcopy(given)
    backup["BufferingHints"] = {"SizeInMBs": 5, "IntervalInSeconds": 300, **(given.get("BufferingHints") or {})}
    backup.setdefault("CompressionFormat", "UNCOMPRESSED")
    backup.setdefault("EncryptionConfiguration", {"NoEncryptionConfig": "NoEncryption"})
    backup.setdefault("CloudWatchLoggingOptions", {"Enabled": False})
    return backup


def backup(description: dict) -> Optional[dict]:
    """The S3BackupDescription when source records are backed up, else None."""
    return description.get("S3BackupDescription") if description.get("S3BackupMode") == "Enabled" else None


def apply_update(current: dict, update: dict) -> dict:
    """UpdateDestination: the fields given replace the current ones; the rest stay."""
    if dynamic_partitioning(update) and not dynamic_partitioning(current):
        raise invalid("Dynamic partitioning cannot be enabled on an existing delivery stream.")
    update = copy.deepcopy(update)
    backup_update = update.pop("S3BackupUpdate", None)
    if current.get("S3BackupMode") == "Enabled" and update.get("S3BackupMode") == "Disabled":
        raise invalid("S3BackupMode cannot be changed from Enabled to Disabled.")
    merged = copy.deepcopy(current)
    for name, value in update.items():
        merged[name] = copy.deepcopy(value)
    if backup_update is not None or (merged.get("S3BackupMode") == "Enabled" and "S3BackupDescription" not in merged):
        if backup_update is None:
            raise invalid("S3BackupUpdate must be specified when S3BackupMode is changed to Enabled.")
        merged["S3BackupDescription"] = _backup_with_defaults({**merged.get("S3BackupDescription", {}),
                                                               **backup_update})
    if "BufferingHints" in update:
        merged["BufferingHints"] = {**current.get("BufferingHints", {}), **update["BufferingHints"]}
    merged = _with_defaults(merged)
    check(merged)
    return merged


def check(description: dict) -> None:
    bucket_of(description)
    if backup(description) is not None:
        source = backup(description)
        bucket_of(source)
        try:
            prefixes.check_prefix(source.get("Prefix") or "", error_prefix=False, dynamic_partitioning=False)
        except prefixes.PrefixError as exc:
            raise invalid(f"S3BackupConfiguration: {exc}") from None
    partitioning = dynamic_partitioning(description)
    converting = conversion(description)
    try:
        prefixes.check_prefix(description.get("Prefix") or "", error_prefix=False, dynamic_partitioning=partitioning)
        prefixes.check_prefix(description.get("ErrorOutputPrefix") or "", error_prefix=True,
                              dynamic_partitioning=partitioning)
        prefixes.zone(description.get("CustomTimeZone"))
    except prefixes.PrefixError as exc:
        raise invalid(str(exc)) from None
    if prefixes.expressions(description.get("Prefix") or "") and not description.get("ErrorOutputPrefix"):
        # AWS's rule (Custom Prefixes for Amazon S3 Objects): failed records need a prefix of their own.
        raise invalid("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.")
    size = int(description["BufferingHints"]["SizeInMBs"])
    if converting is not None:
        _check_conversion(converting)
        if description.get("CompressionFormat") != "UNCOMPRESSED":
            raise invalid("CompressionFormat must be UNCOMPRESSED when data format conversion is enabled; "
                          "compression is set in the serializer (ParquetSerDe or OrcSerDe) instead.")
        if size < MIN_CONVERSION_MIB:
            raise invalid(f"BufferingHints.SizeInMBs must be at least {MIN_CONVERSION_MIB} when data format "
                          "conversion is enabled.")
    if partitioning:
        if size < MIN_CONVERSION_MIB:
            raise invalid(f"BufferingHints.SizeInMBs must be at least {MIN_CONVERSION_MIB} when dynamic "
                          "partitioning is enabled.")
        used = {ns for ns, _ in prefixes.expressions(description.get("Prefix") or "")}
        if not used & {"partitionKeyFromQuery", "partitionKeyFromLambda"}:
            raise invalid("When dynamic partitioning is enabled, Prefix must use the partitionKeyFromQuery "
                          "or partitionKeyFromLambda namespace.")
        if not description.get("ErrorOutputPrefix"):
            raise invalid("ErrorOutputPrefix must be specified when dynamic partitioning is enabled.")
    for processor in processors(description):
        kind = processor.get("Type")
        if kind == "Lambda":
            raise invalid("lakebox runs no Lambda functions: a Lambda processor cannot be used.")
        if kind == "MetadataExtraction":
            if not partitioning:
                raise invalid("The MetadataExtraction processor requires dynamic partitioning to be enabled.")
            from .partitioning import query_of
            query_of(description)  # refuses a query that does not compile


def _check_conversion(config: dict) -> None:
    schema = config.get("SchemaConfiguration") or {}
    for name in ("DatabaseName", "TableName", "RoleARN"):
        if not schema.get(name):
            raise invalid(f"SchemaConfiguration.{name} must be specified when data format conversion is enabled.")
    deserializers = (config.get("InputFormatConfiguration") or {}).get("Deserializer") or {}
    serializers = (config.get("OutputFormatConfiguration") or {}).get("Serializer") or {}
    if len(deserializers) != 1:
        raise invalid("InputFormatConfiguration must specify exactly one deserializer "
                      "(OpenXJsonSerDe or HiveJsonSerDe).")
    if len(serializers) != 1:
        raise invalid("OutputFormatConfiguration must specify exactly one serializer (ParquetSerDe or OrcSerDe).")


def describe(description: dict) -> dict:
    """Destinations[0] of DescribeDeliveryStream: AWS shows an S3 destination under both names."""
    from .model import DESTINATION_ID

    return {"DestinationId": DESTINATION_ID,
            "S3DestinationDescription": {k: copy.deepcopy(v) for k, v in description.items() if k in _PLAIN_FIELDS},
            "ExtendedS3DestinationDescription": copy.deepcopy(description)}
