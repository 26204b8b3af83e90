"""IAM: roles, users, policies, access keys and instance profiles, kept as state (not enforced)."""
