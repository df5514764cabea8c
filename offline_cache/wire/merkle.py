"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0, §2.1), which the audit log's entries form.

A leaf is ``SHA-256(0x00 || entry)``, an inner node ``SHA-256(0x01 || left || right)``, and the tree of ``n``
leaves is the RFC's MTH: the left subtree holds the largest power of two below ``n``. The empty tree's hash is
``SHA-256()``. Inclusion and consistency proofs are made (§2.1.3.1, §2.1.4.1) and checked (§2.1.3.2, §2.1.4.2)
by the RFC's own algorithms.

Three ways to hold a tree: :func:`root_of` hashes a list of leaves once; :class:`Frontier` keeps only the
roots of the perfect subtrees of a growing tree (at most one per bit of its size), so an append costs O(log n)
and the frontier is a few hundred bytes to store; :class:`MerkleTree` keeps every node in memory, so a proof
of a million-leaf tree is O(log² n) look-ups. Stands alone: the terminal and the platform both import it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
#: MTH({}) = SHA-256 of nothing.
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


class ProofError(ValueError):
    """A proof that does not hold, or that was asked for sizes or indexes outside the tree."""


def leaf_hash(entry: bytes) -> bytes:
    """``SHA-256(0x00 || entry)``."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n`` ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH of ``leaves`` (leaf hashes) for any count, by pairing level by level: a lone last node moves up as
    it is, which gives the RFC's left-heavy split."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


class Frontier:
    """A growing tree kept as the roots of its perfect subtrees, largest (leftmost) first.

    The subtree sizes are the set bits of :attr:`size`; appending merges equal sizes as binary addition
    carries, so an append costs at most log₂ n node hashes and one on average.
    """

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        self.size = size
        self.hashes = list(hashes)
        if size < 0 or len(self.hashes) != size.bit_count():
            raise ValueError(f"a frontier of {size} leaves holds {size.bit_count()} hashes, not {len(self.hashes)}")

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash at index :attr:`size`."""
        hashes = self.hashes
        hashes.append(leaf)
        carry = self.size
        while carry & 1:
            right = hashes.pop()
            hashes[-1] = node_hash(hashes[-1], right)
            carry >>= 1
        self.size += 1

    def root(self) -> bytes:
        """MTH of the leaves so far."""
        if not self.hashes:
            return EMPTY_ROOT
        hashes = self.hashes
        result = hashes[-1]
        for left in reversed(hashes[:-1]):
            result = node_hash(left, result)
        return result

    def copy(self) -> Frontier:
        return Frontier(self.size, self.hashes)

    def to_bytes(self) -> bytes:
        """The subtree roots, concatenated (the size is kept beside them)."""
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> Frontier:
        if len(data) != HASH_SIZE * size.bit_count():
            raise ValueError(f"a frontier of {size} leaves is {HASH_SIZE * size.bit_count()} bytes, not {len(data)}")
        return cls(size, (data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)))


class MerkleTree:
    """Every node of a growing tree in memory: ``levels[k][i]`` is the root of leaves ``[i·2ᵏ, (i+1)·2ᵏ)``."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        levels = self.levels
        levels[0].append(leaf)
        k = 0
        while len(levels[k]) % 2 == 0:
            if k + 1 == len(levels):
                levels.append([])
            levels[k + 1].append(node_hash(levels[k][-2], levels[k][-1]))
            k += 1

    def leaf(self, index: int) -> bytes:
        return self.levels[0][index]

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all of them by default)."""
        size = self.size if size is None else size
        self._check_size(size)
        return self._range(0, size) if size else EMPTY_ROOT

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ProofError(f"the tree has {self.size} leaves, not {size}")

    def _range(self, start: int, end: int) -> bytes:
        """MTH of leaves ``[start, end)``, where ``start`` is a multiple of the largest power of two ≤ its
        width (as every range of the RFC's proofs is)."""
        width = end - start
        if width & (width - 1) == 0:
            return self.levels[width.bit_length() - 1][start // width]
        k = _split(width)
        return node_hash(self.levels[k.bit_length() - 1][start // k], self._range(start + k, end))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size]) (RFC 9162 §2.1.3.1): the siblings from the leaf up to the root."""
        size = self.size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise ProofError(f"leaf {index} is not in a tree of {size}")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._range(start + k, end))
                end = start + k
            else:
                path.append(self._range(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """PROOF(first, D[second]) (RFC 9162 §2.1.4.1): empty when ``first`` is 0 or equals ``second``."""
        second = self.size if second is None else second
        self._check_size(second)
        if not 0 <= first <= second:
            raise ProofError(f"no consistency proof from {first} to {second} leaves")
        if first in (0, second):
            return []
        proof: list[bytes] = []
        start, end, m, whole = 0, second, first, True
        # SUBPROOF(m, D[start:end], whole), unrolled: each level adds one hash, collected leaf side first.
        while m != end - start:
            k = _split(end - start)
            if m <= k:
                proof.append(self._range(start + k, end))
                end = start + k
            else:
                proof.append(self._range(start, start + k))
                start, m, whole = start + k, m - k, False
        if not whole:
            proof.append(self._range(start, end))
        proof.reverse()
        return proof


def root_from_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes:
    """The root a leaf and its inclusion path lead to (RFC 9162 §2.1.3.2); :class:`ProofError` if the path
    has the wrong length for ``index`` in a tree of ``size``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofError("the inclusion path is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion path is too short")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> None:
    """Raise :class:`ProofError` unless ``path`` proves ``leaf`` at ``index`` of the tree ``(size, root)``."""
    if root_from_inclusion(leaf, index, size, path) != root:
        raise ProofError(f"leaf {index} is not in the tree of {size} with that root")


def _trivially_consistent(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether the sizes leave nothing to prove (the same tree, or the empty one), checking what there is."""
    if not 0 <= first <= second:
        raise ProofError(f"a tree of {second} leaves cannot extend one of {first}")
    if first == second:
        if proof or first_root != second_root:
            raise ProofError(f"two different trees of {first} leaves")
        return True
    if first == 0:
        if proof:
            raise ProofError("a consistency proof from the empty tree is empty")
        return True
    if not proof:
        raise ProofError("an empty consistency proof")
    return False


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows the tree ``(first, first_root)`` is a prefix of the tree
    ``(second, second_root)`` (RFC 9162 §2.1.4.2)."""
    if _trivially_consistent(first, second, first_root, second_root, proof):
        return
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != first_root:
        raise ProofError(f"the proof does not lead to the root of the first {first} leaves")
    if sr != second_root:
        raise ProofError(f"the proof does not lead to the root of the {second} leaves")
