"""An alert's expected count reads as the digest's counts do."""

from journeywatch.alerts.alert import expected_text


def test_expected_counts_are_grouped_like_the_digests_counts() -> None:
    assert [expected_text(x) for x in (0.0063, 2.5, 150.0, 1500.0, 123456.7)] == \
        ["0.0063", "2.5", "150", "1,500", "123,457"]
