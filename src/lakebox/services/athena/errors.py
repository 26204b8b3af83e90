"""Athena's errors. Athena answers almost every client mistake with InvalidRequestException (400)."""

from __future__ import annotations

from ...protocol.errors import AwsError


def invalid_request(message: str, athena_code: str = "") -> AwsError:
    fields = {"AthenaErrorCode": athena_code} if athena_code else {}
    return AwsError("InvalidRequestException", message, 400, fields=fields)


def resource_not_found(message: str, resource: str = "") -> AwsError:
    fields = {"ResourceName": resource} if resource else {}
    return AwsError("ResourceNotFoundException", message, 400, fields=fields)


def metadata_error(message: str) -> AwsError:
    return AwsError("MetadataException", message, 400)
