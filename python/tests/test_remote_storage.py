"""read_csv / to_csv on s3://, gs://, http(s):// and file:// URLs, against servers on
loopback: moto's S3 server and a threaded HTTP server with byte ranges (storage_servers.py).
pandas reading the same files locally is the oracle."""

import gzip
import io
import os

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.utils import assert_eq

from storage_servers import FileServer, MotoServer

pytest.importorskip("moto")
pytest.importorskip("boto3")

BUCKET = "tessera-test"


def _frame(seed, n):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "i": rng.integers(-1000, 1000, n),
        "f": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
        "s": rng.choice(["apple", "banana, split", 'say "hi"', "dürian", ""], n),
        "t": pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 86400 * 30, n), unit="s"),
    })


@pytest.fixture(scope="module")
def local_files(tmp_path_factory):
    """Three CSV files (one of about 6 MB, so reads run ahead of parsing) and their gzip."""
    root = tmp_path_factory.mktemp("remote-data")
    (root / "data" / "sub").mkdir(parents=True)
    sizes = [200, 150_000, 3_000]
    for number, n in enumerate(sizes):
        _frame(number, n).to_csv(root / "data" / f"part-{number}.csv", index=False)
    _frame(9, 50).to_csv(root / "data" / "sub" / "part-9.csv", index=False)
    (root / "data" / "notes.txt").write_text("not a csv\n")
    with open(root / "data" / "part-0.csv", "rb") as plain, gzip.open(root / "data" / "zipped.csv.gz", "wb") as packed:
        packed.write(plain.read())
    return root


def _expected(root, names):
    return pd.concat([pd.read_csv(root / "data" / name, parse_dates=["t"]) for name in names], ignore_index=True)


def _round_trip(frame):
    """What pandas reads back from the CSV pandas writes for `frame`."""
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)), parse_dates=["t"])


@pytest.fixture(scope="module")
def moto(local_files):
    server = MotoServer()
    client = server.client()
    client.create_bucket(Bucket=BUCKET, ACL="public-read")
    for directory, _, files in os.walk(local_files / "data"):
        for name in files:
            path = os.path.join(directory, name)
            client.upload_file(path, BUCKET, os.path.relpath(path, local_files), ExtraArgs={"ACL": "public-read"})
    yield server
    server.stop()


@pytest.fixture
def s3_options(moto):
    return {"key": "testing", "secret": "testing", "endpoint_url": moto.endpoint}


@pytest.fixture
def http(local_files):
    server = FileServer(str(local_files))
    yield server
    server.stop()


@pytest.fixture
def clean_aws_environment(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
                 "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    return monkeypatch


def test_read_csv_s3_glob_equals_local(local_files, s3_options):
    df = dd.read_csv(f"s3://{BUCKET}/data/part-*.csv", parse_dates=["t"], blocksize="1MB", storage_options=s3_options)
    assert df.npartitions > 5
    # '*' does not cross '/': data/sub/part-9.csv is not matched; the files come sorted.
    expected = _expected(local_files, ["part-0.csv", "part-1.csv", "part-2.csv"])
    assert_eq(df.compute(), expected, check_index=False)
    assert_eq(df.groupby("s").i.sum(), expected.groupby("s").i.sum())


def test_read_csv_s3_compressed_and_single_object(local_files, s3_options):
    zipped = dd.read_csv(f"s3://{BUCKET}/data/zipped.csv.gz", parse_dates=["t"], storage_options=s3_options)
    assert_eq(zipped.compute(), _expected(local_files, ["part-0.csv"]), check_index=False)
    one = dd.read_csv([f"s3://{BUCKET}/data/sub/part-9.csv"], parse_dates=["t"], storage_options=s3_options)
    assert_eq(one.compute(), _expected(local_files, ["sub/part-9.csv"]), check_index=False)


def test_read_csv_gcs_url_through_the_s3_protocol(local_files, moto):
    # gs:// goes through GCS's S3-interoperable XML API (listing with markers); here the
    # S3 server stands in for it, so this checks the gs:// paths, not GCS itself.
    df = dd.read_csv(f"gs://{BUCKET}/data/part-[02].csv", parse_dates=["t"],
                     storage_options={"endpoint_url": moto.endpoint, "anon": True})
    assert_eq(df.compute(), _expected(local_files, ["part-0.csv", "part-2.csv"]), check_index=False)
    df = dd.read_csv(f"gcs://{BUCKET}/data/part-2.csv", parse_dates=["t"],
                     storage_options={"endpoint_url": moto.endpoint, "token": "anon"})
    assert_eq(df.compute(), _expected(local_files, ["part-2.csv"]), check_index=False)


def test_read_csv_http_and_file_urls_equal_local(local_files, http):
    urls = [f"{http.url}/data/part-{n}.csv" for n in range(3)]
    df = dd.read_csv(urls, parse_dates=["t"], blocksize="1MB")
    expected = _expected(local_files, ["part-0.csv", "part-1.csv", "part-2.csv"])
    assert_eq(df.compute(), expected, check_index=False)
    ranged = [headers.get("Range") for method, path, headers in http.requests if method == "GET"]
    assert all(r and r.startswith("bytes=") for r in ranged)
    df = dd.read_csv(f"file://{local_files}/data/part-*.csv", parse_dates=["t"])
    assert_eq(df.compute(), expected, check_index=False)


def test_to_csv_s3_one_object_per_partition_and_multipart(local_files, moto, s3_options, frame):
    client = moto.client()
    df = dd.from_pandas(frame, npartitions=3)
    paths = df.to_csv(f"s3://{BUCKET}/out/part-*.csv", index=False, storage_options=s3_options)
    assert paths == [f"s3://{BUCKET}/out/part-{n}.csv" for n in range(3)]
    back = dd.read_csv(f"s3://{BUCKET}/out/part-*.csv", parse_dates=["t"], storage_options=s3_options)
    assert_eq(back.compute(), _round_trip(frame), check_index=False)
    named = df.to_csv(f"s3://{BUCKET}/named/day-*.csv", name_function=lambda n: f"2015-01-0{n + 1}",
                      storage_options=s3_options)
    assert named[-1] == f"s3://{BUCKET}/named/day-2015-01-03.csv"
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix="named/")["Contents"]
    assert sorted(o["Key"] for o in listed) == [f"named/day-2015-01-0{n}.csv" for n in (1, 2, 3)]
    # Over 8 MiB: written as a multipart upload, read back by boto3 as the oracle.
    large = _frame(3, 250_000)
    dd.from_pandas(large, npartitions=2).to_csv(f"s3://{BUCKET}/large.csv", index=False, storage_options=s3_options)
    body = client.get_object(Bucket=BUCKET, Key="large.csv")["Body"].read()
    assert len(body) > 8 << 20
    assert_eq(pd.read_csv(io.BytesIO(body), parse_dates=["t"]), _round_trip(large))


def test_missing_objects_and_buckets_name_the_url(moto, s3_options, http):
    with pytest.raises(OSError, match=rf"no such object s3://{BUCKET}/data/missing.csv \(HTTP 404"):
        dd.read_csv(f"s3://{BUCKET}/data/missing.csv", storage_options=s3_options)
    with pytest.raises(OSError, match=rf"no objects match 's3://{BUCKET}/data/nothing-\*.csv'"):
        dd.read_csv(f"s3://{BUCKET}/data/nothing-*.csv", storage_options=s3_options)
    with pytest.raises(OSError, match="no such bucket 'no-such-bucket'"):
        dd.read_csv("s3://no-such-bucket/*.csv", storage_options=s3_options)
    with pytest.raises(OSError, match=rf"no such object {http.url}/gone.csv \(HTTP 404\)"):
        dd.read_csv(f"{http.url}/gone.csv")
    assert http.count("/gone.csv") == 1  # a 404 is not retried


def test_anonymous_reads_of_public_objects(local_files, moto, clean_aws_environment):
    df = dd.read_csv(f"s3://{BUCKET}/data/part-*.csv", parse_dates=["t"],
                     storage_options={"anon": True, "endpoint_url": moto.endpoint})
    assert_eq(df.compute(), _expected(local_files, ["part-0.csv", "part-1.csv", "part-2.csv"]), check_index=False)


def test_forbidden_objects_say_how_to_give_credentials(http, clean_aws_environment):
    http.forbidden.add("/bucket/data/part-0.csv")
    with pytest.raises(OSError, match=r"access denied to s3://bucket/data/part-0.csv \(HTTP 403.*without credentials"
                                      r".*AWS_ACCESS_KEY_ID"):
        dd.read_csv("s3://bucket/data/part-0.csv", storage_options={"endpoint_url": http.url})
    with pytest.raises(OSError, match=r"HTTP 403.*credentials from storage_options key/secret are not allowed"):
        dd.read_csv("s3://bucket/data/part-0.csv", storage_options={"endpoint_url": http.url, "key": "k", "secret": "s"})
    assert http.count("/bucket/data/part-0.csv") == 2  # a 403 is not retried
    http.forbidden.add("/data/part-0.csv")
    with pytest.raises(OSError, match=rf"access denied to {http.url}/data/part-0.csv.*headers"):
        dd.read_csv(f"{http.url}/data/part-0.csv")


def test_throttling_and_server_errors_are_retried(local_files, http):
    http.fail_first["/data/part-2.csv"] = (2, 503)
    df = dd.read_csv(f"{http.url}/data/part-2.csv", parse_dates=["t"])
    assert_eq(df.compute(), _expected(local_files, ["part-2.csv"]), check_index=False)
    http.fail_first["/data/part-0.csv"] = (3, 503)
    with pytest.raises(OSError, match=r"part-0.csv \(HTTP 503\) after 3 attempts"):
        dd.read_csv(f"{http.url}/data/part-0.csv", storage_options={"retries": 2})
    http.fail_first["/data/part-0.csv"] = (1, 429)
    df = dd.read_csv(f"{http.url}/data/part-0.csv", parse_dates=["t"])
    assert_eq(df.compute(), _expected(local_files, ["part-0.csv"]), check_index=False)
    http.fail_first["/data/part-0.csv"] = (2, 0)  # dropped connections
    df = dd.read_csv(f"{http.url}/data/part-0.csv", parse_dates=["t"])
    assert_eq(df.compute(), _expected(local_files, ["part-0.csv"]), check_index=False)
    assert http.fail_first["/data/part-0.csv"][0] == 0


def test_an_object_replaced_during_a_read_is_reported(moto, s3_options):
    client = moto.client()
    body = _frame(5, 600_000).to_csv(index=False).encode()
    assert len(body) > 20 << 20  # beyond what reading the header fetches ahead
    client.put_object(Bucket=BUCKET, Key="changing.csv", Body=body)
    df = dd.read_csv(f"s3://{BUCKET}/changing.csv", blocksize="4MB", storage_options=s3_options)
    client.put_object(Bucket=BUCKET, Key="changing.csv", Body=body.replace(b"apple", b"pear!"))
    with pytest.raises(OSError, match=rf"s3://{BUCKET}/changing.csv changed while it was being read \(HTTP 412"):
        df.compute()


def test_signing_and_storage_option_forms(local_files, http, clean_aws_environment, tmp_path):
    """The minimal S3 of the file server records what each form of credentials sends."""
    expected = _expected(local_files, ["part-2.csv"])
    url = "s3://data/part-2.csv"

    def authorization(options):
        http.requests.clear()
        assert_eq(dd.read_csv(url, parse_dates=["t"], storage_options=options).compute(), expected,
                  check_index=False)
        return [headers for _, _, headers in http.requests]

    anonymous = authorization({"anon": True, "endpoint_url": http.url, "key": "ignored", "secret": "ignored"})
    assert all("Authorization" not in h for h in anonymous)

    signed = authorization({"key": "AKEXPLICIT", "secret": "s", "token": "session", "requester_pays": True,
                            "client_kwargs": {"endpoint_url": http.url, "region_name": "eu-central-1"}})
    assert all(h["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKEXPLICIT/") for h in signed)
    assert all("/eu-central-1/s3/aws4_request" in h["Authorization"] for h in signed)
    assert all(h["x-amz-security-token"] == "session" and h["x-amz-request-payer"] == "requester" for h in signed)

    clean_aws_environment.setenv("AWS_ACCESS_KEY_ID", "AKENVIRONMENT")
    clean_aws_environment.setenv("AWS_SECRET_ACCESS_KEY", "s")
    clean_aws_environment.setenv("AWS_ENDPOINT_URL", http.url)
    clean_aws_environment.setenv("AWS_DEFAULT_REGION", "us-west-2")
    from_environment = authorization(None)
    assert all("Credential=AKENVIRONMENT/" in h["Authorization"] and "/us-west-2/" in h["Authorization"]
               for h in from_environment)

    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\naws_access_key_id = AKDEFAULT\naws_secret_access_key = s\n"
                           "[analytics]\naws_access_key_id = AKPROFILE\naws_secret_access_key = s\n")
    clean_aws_environment.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    from_profile = authorization({"profile": "analytics"})  # a named profile wins over the environment
    assert all("Credential=AKPROFILE/" in h["Authorization"] for h in from_profile)
    clean_aws_environment.delenv("AWS_ACCESS_KEY_ID")
    from_default = authorization({})
    assert all("Credential=AKDEFAULT/" in h["Authorization"] for h in from_default)


def test_http_headers_option(local_files, http):
    http.required_headers["Authorization"] = "Bearer secret-token"
    with pytest.raises(OSError, match=r"HTTP 401"):
        dd.read_csv(f"{http.url}/data/part-2.csv")
    df = dd.read_csv(f"{http.url}/data/part-2.csv", parse_dates=["t"],
                     storage_options={"headers": {"Authorization": "Bearer secret-token"}})
    assert_eq(df.compute(), _expected(local_files, ["part-2.csv"]), check_index=False)
    df = dd.read_csv(f"{http.url}/data/part-2.csv", parse_dates=["t"],
                     storage_options={"client_kwargs": {"headers": {"Authorization": "Bearer secret-token"}}})
    assert_eq(df.compute(), _expected(local_files, ["part-2.csv"]), check_index=False)


def test_bad_storage_options_and_urls_are_named(http, frame):
    with pytest.raises(TypeError, match="unknown option 'acl'"):
        dd.read_csv("s3://b/x.csv", storage_options={"acl": "private"})
    with pytest.raises(TypeError, match="unknown client_kwargs option 'verify'"):
        dd.read_csv("s3://b/x.csv", storage_options={"client_kwargs": {"verify": False}})
    with pytest.raises(TypeError, match="storage_options takes a dict"):
        dd.read_csv("s3://b/x.csv", storage_options="anon")
    with pytest.raises(ValueError, match="unsupported URL scheme 'ftp://'"):
        dd.read_csv("ftp://host/x.csv")
    with pytest.raises(ValueError, match="globs need a listing"):
        dd.read_csv(f"{http.url}/data/*.csv")
    with pytest.raises(ValueError, match="writing over http"):
        dd.from_pandas(frame, npartitions=1).to_csv(f"{http.url}/out.csv")
