"""Benchmarks: pathgrad's eager, replay, compiled and batched modes side by side with micrograd,
PyTorch 0-d tensors and hand-written float code, each engine in its own process. `python -m bench`
(or `make bench`) runs them all and writes bench/RESULTS.md."""
