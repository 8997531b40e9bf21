"""Hypothesis strategies for Lambda events of every shape, each tagged with whether it must succeed.

A `Case` is an event plus `valid`: True when the event is certainly a correct prediction request (it
must get a 200 when a model is served, else a 503), False when it may be anything (it must then get a
200 or a 4xx, never a 500). Bodies are built with `json.dumps`, then optionally broken.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from lambda_inference.request import MAX_BODY_BYTES, MAX_INSTANCES
from tests.unit.lambda_inference.fakes import load_event

HTTP_EVENT = load_event("http_api_v2_predict.json")
FEATURES = ("Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked", "Name", "Cabin")
# Built once: generating six megabytes per example would dominate the run time.
OVERSIZE_BODY = json.dumps({"instances": [{"Name": "x" * 1024}] * (MAX_BODY_BYTES // 1024 + 8)})
OVERSIZE_BATCH = {"instances": [{"Age": 1}] * (MAX_INSTANCES + 1)}


@dataclass(frozen=True)
class Case:
    event: Any
    valid: bool
    shape: str


huge_numbers = st.sampled_from([10**400, -(10**400), 1e308, -1e308, 3.5e38, 2**63, 2**64 + 1, 1e-320])
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | huge_numbers
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(
        ["", " ", "NaN", "inf", "-Infinity", "1e999", "male", "S", "Smith, Mr. John", "a," + " " * 3000]
    )
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
feature_keys = st.sampled_from(FEATURES) | st.text(max_size=12)

valid_instances = st.fixed_dictionaries(
    # The served model's required inputs (the serving contract): a request without them is a 400.
    {
        "Pclass": st.sampled_from([1, 2, 3, "1", 2.0]),
        "Sex": st.sampled_from(["male", "female", "unknown"]),  # "unknown": scored as missing, a warning
    },
    optional={
        "Age": st.none() | st.floats(min_value=0, max_value=120),
        "SibSp": st.integers(min_value=0, max_value=8),
        "Parch": st.integers(min_value=0, max_value=6),
        "Fare": st.floats(min_value=0, max_value=600),
        "Embarked": st.sampled_from(["S", "C", "Q", None]),
        "Name": st.sampled_from(["Braund, Mr. Owen Harris", "Heikkinen, Miss. Laina", "no title"]),
        "Cabin": st.none() | st.text(max_size=5),
        "Ticket": json_values,  # another column of the training data: known, ignored
    },
)
any_instances = st.dictionaries(feature_keys, json_values, max_size=10)
valid_payloads = st.builds(
    lambda items, extra: {**extra, "instances": items},
    st.lists(valid_instances, min_size=1, max_size=20),
    st.dictionaries(st.text(max_size=6).filter(lambda k: k != "instances"), json_values, max_size=2),
)
any_payloads = (
    st.builds(lambda items: {"instances": items}, st.lists(any_instances | json_values, max_size=8))
    | st.dictionaries(st.text(max_size=10), json_values, max_size=4)
    | json_values
    | st.just(OVERSIZE_BATCH)
)


def _broken_texts(text: str) -> st.SearchStrategy[str]:
    """The body text, truncated, with junk inserted, or replaced by something that is not JSON."""
    return st.one_of(
        st.integers(min_value=0, max_value=max(len(text) - 1, 0)).map(lambda cut: text[:cut]),
        st.tuples(st.integers(min_value=0, max_value=len(text)), st.text(min_size=1, max_size=4)).map(
            lambda insert: text[: insert[0]] + insert[1] + text[insert[0] :]
        ),
        st.text(max_size=60),
        st.sampled_from(["[" * 100_000, '{"instances": [' * 5000, "1" * 5000, "NaN", "\x00", "\ud800"]),
        st.sampled_from(['{"instances": [{"Age": 1' + "0" * 400 + "}]}", OVERSIZE_BODY]),
    )


@st.composite
def http_events(draw: st.DrawFn) -> Case:
    """API Gateway HTTP API v2.0 events: valid, broken bodies, broken base64, wrong types, missing keys."""
    valid = draw(st.booleans())
    text = json.dumps(draw(valid_payloads if valid else any_payloads))
    if not valid and draw(st.booleans()):
        text = draw(_broken_texts(text))
    encoded = draw(st.booleans())
    body: Any = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode() if encoded else text
    event = {**HTTP_EVENT, "body": body, "isBase64Encoded": encoded}
    if not valid:
        if encoded and draw(st.booleans()):
            event["body"] = draw(st.sampled_from(["%%%", "e30", body[:-1] + "!", "a" * 4097]))
        if draw(st.booleans()):
            event["isBase64Encoded"] = draw(json_values)
        if draw(st.booleans()):
            event["body"] = draw(json_values)
        for key in draw(st.lists(st.sampled_from(sorted(event)), max_size=3)):
            event.pop(key, None)
        event.update(draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3)))
    return Case(event=event, valid=valid, shape="http")


@st.composite
def direct_events(draw: st.DrawFn) -> Case:
    """Direct invocations (`{"instances": [...]}`), valid or with anything in place of the instances."""
    valid = draw(st.booleans())
    payload = draw(valid_payloads if valid else any_payloads)
    return Case(event=payload, valid=valid and isinstance(payload, dict), shape="direct")


non_dict_events = (
    (json_values | st.binary(max_size=20) | st.tuples(st.integers()))
    .filter(lambda event: not isinstance(event, dict))
    .map(lambda event: Case(event=event, valid=False, shape="not_an_object"))
)

# HTTP events have the most ways to go wrong: they get half of the draws.
cases = st.one_of(http_events(), http_events(), direct_events(), non_dict_events)
