"""Statistics in pure Python: ranks, Spearman, quadratic weighted kappa, bootstrap, exact McNemar.

numpy and scipy are not dependencies of the service; these few functions are small enough to own and are
unit-tested against hand-computed values in tests/test_stats.py.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean, or None for no values."""
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation between order statistics (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1..n; tied values share the mean of the ranks they span."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        shared = (i + j) / 2 + 1  # ranks i+1..j+1, averaged
        for k in range(i, j + 1):
            ranks[order[k]] = shared
        i = j + 1
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson correlation; None when fewer than two pairs or either side is constant."""
    n = len(x)
    if n != len(y):
        raise ValueError("pearson: sequences differ in length")
    if n < 2:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson correlation of average ranks (correct with ties)."""
    return pearson(average_ranks(x), average_ranks(y))


def half_point_class(score: float) -> int:
    """An overall score 1.0..5.0 on the half-point grid as one of 9 ordinal classes 0..8."""
    return min(8, max(0, round((score - 1) * 2)))


def quadratic_weighted_kappa(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Cohen's kappa with quadratic weights between two raters' ordinal classes.

    kappa = 1 - sum(w*O) / sum(w*E) with w_ij = (i-j)^2 / (k-1)^2. The (k-1)^2 cancels, sum(w*O)/N is the
    mean squared difference and sum(w*E)/N is the same for independent raters with the observed marginals:
    Var(a) + Var(b) + (mean(a) - mean(b))^2. So this O(n) form equals the confusion-matrix form for any
    number of equally spaced classes. None when the chance disagreement is zero (both raters constant
    and equal).
    """
    n = len(a)
    if n != len(b):
        raise ValueError("kappa: sequences differ in length")
    if n == 0:
        return None
    ma, mb = sum(a) / n, sum(b) / n
    observed = sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) / n
    var_a = sum((x - ma) ** 2 for x in a) / n
    var_b = sum((y - mb) ** 2 for y in b) / n
    expected = var_a + var_b + (ma - mb) ** 2
    if expected == 0:
        return None
    return 1 - observed / expected


def _level_ranks(counts: Mapping[int, int]) -> dict[int, float]:
    """Average rank of each level when `counts[level]` items sit at it (ties share their ranks)."""
    ranks: dict[int, float] = {}
    below = 0
    for level in sorted(counts):
        ranks[level] = below + (counts[level] + 1) / 2
        below += counts[level]
    return ranks


def ordinal_agreement(table: Mapping[tuple[int, int], int]) -> tuple[float | None, float | None]:
    """Spearman's rho and quadratic weighted kappa from a table of (class a, class b) -> count.

    The same values as `spearman` and `quadratic_weighted_kappa` on the expanded lists, in time that
    depends on the number of distinct cells rather than cases: what a bootstrap resample needs.
    """
    count_a: dict[int, int] = {}
    count_b: dict[int, int] = {}
    n = sd2 = 0
    for (a, b), c in table.items():
        count_a[a] = count_a.get(a, 0) + c
        count_b[b] = count_b.get(b, 0) + c
        n += c
        sd2 += c * (a - b) ** 2
    if n == 0:
        return None, None
    rank_a, rank_b = _level_ranks(count_a), _level_ranks(count_b)
    sab = sum(c * rank_a[a] * rank_b[b] for (a, b), c in table.items())
    # Average ranks always sum to n(n+1)/2, so the centred sums need only the raw sums of products.
    n_mid2 = n * ((n + 1) / 2) ** 2
    sxy = sab - n_mid2
    sxx = sum(c * rank_a[a] ** 2 for a, c in count_a.items()) - n_mid2
    syy = sum(c * rank_b[b] ** 2 for b, c in count_b.items()) - n_mid2
    rho = sxy / math.sqrt(sxx * syy) if sxx > 1e-9 and syy > 1e-9 else None
    ma = sum(a * c for a, c in count_a.items()) / n
    mb = sum(b * c for b, c in count_b.items()) / n
    var_a = sum(c * a * a for a, c in count_a.items()) / n - ma * ma
    var_b = sum(c * b * b for b, c in count_b.items()) / n - mb * mb
    expected = var_a + var_b + (ma - mb) ** 2
    kappa = 1 - (sd2 / n) / expected if expected > 1e-12 else None
    return rho, kappa


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value: a binomial test of b successes in b + c discordant pairs at 1/2."""
    n = b + c
    if n == 0:
        return 1.0
    tail: int = sum(math.comb(n, i) for i in range(min(b, c) + 1))
    return min(1.0, 2 * tail / (1 << n))  # exact integers until this one division


@dataclass(frozen=True)
class Interval:
    """A percentile bootstrap interval; `undefined` counts resamples where the statistic had no value."""

    low: float | None
    high: float | None
    resamples: int
    undefined: int

    def as_list(self) -> list[float | None]:
        """[lo, hi], as summary.json's ci95."""
        return [self.low, self.high]

    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of zero."""
        if self.low is None or self.high is None:
            return False
        return self.low > 0 or self.high < 0


Statistic = Callable[[Sequence[int]], float | None]


@functools.lru_cache(maxsize=32)
def resample_indices(n: int, resamples: int, seed: int) -> tuple[tuple[int, ...], ...]:
    """`resamples` tuples of n case indices drawn with replacement, reproducible from `seed`.

    Cached: every interval over n cases with the same seed uses the same draws, which is as valid for each
    interval and saves most of the drawing time.
    """
    rng = random.Random(seed)
    population = range(n)
    return tuple(tuple(rng.choices(population, k=n)) for _ in range(resamples))


def percentile_interval(values: Sequence[float | None], level: float = 95.0) -> Interval:
    """Percentile interval of bootstrap replicates; None replicates (statistic undefined) are counted."""
    defined = [v for v in values if v is not None]
    tail = (100 - level) / 2
    return Interval(
        low=percentile(defined, tail),
        high=percentile(defined, 100 - tail),
        resamples=len(values),
        undefined=len(values) - len(defined),
    )


def bootstrap_interval(statistic: Statistic, draws: Sequence[Sequence[int]], level: float = 95.0) -> Interval:
    """Percentile interval of `statistic` recomputed on each draw of case indices.

    For a paired comparison the statistic computes candidate minus baseline on the same indices, so the
    pairing of cases is kept in every resample.
    """
    return percentile_interval([statistic(indices) for indices in draws], level)
