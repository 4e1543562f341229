"""Emerging terms keep a phrasal verb whole: "log in" is one term, not the word "log" left by the stop word "in"."""

from __future__ import annotations

import numpy as np

from journeywatch.reports.terms import TermCounter, phrase_analyzer, top_terms


def test_phrasal_verbs_and_their_one_word_spellings_are_one_term() -> None:
    analyze = phrase_analyzer(frozenset({"in", "up", "out", "the", "to", "can", "my", "top", "t", "i"}))
    for text, term in (("Can't log in since Monday", "log in"), ("I logged in twice", "log in"),
                       ("The login page hangs", "log in"), ("sign-up form is broken", "sign up"),
                       ("signing up took ages", "sign up"), ("checkout crashed", "check out"),
                       ("checked out with my card", "check out"), ("top up failed", "top up"),
                       ("my top-up vanished", "top up"), ("topped up 20", "top up")):
        features = analyze(text)
        assert term in features, (text, features)
        assert term.split()[0] not in features, (text, features)  # no stray "log", "sign", "check"


def test_a_log_in_outage_emerges_as_log_in() -> None:
    # An outage week's emerging term read "log": "in" is a stop word, and "top up" vanished whole ("top" is one).
    baseline = [f"acme app works fine, order {n} came on time" for n in range(20)]
    week = ["can't log in to acme since the update", "acme login keeps failing", "logging in fails every time",
            "tried to top up, top up failed", "my top-up never arrived", "topped up twice and lost it"]
    counter = TermCounter(baseline + week, extra_stop_words=["acme"], authors=None)
    current = np.array([False] * len(baseline) + [True] * len(week))
    terms = {t.term: t.count for t in top_terms(counter, current, ~current, limit=10)}
    assert terms.get("log in") == 3 and terms.get("top up") == 3, terms
    assert "log" not in terms


def test_a_phrasal_verb_is_not_paired_with_its_neighbours() -> None:
    # Three copies of "checkout kept failing with my Amex" made 'check out kept' a purchase stage's term.
    analyze = phrase_analyzer(frozenset({"with", "my"}))
    features = analyze("checkout kept failing with my Amex")
    assert "check out" in features and "kept failing" in features
    assert not [f for f in features if f.startswith("check out ") or f.endswith(" check out")], features
