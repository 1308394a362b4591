"""Fault injection for live mode: AWS answers via botocore's ``before-send`` event (the
request never leaves the client, botocore's own retry logic still runs), Kubernetes answers
via a subclass of the fake API's request handler (real HTTP on the wire).

AWS faults, per operation: throttling for the first N attempts or always, 5xx, a read
timeout, a truncated JSON or XML body, an expired-token rejection, and a paginated answer
whose second page fails. Kubernetes faults, per resource: a status code, a truncated body,
a hang longer than the client timeout, a dropped connection, and a second page that fails.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fake_kube import FakeKube
from live_helpers import RawBody, error_body

# ---- AWS ----------------------------------------------------------------------------------------


@dataclass
class AwsFault:
    """What to do with a request for ``operation``; ``attempts`` counts what it saw."""

    operation: str
    answer: Callable[[Any, Any, int], Any]  # (client, request, attempt) -> response or None
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, client: Any) -> None:
        service_id = client.meta.service_model.service_id.hyphenize()

        def before_send(request: Any, **_: Any) -> Any:
            with self.lock:
                self.attempts += 1
                attempt = self.attempts
            return self.answer(client, request, attempt)

        client.meta.events.register(f"before-send.{service_id}.{self.operation}", before_send)


def _response(client: Any, request: Any, status: int, headers: dict[str, str], body: bytes) -> Any:
    from botocore.awsrequest import AWSResponse

    return AWSResponse(request.url, status, headers, RawBody(body))


def error(status: int, code: str, message: str = "injected by efs-doctor's fault tests"):  # type: ignore[no-untyped-def]
    """Answer every attempt with this error."""

    def answer(client: Any, request: Any, attempt: int) -> Any:
        protocol = client.meta.service_model.protocol
        headers, body = error_body(protocol, code, message)
        return _response(client, request, status, headers, body)

    return answer


def throttled(times: int | None):  # type: ignore[no-untyped-def]
    """Throttle the first ``times`` attempts (None: every attempt), then let them through."""

    def answer(client: Any, request: Any, attempt: int) -> Any:
        if times is not None and attempt > times:
            return None  # sent to moto for real
        protocol = client.meta.service_model.protocol
        code = "RequestLimitExceeded" if protocol == "ec2" else "ThrottlingException"
        status = 503 if protocol == "ec2" else 400
        headers, body = error_body(protocol, code, "Rate exceeded")
        return _response(client, request, status, headers, body)

    return answer


def read_timeout():  # type: ignore[no-untyped-def]
    def answer(client: Any, request: Any, attempt: int) -> Any:
        from botocore.exceptions import ReadTimeoutError

        raise ReadTimeoutError(endpoint_url=request.url)

    return answer


def truncated(body: bytes):  # type: ignore[no-untyped-def]
    """A 200 whose body stops halfway."""

    def answer(client: Any, request: Any, attempt: int) -> Any:
        protocol = client.meta.service_model.protocol
        kind = "text/xml" if protocol in ("ec2", "query") else "application/json"
        return _response(client, request, 200, {"Content-Type": kind}, body[: len(body) // 2])

    return answer


def second_page_fails(first_page: bytes, status: int = 500):  # type: ignore[no-untyped-def]
    """Page one (a JSON body with a next-page marker) answers; every later request fails."""

    def answer(client: Any, request: Any, attempt: int) -> Any:
        if attempt == 1:
            return _response(client, request, 200, {"Content-Type": "application/json"}, first_page)
        protocol = client.meta.service_model.protocol
        headers, body = error_body(protocol, "InternalServerError", "page two failed")
        return _response(client, request, status, headers, body)

    return answer


# ---- Kubernetes ---------------------------------------------------------------------------------


@dataclass
class KubeFault:
    """``kind``: "status" (answer ``status``), "truncated" (half a JSON body), "hang" (sleep
    ``seconds`` first), "drop" (close the connection), "page-two" (pages of one item; the
    second page answers ``status``)."""

    kind: str
    status: int = 500
    seconds: float = 0.0


class FaultyKube(FakeKube):
    """The fake API with faults per resource plural (``faults``); everything else as is."""

    def __init__(self, objects: Any, faults: dict[str, KubeFault], **kwargs: Any) -> None:
        self.faults = faults
        super().__init__(objects, **kwargs)

    def __post_init__(self) -> None:
        super().__post_init__()
        fake = self
        base = self.httpd.RequestHandlerClass

        class Faulty(base):  # type: ignore[misc, valid-type]
            def _answer(self, method: str) -> None:
                plural = next((p for p in fake.faults if f"/{p}" in self.path), None)
                fault = fake.faults.get(plural) if plural else None
                if fault is None or method != "GET":
                    return super()._answer(method)
                if fault.kind == "hang":
                    time.sleep(fault.seconds)
                    with contextlib.suppress(OSError):  # the client gave up long ago
                        super()._answer(method)
                    return None
                if fault.kind == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                if fault.kind == "page-two":
                    if "continue=" in self.path:
                        return self._raw(fault.status, _status_body(fault.status))
                    sep = "&" if "?" in self.path else "?"
                    self.path = self.path.replace("limit=500", "limit=1") + f"{sep}limit=1"
                    return super()._answer(method)
                body = _status_body(fault.status)
                if fault.kind == "truncated":
                    full = json.dumps(
                        {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": [{}] * 50}
                    ).encode()
                    return self._raw(200, full[: len(full) // 2])
                return self._raw(fault.status, body)

            def _raw(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd.RequestHandlerClass = Faulty


def _status_body(code: int) -> bytes:
    return json.dumps(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f"injected {code}",
            "reason": "InternalError" if code >= 500 else "Unauthorized",
            "code": code,
        }
    ).encode()
