"""lakebox: the AWS data-engineering stack on one machine, executed for real.

Layers (dependencies point one way): gateway -> protocol -> services -> engines/storage.
"""

__version__ = "0.1.0"

DEFAULT_ACCOUNT_ID = "000000000000"
DEFAULT_REGION = "us-east-1"
