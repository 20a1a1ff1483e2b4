"""Sample blocks: runs of consecutive samples from one device, as numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Blocks of up to this many samples run on plain floats in the live path (the pipeline, the
#: drill engine): the same bits as the array path, without the microseconds each numpy call
#: costs (a BLE sensor notifies 1–15 samples at a time).
SMALL_BLOCK = 16


@dataclass(frozen=True, slots=True)
class RawChunk:
    """Bytes as a transport received them, stamped with the host's monotonic clock."""

    t_host_s: float
    data: bytes


@dataclass(frozen=True, slots=True)
class SampleBlock:
    """Consecutive samples of one device.

    ``t_s`` is the session timeline in seconds: device time (unwrapped) where the device has a
    clock, otherwise host receive time, both measured from the first sample of the stream.
    ``t_host_s`` is the host monotonic time each sample's chunk arrived. ``values`` has one
    column per name in ``channels``; units are part of the channel names (``force_n``,
    ``acc_x_g``, ``gyro_z_dps``) except ``load_raw`` (ADC counts).
    ``lost_before`` counts samples the device numbered but that never arrived just before
    this block (a gap), as far as the codec can tell.
    """

    t_s: FloatArray
    t_host_s: FloatArray
    values: FloatArray
    channels: tuple[str, ...]
    lost_before: int = 0
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = self.t_s.shape[0]
        if self.t_host_s.shape != (n,) or self.values.shape != (n, len(self.channels)):
            raise ValueError(
                f"inconsistent block shapes: t_s {self.t_s.shape}, t_host_s {self.t_host_s.shape}, "
                f"values {self.values.shape} for {len(self.channels)} channels"
            )
        object.__setattr__(self, "_index", {name: i for i, name in enumerate(self.channels)})

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    def has(self, channel: str) -> bool:
        """Whether the block carries ``channel``."""
        return channel in self._index

    def column(self, channel: str) -> FloatArray:
        """The values of one channel (a view, not a copy)."""
        try:
            return self.values[:, self._index[channel]]
        except KeyError:
            raise KeyError(f"block has no channel {channel!r}; it has {self.channels}") from None

    def head(self, n: int) -> SampleBlock:
        """The first ``n`` samples (views, not copies)."""
        return SampleBlock(
            t_s=self.t_s[:n],
            t_host_s=self.t_host_s[:n],
            values=self.values[:n],
            channels=self.channels,
            lost_before=self.lost_before,
        )

    def split(self, n: int) -> tuple[SampleBlock, SampleBlock]:
        """The first ``n`` samples and the rest (views); nothing was lost before the rest."""
        rest = SampleBlock(
            t_s=self.t_s[n:],
            t_host_s=self.t_host_s[n:],
            values=self.values[n:],
            channels=self.channels,
            lost_before=0,
        )
        return self.head(n), rest

    @staticmethod
    def concat(blocks: list[SampleBlock]) -> SampleBlock:
        """Join blocks with the same channels into one (``lost_before`` of the first is kept)."""
        if not blocks:
            raise ValueError("nothing to concatenate")
        channels = blocks[0].channels
        if any(b.channels != channels for b in blocks):
            raise ValueError("blocks have different channels")
        return SampleBlock(
            t_s=np.concatenate([b.t_s for b in blocks]),
            t_host_s=np.concatenate([b.t_host_s for b in blocks]),
            values=np.concatenate([b.values for b in blocks], axis=0),
            channels=channels,
            lost_before=blocks[0].lost_before,
        )
