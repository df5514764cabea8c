"""A seal binds its terminal: it opens as that terminal's submission only; earlier, unbound seals still open."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from offline_cache.wire.protocol import SEAL_ALG, SEAL_ALG_UNBOUND
from offline_cache.wire.sealing import Opener, Sealer, SealError

APPLICATION = '{"name": "张三", "id_number": "110101199003071234"}'.encode()
SID = "0190a0c2-0000-7000-8000-000000000001"


@pytest.fixture
def platform() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def test_a_bound_seal_opens_for_its_terminal_only(platform: X25519PrivateKey) -> None:
    blob, (scan,) = Sealer(platform.public_key()).seal(SID, APPLICATION, [b"scan"], terminal_id="T-0001")
    assert blob.alg == SEAL_ALG
    opener = Opener(platform)
    assert opener.open_payload(SID, blob, terminal_id="T-0001") == APPLICATION
    assert opener.open_attachment(SID, blob, 0, scan, terminal_id="T-0001") == b"scan"
    for other in ("T-0002", "T-000", "T-00011", None):
        with pytest.raises(SealError):
            opener.open_payload(SID, blob, terminal_id=other)
    key = opener.data_key(SID, blob, terminal_id="T-0001")
    with pytest.raises(SealError):
        opener.open_attachment(SID, blob, 0, scan, key, terminal_id="T-0002")


def test_relabelling_a_bound_seal_as_unbound_does_not_open(platform: X25519PrivateKey) -> None:
    blob, _ = Sealer(platform.public_key()).seal(SID, APPLICATION, [], terminal_id="T-0001")
    with pytest.raises(SealError):
        Opener(platform).open_payload(SID, replace(blob, alg=SEAL_ALG_UNBOUND), terminal_id="T-0002")


def test_an_unbound_seal_from_before_the_binding_still_opens(platform: X25519PrivateKey) -> None:
    blob, (scan,) = Sealer(platform.public_key()).seal(SID, APPLICATION, [b"scan"])
    assert blob.alg == SEAL_ALG_UNBOUND
    opener = Opener(platform)
    assert opener.open_payload(SID, blob, terminal_id="T-0001") == APPLICATION
    assert opener.open_attachment(SID, blob, 0, scan, terminal_id="T-0001") == b"scan"


def test_an_unknown_algorithm_does_not_open(platform: X25519PrivateKey) -> None:
    blob, _ = Sealer(platform.public_key()).seal(SID, APPLICATION, [], terminal_id="T-0001")
    with pytest.raises(SealError, match="unknown sealing algorithm"):
        Opener(platform).open_payload(SID, replace(blob, alg="ROT13"), terminal_id="T-0001")
