"""The model card names the processor its figures were measured on: bf16 kernels differ between processors
(Intel's AMX, AMD's AVX512-BF16), and the figures by an item or two with them."""

from pathlib import Path

import pytest

from journeywatch.cli.model import _hardware


def test_the_cards_hardware_line_names_the_processor() -> None:
    info = Path("/proc/cpuinfo")
    names = [line.split(":", 1)[1].strip() for line in info.read_text().splitlines()
             if line.startswith("model name")] if info.exists() else []
    if not names or not names[0]:
        pytest.skip("this system names no processor in /proc/cpuinfo")
    assert _hardware().startswith(f"CPU ({names[0]}), "), _hardware()
