"""Array -> DataLoader without a Python loop over samples.

A mini-batch is gathered with one fancy-index (``X[idx]``), not by collating single samples.
``order="shuffle"`` draws a fresh permutation each epoch; ``order="segment"`` cuts the data
into consecutive segments in their stored order (L01 lines 238-242 contrast the two).
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler


class _Batches(Dataset):
    def __init__(self, *tensors: torch.Tensor):
        self.tensors = tensors

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, idx):
        return tuple(t[idx] for t in self.tensors)


def as_tensor(a, dtype: torch.dtype | None = None) -> torch.Tensor:
    t = torch.as_tensor(np.ascontiguousarray(a) if isinstance(a, np.ndarray) else a)
    return t.to(dtype) if dtype is not None else t


def array_loader(
    X,
    y,
    batch_size: int | None = None,
    order: str = "shuffle",
    seed: int = 0,
    dtype: torch.dtype = torch.float64,
    y_dtype: torch.dtype | None = None,
) -> DataLoader:
    """Batches of ``(X[idx], y[idx])``; ``batch_size=None`` is one full batch (plain GD)."""
    if order not in ("shuffle", "segment"):
        raise ValueError(f"order must be 'shuffle' or 'segment', got {order!r}")
    X = as_tensor(X, dtype)
    y = as_tensor(
        y, y_dtype if y_dtype is not None else (dtype if y.dtype.kind == "f" else torch.long)
    )
    data = _Batches(X, y)
    n = len(data)
    size = n if batch_size is None else min(int(batch_size), n)
    if order == "shuffle" and size < n:
        base = RandomSampler(data, generator=torch.Generator().manual_seed(seed))
    else:
        base = SequentialSampler(data)
    return DataLoader(data, sampler=BatchSampler(base, size, drop_last=False), batch_size=None)
