"""A small convolutional network on scikit-learn's bundled digits (1,797 8x8 images), tracked
with Orrery: config, per-batch and per-epoch metrics, and gradient and parameter histograms
from orrery.watch(). Runs offline on a fresh machine in a few seconds on two CPU cores.

    PYTHONPATH=clients/python python3 examples/python/pytorch_digits.py --epochs 5
"""

import argparse

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

import orrery


class DigitsCNN(nn.Module):
    def __init__(self, channels=16, hidden=64):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(),
            nn.Conv2d(channels, 2 * channels, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(2 * channels * 4 * 4, hidden), nn.ReLU(), nn.Linear(hidden, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def load_data(seed):
    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(digits.target, dtype=torch.long)
    idx_train, idx_val = train_test_split(range(len(y)), test_size=0.2, random_state=seed, stratify=digits.target)
    return (x[idx_train], y[idx_train]), (x[idx_val], y[idx_val])


def evaluate(model, x, y, loss_fn):
    model.eval()
    with torch.no_grad():
        logits = model(x)
        return loss_fn(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--log-freq", type=int, default=10, help="histograms every N batches")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--project", default="digits-cnn")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    (x_train, y_train), (x_val, y_val) = load_data(args.seed)
    model = DigitsCNN()
    config = {
        "lr": args.lr, "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
        "optimizer": "adam", "architecture": "2xconv-mlp", "train_size": len(y_train), "val_size": len(y_val),
    }

    with orrery.init(project=args.project, config=config, job_type="train", tags=["pytorch", "digits"]) as run:
        orrery.define_metric("val/acc", summary="max", goal="maximize")
        orrery.define_metric("val/loss", summary="min", goal="minimize")
        orrery.watch(model, log="all", log_freq=args.log_freq)

        optimizer = torch.optim.Adam(model.parameters(), lr=run.config.lr)
        loss_fn = nn.CrossEntropyLoss()
        best_acc, best_epoch = 0.0, -1
        for epoch in range(run.config.epochs):
            model.train()
            order = torch.randperm(len(y_train))
            total, batches = 0.0, 0
            for start in range(0, len(order), run.config.batch_size):
                batch = order[start:start + run.config.batch_size]
                optimizer.zero_grad()
                loss = loss_fn(model(x_train[batch]), y_train[batch])
                loss.backward()
                optimizer.step()
                total += loss.item()
                batches += 1
                orrery.log({"train/loss": loss.item()})
            val_loss, val_acc = evaluate(model, x_val, y_val, loss_fn)
            orrery.log({"epoch": epoch, "train/epoch_loss": total / batches, "val/loss": val_loss, "val/acc": val_acc})
            if val_acc > best_acc:
                best_acc, best_epoch = val_acc, epoch
            print(f"epoch {epoch}: train/loss {total / batches:.4f} val/loss {val_loss:.4f} val/acc {val_acc:.4f}")
        run.summary["best/val_acc"] = best_acc
        run.summary["best/epoch"] = best_epoch


if __name__ == "__main__":
    main()
