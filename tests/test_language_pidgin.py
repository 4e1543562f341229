"""Informal English that py3langid labels Nigerian Pidgin is still classified."""

from journeywatch.listeners.language import detect_languages


def test_informal_english_read_as_pidgin_is_supported() -> None:
    texts = ["@user im still on hold...", "follow for follow", "@user how do I get my companion pass?"]
    languages = detect_languages(texts)
    assert [language.code for language in languages] == ["pcm"] * 3  # what the detector says of them
    assert all(language.supported for language in languages)


def test_other_languages_stay_unsupported() -> None:
    (german,) = detect_languages(["Der Wasserkocher ist nach zwei Wochen kaputt gegangen. Nie wieder!"])
    assert german.code == "de" and not german.supported
