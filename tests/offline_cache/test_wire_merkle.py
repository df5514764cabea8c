"""RFC 9162 trees: the Certificate Transparency project's reference values, and every proof of every small tree
checked against a plain recursive reading of the RFC."""

from __future__ import annotations

import hashlib

import pytest

from offline_cache.wire.merkle import (
    EMPTY_ROOT,
    Frontier,
    MerkleTree,
    ProofError,
    leaf_hash,
    node_hash,
    root_from_inclusion,
    root_of,
    verify_consistency,
    verify_inclusion,
)

# The eight inputs of certificate-transparency's merkle_tree_test, the roots of their first n leaves, and
# the audit paths and consistency proofs it lists.
CT_INPUTS = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                         "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_PATHS = {
    (0, 1): [],
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (1, 5): ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}  # fmt: skip
CT_CONSISTENCY = {
    (1, 1): [],
    (1, 8): CT_PATHS[(0, 8)],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}  # fmt: skip


# -- the RFC's definitions, read literally (recursive, slow) --------------------------------------------------
def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + naive_mth(d[:k]) + naive_mth(d[k:])).digest()


def naive_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    return [*naive_path(m, d[:k]), naive_mth(d[k:])] if m < k else [*naive_path(m - k, d[k:]), naive_mth(d[:k])]


def naive_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [naive_mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*naive_subproof(m, d[:k], b), naive_mth(d[k:])]
    return [*naive_subproof(m - k, d[k:], False), naive_mth(d[:k])]


def _hexes(hashes: list[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


CT_LEAVES = [leaf_hash(x) for x in CT_INPUTS]


def test_the_certificate_transparency_roots_come_out_of_every_way_of_holding_a_tree() -> None:
    assert EMPTY_ROOT.hex() == CT_ROOTS[0]
    frontier, tree = Frontier(), MerkleTree()
    for n in range(9):
        if n:
            frontier.append(CT_LEAVES[n - 1])
            tree.append(CT_LEAVES[n - 1])
        assert root_of(CT_LEAVES[:n]).hex() == CT_ROOTS[n]
        assert frontier.root().hex() == CT_ROOTS[n] and frontier.size == n
        assert tree.root().hex() == CT_ROOTS[n]
    assert [tree.root(n).hex() for n in range(9)] == CT_ROOTS


def test_the_certificate_transparency_paths_and_consistency_proofs() -> None:
    tree = MerkleTree(CT_LEAVES)
    for (m, n), want in CT_PATHS.items():
        assert _hexes(tree.inclusion_proof(m, n)) == want
        verify_inclusion(CT_LEAVES[m], m, n, [bytes.fromhex(h) for h in want], bytes.fromhex(CT_ROOTS[n]))
    for (m, n), want in CT_CONSISTENCY.items():
        assert _hexes(tree.consistency_proof(m, n)) == want
        first, second = bytes.fromhex(CT_ROOTS[m]), bytes.fromhex(CT_ROOTS[n])
        verify_consistency(m, n, first, second, [bytes.fromhex(h) for h in want])


def test_leaves_and_nodes_are_kept_apart_by_their_prefixes() -> None:
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert leaf_hash(b"a") != hashlib.sha256(b"a").digest()
    assert node_hash(a, b) != node_hash(b, a)
    # A node's two children, presented as one leaf, do not give the node's hash.
    assert leaf_hash(a + b) != node_hash(a, b)


def test_every_proof_of_every_tree_up_to_40_leaves_matches_the_rfc_and_verifies() -> None:
    leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(40)]
    tree = MerkleTree()
    frontier = Frontier()
    for n in range(1, 41):
        tree.append(leaves[n - 1])
        frontier.append(leaves[n - 1])
        d = leaves[:n]
        root = naive_mth(d)
        assert tree.root() == frontier.root() == root_of(d) == root
        assert Frontier.from_bytes(n, frontier.to_bytes()).root() == root
        for m in range(n):
            path = tree.inclusion_proof(m, n)
            assert path == naive_path(m, d)
            verify_inclusion(d[m], m, n, path, root)
            # Not another leaf, not another place, not a path one hash short or long.
            with pytest.raises(ProofError):
                verify_inclusion(leaf_hash(b"forged"), m, n, path, root)
            if n > 1:
                with pytest.raises(ProofError):
                    verify_inclusion(d[m], (m + 1) % n, n, path, root)
                with pytest.raises(ProofError):
                    root_from_inclusion(d[m], m, n, path[:-1])
            with pytest.raises(ProofError):
                root_from_inclusion(d[m], m, n, [*path, root])
        for m in range(1, n + 1):
            proof = tree.consistency_proof(m, n)
            assert proof == (naive_subproof(m, d, True) if m < n else [])
            old = naive_mth(d[:m])
            verify_consistency(m, n, old, root, proof)
            if m < n:
                # A rewritten past, a different present, or a proof cut short does not pass.
                with pytest.raises(ProofError):
                    verify_consistency(m, n, naive_mth([leaf_hash(b"x"), *d[1:m]]), root, proof)
                with pytest.raises(ProofError):
                    verify_consistency(m, n, old, leaf_hash(b"x"), proof)
                with pytest.raises(ProofError):
                    verify_consistency(m, n, old, root, proof[:-1])
                with pytest.raises(ProofError):
                    verify_consistency(m, n, old, root, [*proof, root])


def test_bad_sizes_are_refused() -> None:
    tree = MerkleTree(CT_LEAVES)
    for call in (
        lambda: tree.inclusion_proof(8),
        lambda: tree.inclusion_proof(0, 9),
        lambda: tree.consistency_proof(5, 4),
        lambda: tree.root(9),
        lambda: root_from_inclusion(CT_LEAVES[0], 0, 0, []),
        lambda: verify_consistency(5, 4, EMPTY_ROOT, EMPTY_ROOT, []),
        lambda: verify_consistency(3, 5, EMPTY_ROOT, EMPTY_ROOT, []),
    ):
        with pytest.raises(ProofError):
            call()
    with pytest.raises(ValueError):
        Frontier.from_bytes(3, b"\x00" * 32)
