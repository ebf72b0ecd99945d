"""Getting an envelope to the skill: the skill object in this process, or a dev server.

In process, the envelope takes the path a web request takes after verification: the
skill's serializer reads it, the skill handles it, the serializer writes the response.
Over HTTP it is POSTed to a running `porchlight serve --dev` (which checks timestamps,
so the server's clock is the one that counts).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Protocol

HTTP_TIMEOUT_SECONDS = 10


class RehearsalError(RuntimeError):
    """The skill could not be reached or answered with an error; the message says which."""


class Transport(Protocol):
    """Sends one request envelope to the skill and returns its response envelope."""

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """The skill's response to ``envelope``."""


class InProcess:
    """The skill object built in this process (skill.builder.build_skill)."""

    def __init__(self, skill: Any) -> None:
        self.skill = skill

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        from ask_sdk_model import RequestEnvelope

        serializer = self.skill.serializer
        request = serializer.deserialize(json.dumps(envelope), RequestEnvelope)
        response: dict[str, Any] = serializer.serialize(
            self.skill.invoke(request_envelope=request, context=None))
        return response


class OverHttp:
    """A running `porchlight serve --dev` at ``url`` (…/alexa)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(envelope).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as answer:
                payload: dict[str, Any] = json.loads(answer.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:300]
            error.close()
            raise RehearsalError(f"{self.url} answered {error.code}: {detail} (is it running "
                                 "with --dev? signatures are checked otherwise)") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise RehearsalError(f"cannot reach {self.url}: {error}; start it with "
                                 "`porchlight serve --dev`") from None
        return payload
