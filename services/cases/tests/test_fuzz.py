"""Both cases APIs fuzzed from their OpenAPI document (schemathesis): no input makes the service answer 5xx.

The service runs for real (uvicorn on loopback, PostgreSQL, Kafka, S3). Requests carry valid
credentials for their API and, for operations on one case, that case's real id, so the
generated bodies reach the handlers rather than stopping at authentication or 404.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from pixhound_events.v1 import matches_pb2
from pixhound_platform.testing import EventProbe, bearer

pytestmark = pytest.mark.infra
ADMIN = {"Authorization": "Bearer fuzz-operator-token"}
EXAMPLES_PER_OPERATION = 12


def _seed(base: str, infra_settings: dict) -> tuple[str, dict[str, str]]:
    async def publish() -> None:
        async with EventProbe(infra_settings["kafka_bootstrap"], infra_settings["topic_prefix"]) as probe:
            await probe.publish(
                matches_pb2.MatchFound(
                    match_id="m",
                    photo_id="p",
                    owner_id="fuzzer",
                    discovery_id="d",
                    page_url="https://fuzz.example/",
                    image_url="https://fuzz.example/i.jpg",
                    score=0.9,
                    site_host="fuzz.example",
                )
            )

    asyncio.run(publish())
    owner = bearer("fuzzer")
    with httpx.Client(base_url=base, timeout=30) as client:
        case_id = None
        for _ in range(200):
            items = client.get("/v1/cases", headers=owner).json()["items"]
            if items:
                case_id = items[0]["id"]
                break
            time.sleep(0.1)
        assert case_id, "the seeded case did not open"
        agency = client.post(
            "/admin/v1/agencies",
            headers=ADMIN,
            json={"name": "Fuzz Agency", "contact_email": "f@x.example", "fee_percent": "30"},
        ).json()
        token = client.post(f"/admin/v1/agencies/{agency['id']}/keys", headers=ADMIN, json={}).json()["token"]
        client.put(
            f"/v1/cases/{case_id}/pricing",
            headers=owner,
            json={"licence_price": 30000, "surcharge_percent": "100", "floor_price": 40000},
        )
        client.post(f"/v1/cases/{case_id}/confirm", headers=owner, json={})
        assert (
            client.post(f"/v1/cases/{case_id}/recovery", headers=owner, json={"agency_id": agency["id"]}).status_code
            == 200
        )
    return case_id, {
        "/v1/": owner["Authorization"],
        "/partner/v1/": f"Bearer {token}",
        "/admin/v1/": ADMIN["Authorization"],
    }


def test_no_input_makes_the_cases_apis_fail_with_5xx(live_cases):
    base, app, infra_settings = live_cases
    case_id, credentials = _seed(base, infra_settings)
    schema = schemathesis.openapi.from_dict(app.openapi())
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40

    def exercise_operation(operation) -> None:
        prefix = next((p for p in credentials if operation.path.startswith(p)), None)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def exercise(case):
            if "case_id" in (case.path_parameters or {}):
                case.path_parameters["case_id"] = case_id
            headers = dict(case.headers or {})
            if prefix is not None:
                headers["Authorization"] = credentials[prefix]
            response = case.call(base_url=base, headers=headers, timeout=30)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")

        exercise()

    for operation in operations:
        exercise_operation(operation)
    assert not failures, "\n".join(failures[:20])
