# orrery.watch(model): per-layer histograms of gradients and parameters from PyTorch hooks,
# written with the next log() call at its step.
import importlib.util
import unittest

import orrery

from helpers import TempDir, only_run_dir, read_spool_dir

HAS_TORCH = importlib.util.find_spec("torch") is not None


@unittest.skipUnless(HAS_TORCH, "needs PyTorch (Debian: python3-torch)")
class WatchTest(unittest.TestCase):
    def setUp(self):
        import torch

        torch.manual_seed(0)
        self.torch = torch
        self.model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
        self._tmp = TempDir()
        self.root = self._tmp.__enter__()
        self.run = orrery.init(project="watch", dir=self.root, mode="offline", console=False, system_metrics_interval=0)

    def tearDown(self):
        orrery.finish(quiet=True)
        self._tmp.__exit__(None, None, None)

    def train(self, steps: int):
        torch = self.torch
        opt = torch.optim.SGD(self.model.parameters(), lr=0.1)
        for step in range(steps):
            x = torch.randn(16, 4)
            loss = self.model(x).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            orrery.log({"loss": loss.item()})

    def histogram_records(self):
        orrery.finish(quiet=True)
        _, recs = read_spool_dir(only_run_dir(self.root))
        return [r for r in recs if r["type"] == "histogram"]

    def test_gradients_are_logged_every_log_freq_backward_passes_at_the_next_log_step(self):
        orrery.watch(self.model, log="gradients", log_freq=3)
        self.train(7)
        hists = self.histogram_records()
        self.assertEqual([h["step"] for h in hists], [0, 3, 6])
        keys = set(hists[0]["values"])
        self.assertEqual(keys, {"gradients/0.weight", "gradients/0.bias", "gradients/2.weight", "gradients/2.bias"})
        w = hists[0]["values"]["gradients/0.weight"]
        self.assertEqual((len(w["bins"]), len(w["counts"])), (65, 64))
        self.assertEqual(sum(w["counts"]), 32)

    def test_all_logs_parameters_and_gradients(self):
        orrery.watch(self.model, log="all", log_freq=2)
        self.train(2)
        hists = self.histogram_records()
        self.assertIn("parameters/0.weight", hists[0]["values"])
        self.assertIn("gradients/0.weight", hists[0]["values"])
        self.assertEqual(sum(hists[0]["values"]["parameters/2.bias"]["counts"]), 2)

    def test_parameter_histograms_match_the_weights(self):
        from orrery._watch import tensor_histogram

        w = self.model[0].weight.detach()
        h = tensor_histogram(w)
        self.assertAlmostEqual(h.bins[0], float(w.min()), places=5)
        self.assertAlmostEqual(h.bins[-1], float(w.max()), places=5)
        self.assertEqual(sum(h.counts), w.numel())

    def test_unwatch_removes_the_hooks(self):
        orrery.watch(self.model, log_freq=1)
        orrery.unwatch(self.model)
        self.train(2)
        self.assertEqual(self.histogram_records(), [])

    def test_a_one_element_tensor_is_logged_as_a_number(self):
        orrery.log({"t": self.torch.tensor(0.25)})
        orrery.finish(quiet=True)
        _, recs = read_spool_dir(only_run_dir(self.root))
        self.assertEqual([r["values"] for r in recs if r["type"] == "history"], [{"t": 0.25}])


if __name__ == "__main__":
    unittest.main()
