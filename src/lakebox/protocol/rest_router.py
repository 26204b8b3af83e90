"""Routes a REST request to its operation using only the model's `http.method` and `http.requestUri`.

Used by the rest protocols' parsers. Each operation's template ("/{Bucket}/{Key+}?uploads",
"/{Bucket}?list-type=2") becomes one route, built once per service model. A request matches a route
when the method and path fit and every literal query key of the template is present (with its value,
if the template gives one). Among the matches the most specific wins, measured by (in order):

1. literal query keys in the template (`?tagging` beats the bare bucket route);
2. required query-string and header members the request carries, then fewest such members missing
   (S3 reuses one template for several operations and tells them apart only by required members:
   `uploadId` makes GET on an object ListParts, `x-amz-copy-source` makes PUT CopyObject,
   both together with `partNumber` make UploadPartCopy);
3. literal path characters, then non-deprecated operations, then how many of the request's query
   keys the operation knows, then model order (the stable tie-break).

An `x-id=<Operation>` query parameter, which Smithy-based SDKs send, outranks all of these.

A route whose model names a `requestContentType` (a lakebox extension of the `http` trait, set in
`patches.py`) fits only requests of that media type: S3's browser-form POST to a bucket is told
apart from other bucket POSTs by its multipart/form-data body alone.

Paths arrive path-style and percent-encoded; label values are decoded exactly once. A greedy label
(`{Key+}`) keeps slashes and empty segments.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel

from .errors import AwsError
from .http import Headers
from .patches import REQUEST_CONTENT_TYPE

_LABEL_RE = re.compile(r"\{([^}]+)\}")
#: Newer AWS SDKs (JavaScript v3, Java v2, Go v2) add `?x-id=<Operation>` from their Smithy models,
#: which botocore's models drop; when it names a fitting operation it settles any tie.
_OPERATION_HINT = "x-id"


@dataclass(frozen=True)
class _Route:
    operation: OperationModel
    index: int
    method: str
    path_re: re.Pattern
    labels: tuple[str, ...]
    literal_path_len: int
    #: literal query keys of the template; the value is required too when the template gives one.
    literal_query: tuple[tuple[str, Optional[str]], ...]
    #: wire names of required querystring members and (lower-cased) required header members.
    required_query: frozenset[str]
    required_headers: frozenset[str]
    #: every query key the operation understands (template literals and querystring members).
    known_query: frozenset[str]
    #: the media type the request must carry (lower-cased), when the model demands one.
    content_type: Optional[str] = None

    def score(self, query_keys: set[str], headers: Headers) -> tuple:
        present = sum(1 for k in self.required_query if k in query_keys)
        present += sum(1 for h in self.required_headers if h in headers)
        missing = len(self.required_query) + len(self.required_headers) - present
        return (
            len(self.literal_query),
            present,
            -missing,
            self.literal_path_len,
            not self.operation.deprecated,
            len(query_keys & self.known_query),
            -self.index,
        )


def _compile_path(path: str) -> tuple[re.Pattern, tuple[str, ...], int]:
    """A regex over the raw (still percent-encoded) path, its label names and literal length."""
    pattern, labels, literal_len, pos = [], [], 0, 0
    for match in _LABEL_RE.finditer(path):
        literal = path[pos : match.start()]
        pattern.append(re.escape(literal))
        literal_len += len(literal)
        name = match.group(1)
        if name.endswith("+"):
            labels.append(name[:-1])
            pattern.append(f"(?P<{_group(name[:-1])}>.+)")
        else:
            labels.append(name)
            pattern.append(f"(?P<{_group(name)}>[^/]+)")
        pos = match.end()
    tail = path[pos:]
    pattern.append(re.escape(tail))
    literal_len += len(tail)
    regex = "".join(pattern)
    # S3 (and most REST front ends) treat "/bucket/" like "/bucket"; a greedy tail needs no such slack.
    if path != "/" and not path.endswith("+}") and not path.endswith("/"):
        regex += "/?"
    return re.compile(f"^{regex}$", re.DOTALL), tuple(labels), literal_len


def _group(label: str) -> str:
    # Regex group names must be identifiers; model labels are, but guard against hyphens anyway.
    return "g_" + re.sub(r"\W", "_", label)


def _parse_query_template(query: str) -> tuple[tuple[str, Optional[str]], ...]:
    literals = []
    for part in query.split("&"):
        if not part:
            continue
        key, eq, value = part.partition("=")
        literals.append((key, value if eq else None))
    return tuple(literals)


def _build_route(operation: OperationModel, index: int) -> _Route:
    uri = operation.http.get("requestUri", "/")
    path, _, query = uri.partition("?")
    path_re, labels, literal_len = _compile_path(path or "/")
    literal_query = _parse_query_template(query)
    required_query, required_headers, known = set(), set(), {k for k, _ in literal_query}
    shape = operation.input_shape
    if shape is not None:
        required = set(shape.required_members)
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "querystring":
                known.add(wire)
                if name in required:
                    required_query.add(wire)
            elif location == "header" and name in required:
                required_headers.add(wire.lower())
    return _Route(
        operation=operation,
        index=index,
        method=operation.http.get("method", "POST").upper(),
        path_re=path_re,
        labels=labels,
        literal_path_len=literal_len,
        literal_query=literal_query,
        required_query=frozenset(required_query),
        required_headers=frozenset(required_headers),
        known_query=frozenset(known),
        content_type=(operation.http.get(REQUEST_CONTENT_TYPE) or "").lower() or None,
    )


class RestRouter:
    """The route table of one service model; `match` picks the operation for a request."""

    def __init__(self, service_model: ServiceModel):
        self.service_model = service_model
        self._routes = [
            _build_route(service_model.operation_model(name), index)
            for index, name in enumerate(service_model.operation_names)
        ]
        # Valueless literal query keys ("?tagging", "?uploads") name sub-resources. A request that
        # names one its chosen operation does not understand meant another operation, and must not
        # silently fall back to the bare resource (DELETE /bucket?cors is not DeleteBucket).
        self._by_method: dict[str, list[_Route]] = {}
        for route in self._routes:
            self._by_method.setdefault(route.method, []).append(route)
        self._subresources = frozenset(
            key for route in self._routes for key, value in route.literal_query if value is None
        )
        #: Literal query keys whose value a route requires too (`x-id=GetObject`, `list-type=2`).
        self._valued_keys = tuple(sorted(
            {key for route in self._routes for key, value in route.literal_query if value is not None}
        ))
        #: The routes whose query template a request's query fits, by what that depends on: the
        #: method, the query's keys and the values of the valued keys. Requests repeat a handful of
        #: shapes (a PUT with no query, a GET with ?list-type=2 ...), so the filter over every
        #: route of the method runs once per shape.
        self._fitting: dict[tuple, tuple[_Route, ...]] = {}

    def match(
        self,
        method: str,
        path: str,
        query: Iterable[tuple[str, str]],
        headers: Optional[Headers] = None,
    ) -> tuple[OperationModel, dict[str, Any]]:
        """The operation for a path-style request, and its decoded URI label values.

        Raises `AwsError` MethodNotAllowed (405) when the path fits only other methods, and
        NotImplemented (501) when nothing fits.
        """
        method = method.upper()
        path = path or "/"
        headers = headers if headers is not None else Headers()
        pairs = list(query)
        query_keys = {k for k, _ in pairs}
        query_values = {}
        for key, value in pairs:
            query_values.setdefault(key, value)

        hinted = query_values.get(_OPERATION_HINT)
        best, best_score, best_match = None, None, None
        routes = self._by_method.get(method, ())
        for route in self._fitting_routes(method, routes, query_keys, query_values):
            found = route.path_re.match(path)
            if found is None:
                continue
            if route.content_type is not None and _media_type(headers) != route.content_type:
                continue
            score = (route.operation.name == hinted,) + route.score(query_keys, headers)
            if best_score is None or score > best_score:
                best, best_score, best_match = route, score, found
        if best is None:
            # A method used on this path, only with a sub-resource or body we lack (a bucket POST
            # that is not a form upload), is unsupported functionality rather than a wrong method.
            path_fits_method = any(r.path_re.match(path) for r in routes)
            if not path_fits_method and any(r.path_re.match(path) for r in self._routes):
                raise _method_not_allowed(method)
            raise _not_implemented()
        self._check_subresources(best, method, path, query_keys)
        params = {label: unquote(best_match.group(_group(label))) for label in best.labels}
        return best.operation, params

    def _fitting_routes(self, method: str, routes, keys: set[str], values: dict[str, str]) -> tuple:
        """The routes of `method` whose query template fits (the query test rules out most of the
        routes that share a path, GetObject, GetObjectAcl, GetObjectTagging ..., before any regex)."""
        shape = (method, frozenset(keys), tuple(values.get(k) for k in self._valued_keys if k in keys))
        fitting = self._fitting.get(shape)
        if fitting is None:
            fitting = tuple(r for r in routes if self._query_fits(r, keys, values))
            if len(self._fitting) >= 4096:  # arbitrary query keys must not grow it without end
                self._fitting.clear()
            self._fitting[shape] = fitting
        return fitting

    @staticmethod
    def _query_fits(route: _Route, keys: set[str], values: dict[str, str]) -> bool:
        for key, value in route.literal_query:
            if key not in keys:
                return False
            if value is not None and values.get(key) != value:
                return False
        return True

    def _check_subresources(self, chosen: _Route, method: str, path: str, keys: set[str]) -> None:
        stray = (keys & self._subresources) - chosen.known_query
        if not stray:
            return
        # Another method serves this sub-resource on this path: the method is what's wrong.
        for route in self._routes:
            if route.method == method or not route.path_re.match(path):
                continue
            if stray & {k for k, _ in route.literal_query}:
                raise _method_not_allowed(method)
        raise _not_implemented()


def _media_type(headers: Headers) -> str:
    """`multipart/form-data` from `Multipart/Form-Data; boundary=...`."""
    return (headers.get("content-type") or "").split(";", 1)[0].strip().lower()


def _method_not_allowed(method: str) -> AwsError:
    return AwsError(
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        405,
        fields={"Method": method},
    )


def _not_implemented() -> AwsError:
    return AwsError(
        "NotImplemented",
        "A header you provided implies functionality that is not implemented",
        501,
        sender_fault=False,
    )


@functools.lru_cache(maxsize=None)
def router_for(service_model: ServiceModel) -> RestRouter:
    """The route table for a model, built once per model object."""
    return RestRouter(service_model)
