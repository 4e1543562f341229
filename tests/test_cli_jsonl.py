"""`classify --jsonl` and `evaluate` on the JSONL files people really have: a BOM, CRLF line ends, blank lines,
a last line without its newline, a line cut off, a line that is not JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "journeywatch"]
ROWS = [json.dumps({"id": "a", "text": "they lost my bag", "moment": "ultimate_moment", "sentiment": "negative"}),
        "",
        json.dumps({"id": "b", "text": "thinking of booking them", "moment": "zero_moment"}),
        '{"id": "c", "text": "the export stopped half way',
        "   ",
        "id,text",
        json.dumps({"id": "d", "text": "great crew", "sentiment": "positive"})]


def _messy_file(tmp_path: Path) -> Path:
    """Excel's BOM, Windows line ends, and no newline after the last line."""
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(ROWS).encode("utf-8"))
    return path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_classify_skips_blank_lines_and_names_each_bad_one_by_number_and_reason(tmp_path: Path) -> None:
    """A bad line was "not valid JSON" and no more: a line cut short read as any other typo."""
    result = _run("classify", "--jsonl", str(_messy_file(tmp_path)), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [(row["id"], row["line"]) for row in map(json.loads, result.stdout.splitlines())] == [
        ("a", 1), ("b", 3), ("d", 7)]
    assert result.stderr.splitlines() == [
        f"{tmp_path}/export.jsonl:4: skipped, not valid JSON (Unterminated string starting at column 21)",
        f"{tmp_path}/export.jsonl:6: skipped, not valid JSON (Expecting value at column 1)",
        f"{tmp_path}/export.jsonl: 2 of 5 lines skipped, 3 used"]


def test_evaluate_scores_the_same_lines_and_names_the_same_bad_ones(tmp_path: Path) -> None:
    result = _run("evaluate", str(_messy_file(tmp_path)), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["moment"]["n"], report["sentiment"]["n"]) == (2, 2)
    assert result.stderr.splitlines()[:2] == [
        f"{tmp_path}/export.jsonl:4: skipped, not valid JSON (Unterminated string starting at column 21)",
        f"{tmp_path}/export.jsonl:6: skipped, not valid JSON (Expecting value at column 1)"]
