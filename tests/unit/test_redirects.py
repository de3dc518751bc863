from __future__ import annotations

import pytest

from learningos.kit.redirects import same_site_path


@pytest.mark.parametrize(
    "target",
    [
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "//evil.example",
        "///evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        " /dashboard",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "dashboard",
        "",
        None,
    ],
)
def test_other_sites_and_odd_paths_are_refused(target):
    assert same_site_path(target) == "/dashboard"
    assert same_site_path(target, default="/") == "/"


@pytest.mark.parametrize(
    "target", ["/library", "/settings?tab=learning", "/learn/1b2c?x=%2F%2Fy#top", "/"]
)
def test_same_site_paths_are_kept(target):
    assert same_site_path(target) == target
