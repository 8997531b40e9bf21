"""Hot swap under load: clients post to `pipeline.serve` while versions are approved and rejected.

Every answer must be a 200 whose `model_version` was the latest approved version at some moment
between (request sent - refresh lag) and (answer received); the lag is the documented refresh interval.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from lambda_inference.model_loader import ModelLoader
from pipeline.serve import PredictionServer
from tests.integration.serving.conftest import LocalBackend

REFRESH_SECONDS = 0.2
# A refresh started just before a change finishes after it; allow one more interval and scheduling slack.
LAG_SECONDS = 2 * REFRESH_SECONDS + 0.5
CLIENTS = 4
PHASE_SECONDS = 1.2
BODY = json.dumps({"instances": [{"Age": 30, "Sex": "male", "Pclass": 2, "Fare": 20.5}]})


@dataclass(frozen=True)
class Answer:
    sent: float
    received: float
    status: int
    version: str | None


class Timeline:
    """When each version became the latest approved one (monotonic clock)."""

    def __init__(self) -> None:
        self.changes: list[tuple[float, str]] = []

    def record(self, version: int) -> None:
        self.changes.append((time.monotonic(), str(version)))

    def latest_between(self, start: float, end: float) -> set[str]:
        before = [version for at, version in self.changes if at <= start]
        during = {version for at, version in self.changes if start < at <= end}
        return set(before[-1:]) | during


def post_until(port: int, stop: threading.Event, answers: list[Answer]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while not stop.is_set():
        sent = time.monotonic()
        connection.request("POST", "/predict", BODY, {"Content-Type": "application/json"})
        response = connection.getresponse()
        body = json.loads(response.read())
        answers.append(Answer(sent, time.monotonic(), response.status, body.get("model_version")))
    connection.close()


@pytest.fixture
def server(tmp_path, model_archives) -> Iterator[tuple[PredictionServer, LocalBackend]]:
    backend = LocalBackend(tmp_path / "home")
    loader = ModelLoader(backend.registry, backend.store, refresh_seconds=REFRESH_SECONDS)
    server = PredictionServer(("127.0.0.1", 0), loader)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server, backend
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.slow
def test_every_answer_comes_from_a_version_approved_at_that_moment(server, model_archives) -> None:
    prediction_server, backend = server
    timeline, stop = Timeline(), threading.Event()
    answers: list[Answer] = []
    backend.register(model_archives[0])
    timeline.record(1)
    clients = [
        threading.Thread(target=post_until, args=(prediction_server.server_address[1], stop, answers))
        for _ in range(CLIENTS)
    ]
    for client in clients:
        client.start()

    # when: approve 2, reject 2 (back to 1), approve 3, under load
    time.sleep(PHASE_SECONDS)
    # Each change is recorded as it starts: no answer can carry it earlier than that.
    timeline.record(2)
    backend.register(model_archives[1])
    time.sleep(PHASE_SECONDS)
    timeline.record(1)
    backend.registry.set_status(2, "Rejected")
    time.sleep(PHASE_SECONDS)
    timeline.record(3)
    backend.register(model_archives[2])
    time.sleep(PHASE_SECONDS)
    stop.set()
    for client in clients:
        client.join()

    # then
    errors = [a for a in answers if a.status != 200]
    wrong = [a for a in answers if a.version not in timeline.latest_between(a.sent - LAG_SECONDS, a.received)]
    served = {str(a.version) for a in answers}
    print(
        f"hot swap: {len(answers)} requests from {CLIENTS} clients, {len(errors)} errors, "
        f"{len(wrong)} answers from a version not approved at that moment, versions served {sorted(served)}"
    )
    assert errors == [] and wrong == []
    assert served == {"1", "2", "3"}
    assert answers[-1].version == "3"
