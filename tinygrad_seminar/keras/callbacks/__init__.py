"""Keras-style callbacks: hooks that ``fit``, ``evaluate`` and ``predict`` call at fixed points.

One callback per module: ``callback`` (the base ``Callback`` and ``CallbackList``), ``history``,
``early_stopping``, ``model_checkpoint``, ``learning_rate_scheduler``, ``lambda_callback``, ``progbar_logger``,
``reduce_lr_on_plateau``, ``csv_logger``, ``backup_and_restore``, ``terminate_on_nan``;
``monitor`` holds what EarlyStopping and ModelCheckpoint share.
"""

from .backup_and_restore import BackupAndRestore
from .callback import Callback, CallbackList
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .history import History
from .lambda_callback import LambdaCallback
from .learning_rate_scheduler import LearningRateScheduler
from .model_checkpoint import ModelCheckpoint
from .progbar_logger import ProgbarLogger
from .reduce_lr_on_plateau import ReduceLROnPlateau
from .terminate_on_nan import TerminateOnNaN

__all__ = ["BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger", "ReduceLROnPlateau", "TerminateOnNaN"]
