"""Glue's errors, with the messages Glue gives. All are 400 (sender faults) except InternalServiceException."""

from __future__ import annotations

from ...protocol.errors import AwsError


def entity_not_found(message: str) -> AwsError:
    return AwsError("EntityNotFoundException", message, 400)


def already_exists(message: str) -> AwsError:
    return AwsError("AlreadyExistsException", message, 400)


def invalid_input(message: str) -> AwsError:
    return AwsError("InvalidInputException", message, 400)


def limit_exceeded(message: str) -> AwsError:
    return AwsError("ResourceNumberLimitExceededException", message, 400)


def invalid_state(message: str) -> AwsError:
    return AwsError("InvalidStateException", message, 400)


def concurrent_modification(message: str) -> AwsError:
    return AwsError("ConcurrentModificationException", message, 400)


def database_not_found(name: str) -> AwsError:
    return entity_not_found(f"Database {name} not found.")


def table_not_found(name: str) -> AwsError:
    return entity_not_found(f"Table {name} not found.")


def partition_not_found() -> AwsError:
    return entity_not_found("Cannot find partition.")


def error_detail(error: AwsError) -> dict:
    """The `ErrorDetail` a batch operation reports for one failed item."""
    return {"ErrorCode": error.code, "ErrorMessage": error.message}
