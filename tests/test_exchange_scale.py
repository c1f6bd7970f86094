"""Issue 16, rule 6, scaled down (slow): one province's districts each keep a register built
from the synthetic national data and send one packet; imported into one empty register, they
give the register built directly from the same files, report for report. The national run is
`python benchmarks/exchange.py` (BENCHMARKS.md)."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.slow
def test_one_provinces_district_packets_make_the_register_built_directly(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", [str(BENCHMARKS), *sys.path])   # its `import generate`
    spec = importlib.util.spec_from_file_location("exchange_benchmark", BENCHMARKS / "exchange.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    result = benchmark.run(tmp_path, provinces=1)
    assert result["packets"] == result["districts"] >= 8
    assert result["observations"] > 10_000
    assert all(result["union_equals_national"].values()), result["union_equals_national"]
