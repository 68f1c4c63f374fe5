"""Writes events.out.tfevents.tensorboardx, the fixture tests/tensorboard.rs reads.

Made with tensorboardX (pip install tensorboardX; it needs neither TensorFlow nor TensorBoard):
    python make_tensorboardx_fixture.py
The values follow formulas that the Rust test repeats, so only the file is needed there.
"""

import glob
import os
import shutil
import tempfile

import numpy as np
from tensorboardX import SummaryWriter

HERE = os.path.dirname(os.path.abspath(__file__))

with tempfile.TemporaryDirectory() as logdir:
    writer = SummaryWriter(logdir)
    writer.add_text("notes", "a text summary that is not a scalar", 0)
    for step in range(10, 110, 10):
        writer.add_scalar("train/loss", 2.0 / (1.0 + 0.01 * step), step)
        writer.add_scalar("train/learning_rate", 5e-5 * (1.0 - step / 200.0), step)
        if step % 50 == 0:
            writer.add_scalar("eval/loss", 1.5 / (1.0 + 0.01 * step), step)
            writer.add_scalar("eval/accuracy", 0.5 + step / 250.0, step)
            writer.add_histogram("weights", np.linspace(-1.0, 1.0, 21), step, bins=4)
    labels = np.array([0, 1, 1, 0, 1])
    scores = np.array([0.1, 0.8, 0.6, 0.4, 0.9])
    writer.add_pr_curve("pr", labels, scores, 100, num_thresholds=5)
    writer.add_scalar("val_accuracy", float("nan"), 100)
    writer.close()
    (path,) = glob.glob(os.path.join(logdir, "events.out.tfevents.*"))
    shutil.copyfile(path, os.path.join(HERE, "events.out.tfevents.tensorboardx"))
