"""Crawler state: `<data>/.lakebox/glue/crawlers.db`, beside the catalog and built the same way
(WAL, one writer, write-through; see store.py).

- `crawlers`: each crawler's document, shaped like the API's `Crawler` output;
- `crawls`: each crawl's history entry (`CrawlerHistory` plus the metrics GetCrawlerMetrics needs);
- `folders`: the folders a crawler has read, so CRAWL_NEW_FOLDERS_ONLY knows which are new;
- `classifiers`: custom classifiers, each stored as the API's `Classifier` union.
Rows are keyed by `catalog`, `<region>:<account>`, like the catalog's.
"""

from __future__ import annotations

from .store import CatalogStore, decode, encode

CRAWLER_SCHEMA_VERSION = 1

CRAWLER_SCHEMA = [
    "CREATE TABLE crawlers (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, name))",
    ("CREATE TABLE crawls (catalog TEXT NOT NULL, crawler TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, "
    "doc TEXT NOT NULL, PRIMARY KEY (catalog, crawler, id))"),
    "CREATE INDEX crawls_in_order ON crawls (catalog, crawler, seq)",
    ("CREATE TABLE folders (catalog TEXT NOT NULL, crawler TEXT NOT NULL, folder TEXT NOT NULL, "
    "PRIMARY KEY (catalog, crawler, folder))"),
    ("CREATE TABLE classifiers (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, "
    "PRIMARY KEY (catalog, name))"),
]


class CrawlerStore(CatalogStore):
    def _create_schema(self) -> None:
        self.apply_schema(CRAWLER_SCHEMA, CRAWLER_SCHEMA_VERSION)

    # -- crawlers ------------------------------------------------------------------------------------

    def get_crawler(self, catalog: str, name: str) -> dict | None:
        return self.named_doc("crawlers", catalog, name)

    def crawlers(self, catalog: str | None = None) -> list[tuple[str, dict]]:
        """(catalog, document) of every crawler, by name."""
        return self.named_docs_with_catalog("crawlers", catalog)

    def put_crawler(self, db, catalog: str, doc: dict) -> None:
        self.put_named_doc(db, "crawlers", catalog, doc)

    def load_crawler(self, db, catalog: str, name: str) -> dict | None:
        return self.load_named_doc(db, "crawlers", catalog, name)

    def delete_crawler(self, db, catalog: str, name: str) -> None:
        for table, column in (("crawlers", "name"), ("crawls", "crawler"), ("folders", "crawler")):
            db.execute(f"DELETE FROM {table} WHERE catalog = ? AND {column} = ?", (catalog, name))

    # -- crawls --------------------------------------------------------------------------------------

    def put_crawl(self, db, catalog: str, crawler: str, doc: dict) -> None:
        row = db.execute("SELECT seq FROM crawls WHERE catalog = ? AND crawler = ? AND id = ?",
                         (catalog, crawler, doc["CrawlId"])).fetchone()
        if row is None:
            seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM crawls WHERE catalog = ? AND crawler = ?",
                             (catalog, crawler)).fetchone()[0]
        else:
            seq = row["seq"]
        db.execute("INSERT OR REPLACE INTO crawls (catalog, crawler, id, seq, doc) VALUES (?, ?, ?, ?, ?)",
                   (catalog, crawler, doc["CrawlId"], seq, encode(doc)))

    def crawls(self, catalog: str, crawler: str) -> list[dict]:
        """The crawler's crawls, newest first."""
        rows = self.read("SELECT doc FROM crawls WHERE catalog = ? AND crawler = ? ORDER BY seq DESC",
                         (catalog, crawler))
        return [decode(r["doc"]) for r in rows]

    # -- folders -------------------------------------------------------------------------------------

    def crawled_folders(self, catalog: str, crawler: str) -> set[str]:
        rows = self.read("SELECT folder FROM folders WHERE catalog = ? AND crawler = ?", (catalog, crawler))
        return {r["folder"] for r in rows}

    def add_folders(self, catalog: str, crawler: str, folders: set[str]) -> None:
        with self.write() as db:
            db.executemany("INSERT OR IGNORE INTO folders (catalog, crawler, folder) VALUES (?, ?, ?)",
                           [(catalog, crawler, f) for f in sorted(folders)])

    # -- classifiers ---------------------------------------------------------------------------------

    def classifier(self, catalog: str, name: str) -> dict | None:
        rows = self.read("SELECT doc FROM classifiers WHERE catalog = ? AND name = ?", (catalog, name))
        return decode(rows[0]["doc"]) if rows else None

    def classifiers(self, catalog: str) -> list[tuple[str, dict]]:
        rows = self.read("SELECT name, doc FROM classifiers WHERE catalog = ? ORDER BY name", (catalog,))
        return [(r["name"], decode(r["doc"])) for r in rows]
