"""No answer carries a secret or another user's account internals (issue 14, item 1)."""

from __future__ import annotations

import re

HASH = re.compile(r"scrypt:|pbkdf2:|\$2[aby]\$|\$argon2")


def test_person_api_shows_no_login_internals(client, api_token, world):
    """The attack: staff of A reads the county head's login through /api/v1/person/."""
    headers = api_token("staff_a")
    for url in ("/api/v1/person/", f"/api/v1/person/{world.leader_person}"):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert not HASH.search(body), f"{url} answers a password hash"
        for column in ("login_count", "fail_login_count", "last_login", "password"):
            assert f'"{column}"' not in body, f"{url} answers the login's {column}"
