"""`classify --jsonl` and `evaluate` on the JSONL files people really have: a BOM, CRLF line ends, blank lines,
a last line without its newline, a line cut off, a line that is not JSON."""

from __future__ import annotations

import gzip
import json
import select
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


def test_classify_writes_results_while_its_input_is_still_coming(tmp_path: Path) -> None:
    """The whole input was read before the first text was classified: a 200,000-line export held every text
    in memory (some 160 MB) and a pipe fed as rows are exported got nothing back until it closed."""
    from journeywatch.cli.model import CLASSIFY_CHUNK

    classify = subprocess.Popen([*CLI, "classify", "--jsonl", "-"], cwd=tmp_path, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert classify.stdin is not None and classify.stdout is not None
        classify.stdin.write("".join(json.dumps({"id": i, "text": f"they lost my bag, flight {i}"}) + "\n"
                                     for i in range(CLASSIFY_CHUNK)))
        classify.stdin.flush()  # a chunk's worth, and the input stays open
        ready, _, _ = select.select([classify.stdout], [], [], 240)
        assert ready, "no result came while the input was open"
        assert json.loads(classify.stdout.readline())["id"] == 0
        classify.stdin.write(json.dumps({"id": "last", "text": "great crew"}) + "\n")
        classify.stdin.close()
        rest = classify.stdout.read()  # what it has already buffered included, unlike communicate()
        classify.wait(timeout=300)
        err = classify.stderr.read() if classify.stderr else ""
    finally:
        if classify.poll() is None:
            classify.kill()
    assert classify.returncode == 0, err
    assert [json.loads(line)["id"] for line in rest.splitlines()] == [*range(1, CLASSIFY_CHUNK), "last"]


def test_classify_of_a_gzip_file_damaged_part_way_says_how_far_its_results_go(tmp_path: Path) -> None:
    """Read as it goes, classify has written results when the damage is found: the error says which."""
    rows = "".join(json.dumps({"id": i, "text": f"avoid them {i} " + "x" * 50}) + "\n" for i in range(3000))
    packed = gzip.compress(rows.encode("utf-8"))
    (tmp_path / "cut.jsonl.gz").write_bytes(packed[:len(packed) // 2])
    result = _run("classify", "--jsonl", "cut.jsonl.gz", cwd=tmp_path)
    assert result.returncode == 1
    written = [json.loads(line)["line"] for line in result.stdout.splitlines()]
    assert written and written == list(range(1, len(written) + 1))
    assert result.stderr.startswith("Error: cut.jsonl.gz: the gzip data is cut short or damaged (")
    assert result.stderr.endswith(f" could be read ({len(written)} results written, the last for input line "
                                  f"{written[-1]})\n"), result.stderr
