"""scikit-learn's estimator checks over every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skmicrobi import MicroBiClassifier


@parametrize_with_checks(
    [
        # The checks pass tabular data: each row is read as a one-channel series of
        # n_features time points, often only 2-5 long, shorter than the default
        # 4x pooling; without pooling the same network passes them all.
        MicroBiClassifier(
            max_epochs=10, lr=1e-2, pool_sizes=(1, 1), n_threads=1, random_state=0
        ),
    ],
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
