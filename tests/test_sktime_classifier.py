"""MicroBiSktimeClassifier: an sktime-native classifier that is MicroBiClassifier."""

import subprocess
import sys

import numpy as np
from sklearn.model_selection import KFold
from sktime.classification.base import BaseClassifier
from sktime.classification.model_evaluation import evaluate
from sktime.datasets import load_basic_motions
from sktime.registry import scitype
from sktime.utils.estimator_checks import check_estimator

from skmicrobi import MicroBiClassifier, MicroBiSktimeClassifier


def test_passes_sktime_check_estimator():
    # sktime's own suite: about 200 checks on both get_test_params sets (tiny
    # network, two epochs); about 15 s on one core.
    check_estimator(MicroBiSktimeClassifier, raise_exceptions=True, verbose=False)


def test_is_an_sktime_classifier_with_microbi_tags():
    clf = MicroBiSktimeClassifier()
    assert isinstance(clf, BaseClassifier) and scitype(clf) == "classifier"
    tags = clf.get_tags()
    assert tags["capability:multivariate"] is True
    assert tags["capability:unequal_length"] is False
    assert tags["capability:missing_values"] is False
    assert tags["capability:predict_proba"] is True
    assert tags["X_inner_mtype"] == "numpy3D"
    assert tags["python_dependencies"] == ["torch", "skorch"]


def test_same_parameters_and_predictions_as_microbi_classifier():
    sk_params = MicroBiSktimeClassifier().get_params()
    assert sk_params == MicroBiClassifier().get_params()
    X, y = load_basic_motions(split="train")
    X_test, _ = load_basic_motions(split="test")
    params = {"max_epochs": 3, "early_stopping": False, "random_state": 0}
    wrapped = MicroBiSktimeClassifier(**params).fit(X, y)
    plain = MicroBiClassifier(**params).fit(X, y)
    assert isinstance(wrapped.estimator_, MicroBiClassifier)
    np.testing.assert_array_equal(wrapped.classes_, plain.classes_)
    np.testing.assert_array_equal(wrapped.predict(X_test), plain.predict(X_test))
    np.testing.assert_allclose(
        wrapped.predict_proba(X_test), plain.predict_proba(X_test), rtol=1e-6
    )


def test_runs_in_sktime_evaluate():
    X, y = load_basic_motions(split="train", return_type="numpy3D")
    clf = MicroBiSktimeClassifier(max_epochs=2, early_stopping=False, random_state=0)
    results = evaluate(clf, cv=KFold(2, shuffle=True, random_state=0), X=X, y=y)
    assert len(results) == 2 and results.filter(like="test_").notna().all().all()


def test_importing_skmicrobi_does_not_import_sktime():
    probe = (
        "import sys, skmicrobi\n"
        "print('sktime' in sys.modules, 'torch' in sys.modules)\n"
        "skmicrobi.MicroBiSktimeClassifier\n"
        "print('sktime' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False", "True"]
