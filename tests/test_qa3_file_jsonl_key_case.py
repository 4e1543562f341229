"""A JSON Lines export whose keys are capitalised (`ID`, `Text`, `URL`, `Author`), read as the same CSV is."""

from __future__ import annotations

import json
from pathlib import Path

from journeywatch.listeners.files import FileListener
from journeywatch.settings import FileSource


def _read(path: Path, **extra: object) -> list[tuple[str, str, str | None, str | None]]:
    listener = FileListener(FileSource(kind="file", name="export", path=path, **extra))
    return [(m.external_id, m.text, m.author, m.url) for b in listener.fetch(None) for m in b.mentions]


def test_capitalised_keys_are_read_like_a_csv_header_s(tmp_path: Path) -> None:
    """The CSV's `ID`, `URL` and `Author` were read, the JSONL's ignored: its ids hashed from the text (an edited post
    stored again as new), its authors and links dropped, with no warning."""
    rows = [{"ID": "m1", "Text": "Acme kettle", "Created_At": "2026-11-20T10:00:00Z", "URL": "https://e.x/1",
             "Author": "ann"},
            {"ID": "m2", "Text": "Acme lid", "Created_At": "2026-11-20T11:00:00Z", "Author": "bo"}]  # no URL key
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in rows))
    csv = tmp_path / "export.csv"
    csv.write_text("ID,Text,Created_At,URL,Author\nm1,Acme kettle,2026-11-20T10:00:00Z,https://e.x/1,ann\n"
                   "m2,Acme lid,2026-11-20T11:00:00Z,,bo\n")
    expected = [("m1", "Acme kettle", "ann", "https://e.x/1"), ("m2", "Acme lid", "bo", None)]
    assert _read(jsonl) == expected
    assert _read(csv) == expected


def test_a_key_spelt_in_two_cases_is_not_guessed_and_an_exact_key_wins(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "Acme", "created_at": "2026-11-20T10:00:00Z", "URL": "https://e.x/u",
                                "Url": "https://e.x/U", "Author": "capital", "author": "exact"}) + "\n")
    assert _read(path) == [("a", "Acme", "exact", None)]


def test_a_mapped_key_is_found_in_another_case_too(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"Mention Id": "k1", "BODY": "Acme arrived", "Date": "2026-11-20T10:00:00Z"}) + "\n")
    assert _read(path, columns={"id": "mention id", "text": "Body", "created_at": "date"}) == [
        ("k1", "Acme arrived", None, None)]
