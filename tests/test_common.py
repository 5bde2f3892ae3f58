"""scikit-learn's estimator checks over every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skmicrobi import MicroBiClassifier


def _expected_failed_checks(estimator):
    return {}


@parametrize_with_checks(
    [
        # The checks pass tabular data: each row is read as a one-channel series of
        # n_features time points, often only 2-5 long, shorter than the default
        # 4x pooling; without pooling the same network passes them all.
        MicroBiClassifier(max_epochs=3, pool_sizes=(1, 1), random_state=0),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
