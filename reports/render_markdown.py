"""The digest as Markdown for chat and wikis: the same figures as the HTML, as text and tables.

Everything that came from the internet goes through `md_escape`: '<' (and
an '&' that would start an entity) become entities, so `<script>` shows as
text in any renderer that passes HTML through, and the Markdown syntax that
can make markup is backslash-escaped, so a post cannot make links, images
or tables of its own. The rest ('>', '(', a bare '&') is left as written:
chat clients that show entities and backslashes as typed read them. Links
are written only for addresses `safe_url` accepts.
"""

from __future__ import annotations

import re

from .fired_alerts import alert_summary
from .formatting import (
    MOMENT_TITLES,
    average_label,
    change_vs_baseline,
    count,
    emerging_note,
    figure,
    journey_change_text,
    models_text,
    no_data_reason,
    no_data_weeks,
    overlap_text,
    previous_weeks,
    quote_date,
    safe_url,
    short,
    signed,
    stage_title,
    touchpoint_shares,
    tracked_note,
    undated_map_note,
    undated_note,
    unmapped_text,
    untracked,
    untracked_weeks,
    volume_change_text,
)
from .model import Digest, Quote, Term
from .render_html import period_text

# Backslash escapes that CommonMark and Python-Markdown both honour; the rest become entities.
# Not '(' and ')': without '[' no link or image can open, and chat clients that show backslashes as typed read
# every highlight's '\(12 items, 1.2 a week before\)'. Nor '!' (an image needs '[' after it), nor '#' and '+'
# mid-line: a heading or list opens only at a line's start (escaped below), and every quoted hashtag read
# '\#dinnersorted', a Kiritimati alert 'Thu 19 Nov 04:00 \+14'.
# Nor '_' inside a word: a run of them between two letters or digits opens and closes no emphasis (CommonMark's
# flanking rules, Python-Markdown's smart emphasis), and chat read 'ultimate\_moment', '@jane\_doe'.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*{}\[\]]|_+")
_WORD_CHAR = re.compile(r"[^\W_]")
# A heading's closing '#'s, which Python-Markdown drops even without a space before them ('### C#' read 'C').
_CLOSING_HASHES = re.compile(r"#+$")
# '>' stays itself (no tag opens without '<'; a quote needs it at the start of a line, escaped below): the alerts
# line read '(&gt;1000×)' in chat.
_ENTITIES = {"<": "&lt;", "|": "&#124;", "~": "&#126;"}
# An '&' is escaped only where it would start an entity ('&lt;' typed in a post): chat clients that show
# entities as typed (Discord, Slack) read 'Hearth &amp; Co' for a bare one, which Markdown shows as itself.
_ENTITY_START = re.compile(r"&(?=#?\w+;)")


def _escape_special(match: re.Match[str]) -> str:
    """A match of _MARKDOWN_SPECIAL backslash-escaped, but a run of '_' between two word characters as it is."""
    run, text, start, end = match[0], match.string, match.start(), match.end()
    if run[0] == "_" and start > 0 and end < len(text) and _WORD_CHAR.match(text[start - 1]) \
            and _WORD_CHAR.match(text[end]):
        return run
    return "".join("\\" + char for char in run)


def md_escape(text: str, table: bool = True) -> str:
    """Text from the internet, made inert for Markdown and for HTML that Markdown passes through.

    Whitespace collapses to single spaces (a post cannot start a heading,
    list or code block on a line of its own). `table=False` leaves '|' as
    it is, for a line that cannot be a table row (a quote, a list item, a
    heading: a table needs a delimiter row under it); chat clients showed
    'fees &#124; hidden'.
    """
    flat = " ".join(str(text).split())
    flat = _MARKDOWN_SPECIAL.sub(_escape_special, flat)  # before the entities: '&\#124;' shows as typed
    flat = _ENTITY_START.sub("&amp;", flat)
    flat = "".join(char if char == "|" and not table else _ENTITIES.get(char, char) for char in flat)
    flat = _CLOSING_HASHES.sub(lambda run: "\\#" * len(run[0]), flat)
    if flat.startswith(("-", ">", "#", "+")):
        return "\\" + flat
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", flat)  # '1)' opens an ordered list in CommonMark as '1.' does


def md_link(label: str, url: str | None) -> str:
    """`[label](url)` for a safe http(s) URL, else the escaped label alone."""
    safe = safe_url(url)
    if safe is None:
        return md_escape(label)
    for char, code in (("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), ("[", "%5B"), ("]", "%5D")):
        safe = safe.replace(char, code)
    return f"[{md_escape(label)}]({safe})"


def _quote(q: Quote) -> str:
    meta = f"{md_escape(q.source)} · {quote_date(q)} · {q.sentiment}"
    link = md_link("open", q.url) if safe_url(q.url) else ""
    # Marked before the words: a colleague the digest is forwarded to sees it before reading the post.
    marker = "**NSFW** " if q.nsfw else ""
    return f"> {marker}“{md_escape(short(q.text), table=False)}”  \n> — {meta}{' · ' + link if link else ''}"


def _terms(terms: list[Term]) -> str:
    return ", ".join(f"{md_escape(t.term)} ({t.count:,})" for t in terms) or "—"


def _week_headers(weeks: list[str]) -> list[str]:
    """'W40' ... 'W47'; across New Year the first week of each year keeps its year ('2021-W01'), so W53 is not
    read as coming after W01."""
    years = [w.split("-")[0] for w in weeks]
    if len(set(years)) == 1:
        return [w.split("-")[1] for w in weeks]
    return [w if i == 0 or years[i] != years[i - 1] else w.split("-")[1] for i, w in enumerate(weeks)]


def render_markdown(digest: Digest) -> str:
    """The Markdown digest (no pictures: chat clients rarely show inline images; the HTML has them)."""
    h = digest.headline
    lines = [
        f"# {md_escape(digest.brand, table=False)}: customer-journey digest {digest.week}",
        "",
        f"{period_text(digest)} ({md_escape(digest.timezone)}) · stage model **{md_escape(digest.stage_model)}**",
        "",
        *([f"> ⚠ **{md_escape(digest.partial_note)}**", ""] if digest.partial_note else []),
        "## Headline",
        "",
        f"- **Mentions:** {int(h.volume.value or 0):,} ({volume_change_text(digest)})"
        + (f", of which {md_escape(undated_note(h.undated) or '')}" if h.undated else "")
        + f"; {h.journey_items:,} on the journey",
        f"- **Net sentiment:** {'—' if h.net_sentiment.value is None else signed(h.net_sentiment.value)} "
        f"({journey_change_text(digest, h.net_sentiment, h.net_sentiment_known_date)})",
        f"- **Negative share-stage talk:** {figure(h.negative_share_talk.value, '{:.1f}%')} of journey items, "
        f"{count(h.negative_share_count)} "
        f"({journey_change_text(digest, h.negative_share_talk, h.negative_share_talk_known_date, percent=True)})",
        "",
        *[f"- {md_escape(line, table=False)}" for line in digest.highlights],
        "" if digest.highlights else None,
        "## Journey map",
        "",
        f"| Stage | Items | {average_label(digest.baseline_weeks)} | Net | Neg / Neu / Pos | Top touchpoints |",
        "|---|---:|---:|---:|---|---|",
    ]
    for s in digest.stages:
        net = "—" if s.net_sentiment is None else signed(s.net_sentiment)
        touch = ", ".join(f"{md_escape(t.source)} {t.count:,} ({share}%)"
                          for t, share in zip(s.touchpoints, touchpoint_shares(s))) or "—"
        split = f"{s.sentiment['negative']:,} / {s.sentiment['neutral']:,} / {s.sentiment['positive']:,}"
        change = change_vs_baseline(s.change_vs_baseline, s.volume)
        items = f"{s.volume:,}" + (f" ({s.undated:,} of unknown date)" if s.undated else "")
        lines.append(f"| {md_escape(s.name)} | {items} | {change} | {net} | "
                     f"{split} | {touch} |")
    undated_map = undated_map_note(digest)
    if undated_map:
        lines += ["", f"{md_escape(undated_map)}."]
    unmapped = unmapped_text(digest.unmapped)
    if unmapped:
        lines += ["", f"⚠ {md_escape(unmapped)}"]
    retention = next((s for s in digest.stages if s.derived == "retention"), None)
    if retention:
        x = retention.extra
        authors = (f"{x['repeat_authors']:,} of {count(x['authors'], 'author')} this week also wrote in the "
                   f"previous {x['history_weeks']} weeks" if x.get("history_items", 1) else
                   f"no items in the previous {x['history_weeks']} weeks to compare its "
                   f"{count(x['authors'], 'author')} with")
        if not x["authors"]:  # '0 of 0 authors this week also wrote' on an empty week
            authors = "no authors this week"
        overlap = overlap_text(digest)
        lines += ["", f"*{md_escape(retention.name)}* is measured over time: {count(x['loyalty_mentions'])} "
                      f"with loyalty language, {x['churn_mentions']:,} with churn language; {authors}."
                      + (f" {md_escape(stage_title(overlap))}." if overlap else "")]
    lines += ["", "## Stage by stage", ""]
    for s in digest.stages:
        lines += [f"### {md_escape(stage_title(s.name))}", ""]
        empty = f"{count(s.volume)} this week, none quoted." if s.volume else \
            "No items this week."
        lines += [_quote(q) + "\n" for q in s.quotes] or [empty, ""]
    lines += [f"## Moments and sentiment, last {len(digest.trend.weeks)} weeks", "",
              "| Moment | " + " | ".join(_week_headers(digest.trend.weeks)) + " |",
              "|---|" + "---:|" * len(digest.trend.weeks)]
    for moment, by_sentiment in digest.trend.counts.items():
        cells = []
        for i in range(len(digest.trend.weeks)):
            negative = by_sentiment["negative"][i]
            if negative is None:
                cells.append("not tracked" if untracked(digest, digest.trend.weeks[i]) else "no data")
                continue
            total = sum(v[i] or 0 for v in by_sentiment.values())
            cells.append(f"{total:,}" + (f" ({negative:,} neg)" if negative else ""))
        lines.append(f"| {md_escape(MOMENT_TITLES.get(moment, moment))} | " + " | ".join(cells) + " |")
    before = untracked_weeks(digest)
    no_data = (f" Not tracked: {md_escape(tracked_note(digest))}." if before else "") + (
        f" No data: not measured as empty, {no_data_reason(digest)}." if len(no_data_weeks(digest)) > len(before)
        else "")
    lines += ["", f"Cells: items that week (of which negative).{no_data}",
              "", "## Most negative share-stage talk", ""]
    unlisted = (f"{h.negative_share_count:,} this week, none listed: the classifier flagged them for review."
                if h.negative_share_count else "None this week.")
    lines += [_quote(q) + "\n" for q in digest.negative_share_items] or [unlisted, ""]
    lines += ["## Emerging terms and pain points", ""]
    if digest.terms_listed:
        lines += ["| Stage | Emerging | Pain points |", "|---|---|---|"]
        # With no earlier weeks, "—" would read as "nothing stands out"; nothing was compared.
        lines += [f"| {md_escape(s.name)} | "
                  f"{emerging_note(digest, s) or _terms(s.emerging_terms)} "
                  f"| {_terms(s.pain_points)} |" for s in digest.stages]
        before = previous_weeks(digest.baseline_weeks)
        lines += ["", f"Emerging: used in more of this week's items than in those of {before}. "
                      "Pain points: "
                      "used in more of this week's negative items than in the rest. In brackets: this week's items "
                      "using it."]
    else:
        lines += ["Not looked for: `digest.terms_per_stage` is 0 in the config."]
    lines += ["", "## Alerts fired", ""]
    alerts = [alert_summary(a, digest.timezone) for a in digest.alerts]
    lines += [f"- {md_escape(when)}: {md_escape(what)}" for when, what in alerts] or [
        "No negative share-stage spike alerts this week."]
    c = digest.coverage
    lines += ["", "## Data coverage", "",
              f"- Mentions collected: {c.mentions:,}"
              + (f" ({c.undated:,} of unknown date)" if c.undated else "")
              + f"; classified: {c.classified:,} ({h.journey_items:,} on the journey, "
              f"{c.off_journey:,} off it: no journey moment"
              + (f"; of them {c.stickied:,} stickied or pinned by moderators" if c.stickied else "") + ")",
              f"- Not classifiable (language not supported): {c.not_classifiable:,}",
              f"- Waiting for the classifier: {c.awaiting_classification:,}",
              f"- Flagged for human review: {c.needs_review:,} (counted in the figures, never quoted)"]
    failed = "; ".join(f"{md_escape(f.source)} ×{f.failures:,} ({md_escape(short(f.last_error or '', 120))})"
                       for f in c.failed_sources)
    models = models_text(digest)
    lines += [f"- Sources that failed: {failed or 'none'}", "",
              *([f"_{md_escape(models)}._", ""] if models else []),
              f"_Stage model {md_escape(digest.stage_model)}: {' → '.join(md_escape(n) for n in digest.stage_names)}. "
              f"Generated {digest.generated_at:%Y-%m-%d %H:%M} UTC by journeywatch._", ""]
    return "\n".join(line for line in lines if line is not None)
