"""Every private scikit-learn name that skmicrobi uses, imported in one place.

scikit-learn may move or rename its private helpers in any release. As
imbalanced-learn does (``imblearn/utils/_sklearn_compat.py``), the rest of the
package imports them from here only, so that a new release breaks this file and
nothing else; ``tests/test_sklearn_compat.py`` keeps it that way.

What each name is for:

* ``_fit_context``: the decorator of ``fit`` that validates ``_parameter_constraints``
  with scikit-learn's own messages (every estimator);
* ``HasMethods``, ``Interval``, ``Options``, ``StrOptions``: the constraint types of
  ``_parameter_constraints`` (every estimator);
* ``_fit_transform_one_with_callbacks``, ``_final_estimator_has``,
  ``_name_estimators``,
  ``_print_elapsed_time``, ``_routing_enabled``, :func:`init_callback_context`:
  the internals of scikit-learn's ``Pipeline`` that
  :class:`~skmicrobi.WindowPipeline` follows (its ``fit`` is scikit-learn's with
  a window step that windows ``y``).
"""

from __future__ import annotations

from typing import Any

from sklearn.base import _fit_context
from sklearn.pipeline import (
    _final_estimator_has,
    _fit_transform_one_with_callbacks,
    _name_estimators,
)
from sklearn.utils._param_validation import HasMethods, Interval, Options, StrOptions
from sklearn.utils._user_interface import _print_elapsed_time
from sklearn.utils.metadata_routing import _routing_enabled


def init_callback_context(estimator: Any, **kwargs: Any) -> Any:
    """Start the callback context of ``estimator``'s fit (scikit-learn >= 1.9).

    ``Pipeline.fit`` calls the private method ``_init_callback_context`` first;
    :class:`~skmicrobi.WindowPipeline` does the same through this function.

    Parameters
    ----------
    estimator : sklearn.base.BaseEstimator
        The estimator being fitted, e.g. a :class:`~skmicrobi.WindowPipeline`.
    **kwargs : dict
        ``task_name``, ``max_subtasks``, ... of ``_init_callback_context``.

    Returns
    -------
    CallbackContext
        The root callback context of this fit.
    """
    return estimator._init_callback_context(**kwargs)


__all__ = [
    "HasMethods",
    "Interval",
    "Options",
    "StrOptions",
    "_final_estimator_has",
    "_fit_context",
    "_fit_transform_one_with_callbacks",
    "_name_estimators",
    "_print_elapsed_time",
    "_routing_enabled",
    "init_callback_context",
]
