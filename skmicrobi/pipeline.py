"""A Pipeline whose window step windows the labels too.

scikit-learn's :class:`~sklearn.pipeline.Pipeline` cannot train on recordings: a
transformer may not change ``y`` or the number of samples. imbalanced-learn's
Pipeline lets steps with ``fit_resample`` change ``X`` and ``y`` in ``fit`` but skips
them at predict time, which is wrong for windowing, since new recordings need
windows too. :class:`WindowPipeline` changes only that:

- ``fit``: a step with ``fit_resample`` (e.g.
  :class:`~skmicrobi.SlidingWindowTransformer`) returns windows, window labels and
  window groups; the steps after it, and the final estimator, are fitted on those.
  When ``fit`` is given ``groups``, the final estimator also receives the window
  groups if its ``fit`` accepts them (e.g. :class:`~skmicrobi.MicroBiClassifier`'s
  early-stopping split then holds out whole subjects).
- ``predict``, ``predict_proba``, ``decision_function``, ``transform``: every step
  calls ``transform``, as in any Pipeline, so one prediction comes per window.
- ``score``: the window step windows ``y`` with the same rule as in ``fit``
  (``resample``), and the final estimator scores the windows.

:func:`window_scorer` does what ``score`` does for any scikit-learn scorer, so
``GridSearchCV`` and ``cross_val_score`` can rank pipelines by, e.g., macro-F1 of the
windows.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.pipeline import Pipeline
from sklearn.utils.metadata_routing import process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, check_memory

from skmicrobi._sklearn_compat import (
    _final_estimator_has,
    _fit_context,
    _fit_transform_one_with_callbacks,
    _name_estimators,
    _print_elapsed_time,
    _routing_enabled,
    init_callback_context,
)

__all__ = ["WindowPipeline", "make_pipeline", "window_scorer"]


class WindowPipeline(Pipeline):
    """Pipeline that trains on recordings: its window step windows ``y`` too.

    A subclass of :class:`sklearn.pipeline.Pipeline` with the same parameters. Steps
    that have ``fit_resample`` (such as :class:`~skmicrobi.SlidingWindowTransformer`)
    turn recordings and their labels into windows and window labels in ``fit``, and
    window new recordings with ``transform`` in ``predict``; ``score`` windows ``y``
    the same way as ``fit``.

    Parameters
    ----------
    steps : list of tuples
        ``(name, estimator)`` pairs, the last an estimator and the others
        transformers (with ``fit`` and ``transform``), possibly with
        ``fit_resample`` (and ``resample``, for ``score``).
    transform_input : list of str, default=None
        As in :class:`~sklearn.pipeline.Pipeline` (needs metadata routing).
    memory : str or object with the joblib.Memory interface, default=None
        Caches fitted transformers and window steps, as in
        :class:`~sklearn.pipeline.Pipeline`.
    verbose : bool, default=False
        Print the time taken by each step.

    Attributes
    ----------
    named_steps : :class:`~sklearn.utils.Bunch`
        Steps by name.
    classes_ : ndarray of shape (n_classes,)
        The classes of the final estimator.

    See Also
    --------
    make_pipeline : Build a WindowPipeline with automatic step names.
    window_scorer : A scorer that windows ``y`` like :meth:`score`.

    Notes
    -----
    ``predict`` returns one prediction per window, in the order of
    :meth:`SlidingWindowTransformer.window_index`, which gives each window's
    recording and start. A purity threshold drops mixed windows in ``fit`` and
    ``score``, not in ``predict``, which has no labels.

    When ``y`` has a label per time step, the recordings are the samples: in
    cross-validation pass one group per recording (``cv=GroupKFold(...)``, with
    ``groups=subjects``) and X as a 3D array, a list of arrays or a nested
    DataFrame, which index by recording. Stratified splitters cannot read
    per-time-step labels; pass an explicit group or plain splitter.

    ``fit(X, y, groups=...)`` passes ``groups`` to the window step, and the
    window groups to the final estimator. Without metadata routing,
    ``GridSearchCV.fit(..., groups=g)`` gives ``g`` to the splitter only; with
    routing enabled, ``set_fit_request(groups=True)`` passes it to ``fit`` too.
    Without groups, the final estimator gets none: with few recordings, holding
    out whole recordings for early stopping would cost much of the training data.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skmicrobi import SlidingWindowTransformer, WindowPipeline
    >>> rng = np.random.default_rng(0)
    >>> recordings = [rng.normal(size=(3, 400)) + i % 2 for i in range(6)]
    >>> labels = [np.full(400, i % 2) for i in range(6)]
    >>> pipe = WindowPipeline([
    ...     ("win", SlidingWindowTransformer(window_length=50, stride=25)),
    ...     ("flat", FunctionTransformer(lambda w: w.reshape(len(w), -1))),
    ...     ("clf", LogisticRegression()),
    ... ])
    >>> pipe.fit(recordings, labels).predict(recordings[:1]).shape
    (15,)
    >>> pipe.score(recordings, labels)
    1.0
    """

    @_fit_context(
        # estimators in Pipeline.steps are not validated yet
        prefer_skip_nested_validation=False
    )
    def fit(
        self, X: Any, y: Any = None, groups: Any = None, **params
    ) -> WindowPipeline:
        """Window the recordings and their labels, then fit every step.

        Parameters
        ----------
        X : recordings
            Input of the first step, e.g. a list of ``(channels, time)`` arrays.
        y : array-like or list of array-like
            Labels per recording or per time step, as the window step takes them.
        groups : array-like of shape (n_recordings,), default=None
            Group (e.g. subject) of each recording, given to each step's
            ``fit_resample``; the window groups that come out are given to the
            final estimator's ``fit`` when it accepts ``groups``. None gives the
            final estimator no groups.
        **params : dict
            ``step__param`` fit parameters, or routed metadata, as in
            :meth:`sklearn.pipeline.Pipeline.fit`.

        Returns
        -------
        self : WindowPipeline
            The fitted pipeline.
        """
        self._fit_all("fit", X, y, groups, params)
        return self

    @available_if(Pipeline._can_fit_transform)
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_transform(self, X: Any, y: Any = None, groups: Any = None, **params) -> Any:
        """Fit, and return the training windows transformed by every step.

        Parameters
        ----------
        X : recordings
            Input of the first step.
        y : array-like or list of array-like
            Labels per recording or per time step.
        groups : array-like of shape (n_recordings,), default=None
            Group of each recording, as in :meth:`fit`.
        **params : dict
            Fit parameters, as in :meth:`fit`.

        Returns
        -------
        Xt : ndarray
            The windows kept in ``fit`` (see ``purity``), transformed.
        """
        return self._fit_all("fit_transform", X, y, groups, params)

    @available_if(_final_estimator_has("fit_predict"))
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_predict(self, X: Any, y: Any = None, groups: Any = None, **params) -> Any:
        """Fit, and return the final estimator's ``fit_predict`` on the windows.

        Parameters
        ----------
        X : recordings
            Input of the first step.
        y : array-like or list of array-like
            Labels per recording or per time step.
        groups : array-like of shape (n_recordings,), default=None
            Group of each recording, as in :meth:`fit`.
        **params : dict
            Fit parameters, as in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray
            One prediction per window kept in ``fit``.
        """
        return self._fit_all("fit_predict", X, y, groups, params)

    @available_if(_final_estimator_has("score"))
    def score(
        self, X: Any, y: Any = None, sample_weight: Any = None, **params
    ) -> float:
        """Window ``X`` and ``y`` as in ``fit``, and score the final estimator.

        Parameters
        ----------
        X : recordings
            Test recordings.
        y : array-like or list of array-like
            Their labels, per recording or per time step.
        sample_weight : array-like of shape (n_recordings,), default=None
            Weight of each recording, given to every window it yields.
        **params : dict
            Routed metadata (with metadata routing enabled only).

        Returns
        -------
        score : float
            The final estimator's ``score`` on the windows (accuracy for a
            classifier).
        """
        check_is_fitted(self)
        # sample_weight is this pipeline's own: it is windowed here, not routed.
        routed = (
            process_routing(self, "score", **params) if _routing_enabled() else None
        )
        Xt, yt, swt = self._window_for_scoring(X, y, sample_weight, routed)
        final_name, final = self.steps[-1]
        score_params = {} if routed is None else dict(routed[final_name].score)
        if swt is not None:
            score_params["sample_weight"] = swt
        return final.score(Xt, yt, **score_params)

    def get_metadata_routing(self):
        """Metadata routing of the steps, plus ``groups`` consumed by ``fit``.

        ``groups`` in ``fit`` and ``sample_weight`` in ``score`` are this
        pipeline's own metadata, windowed before they reach the final estimator:
        with metadata routing enabled, ``set_fit_request(groups=True)`` lets a
        ``GridSearchCV`` pass its ``groups`` to :meth:`fit`.

        Returns
        -------
        routing : MetadataRouter
            The routing of :class:`~sklearn.pipeline.Pipeline`, with this
            pipeline's own requests added.
        """
        return super().get_metadata_routing().add_self_request(self)

    # -- internals -------------------------------------------------------------
    def _fit_all(self, method, X, y, groups, params):
        """Body of fit, fit_transform and fit_predict, as in scikit-learn's."""
        callback_ctx = init_callback_context(
            self,
            task_name=method.replace("_", "-"), max_subtasks=len(self.steps)
        )
        callback_ctx.call_on_fit_task_begin(estimator=self, X=X, y=y)
        if not _routing_enabled() and self.transform_input is not None:
            raise ValueError(
                "The `transform_input` parameter can only be set if metadata "
                "routing is enabled. You can enable metadata routing using "
                "`sklearn.set_config(enable_metadata_routing=True)`."
            )
        routed_params = self._check_method_params(method=method, props=params)
        Xt, yt, window_groups = self._fit(
            X,
            y,
            routed_params,
            raw_params=params,
            callback_ctx=callback_ctx,
            groups=groups,
        )
        # Without user groups the window groups are recording indices: not passed on.
        gt = window_groups if groups is not None else None
        result = Xt
        last = self._final_estimator
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            subcontext = callback_ctx.subcontext(
                task_name=f"{method.replace('_', '-')}-final-estimator"
            )
            if last == "passthrough":
                subcontext.call_on_fit_task_begin(estimator=self, X=Xt, y=yt)
                subcontext.call_on_fit_task_end(estimator=self, X=Xt, y=yt)
            else:
                with subcontext.propagate_callback_context(last):
                    subcontext.call_on_fit_task_begin(estimator=self, X=Xt, y=yt)
                    step_params = self._get_metadata_for_step(
                        step_idx=len(self) - 1,
                        step_params=routed_params[self.steps[-1][0]],
                        all_params=params,
                    )
                    if method == "fit_transform" and not hasattr(last, "fit_transform"):
                        fit = _with_groups(last.fit, step_params["fit"], gt)
                        result = last.fit(Xt, yt, **fit).transform(
                            Xt, **step_params["transform"]
                        )
                    else:
                        call = getattr(last, method)
                        result = call(
                            Xt, yt, **_with_groups(call, step_params[method], gt)
                        )
                    subcontext.call_on_fit_task_end(estimator=self, X=Xt, y=yt)
        callback_ctx.call_on_fit_task_end(estimator=self, X=Xt, y=yt)
        return result

    def _fit(
        self,
        X,
        y=None,
        routed_params=None,
        raw_params=None,
        callback_ctx=None,
        groups=None,
    ):
        """Fit all steps but the last; return the windows, their labels and groups."""
        # shallow copy of steps, as in scikit-learn: this should really be steps_
        self.steps = list(self.steps)
        self._validate_steps()
        memory = check_memory(self.memory)
        # As scikit-learn's Pipeline: the caller and the callback context are not
        # part of a step's fit result, and hashing them would miss the cache on
        # every fit (the context is new each time).
        fit_transform_one_cached = memory.cache(
            _fit_transform_one_with_callbacks, ignore=["caller", "callback_ctx"]
        )
        fit_resample_one_cached = memory.cache(
            _fit_resample_one_with_callbacks, ignore=["caller", "callback_ctx"]
        )
        for step_idx, name, transformer in self._iter(
            with_final=False, filter_passthrough=False
        ):
            subcontext = callback_ctx.subcontext(task_name=f"fit-transform-{name}")
            if transformer is None or transformer == "passthrough":
                with _print_elapsed_time("Pipeline", self._log_message(step_idx)):
                    subcontext.call_on_fit_task_begin(estimator=self, X=X, y=y)
                    subcontext.call_on_fit_task_end(estimator=self, X=X, y=y)
                    continue
            if hasattr(memory, "location") and memory.location is None:
                # no clone without caching, as scikit-learn's Pipeline does
                cloned = transformer
            else:
                cloned = clone(transformer)
            step_params = self._get_metadata_for_step(
                step_idx=step_idx,
                step_params=routed_params[name],
                all_params=raw_params,
            )
            if hasattr(cloned, "fit_resample"):
                X, y, groups, fitted = fit_resample_one_cached(
                    cloned,
                    X,
                    y,
                    groups,
                    message_clsname="Pipeline",
                    message=self._log_message(step_idx),
                    params=step_params,
                    caller=self,
                    callback_ctx=subcontext,
                )
            else:
                X, fitted = fit_transform_one_cached(
                    cloned,
                    X,
                    y,
                    None,
                    message_clsname="Pipeline",
                    message=self._log_message(step_idx),
                    params=step_params,
                    caller=self,
                    callback_ctx=subcontext,
                )
            self.steps[step_idx] = (name, fitted)
        return X, y, groups

    def _window_for_scoring(self, X, y, sample_weight=None, routed=None):
        """Windows, window labels and window weights of test recordings.

        Steps with ``resample`` window ``X`` and ``y`` without refitting; the others
        ``transform``. Called with ``groups=None``, ``resample`` returns the index
        of each window's recording, which carries ``sample_weight`` over.
        """
        Xt, yt, source = X, y, None
        for _, name, step in self._iter(with_final=False):
            if hasattr(step, "fit_resample") and yt is not None:
                if not hasattr(step, "resample"):
                    raise TypeError(
                        f"Step {name!r} ({type(step).__name__}) has fit_resample but "
                        "no resample method, so score cannot window y the way fit "
                        "did. Give it resample(X, y, groups=None)."
                    )
                Xt, yt, index = _unpack(step.resample(Xt, yt), name)
                if index is not None:
                    source = index if source is None else source[index]
            else:
                transform_params = {} if routed is None else routed[name].transform
                Xt = step.transform(Xt, **transform_params)
        if sample_weight is not None and source is not None:
            sample_weight = np.asarray(sample_weight)[source]
        return Xt, yt, sample_weight


def make_pipeline(
    *steps: Any, memory: Any = None, transform_input: Any = None, verbose: bool = False
) -> WindowPipeline:
    """Build a :class:`WindowPipeline` from estimators, naming steps automatically.

    Parameters
    ----------
    *steps : list of estimators
        The steps, in order; names are their lowercased class names.
    memory : str or object with the joblib.Memory interface, default=None
        As in :class:`WindowPipeline`.
    transform_input : list of str, default=None
        As in :class:`WindowPipeline`.
    verbose : bool, default=False
        Print the time taken by each step.

    Returns
    -------
    WindowPipeline
        The pipeline.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skmicrobi import SlidingWindowTransformer
    >>> from skmicrobi.pipeline import make_pipeline
    >>> pipe = make_pipeline(SlidingWindowTransformer(64, 32), LogisticRegression())
    >>> list(pipe.named_steps)
    ['slidingwindowtransformer', 'logisticregression']
    """
    return WindowPipeline(
        _name_estimators(steps),
        transform_input=transform_input,
        memory=memory,
        verbose=verbose,
    )


def window_scorer(scoring: Any = None) -> _WindowScorer:
    """A scorer for a :class:`WindowPipeline` that windows ``y`` before scoring.

    scikit-learn's scorers compare ``predict(X)`` with ``y``; for a WindowPipeline
    those are one prediction per window against labels per recording or per time
    step. The returned scorer windows the test recordings and their labels as
    :meth:`WindowPipeline.score` does, then applies ``scoring`` to the final
    estimator on the windows.

    Parameters
    ----------
    scoring : str or callable, default=None
        A scorer name such as ``"f1_macro"``, or a callable
        ``scorer(estimator, X, y)``; None uses the final estimator's ``score``.

    Returns
    -------
    callable
        ``scorer(pipeline, X, y, sample_weight=None)``, for the ``scoring``
        parameter of ``GridSearchCV``, ``cross_val_score`` or ``cross_validate``.

    Examples
    --------
    >>> from skmicrobi.pipeline import window_scorer
    >>> window_scorer("f1_macro")
    window_scorer('f1_macro')
    """
    return _WindowScorer(scoring)


class _WindowScorer:
    """Picklable scorer made by :func:`window_scorer`."""

    def __init__(self, scoring: Any) -> None:
        self.scoring = scoring

    def __call__(self, estimator, X, y, sample_weight=None) -> float:
        if not isinstance(estimator, WindowPipeline):
            raise TypeError(
                "window_scorer scores a WindowPipeline, got "
                f"{type(estimator).__name__}."
            )
        Xt, yt, swt = estimator._window_for_scoring(X, y, sample_weight)
        final = estimator.steps[-1][1]
        scorer = check_scoring(final, scoring=self.scoring)
        return scorer(final, Xt, yt, **({} if swt is None else {"sample_weight": swt}))

    def __repr__(self) -> str:
        return f"window_scorer({self.scoring!r})"


def _fit_resample_one(
    sampler, X, y, groups, message_clsname="", message=None, params=None
):
    """Fit a window step; return windows, window labels, window groups and the step."""
    params = params or {}
    # Pipeline routes a step's fit parameters to fit_transform when it has one.
    method = "fit_transform" if hasattr(sampler, "fit_transform") else "fit"
    fit_params = dict(params.get(method, {}))
    with _print_elapsed_time(message_clsname, message):
        if groups is not None or _accepts(sampler.fit_resample, "groups"):
            fit_params["groups"] = groups
        Xr, yr, gr = _unpack(sampler.fit_resample(X, y, **fit_params), "fit_resample")
    if groups is not None and gr is None:
        raise ValueError(
            f"{type(sampler).__name__}.fit_resample returned no groups, so groups "
            "cannot follow its samples. Return (X, y, groups) from fit_resample."
        )
    return Xr, yr, gr, sampler


def _fit_resample_one_with_callbacks(
    sampler,
    X,
    y,
    groups,
    message_clsname="",
    message=None,
    params=None,
    *,
    caller,
    callback_ctx,
):
    """``_fit_resample_one`` inside the step's callback context.

    The window step's twin of scikit-learn's ``_fit_transform_one_with_callbacks``:
    the context reaches the step inside the cached call, so it is not hashed.
    """
    with callback_ctx.propagate_callback_context(sampler):
        callback_ctx.call_on_fit_task_begin(estimator=caller, X=X, y=y)
        Xr, yr, gr, sampler = _fit_resample_one(
            sampler, X, y, groups, message_clsname, message, params
        )
        callback_ctx.call_on_fit_task_end(estimator=caller, X=Xr, y=yr)
    return Xr, yr, gr, sampler


def _unpack(result, where: str):
    if len(result) == 3:
        return result
    if len(result) == 2:
        return (*result, None)
    raise ValueError(
        f"{where} must return (X, y) or (X, y, groups), got {len(result)} values."
    )


def _accepts(method, name: str) -> bool:
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def _with_groups(method, params, groups) -> dict:
    """``params`` plus the window groups when ``method`` takes ``groups``."""
    params = dict(params)
    if groups is not None and "groups" not in params and _accepts(method, "groups"):
        params["groups"] = groups
    return params
