"""STS: just enough identity for tools that ask who they are (awswrangler, Terraform)."""
