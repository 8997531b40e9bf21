from __future__ import annotations

import json

from bench.serving import PASSENGER, prediction_event, warm_percentiles


def test_warm_percentiles_are_in_milliseconds() -> None:
    latencies_ns = [i * 1000 for i in range(1, 101)]  # 1 us .. 100 us
    p50, p99 = warm_percentiles(latencies_ns)
    assert p50 == 0.0505
    assert round(p99, 5) == 0.09901


def test_both_stacks_get_the_same_http_api_event_with_one_passenger() -> None:
    event = prediction_event()
    assert event["requestContext"]["http"]["method"] == "POST"
    assert json.loads(event["body"]) == {"instances": [PASSENGER]}
