"""The gateway end to end: health, keep-alive, 100-continue, routing, 501s, validation, internal errors."""

import http.client
import json
import socket

import boto3
import botocore.exceptions
import pytest
import requests


def client(service, server, **kw):
    return boto3.client(service, endpoint_url=server.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test", **kw)


def test_health_reports_version_data_dir_and_services(lakebox_server):
    resp = requests.get(lakebox_server.endpoint_url + "/_lakebox/health")
    body = resp.json()
    assert resp.status_code == 200
    assert body["version"]
    assert body["data_dir"] == str(lakebox_server.data_dir.resolve())
    assert body["services"]["s3"]["state"] == "running"
    assert body["services"]["sts"]["state"] == "running"


def test_health_says_whether_spark_can_run_glue_jobs_and_emr_steps(lakebox_server):
    from lakebox.engines.spark import unavailable_reason

    services = requests.get(lakebox_server.endpoint_url + "/_lakebox/health").json()["services"]
    reason = unavailable_reason()
    expected = f"unavailable: {reason}" if reason else "ready: pyspark 3.5.7 on Java "
    assert services["glue"]["spark"].startswith(expected) and services["emr"]["spark"] == services["glue"]["spark"]


def test_fixture_sets_aws_endpoint_url(lakebox_server):
    import os

    assert os.environ["AWS_ENDPOINT_URL"] == lakebox_server.endpoint_url
    # a client built with no endpoint argument reaches lakebox
    ident = boto3.client("sts").get_caller_identity()
    assert ident["Account"] == "000000000000"


def test_sts_get_caller_identity_default_account(lakebox_server):
    ident = client("sts", lakebox_server).get_caller_identity()
    assert ident["Account"] == "000000000000"
    assert ident["Arn"] == "arn:aws:iam::000000000000:root"


def test_request_ids_have_each_protocols_form(lakebox_server):
    """S3 answers 16 upper-case hex digits (and an x-amz-id-2); the json and query services a UUID,
    in the header and, for query, in the body's RequestId too. Errors carry the same id."""
    import re

    uuid_form = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    s3_id = client("s3", lakebox_server).list_buckets()["ResponseMetadata"]
    assert re.fullmatch(r"[0-9A-F]{16}", s3_id["RequestId"]) and s3_id["HostId"]
    sts = client("sts", lakebox_server).get_caller_identity()["ResponseMetadata"]
    assert uuid_form.match(sts["RequestId"]) and sts["HTTPHeaders"]["x-amzn-requestid"] == sts["RequestId"]
    glue = client("glue", lakebox_server)
    assert uuid_form.match(glue.get_databases()["ResponseMetadata"]["RequestId"])
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        glue.get_database(Name="missing")
    meta = caught.value.response["ResponseMetadata"]
    assert uuid_form.match(meta["RequestId"]) and meta["HTTPHeaders"]["x-amzn-requestid"] == meta["RequestId"]
    ids = {glue.get_databases()["ResponseMetadata"]["RequestId"] for _ in range(3)}
    assert len(ids) == 3
    # Kinesis's answers, errors too, also carry an x-amz-id-2: base64 of 64 to 80 bytes.
    import base64

    kinesis = client("kinesis", lakebox_server)
    headers = kinesis.list_streams()["ResponseMetadata"]["HTTPHeaders"]
    assert 64 <= len(base64.b64decode(headers["x-amz-id-2"])) <= 80
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        kinesis.describe_stream(StreamName="missing")
    assert 64 <= len(base64.b64decode(caught.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-id-2"])) <= 80


def test_keep_alive_serves_several_requests_on_one_connection(lakebox_server):
    conn = http.client.HTTPConnection(lakebox_server.host, lakebox_server.port)
    for _ in range(3):
        conn.request("GET", "/_lakebox/health")
        resp = conn.getresponse()
        assert json.loads(resp.read())["status"] == "ok"
        assert resp.getheader("connection", "keep-alive").lower() != "close"
    sock_before = conn.sock
    conn.request("GET", "/_lakebox/health")
    conn.getresponse().read()
    assert conn.sock is sock_before  # same TCP connection reused
    conn.close()


def test_header_names_go_out_as_aws_spells_them(lakebox_server):
    """AWS's recorded answers key headers as `ETag`, `Content-Type`, `x-amzn-RequestId` ...; the
    x-amz-* names stay in lower case, as AWS writes them."""
    s3 = boto3.client("s3", endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1")
    s3.create_bucket(Bucket="spelled")
    s3.put_object(Bucket="spelled", Key="k", Body=b"hello")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "spelled", "Key": "k"})
    conn = http.client.HTTPConnection(lakebox_server.host, lakebox_server.port)
    conn.request("GET", url.split(str(lakebox_server.port), 1)[1])
    resp = conn.getresponse()
    assert resp.read() == b"hello"
    names = [name for name, _ in resp.getheaders()]
    assert {"Date", "Server", "Content-Type", "Content-Length", "ETag", "Last-Modified", "Accept-Ranges",
            "x-amz-request-id", "x-amz-server-side-encryption"} <= set(names)
    kinesis = boto3.client("kinesis", endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1")
    answer = kinesis.list_streams()["ResponseMetadata"]["HTTPHeaders"]
    assert answer["x-amzn-requestid"]  # botocore reads names in any case
    conn.request("POST", "/", body=b"{}", headers={
        "X-Amz-Target": "Kinesis_20131202.ListStreams", "Content-Type": "application/x-amz-json-1.1"})
    resp = conn.getresponse()
    resp.read()
    assert "x-amzn-RequestId" in [name for name, _ in resp.getheaders()]
    conn.close()


def test_expect_100_continue_gets_interim_response_then_body_is_stored(lakebox_server):
    s3 = client("s3", lakebox_server)
    # the raw PUT below is unsigned: a public-write bucket takes ACLs enabled and no public access block
    s3.create_bucket(Bucket="continue", ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket="continue")
    s3.put_bucket_acl(Bucket="continue", ACL="public-read-write")
    payload = b"x" * (2 << 20)
    with socket.create_connection((lakebox_server.host, lakebox_server.port)) as sock:
        head = (
            f"PUT /continue/big.bin HTTP/1.1\r\nHost: {lakebox_server.host}:{lakebox_server.port}\r\n"
            f"Content-Length: {len(payload)}\r\nExpect: 100-continue\r\n\r\n"
        ).encode()
        sock.sendall(head)
        interim = sock.recv(1024)
        assert interim.startswith(b"HTTP/1.1 100")
        sock.sendall(payload)
        final = b""
        while b"\r\n\r\n" not in final:
            final += sock.recv(4096)
        assert final.startswith(b"HTTP/1.1 200")
    assert s3.get_object(Bucket="continue", Key="big.bin")["Body"].read() == payload


def _expect_continue_head(sock, server, path: str, length: int) -> bytes:
    """Send a PUT's head with `Expect: 100-continue` and no body; the first status line that comes back."""
    sock.sendall((f"PUT {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
                  f"Content-Length: {length}\r\nExpect: 100-continue\r\n\r\n").encode())
    sock.settimeout(5)
    received = b""
    while b"\r\n" not in received:
        received += sock.recv(1024)
    return received.split(b"\r\n", 1)[0]


def test_expect_100_continue_refusal_comes_before_the_body_is_asked_for(lakebox_server):
    """S3 answers a PUT it refuses (403 for a private bucket, 404 for a missing one) instead of
    `100 Continue`, so the client never sends the body; a small body is no exception. Once the
    bucket lets anyone write, the same request gets `100 Continue`, then its body is stored."""
    s3 = client("s3", lakebox_server)
    s3.create_bucket(Bucket="continue-small", ObjectOwnership="ObjectWriter")
    with socket.create_connection((lakebox_server.host, lakebox_server.port)) as sock:
        assert _expect_continue_head(sock, lakebox_server, "/continue-small/a.txt", 123).startswith(b"HTTP/1.1 403")
    with socket.create_connection((lakebox_server.host, lakebox_server.port)) as sock:
        assert _expect_continue_head(sock, lakebox_server, "/no-such-bucket-here/a.txt", 123).startswith(
            b"HTTP/1.1 404")
    assert "Contents" not in s3.list_objects_v2(Bucket="continue-small")
    s3.delete_public_access_block(Bucket="continue-small")
    s3.put_bucket_acl(Bucket="continue-small", ACL="public-read-write")
    with socket.create_connection((lakebox_server.host, lakebox_server.port)) as sock:
        assert _expect_continue_head(sock, lakebox_server, "/continue-small/a.txt", 5).startswith(b"HTTP/1.1 100")
        sock.sendall(b"hello")
        final = b""
        while b"\r\n\r\n" not in final:
            final += sock.recv(4096)
        assert final.split(b"\r\n", 1)[0].startswith(b"HTTP/1.1 200")
    assert s3.get_object(Bucket="continue-small", Key="a.txt")["Body"].read() == b"hello"


def test_unimplemented_json_operation_answers_501_naming_it(lakebox_server):
    glue = client("glue", lakebox_server)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        glue.list_blueprints()
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert err.value.response["Error"]["Code"] == "NotImplemented"
    assert "ListBlueprints" in err.value.response["Error"]["Message"]


def test_unimplemented_query_operation_answers_501_in_query_envelope(lakebox_server):
    sts = client("sts", lakebox_server)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        sts.get_web_identity_token(Audience=["sts.amazonaws.com"], SigningAlgorithm="RS256")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert err.value.response["Error"]["Code"] == "NotImplemented"
    assert "GetWebIdentityToken" in err.value.response["Error"]["Message"]


@pytest.mark.parametrize("service, call, operation", [
    ("sns", lambda c: c.create_topic(Name="t"), "CreateTopic"),  # query
    ("kms", lambda c: c.create_key(), "CreateKey"),  # awsJson
    ("lambda", lambda c: c.list_functions(), None),  # rest-json
    ("route53", lambda c: c.list_hosted_zones(), None),  # rest-xml
])
def test_a_service_lakebox_does_not_run_answers_501_naming_it(lakebox_server, service, call, operation):
    """Signed for a service lakebox does not run: NotImplemented in that protocol's envelope, which
    boto3 reads, and nothing happens in S3 (which such requests used to fall through to)."""
    with pytest.raises(botocore.exceptions.ClientError) as err:
        call(client(service, lakebox_server))
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert err.value.response["Error"]["Code"] == "NotImplemented"
    message = err.value.response["Error"]["Message"]
    assert f"does not serve the AWS service '{service}'" in message
    if operation:
        assert operation in message
    assert client("s3", lakebox_server).list_buckets()["Buckets"] == []


def test_s3_directory_bucket_calls_answer_501_in_s3s_envelope(lakebox_server):
    """ListDirectoryBuckets is signed for `s3express` (S3 Express One Zone, which lakebox does not
    run): the S3 client reads the 501 NotImplemented from an S3 XML error document."""
    s3 = client("s3", lakebox_server)
    s3.create_bucket(Bucket="general-purpose")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.list_directory_buckets()
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert err.value.response["Error"]["Code"] == "NotImplemented"
    assert "does not serve the AWS service 's3express'" in err.value.response["Error"]["Message"]
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["general-purpose"]


def test_model_validation_uses_the_services_own_error(lakebox_server):
    glue = client("glue", lakebox_server, config=botocore.config.Config(parameter_validation=False))
    with pytest.raises(botocore.exceptions.ClientError) as err:
        glue.get_database()  # Name is required
    assert err.value.response["Error"]["Code"] == "InvalidInputException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_unknown_json_target_is_rejected(lakebox_server):
    resp = requests.post(
        lakebox_server.endpoint_url + "/",
        headers={"X-Amz-Target": "AWSGlue.NoSuchOperation", "Content-Type": "application/x-amz-json-1.1"},
        data=b"{}",
    )
    assert resp.status_code == 400
    assert resp.json()["__type"].endswith("UnknownOperationException")


def test_unexpected_exception_is_internal_error_without_stack_trace(lakebox_server, monkeypatch):
    sts_provider = lakebox_server.app.providers["sts"]

    def explode(ctx, params):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(sts_provider, "get_caller_identity", explode)
    resp = requests.post(
        lakebox_server.endpoint_url + "/",
        data={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
    )
    assert resp.status_code == 500
    assert b"InternalError" in resp.content
    assert b"secret internals" not in resp.content
    assert b"Traceback" not in resp.content


def test_clock_endpoint_advances_and_rejects_bad_input(lakebox_server):
    url = lakebox_server.endpoint_url + "/_lakebox/clock"
    before = requests.get(url).json()
    assert before["offset_seconds"] == 0
    after = requests.post(url, json={"advance": "31d"}).json()
    assert after["offset_seconds"] == 31 * 86400
    assert requests.post(url, json={"advance": "soon"}).status_code == 400
    assert requests.post(url, json={"set": "2001-01-01T00:00:00Z"}).status_code == 400
    assert requests.get(url).json()["offset_seconds"] == 31 * 86400


def test_small_reads_of_files_written_from_outside_are_hashed_off_the_event_loop(lakebox_server):
    # A file dropped into the lake folder is hashed on its first read. That read starts inline on
    # the event loop and must be handed to a worker; the answer is the same either way.
    import hashlib

    s3 = client("s3", lakebox_server)
    s3.create_bucket(Bucket="outside")
    folder = lakebox_server.data_dir / "s3" / "outside" / "engine"
    folder.mkdir(parents=True)
    payload = b"written by an engine" * 1000
    (folder / "part-0.parquet").write_bytes(payload)
    head = s3.head_object(Bucket="outside", Key="engine/part-0.parquet")
    assert head["ETag"] == '"%s"' % hashlib.md5(payload).hexdigest()
    assert head["ContentLength"] == len(payload)
    (folder / "part-1.parquet").write_bytes(payload[::-1])
    got = s3.get_object(Bucket="outside", Key="engine/part-1.parquet")
    assert got["Body"].read() == payload[::-1]
    assert got["ETag"] == '"%s"' % hashlib.md5(payload[::-1]).hexdigest()
    listed = s3.list_objects_v2(Bucket="outside")["Contents"]
    assert [o["Key"] for o in listed] == ["engine/part-0.parquet", "engine/part-1.parquet"]


def test_in_process_server_listens_on_a_tcp_socket_so_nagle_is_off(lakebox_server):
    """asyncio sets TCP_NODELAY only on sockets whose proto is TCP; without it every response sent
    as headers then body waits for the client's delayed ACK."""
    for server in lakebox_server._server.servers:
        for sock in server.sockets:
            assert sock.proto == socket.IPPROTO_TCP
    conn = http.client.HTTPConnection("127.0.0.1", lakebox_server.port)
    conn.request("GET", "/_lakebox/health")
    response = conn.getresponse()
    assert response.status == 200 and json.loads(response.read())["version"]
    conn.close()


def test_stopping_lets_a_response_in_flight_finish_and_closes_idle_connections(tmp_path):
    """The graceful shutdown: a response being streamed when stop is asked is sent whole; an idle
    keep-alive connection is closed; the port then refuses connections."""
    import threading

    from lakebox.testing import running_lakebox

    body = bytes(range(256)) * (16 * 4096)  # 16 MiB
    with running_lakebox(tmp_path) as server:
        s3 = boto3.client("s3", endpoint_url=server.endpoint_url, region_name="us-east-1")
        s3.create_bucket(Bucket="drain")
        s3.put_object(Bucket="drain", Key="big", Body=body)
        idle = http.client.HTTPConnection(server.host, server.port, timeout=10)
        idle.request("GET", "/_lakebox/health")
        assert idle.getresponse().read()
        streaming = s3.get_object(Bucket="drain", Key="big")["Body"]
        first = streaming.read(1 << 20)  # the response is under way
        stopper = threading.Thread(target=server.stop)
        stopper.start()
        rest = streaming.read()
        stopper.join(30)
        assert first + rest == body
        assert not stopper.is_alive()
        with pytest.raises(OSError):
            idle.request("GET", "/_lakebox/health")
            idle.getresponse()
        with pytest.raises(OSError):
            socket.create_connection((server.host, server.port), timeout=2).close()
