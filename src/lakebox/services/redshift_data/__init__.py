"""The Redshift Data API: SQL on a cluster's databases over HTTP, run in the background."""
