"""Engines that run work in-process: SQL on DuckDB, and the pieces around it."""
