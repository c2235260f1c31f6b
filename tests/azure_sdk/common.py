"""Shared setup of the SDK oracle scripts: reads the environment `terrane sim serve` exports,
discovers the endpoints through the simulator's metadata endpoint (as a custom-cloud client
does), and builds Microsoft's management clients with a credential that calls the
simulator's token endpoint."""

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

HOST = os.environ["ARM_METADATA_HOSTNAME"]
TENANT = os.environ["ARM_TENANT_ID"]
SUBSCRIPTION = os.environ["ARM_SUBSCRIPTION_ID"]
CLIENT_ID = os.environ["ARM_CLIENT_ID"]
CLIENT_SECRET = os.environ["ARM_CLIENT_SECRET"]

with urllib.request.urlopen(f"http://{HOST}/metadata/endpoints?api-version=2022-09-01") as response:
    METADATA = json.load(response)
RESOURCE_MANAGER = METADATA["resourceManager"]
LOGIN = METADATA["authentication"]["loginEndpoint"].rstrip("/")
BASE = RESOURCE_MANAGER.rstrip("/")
LOCATION = "westeurope"


class SimulatorCredential:
    """A client-secret credential: the client credentials grant at the simulator's token
    endpoint (`{loginEndpoint}/{tenant}/oauth2/v2.0/token`)."""

    def __init__(self):
        self.requests = 0

    def get_token(self, *scopes, **kwargs):
        body = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "scope": scopes[0],
            }
        ).encode()
        with urllib.request.urlopen(f"{LOGIN}/{TENANT}/oauth2/v2.0/token", body) as response:
            token = json.load(response)
        self.requests += 1
        return AccessToken(token["access_token"], int(time.time()) + int(token["expires_in"]))


class LoopbackBearerPolicy(ARMChallengeAuthenticationPolicy):
    """ARM's bearer policy, allowed to send tokens over plain http to the loopback simulator."""

    def on_request(self, request):
        request.context["enforce_https"] = False
        return super().on_request(request)


CREDENTIAL = SimulatorCredential()


def client(cls, **kwargs):
    """A management client pointed at the simulator."""
    policy = LoopbackBearerPolicy(CREDENTIAL, "https://management.azure.com/.default")
    return cls(
        CREDENTIAL,
        SUBSCRIPTION,
        base_url=BASE,
        authentication_policy=policy,
        polling_interval=1,
        **kwargs,
    )


def token(scope="https://management.azure.com/.default"):
    return CREDENTIAL.get_token(scope).token


def raw(method, path, body=None, scope="https://management.azure.com/.default", headers=None, authorize=True):
    """A plain HTTP request: (status, headers with lower-case names, parsed JSON body or None)."""
    url = path if path.startswith("http") else f"{BASE}{path}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if authorize:
        request.add_header("Authorization", f"Bearer {token(scope)}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request) as response:
            content = response.read()
            return response.status, {k.lower(): v for k, v in response.headers.items()}, json.loads(content) if content else None
    except urllib.error.HTTPError as error:
        content = error.read()
        return error.code, {k.lower(): v for k, v in error.headers.items()}, json.loads(content) if content else None


def expect_error(status, code, call):
    """Runs `call`, which must fail with an ARM error of that status and code."""
    try:
        call()
    except HttpResponseError as error:
        assert error.status_code == status, f"expected {status}, got {error.status_code}: {error.message}"
        got = error.error.code if error.error else None
        assert got == code, f"expected error code {code}, got {got}: {error.message}"
        return error
    raise AssertionError(f"expected a {status} {code} error, the call succeeded")


def rg_id(name):
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}"
