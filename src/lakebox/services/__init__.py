"""Service providers: one folder per AWS service, each with a thin `provider.py` and its state.

A provider implements an operation by defining a method named `xform_name(operation)`
(`put_object`, `get_caller_identity` ...). The method receives the `RequestContext` and the parsed
input dict, and returns the output dict shaped like botocore's parsed output. May import the protocol
layer (for `AwsError` and the context), storage and engines; never the gateway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..config import Config
    from .base import Provider


def build_providers(config: "Config") -> dict[str, "Provider"]:
    """Every provider lakebox serves, keyed by botocore service name."""
    from .athena.provider import AthenaProvider
    from .emr.provider import EmrProvider
    from .firehose.provider import FirehoseProvider
    from .glue.catalog_api import GlueCatalog
    from .glue.provider import GlueProvider
    from .iam.provider import IAMProvider
    from .kinesis.provider import KinesisProvider
    from .redshift.provider import RedshiftProvider
    from .redshift_data.provider import RedshiftDataProvider
    from .redshift_serverless.provider import RedshiftServerlessProvider
    from .logs.provider import LogsProvider
    from .s3.provider import S3Provider
    from .sts.provider import STSProvider

    s3 = S3Provider(config)
    # Logs export tasks write to the lake through S3's store.
    logs = LogsProvider(config, lake=s3.store)
    # Glue's crawlers read the lake through S3's store and write their logs through the logs service.
    # Glue comes first so that shutdown, which closes providers in this order, stops its crawls
    # before the stores they use are closed.
    glue = GlueProvider(config, lake=s3.store, logs=logs)
    # Athena runs its queries over the lake and the Glue catalog, so it is built after them and
    # closed before them: its running queries stop first.
    athena = AthenaProvider(config, lake=s3.store, glue=glue, catalog=GlueCatalog(glue))
    # Logs subscription filters put records on Kinesis streams; logs is closed before Kinesis.
    kinesis = KinesisProvider(config)
    logs.kinesis = kinesis
    # Firehose delivers to the lake, reads its conversion schemas from Glue and, for a Kinesis source,
    # reads Kinesis: it comes first in the list, so its delivery stops before those stores close.
    firehose = FirehoseProvider(config, lake=s3.store, catalog=GlueCatalog(glue), kinesis=kinesis, logs=logs)
    logs.firehose = firehose
    # STS answers with IAM's RoleId for the roles IAM holds.
    iam, sts = IAMProvider(config), STSProvider(config)
    sts.iam = iam
    # Redshift's SQL reads the lake (COPY, UNLOAD, Spectrum) and the Glue catalog (Spectrum); the Data
    # API runs on the clusters' databases, so it is closed before them.
    redshift = RedshiftProvider(config, lake=s3.store, glue_catalog=GlueCatalog(glue))
    redshift.audit.logs = logs  # audit logs with LogDestinationType cloudwatch
    redshift.sts = sts  # GetClusterCredentialsWithIAM logs the caller in as its IAM identity
    # Serverless workgroups run the same SQL engine, with the provisioned service's lake, catalog and TLS.
    serverless = RedshiftServerlessProvider(config, redshift=redshift)
    redshift_data = RedshiftDataProvider(config, redshift=redshift, serverless=serverless)
    firehose.redshift = redshift
    providers: list[Provider] = [EmrProvider(config, lake=s3.store), firehose, redshift_data, serverless, redshift,
                                 athena, glue, s3, sts, iam, logs, kinesis]
    return {p.service_name: p for p in providers}
