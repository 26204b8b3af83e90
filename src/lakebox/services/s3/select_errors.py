"""S3 Select's errors: the one table of the codes SelectObjectContent answers, and the domain error
that the translation and the input readers raise.

Why a table of its own: S3 Select has about a hundred error codes of its own (ParseUnexpectedToken,
CastFailed, InvalidColumnIndex ...), none of them shared with the rest of S3, and clients match on
the code. The SQL translation and the readers raise `SelectError` with a code; the provider turns
it into the error response (`aws_error`) before streaming starts, or into an error event after.

Imports the protocol's AwsError only.
"""

from __future__ import annotations

from ...protocol.errors import AwsError


class SelectError(Exception):
    """A request S3 Select refuses. `code` is S3's error code, a key of `ERRORS`; `detail` says
    what in the request it is about, for the log (S3's message is the table's)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


#: code -> (HTTP status, S3's message), as AWS documents them for SelectObjectContent.
ERRORS: dict[str, tuple[int, str]] = {
    "AmbiguousFieldName": (400, "The field name matches to multiple fields in the file. Check the SQL expression and "
                                "the file, and try again."),
    "CastFailed": (400, "An attempt to convert from one data type to another using CAST failed in the SQL "
                        "expression."),
    "CSVParsingError": (400, "An error occurred while parsing the CSV file. Check the file and try again."),
    "EmptyRequestBody": (400, "The request body cannot be empty."),
    "EvaluatorBindingDoesNotExist": (400, "A column name or a path provided does not exist in the SQL expression."),
    "EvaluatorInvalidArguments": (400, "There is an incorrect number of arguments in the function call in the SQL "
                                       "expression."),
    "EvaluatorInvalidTimestampFormatPatternSymbol": (400, "The timestamp format pattern contains a symbol in the SQL "
                                                          "expression that is not valid."),
    "EvaluatorNegativeLimit": (400, "LIMIT must not be negative."),
    "ExpressionTooLong": (400, "The SQL expression is too long. The maximum byte-length for an SQL expression is "
                               "256 KB."),
    "IllegalSqlFunctionArgument": (400, "An illegal argument was used in the SQL function."),
    "IncorrectSqlFunctionArgumentType": (400, "An incorrect argument type was specified in a function call in the "
                                              "SQL expression."),
    "IntegerOverflow": (400, "An integer overflow or underflow occurred in the SQL expression."),
    "InternalError": (500, "An internal error occurred."),
    "InvalidColumnIndex": (400, "The column index in the SQL expression is not valid."),
    "InvalidCompressionFormat": (400, "The file is not in a supported compression format. Only GZIP and BZIP2 are "
                                      "supported."),
    "InvalidDataType": (400, "The SQL expression contains a data type that is not valid."),
    "InvalidExpressionType": (400, "The ExpressionType value is not valid. Only SQL expressions are supported."),
    "InvalidFileHeaderInfo": (400, "The FileHeaderInfo value is not valid. Only NONE, USE, and IGNORE are "
                                   "supported."),
    "InvalidJsonType": (400, "The JsonType value is not valid. Only DOCUMENT and LINES are supported."),
    "InvalidQuoteFields": (400, "The QuoteFields value is not valid. Only ALWAYS and ASNEEDED are supported."),
    "InvalidRequestParameter": (400, "The value of a parameter in the SelectRequest element is not valid. Check the "
                                     "service API documentation and try again."),
    "InvalidScanRange": (400, "The provided scan range is not valid."),
    "JSONParsingError": (400, "An error occurred while parsing the JSON file. Check the file and try again."),
    "LexerInvalidChar": (400, "The SQL expression contains a character that is not valid."),
    # Not in AWS's table, but the code its SQL reference names for a header the object lacks.
    "MissingHeaderName": (400, "The header name in the SQL expression does not exist in the object."),
    "MissingRequiredParameter": (400, "The SelectRequest entity is missing a required parameter. Check the service "
                                      "documentation and try again."),
    "ObjectSerializationConflict": (400, "InputSerialization specifies more than one format (CSV, JSON, or Parquet), "
                                         "or OutputSerialization specifies more than one format (CSV or JSON). For "
                                         "InputSerialization and OutputSerialization, you can specify only one format "
                                         "for each."),
    "ParquetParsingError": (400, "An error occurred while parsing the Parquet file. Check the file and try again."),
    "ParseAsteriskIsNotAloneInSelectList": (400, "Other expressions are not allowed in the SELECT list when * is used "
                                                 "without dot notation in the SQL expression."),
    "ParseEmptySelect": (400, "The SQL expression contains an empty SELECT clause."),
    "ParseExpectedDatePart": (400, "The expected date part in the SQL expression was not found."),
    "ParseExpectedExpression": (400, "The expected SQL expression was not found."),
    "ParseExpectedIdentForGroupName": (400, "GROUP is not supported in the SQL expression."),
    "ParseExpectedNumber": (400, "The expected number in the SQL expression was not found."),
    "ParseExpectedRightParenBuiltinFunctionCall": (400, "The expected right parenthesis character in the SQL "
                                                        "expression was not found."),
    "ParseInvalidPathComponent": (400, "The SQL expression contains a path component that is not valid."),
    "ParseMalformedJoin": (400, "JOIN is not supported in the SQL expression."),
    "ParseNonUnaryAgregateFunctionCall": (400, "Only one argument is supported for aggregate functions in the SQL "
                                               "expression."),
    "ParseSelectMissingFrom": (400, "The SQL expression contains a missing FROM after the SELECT list."),
    "ParseUnexpectedToken": (400, "The SQL expression contains an unexpected token."),
    "ParseUnsupportedCallWithStar": (400, "Only COUNT with (*) as a parameter is supported in the SQL expression."),
    "ParseUnsupportedSelect": (400, "The SQL expression contains an unsupported use of SELECT."),
    "TruncatedInput": (400, "Object decompression failed. Check that the object is properly compressed using the "
                            "format specified in the request."),
    "UnsupportedFunction": (400, "S3 encountered an unsupported SQL function."),
    "UnsupportedScanRangeInput": (400, "Scan range queries are not supported on this type of object."),
    "UnsupportedSqlOperation": (400, "S3 encountered an unsupported SQL operation."),
    "UnsupportedSqlStructure": (400, "S3 encountered an unsupported SQL structure. Check the SQL Reference."),
    "UnsupportedStorageClass": (400, "The storage class is not supported. Only STANDARD, STANDARD_IA, and ONEZONE_IA "
                                     "storage classes are supported."),
}


def aws_error(error: SelectError) -> AwsError:
    """The error response for `error`, in S3's words."""
    status, message = ERRORS[error.code]
    return AwsError(error.code, message, status)
