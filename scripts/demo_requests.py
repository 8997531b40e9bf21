"""Send the demo's sample passengers to a running `mlpipe serve` and print what comes back."""

from __future__ import annotations

import json
import sys
import urllib.request

SAMPLES = [
    {"Age": 80, "Sex": "male", "Pclass": 3},  # the original project's sample, unchanged
    {"Name": "Smith, Mrs. Anna", "Sex": "female", "Age": 29, "Pclass": 1, "Fare": 80.0, "Embarked": "C"},
    {"Name": "Palsson, Master. Gosta", "Sex": "male", "Age": 2, "Pclass": 3, "SibSp": 3, "Parch": 1},
]


def post(url: str, payload: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(  # noqa: S310 (loopback URL from the demo)
        url, data=json.dumps(payload).encode(), headers={"content-type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return dict(json.loads(response.read()))


def main(base_url: str) -> None:
    api = post(f"{base_url}/predict", {"instances": SAMPLES})
    print(f"POST /predict -> {json.dumps(api)}")
    lambda_route = f"{base_url}/2015-03-31/functions/function/invocations"
    direct = post(lambda_route, {"instances": SAMPLES[:1]})
    print(f"POST {lambda_route.removeprefix(base_url)} -> {json.dumps(direct)}")
    for passenger, label, probability in zip(SAMPLES, api["predictions"], api["probabilities"], strict=True):  # type: ignore[call-overload]
        verdict = "survives" if label == 1 else "does not survive"
        print(f"  {json.dumps(passenger)}: {verdict} (p={probability:.2f})")


if __name__ == "__main__":
    main(sys.argv[1])
