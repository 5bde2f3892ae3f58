"""Data augmentation of inertial windows: :class:`IMUAugmentation`.

Small random changes of each training window that leave its activity as it is:
a sensor worn a little rotated, a gain a little off, noise, a window cut a few
samples later. :class:`~skmicrobi.MicroBiClassifier` applies them to its
training batches only (``augmentation=``); validation, ``predict`` and the
deployed network never see them, so the network, its parameters, its INT8 bytes
and its C code are those of a run without augmentation.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from skmicrobi._sklearn_compat import Interval, StrOptions

#: Axes of one 3-axis sensor (x, y, z): rotations act on triples of channels.
AXES = 3


class IMUAugmentation(BaseEstimator):
    """Random rotation, scaling, time shift and jitter of inertial windows.

    A parameter object for :class:`~skmicrobi.MicroBiClassifier`'s
    ``augmentation``: its values can be searched like any nested parameter,
    e.g. ``GridSearchCV(clf, {"augmentation__rotation": [0, 10, 20]})``. Each
    training window gets, in this order and each with its own random draw:

    1. a rotation of each group of 3-axis channels by a random angle in
       ``[-rotation, rotation]`` degrees about a random axis (the channels are
       raw sensor values, so gravity turns with the sensor, as when it is worn
       a little differently);
    2. a gain per channel drawn from ``N(1, scaling**2)``;
    3. a circular (``shift_mode="roll"``) or padded (``"pad"``, with the
       channel's training mean) shift of up to ``shift`` samples either way;
    4. Gaussian noise of standard deviation ``jitter`` times the channel's
       standard deviation over the training windows.

    A value of 0 turns a step off. The defaults are mild, meant for windows of
    a few seconds at 20-100 Hz; tune them for your data.

    Parameters
    ----------
    jitter : float, default=0.05
        Noise standard deviation, relative to each channel's standard deviation.
    scaling : float, default=0.1
        Standard deviation of the gain of each channel.
    rotation : float, default=10.0
        Largest rotation angle in degrees.
    shift : int, default=4
        Largest time shift in samples.
    shift_mode : {"roll", "pad"}, default="roll"
        ``"roll"`` wraps the samples shifted out around to the other end;
        ``"pad"`` fills the gap with the channel's mean.
    rotation_groups : "auto" or list of lists of int, default="auto"
        Channels rotated together. Each group lists channel indices, a multiple
        of three of them: consecutive triples ``(x, y, z)`` of one rigid sensor
        that turn by the same rotation (e.g. ``[[0, 1, 2, 3, 4, 5]]`` for the
        accelerometer and gyroscope of one device). Groups rotate
        independently. ``"auto"``: each consecutive triple is its own group when
        the number of channels is a multiple of 3, otherwise nothing rotates.

    See Also
    --------
    skmicrobi.MicroBiClassifier : its ``augmentation`` parameter.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi.augment import IMUAugmentation
    >>> X = np.random.default_rng(0).normal(size=(4, 6, 32)).astype("float32")
    >>> aug = IMUAugmentation(rotation=20, shift=0)
    >>> out = aug.augment(X, random_state=0)
    >>> out.shape, out.dtype
    ((4, 6, 32), dtype('float32'))
    >>> aug.groups(6)
    [[0, 1, 2], [3, 4, 5]]
    """

    _parameter_constraints: dict = {
        "jitter": [Interval(Real, 0, None, closed="left")],
        "scaling": [Interval(Real, 0, None, closed="left")],
        "rotation": [Interval(Real, 0, 180, closed="both")],
        "shift": [Interval(Integral, 0, None, closed="left")],
        "shift_mode": [StrOptions({"roll", "pad"})],
        "rotation_groups": [StrOptions({"auto"}), list, tuple],
    }

    def __init__(
        self,
        jitter: float = 0.05,
        scaling: float = 0.1,
        rotation: float = 10.0,
        shift: int = 4,
        shift_mode: str = "roll",
        rotation_groups: str | Sequence[Sequence[int]] = "auto",
    ) -> None:
        self.jitter = jitter
        self.scaling = scaling
        self.rotation = rotation
        self.shift = shift
        self.shift_mode = shift_mode
        self.rotation_groups = rotation_groups

    def groups(self, n_channels: int) -> list[list[int]]:
        """The channel groups that rotate, checked against ``n_channels``.

        Parameters
        ----------
        n_channels : int
            Channels of the windows.

        Returns
        -------
        list of list of int
            One list of channel indices (a multiple of 3) per rigid sensor.
        """
        self._validate_params()
        if isinstance(self.rotation_groups, str):  # "auto"
            if n_channels % AXES:
                return []
            return [list(range(c, c + AXES)) for c in range(0, n_channels, AXES)]
        groups = [list(group) for group in self.rotation_groups]
        seen: set[int] = set()
        for group in groups:
            if not group or len(group) % AXES or not all(
                isinstance(c, Integral) and 0 <= c < n_channels for c in group
            ):
                raise ValueError(
                    f"rotation_groups={self.rotation_groups!r}: each group must list "
                    f"channel indices in [0, {n_channels}), a multiple of 3 of them "
                    f"(x, y, z triples); got {group!r}."
                )
            if seen & set(group) or len(set(group)) != len(group):
                raise ValueError(
                    f"rotation_groups={self.rotation_groups!r} names a channel twice; "
                    "each channel belongs to at most one group."
                )
            seen |= set(group)
        return [[int(c) for c in group] for group in groups]

    def augment(
        self,
        X: np.ndarray,
        random_state: int | np.random.Generator | None = None,
        *,
        mean: np.ndarray | None = None,
        scale: np.ndarray | None = None,
    ) -> np.ndarray:
        """Augmented copies of the windows ``X``.

        Parameters
        ----------
        X : ndarray of shape (n_windows, n_channels, n_timepoints)
            Windows in sensor units.
        random_state : int, numpy Generator or None, default=None
            Seed or generator of the random draws.
        mean, scale : ndarray of shape (n_channels,), default=None
            Channel means (the padding value) and standard deviations (the
            unit of ``jitter``); by default those of ``X`` itself.
            :class:`~skmicrobi.MicroBiClassifier` passes those of its training
            windows.

        Returns
        -------
        ndarray of shape (n_windows, n_channels, n_timepoints), float32
            The augmented windows; ``X`` is left as it is.
        """
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 3:
            raise ValueError(f"X must be 3D (windows, channels, time), got {X.shape}.")
        if mean is None:
            mean = X.mean(axis=(0, 2))
        if scale is None:
            scale = X.std(axis=(0, 2))
            scale[scale < 1e-8] = 1.0
        rng = (
            random_state
            if isinstance(random_state, np.random.Generator)
            else np.random.default_rng(random_state)
        )
        return _augment(
            X, rng, self, self.groups(X.shape[1]), np.asarray(mean), np.asarray(scale)
        )


def _augment(
    X: np.ndarray,
    rng: np.random.Generator,
    aug: IMUAugmentation,
    groups: list[list[int]],
    mean: np.ndarray,
    scale: np.ndarray,
) -> np.ndarray:
    """The four steps of :class:`IMUAugmentation` on a batch (a new array)."""
    n, n_channels, n_time = X.shape
    out = np.array(X, dtype=np.float32, copy=True)
    if aug.rotation > 0:
        for group in groups:
            R = random_rotations(n, aug.rotation, rng)  # (n, 3, 3)
            part = out[:, group].reshape(n, len(group) // AXES, AXES, n_time)
            out[:, group] = np.einsum("nij,nkjt->nkit", R, part).reshape(
                n, len(group), n_time
            )
    if aug.scaling > 0:
        gain = rng.normal(1.0, aug.scaling, size=(n, n_channels, 1))
        out *= gain.astype(np.float32)
    if aug.shift > 0:
        shifts = rng.integers(-aug.shift, aug.shift + 1, size=n)
        # one gather for the whole batch: source index of each output sample
        src = np.arange(n_time)[None, :] - shifts[:, None]
        if aug.shift_mode == "roll":
            src %= n_time
            out = np.take_along_axis(out, src[:, None, :], axis=2)
        else:
            inside = (src >= 0) & (src < n_time)
            out = np.take_along_axis(out, np.clip(src, 0, n_time - 1)[:, None, :], 2)
            out = np.where(inside[:, None, :], out, mean[None, :, None]).astype(
                np.float32
            )
    if aug.jitter > 0:
        noise = rng.standard_normal(size=out.shape, dtype=np.float32)
        out += noise * (aug.jitter * scale).astype(np.float32)[None, :, None]
    return out


def random_rotations(
    n: int, max_degrees: float, rng: np.random.Generator
) -> np.ndarray:
    """``n`` rotation matrices about random axes by angles up to ``max_degrees``.

    Parameters
    ----------
    n : int
        Number of matrices.
    max_degrees : float
        Largest angle; each angle is uniform in ``[-max_degrees, max_degrees]``.
    rng : numpy.random.Generator
        Source of the axes (uniform on the sphere) and angles.

    Returns
    -------
    ndarray of shape (n, 3, 3), float32
        Rodrigues' rotation matrices ``I + sin(a) K + (1 - cos(a)) K^2``.

    Examples
    --------
    >>> import numpy as np
    >>> R = random_rotations(2, 30.0, np.random.default_rng(0))
    >>> np.allclose(R @ R.transpose(0, 2, 1), np.eye(3), atol=1e-6)
    True
    """
    axis = rng.standard_normal(size=(n, AXES))
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    angle = np.deg2rad(rng.uniform(-max_degrees, max_degrees, size=n))
    K = np.zeros((n, AXES, AXES))
    K[:, 0, 1], K[:, 0, 2] = -axis[:, 2], axis[:, 1]
    K[:, 1, 0], K[:, 1, 2] = axis[:, 2], -axis[:, 0]
    K[:, 2, 0], K[:, 2, 1] = -axis[:, 1], axis[:, 0]
    eye = np.eye(AXES)[None]
    sin, cos = np.sin(angle)[:, None, None], np.cos(angle)[:, None, None]
    return (eye + sin * K + (1 - cos) * (K @ K)).astype(np.float32)


class _TrainBatches:
    """The collate function of the training DataLoader when augmenting.

    Training batches only: skorch builds validation and prediction batches with
    ``iterator_valid``, whose collate is left alone. Its random stream is its
    own numpy Generator (picklable, seeded from ``random_state``), so the torch
    stream that shuffles and drops out is the same with or without
    augmentation.
    """

    def __init__(
        self,
        collate: Any,
        aug: IMUAugmentation,
        groups: list[list[int]],
        mean: np.ndarray,
        scale: np.ndarray,
        seed: int,
    ) -> None:
        self.collate = collate
        self.aug = aug
        self.groups = groups
        self.mean = mean
        self.scale = scale
        self.rng = np.random.default_rng(seed)

    def __call__(self, batch: Any) -> Any:
        import torch

        x, y = self.collate(batch)
        x = _augment(x.numpy(), self.rng, self.aug, self.groups, self.mean, self.scale)
        return torch.from_numpy(x), y


__all__ = ["IMUAugmentation", "random_rotations"]
