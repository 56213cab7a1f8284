"""The package's seeded generator (src/cells/rng.ts), ported bit for bit: xoshiro128** 1.1
seeded by splitmix32, uniform doubles from 53 random bits, Box-Muller normals.

Only used to draw initial weights, so that a config with a seed starts from the same numbers
in Python as in TypeScript (uniform draws are bit-identical; normal draws go through log and
cos and may differ in the last bit between libms). Training randomness (data order, dropout)
uses torch's generators instead.
"""
import math

_M32 = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    return (a * b) & _M32


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _M32


class Rng:
    """xoshiro128** with TypeScript's seeding; seed: any integer (reduced to 32 bits)."""

    def __init__(self, seed: int):
        s = ((int(seed) & _M32) ^ 0x6A09E667) & _M32
        words = []
        for _ in range(4):
            s = (s + 0x9E3779B9) & _M32
            z = s
            z = _imul(z ^ (z >> 16), 0x85EBCA6B)
            z = _imul(z ^ (z >> 13), 0xC2B2AE35)
            words.append((z ^ (z >> 16)) & _M32)
        self.s = words
        if not any(words):
            self.s[0] = 1

    def next_uint32(self) -> int:
        s0, s1, s2, s3 = self.s
        result = _imul(_rotl(_imul(s1, 5), 7), 9)
        t = (s1 << 9) & _M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def uniform(self) -> float:
        hi = self.next_uint32() >> 5
        lo = self.next_uint32() >> 6
        return (hi * 67108864 + lo) / 9007199254740992

    def range(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.uniform()

    def normal(self) -> float:
        u = 1 - self.uniform()
        v = self.uniform()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)

    def ranges(self, n: int, lo: float, hi: float) -> list:
        return [self.range(lo, hi) for _ in range(n)]
