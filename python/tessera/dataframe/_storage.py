"""Dask's ``storage_options=`` (the keywords of s3fs, gcsfs and fsspec's HTTP file system) as
the plain options the engine's remote storage takes."""

from __future__ import annotations

# Caching and buffering knobs of fsspec file systems: tessera reads ranges directly, so they
# have nothing to tune and are accepted without effect.
_IGNORED = {"default_block_size", "default_cache_type", "default_fill_cache", "skip_instance_cache",
            "use_listings_cache", "listings_expiry_time", "max_paths", "cache_regions"}
_CLIENT_KWARGS = {"region_name": "region", "endpoint_url": "endpoint_url", "aws_access_key_id": "key",
                  "aws_secret_access_key": "secret", "aws_session_token": "token", "headers": "headers"}
_TEXT = ("key", "secret", "token", "profile", "endpoint_url", "region")


def _headers(value, name):
    if not isinstance(value, dict):
        raise TypeError(f"storage_options: {name} takes a {{header: value}} dict, got {type(value).__name__}")
    return {str(k): str(v) for k, v in value.items()}


def normalize_storage_options(options) -> dict:
    """``{'anon': True}``, ``{'key': ..., 'secret': ..., 'token': ...}``, ``{'profile': ...}``,
    ``{'endpoint_url': ..., 'region': ...}``, ``{'client_kwargs': {'region_name': ...,
    'endpoint_url': ...}}``, ``{'requester_pays': True}``, ``{'headers': {...}}`` (also under
    client_kwargs, as fsspec's HTTP file system takes them), ``{'retries': n}``; gcsfs's
    ``token='anon'`` means anonymous. Anything else is rejected by name."""
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise TypeError(f"storage_options takes a dict, got {type(options).__name__}")
    result = {}
    for name, value in options.items():
        if name in _IGNORED:
            continue
        if value is None:
            if name == "token":
                continue
            raise TypeError(f"storage_options: {name}=None is not a value; leave it out")
        if name == "anon" or name == "requester_pays":
            result[name] = bool(value)
        elif name == "token" and value == "anon":
            result["anon"] = True
        elif name in _TEXT:
            if not isinstance(value, str):
                raise TypeError(f"storage_options: {name} takes a string, got {type(value).__name__}"
                                + (" (tessera takes an OAuth2 access token as text)" if name == "token" else ""))
            result[name] = value
        elif name == "headers":
            result["headers"] = {**result.get("headers", {}), **_headers(value, "headers")}
        elif name == "retries":
            if int(value) < 0:
                raise ValueError(f"storage_options: retries must be 0 or more, got {value}")
            result["retries"] = int(value)
        elif name == "client_kwargs":
            if not isinstance(value, dict):
                raise TypeError(f"storage_options: client_kwargs takes a dict, got {type(value).__name__}")
            for inner, inner_value in value.items():
                if inner not in _CLIENT_KWARGS:
                    raise TypeError(f"storage_options: unknown client_kwargs option {inner!r}; tessera takes "
                                    + ", ".join(sorted(_CLIENT_KWARGS)))
                target = _CLIENT_KWARGS[inner]
                if target == "headers":
                    result["headers"] = {**result.get("headers", {}), **_headers(inner_value, "client_kwargs headers")}
                else:
                    result[target] = str(inner_value)
        else:
            raise TypeError(f"storage_options: unknown option {name!r}; tessera takes anon, key, secret, token, "
                            "profile, endpoint_url, region, requester_pays, headers, retries and client_kwargs")
    return result


def is_url(path: str) -> bool:
    """Whether `path` names a remote object (s3://, gs://, gcs://, http(s)://)."""
    scheme, separator, _ = path.partition("://")
    return bool(separator) and scheme.lower() not in ("file", "")
