"""Sealed job values open only with the same secret and purpose, and not after any change."""

import pytest

from learningos.kit.sealing import Unsealable, seal, unseal

SECRET = "x" * 8 + "k3Jq9vLmZ2pR7tYw4sNb6cHd1fGe5aXu"


def test_a_sealed_value_opens_with_its_secret_and_purpose_only() -> None:
    sealed = seal(SECRET, "sharing.invitation", "the-code")
    assert "the-code" not in sealed
    assert unseal(SECRET, "sharing.invitation", sealed) == "the-code"
    with pytest.raises(Unsealable):
        unseal(SECRET + "!", "sharing.invitation", sealed)
    with pytest.raises(Unsealable):
        unseal(SECRET, "another.purpose", sealed)
    altered = sealed[:-5] + ("A" if sealed[-5] != "A" else "B") + sealed[-4:]
    with pytest.raises(Unsealable):
        unseal(SECRET, "sharing.invitation", altered)
