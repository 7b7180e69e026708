"""Flight-delay model: training, tracking, promotion, scoring and reproduction.

The dbt Python models in ``models/gold`` stay thin: they turn ``dbt.ref(...)`` into a pandas
frame at the edge (:mod:`.frames`) and call these modules, so the same code runs in-process on
DuckDB and on a Databricks cluster. One job per module:

- :mod:`.frames`: any engine's frame -> pandas; Delta tables read at a pinned version.
- :mod:`.features`: the feature contract (columns, label, key) and its validation.
- :mod:`.dataset`: the time-based train/eval window and the labeled training set.
- :mod:`.train`: the classifier, the naive baseline and the metrics.
- :mod:`.plots`: ROC, precision-recall, calibration and permutation-importance PNGs.
- :mod:`.tracking`: MLflow logging, registration and the ``champion`` alias.
- :mod:`.scoring`: load the champion and batch-score flights.
- :mod:`.reproduce`: retrain a past run from its Delta snapshot and compare the metrics.

Importing the package itself is cheap, with one deliberate side effect: it sets
``OMP_WAIT_POLICY=PASSIVE`` unless the environment already sets it. LightGBM and scikit-learn
use OpenMP, whose threads by default spin while waiting for work. On a shared 2-core machine
(dbt runs other models, DuckDB uses the cores) two spinning threads starve each other: measured
here, a 2-thread fit that takes 2.4 s alone took over 60 s next to two busy processes, and
5 s with the passive policy. OpenMP reads the variable once, when the library loads, so it must
be set before the first import of lightgbm or sklearn; importing this package first does that.
Results do not depend on it (nor on the thread count): only speed under contention does.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
