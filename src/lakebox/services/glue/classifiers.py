"""Custom classifiers: CreateClassifier, GetClassifier, GetClassifiers, UpdateClassifier and
DeleteClassifier, for the CSV, JSON, XML and Grok kinds.

Each is stored as the API's `Classifier` union (one member set) in the crawler store; which ones a
crawl applies is crawler_classify.py's business.
"""

from __future__ import annotations

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import owner_key, page
from .crawler_classify import json_path_steps
from .crawler_grok import GrokError, compile_grok
from .crawler_store import CrawlerStore
from .errors import already_exists, entity_not_found, invalid_input
from .store import decode, encode

_KINDS = ("GrokClassifier", "XMLClassifier", "JsonClassifier", "CsvClassifier")


def _one_kind(params: dict) -> tuple[str, dict]:
    given = [(kind, params[kind]) for kind in _KINDS if params.get(kind)]
    if len(given) != 1:
        raise invalid_input("Exactly one classifier (GrokClassifier, XMLClassifier, JsonClassifier or CsvClassifier) "
                            "must be given.")
    return given[0]


def _check(kind: str, spec: dict) -> None:
    if kind == "JsonClassifier":
        try:
            json_path_steps(spec.get("JsonPath") or "")
        except ValueError as exc:
            raise invalid_input(f"Invalid JsonPath: {exc}") from None
    if kind == "GrokClassifier":
        try:
            compile_grok(spec.get("GrokPattern") or "", spec.get("CustomPatterns"))
        except GrokError as exc:
            raise invalid_input(f"Invalid GrokPattern: {exc}") from None
    if kind == "CsvClassifier" and spec.get("Delimiter") and spec.get("Delimiter") == spec.get("QuoteSymbol"):
        raise invalid_input("The CSV classifier's Delimiter and QuoteSymbol must differ.")


class ClassifiersMixin:
    crawler_store: CrawlerStore
    clock: ServiceClock

    def create_classifier(self, ctx: RequestContext, params: dict) -> dict:
        kind, spec = _one_kind(params)
        _check(kind, spec)
        now = self.clock.now()
        doc = {**spec, "CreationTime": now, "LastUpdated": now, "Version": 1}
        with self.crawler_store.write() as db:
            if db.execute("SELECT 1 FROM classifiers WHERE catalog = ? AND name = ?",
                          (owner_key(ctx), spec["Name"])).fetchone():
                raise already_exists(f"Classifier with name {spec['Name']} already exists")
            db.execute("INSERT INTO classifiers (catalog, name, doc) VALUES (?, ?, ?)",
                       (owner_key(ctx), spec["Name"], encode({kind: doc})))
        return {}

    def get_classifier(self, ctx: RequestContext, params: dict) -> dict:
        union = self.crawler_store.classifier(owner_key(ctx), params["Name"])
        if union is None:
            raise entity_not_found(f"Classifier with name {params['Name']} not found")
        return {"Classifier": union}

    def get_classifiers(self, ctx: RequestContext, params: dict) -> dict:
        chunk, token = page(self.crawler_store.classifiers(owner_key(ctx)), params.get("NextToken"),
                            params.get("MaxResults"), 100)
        return {"Classifiers": chunk, "NextToken": token}

    def update_classifier(self, ctx: RequestContext, params: dict) -> dict:
        kind, spec = _one_kind(params)
        with self.crawler_store.write() as db:
            row = db.execute("SELECT doc FROM classifiers WHERE catalog = ? AND name = ?",
                             (owner_key(ctx), spec["Name"])).fetchone()
            union = decode(row["doc"]) if row else None
            if union is None:
                raise entity_not_found(f"Classifier with name {spec['Name']} not found")
            old_kind, old = next(iter(union.items()))
            if old_kind != kind:
                raise AwsError("InvalidInputException", f"Classifier {spec['Name']} is a {old_kind}, not a {kind}.",
                               400)
            doc = {**old, **{k: v for k, v in spec.items() if v is not None}, "LastUpdated": self.clock.now(),
                   "Version": int(old.get("Version", 1)) + 1}
            _check(kind, doc)
            db.execute("UPDATE classifiers SET doc = ? WHERE catalog = ? AND name = ?",
                       (encode({kind: doc}), owner_key(ctx), spec["Name"]))
        return {}

    def delete_classifier(self, ctx: RequestContext, params: dict) -> dict:
        with self.crawler_store.write() as db:
            deleted = db.execute("DELETE FROM classifiers WHERE catalog = ? AND name = ?",
                                 (owner_key(ctx), params["Name"])).rowcount
        if not deleted:
            raise entity_not_found(f"Classifier with name {params['Name']} not found")
        return {}
