"""Scope first, always (issue 14, "What broke" 2): on every action route, a request about
another department's row answers 404 (or 403) whatever its payload, never the 422 of a
domain check, so another department's deadlines and done state cannot be found by
bisection (a deadline before or after the day sent, a task done or open)."""

from __future__ import annotations

import pytest

from tests.support.web import csrf_token

pytestmark = pytest.mark.usefixtures("leaves_no_rows")

# days around department B's deadline (2026-06-30): a check that answers first tells them apart
DAYS = ["2026-01-01", "2026-06-30", "2027-12-31", "不是日期", ""]


def _form_routes(b: dict) -> list[tuple[str, str, list[dict]]]:
    task, project = b["task"], b["project"]
    return [
        ("POST", f"/my/ledger/{task}/feedback",
         [{"progress": "完成", "percent_complete": p} for p in ("30", "100", "101", "x")]),
        ("POST", f"/my/ledger/{task}/extension",
         [{"new_deadline": d, "reason": "征地"} for d in DAYS]),
        ("POST", f"/my/ledger/{task}/lag", [{"lag_reason": "资金", "measures": "调度"}, {}]),
        ("POST", "/my/investment/file",
         [{"project_id": str(project), "period": p, "amount": a}
          for p in ("2026-05", "2099-01", "x") for a in ("1", "-1")]),
        ("POST", f"/office/review/{b['feedback']}",
         [{"decision": d} for d in ("accept", "return", "x")]),
        ("POST", f"/office/extensions/{b['extension']}",
         [{"decision": d} for d in ("approve", "reject", "x")]),
        ("POST", f"/office/meeting/{b['meeting']}/assign",
         [{"title": "交办", "department": "1", "deadline": d} for d in DAYS]),
        ("POST", f"/problems/{b['problem']}/escalate", [{"leader": "1"}, {"leader": "x"}]),
        ("POST", f"/problems/{b['problem']}/resolve",
         [{"resolution": "已解决", "resolved_on": d} for d in DAYS]),
        ("POST", f"/chains/project/{project}/schedule",
         [{"template": "1", "target": d, "action": "confirm"} for d in DAYS]),
        ("POST", f"/chains/task/{task}/replan",
         [{"expected": d, "mode": "shift", "action": "save"} for d in DAYS]),
        ("POST", f"/attachments/feedback/{b['feedback']}/upload", [{}]),
        ("POST", f"/taskview/edit/{task}", [{"title": "改", "deadline": d} for d in DAYS]),
        ("POST", f"/feedbackview/edit/{b['feedback']}",
         [{"progress": "改", "percent_complete": "101"}]),
    ]


def _api_routes(b: dict) -> list[tuple[str, str, list[dict]]]:
    task = b["task"]
    return [
        ("POST", "/api/v1/extension/",
         [{"task": task, "requested_on": "2026-12-01", "new_deadline": d, "reason": "征地"}
          for d in DAYS]),
        ("POST", "/api/v1/feedback/",
         [{"task": task, "reported_on": d, "progress": "完成", "percent_complete": p}
          for d in DAYS for p in (30, 101)]),
        ("POST", "/api/v1/problem/",
         [{"project": b["project"], "description": "问题", "category": c, "raised_on": d}
          for c in ("land", "x") for d in DAYS]),
        ("POST", "/api/v1/investment_report/",
         [{"project": b["project"], "period": d, "amount": a} for d in DAYS for a in (1, -1)]),
        ("PUT", f"/api/v1/task/{task}",
         [{"deadline": d} for d in DAYS] + [{"done_on": "2026-01-01"}, {"department": "x"},
                                             {"title": None}]),
        ("PUT", f"/api/v1/extension/{b['extension']}",
         [{"new_deadline": d} for d in DAYS] + [{"task": "x"}]),
        ("PUT", f"/api/v1/feedback/{b['feedback']}",
         [{"percent_complete": 101}, {"task": "x"}, {"reported_on": "x"}]),
        ("PUT", f"/api/v1/problem/{b['problem']}",
         [{"resolved_on": d} for d in DAYS] + [{"person": "x"}]),
        ("DELETE", f"/api/v1/feedback/{b['feedback']}", [{}]),
    ]


@pytest.mark.parametrize("kind", ["form", "api"])
def test_another_departments_row_answers_404_whatever_the_payload(client, auth, api_token,
                                                                   world, kind):
    """The attack: staff of A sends days around B's deadline and reads 422 against 404."""
    answers: dict[str, set[int]] = {}
    if kind == "form":
        auth.login("staff_a")
        token = csrf_token(client)
        for method, url, payloads in _form_routes(world.b):
            for data in payloads:
                response = client.open(url, method=method, data=data | {"csrf_token": token})
                answers.setdefault(url, set()).add(response.status_code)
    else:
        headers = api_token("staff_a")
        for method, url, payloads in _api_routes(world.b):
            for data in payloads:
                response = client.open(url, method=method, json=data, headers=headers)
                answers.setdefault(f"{method} {url}", set()).add(response.status_code)
    leaking = {url: codes for url, codes in answers.items() if not codes <= {403, 404}}
    assert not leaking, leaking
