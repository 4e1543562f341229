"""Acceptance: a JSONL export's broken line is named with where it breaks, as `classify` names it.

Found by running an export with a line cut short in the middle (`{"id":"a3", ..., "created_at": "..."` with
its closing brace lost) and one whose text ran to the line's end: the run said `line 4: not valid JSON
(Expecting ',' delimiter column 1)` (column 1 holds the line's `{`: the parser had gone past the line end)
and `line 2: not valid JSON (Invalid control character at column 30)` (the line end itself), where
`journeywatch classify` on the same lines names the cut: the other lines were stored all the same.
"""

from __future__ import annotations

from pathlib import Path

from journeywatch.listeners.files import FileListener
from journeywatch.settings import FileSource


def test_a_line_cut_short_in_the_middle_of_an_export_is_named_where_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "mentions.jsonl"
    path.write_text('{"id": "a1", "text": "acme air one", "created_at": "2026-11-24T10:00:00Z"}\n'
                    '{"id": "a2", "text": "acme air x\n'
                    '\n'
                    '{"id": "a3", "text": "acme air", "created_at": "2026-11-24T12:00:00Z"\r\n'
                    '{"id": "a4", "text": "acme air four", "created_at": "2026-11-24T13:00:00Z"}\n', encoding="utf-8")
    listener = FileListener(FileSource(name="export", kind="file", path=path))
    batches = list(listener.fetch(None))
    assert [m.external_id for b in batches for m in b.mentions] == ["a1", "a4"]
    assert [w for b in batches for w in b.warnings] == [
        "line 2: not valid JSON (Unterminated string starting at column 22)",
        "line 4: not valid JSON (Expecting ',' delimiter at column 70)",
    ]
