"""Replay from a record handed in: every channel (force and IMU) goes back out as isoforce frames.

These tests record simulated sessions into a temp store, load the record, build the replay
transport from it (the transport never sees the store) and decode its bytes with the live frame
decoder, checking that force, device time, sequence gaps, link drops and the IMU's raw
accelerometer and gyro come back as they were decoded live.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import dataclass, field, replace

import numpy as np
import pytest

from isoforce.core.effort_key import Capabilities, ReferenceKind
from isoforce.core.samples import SampleBlock
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder
from isoforce.errors import ConfigError, TransportError
from isoforce.session.model import IMU_FIELDS, ImuSamples
from isoforce.session.store import SessionStore
from isoforce.signal.effort import EffortReference
from isoforce.signal.imu import ACC_CHANNELS, GYRO_CHANNELS, has_imu, imu_arrays
from isoforce.transports.pacing import Clock
from isoforce.transports.replay import ReplaySource, ReplayTransport, replay_plan
from tests.session.session_helpers import (
    as_stored,
    channel,
    imu_samples,
    record,
    run_drill,
    run_record,
)

IMU_NAMES = (*ACC_CHANNELS, *GYRO_CHANNELS)


@dataclass
class Played:
    """What a replay sent, as the live decoder reads it."""

    blocks: list[SampleBlock] = field(default_factory=list)
    decoder: IsoforceFrameDecoder = field(default_factory=IsoforceFrameDecoder)
    #: session time of the last sample before each link drop the transport raised
    drops_after_s: list[float] = field(default_factory=list)

    def rows(self, channel: str) -> tuple[np.ndarray, np.ndarray]:
        """Times and values of one channel over every block that carries it."""
        having = [b for b in self.blocks if b.has(channel)]
        return (
            np.concatenate([b.t_s for b in having]),
            np.concatenate([b.column(channel) for b in having]),
        )

    def imu(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Times, accelerometer (n, 3) and gyro (n, 3) over every block with the IMU."""
        having = [b for b in self.blocks if has_imu(b)]
        arrays = [imu_arrays(b) for b in having]
        return (
            np.concatenate([b.t_s for b in having]),
            np.concatenate([a for a, _ in arrays]),
            np.concatenate([g for _, g in arrays]),
        )


def play(transport: ReplayTransport) -> Played:
    """Run the transport to its end in virtual time, reconnecting after each link drop."""
    out = Played()

    async def go() -> None:
        await transport.open()
        while True:
            try:
                async for chunk in transport.chunks():
                    items = out.decoder.feed(chunk.t_host_s, chunk.data)
                    out.blocks.extend(b for b in items if isinstance(b, SampleBlock))
                return
            except TransportError:
                out.drops_after_s.append(float(out.blocks[-1].t_s[-1]))
                await transport.reconnect()

    asyncio.run(go())
    return out


def live_imu(live: list[ImuSamples]) -> tuple[np.ndarray, np.ndarray]:
    """The accelerometer and gyro arrays the live IMU chain was fed."""
    return np.concatenate([s.acc_g for s in live]), np.concatenate([s.gyro_dps for s in live])


def assert_imu_as_live(played: Played, imu: ImuSamples, live: list[ImuSamples]) -> None:
    """IMU times exact; acc/gyro exactly as decoded live, and equal to the store's float32."""
    t, acc, gyro = played.imu()
    np.testing.assert_array_equal(t, imu.t_s)
    live_acc, live_gyro = live_imu(live)
    np.testing.assert_array_equal(acc, live_acc)
    np.testing.assert_array_equal(gyro, live_gyro)
    np.testing.assert_array_equal(acc.astype(np.float32), imu.acc_g.astype(np.float32))
    np.testing.assert_array_equal(gyro.astype(np.float32), imu.gyro_dps.astype(np.float32))


def test_sim_dual_replays_force_and_imu_with_its_gap(store: SessionStore) -> None:
    run = run_record(
        store,
        device="sim-dual",
        rate_hz=400.0,
        duration_s=1.5,
        drops=((0.5, 0.25),),
        keep_imu=True,
    )
    rec = store.load(run.session_id)
    assert rec.imu is not None and len(rec.imu) == len(rec.channels[0]) == run.result.samples
    plan = replay_plan(rec)
    assert plan.spec.capabilities == Capabilities(push=True, pull=True, imu=True)
    assert plan.spec.force_channel == "load_raw" and plan.spec.nominal_rate_hz == 400.0
    assert plan.source.channels == ("load_raw", *IMU_NAMES) and plan.source.present is None

    played = play(ReplayTransport.from_record(rec, clock=Clock(float("inf"))))

    # one frame per sample carries both sensors, as sim-dual sent them
    assert all(b.channels == ("load_raw", *IMU_NAMES) for b in played.blocks)
    ch = rec.channels[0]
    t, raw = played.rows("load_raw")
    np.testing.assert_array_equal(t, ch.t_s)
    np.testing.assert_array_equal(raw, ch.raw)
    assert_imu_as_live(played, rec.imu, run.imu)
    # the link drop comes back where it happened, with the samples the device lost meanwhile
    (gap,) = rec.gaps
    assert played.drops_after_s == [gap.start_t_s]
    assert played.decoder.stats.samples_lost == run.result.decode.samples_lost == 100
    after = next(b for b in played.blocks if b.t_s[0] == gap.end_t_s)
    assert after.lost_before == gap.samples_lost == 100


def test_imu_only_session_replays_without_a_force_channel(store: SessionStore) -> None:
    run = run_record(
        store,
        device="sim-imu",
        rate_hz=400.0,
        duration_s=1.0,
        drops=((0.4, 0.1),),
        keep_imu=True,
    )
    rec = store.load(run.session_id)
    assert rec.imu is not None and np.isnan(rec.channels[0].force_n).all()
    plan = replay_plan(rec)
    assert plan.spec.force_channel is None and plan.spec.n_per_count is None
    assert plan.spec.capabilities == Capabilities(push=False, pull=False, imu=True)
    assert plan.source.channels == IMU_NAMES

    played = play(ReplayTransport.from_plan(plan, clock=Clock(float("inf"))))

    assert all(b.channels == IMU_NAMES for b in played.blocks)
    assert_imu_as_live(played, rec.imu, run.imu)
    # the sequence gaps recorded on the (force-less) channel rows still come back
    assert played.drops_after_s == [rec.gaps[0].start_t_s]
    assert played.decoder.stats.samples_lost == run.result.decode.samples_lost == 40


def test_separate_sensors_share_one_time_axis(store: SessionStore) -> None:
    """Force at 100 Hz for 3 s, an IMU at 400 Hz for its first second: every fourth IMU
    sample shares a time with a force sample and rides in the same frame; the others go
    alone, and force samples after the IMU stopped go without it."""
    ch = channel(300, fs_hz=100.0)
    sid = store.save_record(record(channels=(ch,), imu=imu_samples(400, fs_hz=400.0)))
    rec = store.load(sid)
    assert rec.imu is not None
    plan = replay_plan(rec)
    assert plan.source.present is not None
    assert len(plan.source) == 300 + 400 - 100

    played = play(ReplayTransport.from_record(rec, clock=Clock(float("inf"))))

    sets = {b.channels for b in played.blocks}
    assert sets == {("load_raw", *IMU_NAMES), IMU_NAMES, ("load_raw",)}
    # synthetic times and IMU values are not on the frame's grid (1 µs, 1 µg, 0.001 °/s):
    # they come back to half a step
    t, raw = played.rows("load_raw")
    np.testing.assert_allclose(t, ch.t_s, rtol=0, atol=0.5e-6)
    np.testing.assert_array_equal(raw, ch.raw)
    t_imu, acc, gyro = played.imu()
    stored = as_stored(imu_samples(400, fs_hz=400.0))
    np.testing.assert_allclose(t_imu, stored.t_s, rtol=0, atol=0.5e-6)
    np.testing.assert_allclose(acc, stored.acc_g, rtol=0, atol=0.5e-6)
    np.testing.assert_allclose(gyro, stored.gyro_dps, rtol=0, atol=0.5e-3)
    # the channel's lost samples (3 before t = 1.5 s) and the stored link drop come back
    assert played.decoder.stats.samples_lost == 3
    assert played.drops_after_s == [pytest.approx(rec.gaps[0].start_t_s, abs=0.5e-6)]


def test_a_row_without_samples_hands_its_losses_on() -> None:
    """IMU-only: the force channel's rows carry the sequence gaps but no force; where no IMU
    sample shares a row's time, the row is not sent and its lost count moves to the next."""
    nan = np.full(20, np.nan)
    ch = replace(channel(20, fs_hz=100.0), raw=nan, force_n=nan)  # 3 lost before row 10
    full = imu_samples(20, fs_hz=100.0)
    keep = np.arange(20) != 10
    imu = ImuSamples(*(getattr(full, name)[keep] for name in IMU_FIELDS))
    source = replay_plan(record(channels=(ch,), imu=imu)).source
    np.testing.assert_array_equal(source.t_s, ch.t_s[keep])
    assert source.channels == IMU_NAMES and source.present is None
    assert source.lost_before.tolist() == [0] * 10 + [3] + [0] * 8


def test_plan_carries_how_the_session_ran(store: SessionStore) -> None:
    run = run_drill(store, "tension-drill", pain_at=60)
    rec = store.load(run.session_id)
    plan = replay_plan(rec)
    assert plan.session_id == run.session_id
    assert plan.drill is not None and plan.drill.name == "tension-drill" and plan.drill.toml
    # both staircases measured on the 100 N scale (nothing stored)
    assert plan.references[ReferenceKind.PAIN_FREE] == EffortReference(
        push_max_n=100.0, pull_max_n=100.0
    )
    presses = [p.t_s for p in run.session.guide.engine.result().pains]  # type: ignore[union-attr]
    assert plan.pain_presses_s == tuple(presses) and presses
    assert [t for t, key in plan.key_presses if key == "pain"] == presses
    assert plan.has_imu is False and plan.link_gaps == ()


def test_a_record_without_samples_is_refused(store: SessionStore) -> None:
    sid = store.save_record(record(channels=(channel(0),)))
    with pytest.raises(ConfigError, match="no samples"):
        ReplayTransport.from_record(store.load(sid))


def test_every_replayed_sample_carries_a_channel() -> None:
    with pytest.raises(ConfigError, match="at least one channel"):
        ReplaySource(
            np.arange(2.0),
            np.zeros((2, 1)),
            ("load_raw",),
            np.zeros(2, dtype=np.int64),
            present=np.array([[True], [False]]),
        )


def test_the_replay_transport_never_touches_the_store() -> None:
    code = (
        "import sys, isoforce.transports.replay\n"
        "print(','.join(m for m in ('sqlite3', 'isoforce.session.store', 'isoforce.live')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
