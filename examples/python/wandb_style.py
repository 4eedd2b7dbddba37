# A typical Weights & Biases training script. The only change from the W&B original is the
# import line: `import wandb` became `import orrery as wandb`. Everything else is W&B's API.
import math
import random

import orrery as wandb

random.seed(7)

wandb.init(
    project="wandb-style",
    name="baseline",
    config={"lr": 0.01, "epochs": 20, "batch_size": 32, "architecture": "mlp", "dropout": 0.1},
    tags=["baseline"],
    notes="written for W&B, run on Orrery",
)
config = wandb.config
wandb.define_metric("val/acc", summary="max")

best_acc = 0.0
for epoch in range(config.epochs):
    train_loss = 2.0 * math.exp(-config.lr * 20 * epoch) + random.random() * 0.05
    val_acc = 1.0 - math.exp(-0.2 * (epoch + 1)) * 0.9
    wandb.log({"train/loss": train_loss, "epoch": epoch}, commit=False)
    wandb.log({"val/acc": val_acc})
    best_acc = max(best_acc, val_acc)

wandb.config.update({"optimizer": "sgd"})
wandb.run.summary["best_acc"] = best_acc
wandb.summary["final_loss"] = train_loss
wandb.finish()
