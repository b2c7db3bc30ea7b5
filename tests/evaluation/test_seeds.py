"""A metric over seeds: mean ± sample sd, and a gap that must clear the seeds' spread."""

import numpy as np
import pytest

from mldm.evaluation.seeds import OverSeeds, over_seeds, separated_gap


def test_over_seeds_is_the_sample_standard_deviation():
    s = over_seeds([0.90, 0.92, 0.94])
    assert s.mean == pytest.approx(0.92)
    assert s.sd == pytest.approx(0.02)  # ddof 1; ddof 0 gives 0.0163
    assert s.n == 3 and s.se == pytest.approx(0.02 / np.sqrt(3))
    assert s.metrics("test_accuracy") == {"test_accuracy_mean": s.mean, "test_accuracy_sd": s.sd}
    assert over_seeds([2.5]).as_dict() == {"mean": 2.5, "sd": 0.0, "n": 1, "se": 0.0}
    with pytest.raises(ValueError, match="non-empty"):
        over_seeds([])


def test_separated_gap_needs_the_gap_to_clear_two_standard_errors():
    a = OverSeeds(0.90, 0.01, 3)
    wide = OverSeeds(0.95, 0.01, 3)
    close = OverSeeds(0.91, 0.02, 3)
    assert separated_gap(a, wide) == pytest.approx(0.05 - 2 * np.sqrt(2e-4 / 3))
    assert separated_gap(a, close) < 0 < 0.91 - 0.90  # ahead, but within the spread
    assert separated_gap(wide, a) < 0
