"""Entities, quotes and the timeline: the seeds' exact expectations, the rules one by one, the output."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import newsweave
from newsweave.entities import RawMention, _voted_types, entities, name_key
from newsweave.nlp import ModelMissingError, english, model_directory, parse
from newsweave.pipeline import described
from newsweave.quotes import is_speech, quote_spans, quotes
from newsweave.records import Article, Entity, Origin, Story
from newsweave.render.json import loads
from newsweave.render.markdown import render
from newsweave.segment import segment
from newsweave.timeline import anchor_date, resolve

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def seed_story(seeds_dir: Path) -> Story:
    (story,) = newsweave.digest(seeds_dir).stories
    return story


def entity(story: Story, name: str) -> Entity:
    assert story.entities is not None
    found = [e for e in story.entities if name_key(name) in {name_key(v) for v in e.variants}]
    assert len(found) == 1, f"{name}: {[(e.name, e.variants) for e in found]}"
    return found[0]


# ------------------------------------------------------------------------------ the model


def test_spacy_model_loads_from_the_installed_package_with_the_network_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, address: Any) -> None:
        raise OSError(f"test forbids network access (tried {address})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    directory = model_directory()
    assert (directory / "config.cfg").is_file() and "site-packages" in str(directory)
    pipeline = english()
    assert {"ner", "parser", "tagger"} <= set(pipeline.pipe_names)
    assert english() is pipeline  # once per process
    assert [(e.text, e.label_) for e in pipeline("Donald Trump flew to Beijing.").ents] == [
        ("Donald Trump", "PERSON"),
        ("Beijing", "GPE"),
    ]


def test_a_missing_model_names_the_fix() -> None:
    with pytest.raises(ModelMissingError, match=r"requirements/spacy-model\.txt"):
        model_directory(("no_such_model_package",))


def test_importing_newsweave_does_not_import_spacy() -> None:
    code = "import newsweave, newsweave.pipeline, sys; print('spacy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_loading_the_pipeline_leaves_torch_unimported_but_importable() -> None:
    # thinc would import torch (0.8 s) whenever [neural] is installed; the English pipeline never needs it.
    code = (
        "import sys; from newsweave.nlp import english; english(); print('torch' in sys.modules); "
        "import importlib.util as u; print(u.find_spec('torch') is None or bool(__import__('torch').tensor([1])))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.split() == ["False", "True"]


# ------------------------------------------------------------------------------ entities on the seeds


def test_seed_people_with_their_spellings_merged(seed_story: Story) -> None:
    kim = entity(seed_story, "Kim Jong Un")
    assert {"Kim Jong-un", "Kim Jong Un", "Mr Kim", "Kim"} <= set(kim.variants)
    assert kim.type == "PERSON" and kim.salience == 1.0 and len(kim.outlets) == 2
    assert {"Xi Jinping", "Mr Xi", "Xi"} <= set(entity(seed_story, "Xi Jinping").variants)
    trump = entity(seed_story, "Donald Trump")  # "Trump" is tagged ORG three times, PERSON more often
    assert {"Donald Trump", "Trump"} <= set(trump.variants) and trump.type == "PERSON"
    assert {"Sarah Huckabee Sanders", "Sanders"} <= set(entity(seed_story, "Sarah Huckabee Sanders").variants)
    for name in ("Moon Jae-in", "Bonnie Glaser"):
        assert entity(seed_story, name).type == "PERSON"
    # Kim Jong-il is his father, not him: never merged, though both are "Kim Jong ..."
    father = entity(seed_story, "Kim Jong-il")
    assert father.id != kim.id and father.variants == ("Kim Jong-il",)


def test_seed_organisations_and_places(seed_story: Story) -> None:
    for name in ("Xinhua", "KCNA", "White House"):
        assert entity(seed_story, name).type == "ORG", name  # Xinhua is tagged PERSON, GPE and ORG once each
    us = entity(seed_story, "the United States")
    assert us.name == "the United States" and {"US", "U.S.", "America"} <= set(us.variants)
    for name in ("Beijing", "Pyongyang", "China", "North Korea", "South Korea", "the Korean Peninsula"):
        assert entity(seed_story, name).type == "PLACE", name
    assert "DPRK" in entity(seed_story, "North Korea").variants
    # Possessives are cut: "North Korea's" is a mention of North Korea.
    korea = entity(seed_story, "North Korea")
    assert all(not m.text.endswith(("'s", "’s")) for m in korea.mentions)


def test_entity_mentions_point_at_their_words(seed_story: Story) -> None:
    by_id = {a.id: a for a in seed_story.articles}
    assert seed_story.entities is not None
    for found in seed_story.entities:
        for mention in found.mentions:
            assert by_id[mention.span.article_id].text[mention.span.start : mention.span.end] == mention.text


def test_name_keys_read_spellings_alike() -> None:
    assert name_key("Kim Jong-un") == name_key("Kim Jong Un") == "kim jong un"
    assert name_key("Mr Kim") == "kim"
    assert name_key("U.S.") == name_key("US") == name_key("America") == name_key("the United States")
    assert name_key("Kim Jong-il") != name_key("Kim Jong-un")
    assert name_key("W. Mark Felt Sr.") == name_key("Mark Felt") == "mark felt"
    assert name_key("Arcade Joseph Comeaux Jr.") == "arcade joseph comeaux"


def test_every_paragraph_starts_a_sentence_and_titles_with_a_point_end_none() -> None:
    text = (
        "Teachers walk out over pay cuts\n\n"
        "The union leader, Elena Sotiriou, spoke at the rally. Harbour police Lt. Marco Vidal said so.\n\n"
        "The charges came from Dist.\n\nAtty. Dana Whitfield on Monday. "
        'Ruiz said: "We will rebuild it." Then she left.'
    )
    sentences = [s.text.strip() for s in parse([text])[0].sents]
    assert sentences[0] == "Teachers walk out over pay cuts"  # a headline does not run into the paragraph after it
    assert "Harbour police Lt. Marco Vidal said so." in sentences
    assert "The charges came from Dist.\n\nAtty. Dana Whitfield on Monday." in sentences
    assert 'Ruiz said: "We will rebuild it."' in sentences  # the closing mark stays with its sentence


def test_title_abbreviations_name_nobody() -> None:
    text = '"The evidence was overwhelming," said Dist. Atty. Dana Whitfield. Whitfield filed the charges.'
    story = described(Story("s", None, (art("a", "Alpha", text),)))
    assert story.entities is not None
    names = {e.name for e in story.entities}
    assert not names & {"Dist.", "Dist", "Atty.", "Atty"}
    assert entity(story, "Dana Whitfield").type == "PERSON"


def raw(key: str, label: str, titled: bool = False) -> RawMention:
    return RawMention(0, 0, len(key), key.title(), key, label, 0, titled)  # type: ignore[arg-type]


def test_a_full_name_mistyped_is_the_person_whose_surname_has_a_title() -> None:
    # "Professor Dimitrakos" (a person, by the title) and "Lefteris Dimitrakos" tagged ORG once.
    types = _voted_types([raw("dimitrakos", "PERSON", titled=True), raw("lefteris dimitrakos", "ORG")])
    assert types["lefteris dimitrakos"] == "PERSON"
    # Without a title nothing says the surname is a person's: a team stays a team.
    types = _voted_types([raw("bluejays", "PERSON"), raw("omaha bluejays", "ORG")])
    assert types["omaha bluejays"] == "ORG"
    # Nor does an institution become a person.
    types = _voted_types([raw("dimitrakos", "PERSON", titled=True), raw("dimitrakos foundation", "ORG")])
    assert types["dimitrakos foundation"] == "ORG"


def test_a_word_taken_for_a_person_but_also_for_a_place_is_a_place_unless_someone_bears_it() -> None:
    mentions = [raw("tanta", "PERSON")] * 3 + [raw("tanta", "PLACE")] * 2
    assert _voted_types(mentions)["tanta"] == "PLACE"
    # The surname of a person of the story stays a person.
    mentions = [*mentions, raw("omar tanta", "PERSON")]
    assert _voted_types(mentions)["tanta"] == "PERSON"


def test_a_name_after_a_title_only_people_bear_is_a_person() -> None:
    text = (
        "An earthquake shook the island of Qorvan on Sunday.\n\n"
        "Qorvan island governor Bahram Teymouri told reporters that ten villages were damaged."
    )
    story = described(Story("s", None, (art("a", "Alpha", text),)))
    assert entity(story, "Bahram Teymouri").type == "PERSON"


def test_a_surname_ner_missed_is_found_by_the_full_name_of_the_story() -> None:
    text = (
        "Viktor Hrushenko stopped Dale Ormsby in the sixth round on Saturday.\n\n"
        '"Ormsby was not easy to box. I am satisfied," Hrushenko said.\n\n'
        "The Hrushenko Arena was full."
    )
    article = art("a", "Alpha", text)
    (doc,) = parse([text])
    # As NER does now and then ("Klitschko" read as a nationality): the lone surname is not a person.
    doc.ents = [e for e in doc.ents if e.text != "Hrushenko"]
    found = entities(Story("s", None, (article,)), [doc])
    (person,) = [e for e in found if e.name == "Viktor Hrushenko"]
    assert [m.span.start for m in person.mentions] == [0, text.index("Hrushenko said")]  # not the arena's
    (said,) = quotes(Story("s", None, (article,)), [doc], found)
    assert said.speaker_entity == person.id


def test_time_zones_and_months_are_not_names() -> None:
    text = (
        "Maria Lopez runs Acme Robotics. Acme Robotics hired 200 people in March, Lopez said at 10am BST. "
        "Acme Robotics opened a plant in Ohio. Analysts said Acme Robotics would grow. Lopez thanked the staff."
    )
    story = described(Story("s", None, (art("a", "Alpha", text),)))
    assert story.entities is not None
    names = {e.name: e for e in story.entities}
    assert "BST" not in names and "March" not in names
    assert {"Maria Lopez", "Lopez"} <= set(names["Maria Lopez"].variants)


def art(article_id: str, outlet: str, text: str, published: Any = None) -> Article:
    return segment(
        Article(id=article_id, outlet=outlet, text=text, origin=Origin(article_id, "test"), date_publish=published)
    )


# ------------------------------------------------------------------------------ quotes


def quote_by(story: Story, words: str) -> Any:
    assert story.quotes is not None
    found = [q for q in story.quotes if words in q.text]
    assert len(found) == 1, f"{words}: {[q.text for q in story.quotes]}"
    return found[0]


def test_seed_quotes_have_the_right_speakers(seed_story: Story) -> None:
    expected = {
        "We speak highly of this visit": "Xi Jinping",  # "..., he told Kim": he is Xi, not Kim
        "Kim reaffirms the traditional friendship": "Bonnie Glaser",
        "The briefing included a personal message": "Sarah Huckabee Sanders",  # "she said"
        "We see this development as further evidence": "Sarah Huckabee Sanders",  # "Sanders ... added:"
        "The deal with North Korea is very much in the making": "Donald Trump",
        "The issue of denuclearization of the Korean Peninsula": "Kim Jong Un",
        "In this spring full of happiness and hopes": "Kim Jong Un",
        "committed to denuclearisation": "Kim Jong Un",
        "goal of denuclearisation": "Xi Jinping",  # "the Chinese president stressed the ..."
        "had taken place on the Korean Peninsula": "Xi Jinping",  # "cited Mr Xi as lauding ..."
        "a relationship of reconciliation and cooperation": "Kim Jong Un",  # "Mr Kim was described ... as saying"
    }
    kim = entity(seed_story, "Kim Jong Un")
    for words, speaker in expected.items():
        found = quote_by(seed_story, words)
        assert found.speaker == speaker, (words, found.speaker)
        assert found.speaker_entity == entity(seed_story, speaker).id
    assert quote_by(seed_story, "In this spring").speaker_entity == kim.id


def test_quote_marks_of_every_style_and_no_apostrophes() -> None:
    text = (
        'He said “curly quotes work here”. She said "straight ones do too". '
        "Officials called it ‘a single quoted phrase’, and Kim's aide said 'a straight single one' yesterday. "
        "«Guillemets are quotes too», said Anne."
    )
    found = [text[s:e] for s, e in quote_spans(text)]
    assert found == [
        "curly quotes work here", "straight ones do too", "a single quoted phrase", "a straight single one",
        "Guillemets are quotes too",
    ]  # fmt: skip


def test_a_quote_reopened_in_the_next_paragraph_runs_on_to_its_closing_mark() -> None:
    # The newspaper convention: each continued paragraph reopens the quote; the run is one quote.
    text = "“The first paragraph of a long statement ends here.\n\n“And the statement goes on,” Ms Diaz said."
    found = [text[s:e] for s, e in quote_spans(text)]
    assert found == ["The first paragraph of a long statement ends here.\n\n“And the statement goes on,"]
    story = described(Story("s", None, (art("a", "Alpha", text),)))
    assert story.quotes is not None
    assert [q.speaker for q in story.quotes] == ["Diaz"]


def test_a_quote_left_open_runs_over_paragraphs_without_marks_up_to_its_close() -> None:
    text = (
        "Floods hit the valley on Monday.\n\n“We have lost everything.\n\nThe water came at night.\n\n"
        "Nobody warned us,” said farmer Ana Costa."
    )
    found = [text[s:e] for s, e in quote_spans(text)]
    assert found == ["We have lost everything.\n\nThe water came at night.\n\nNobody warned us,"]
    story = described(Story("s", None, (art("a", "Alpha", text),)))
    assert story.quotes is not None
    assert [(q.speaker or "").split()[-1] for q in story.quotes] == ["Costa"]


def test_a_straight_mark_that_could_open_closes_the_quote_left_open() -> None:
    text = 'Okafor won the final in four sets.\n\n"Rivers was hard to beat.\n\nI am pleased, " Okafor said.'
    found = [text[s:e] for s, e in quote_spans(text)]
    assert found == ["Rivers was hard to beat.\n\nI am pleased, "]


def test_a_quote_left_open_ends_with_its_paragraph_when_the_next_opens_another() -> None:
    text = "“The statement is left open here by the writer.\n\nShe then called it “a plain mistake” on Monday."
    found = [text[s:e] for s, e in quote_spans(text)]
    assert found == ["The statement is left open here by the writer.", "a plain mistake"]


def test_marks_followed_by_a_space_and_quotes_closed_in_the_next_paragraph() -> None:
    text = "He said “ we will rebuild it ” and left.\n\n“The first part runs on\n\ninto a second paragraph,” he said."
    found = [text[s:e] for s, e in quote_spans(text)]
    assert found[0].strip() == "we will rebuild it"
    assert found[1] == "The first part runs on\n\ninto a second paragraph,"


def test_he_is_the_speaker_before_unless_someone_else_became_the_subject() -> None:
    text = (
        "Mayor Ana Ruiz visited the site on Monday. “We will rebuild the bridge,” Ruiz said. "
        "Officials met engineers from the city later. “It will take a year,” she said. "
        "Engineer Tom Berg inspected the piers. “The piers are sound,” he said."
    )
    story = described(Story("s", None, (art("a", "Alpha", text),)))
    assert story.quotes is not None
    assert [(q.speaker or "").split()[-1] for q in story.quotes] == ["Ruiz", "Ruiz", "Berg"]


def speakers(*texts: str) -> list[tuple[str, str | None]]:
    """(the quote's first words, its speaker) of each quote of a story with one article per text."""
    articles = tuple(art(f"a{i}", f"Outlet {i}", text) for i, text in enumerate(texts))
    story = described(Story("s", None, articles))
    assert story.quotes is not None
    return [(" ".join(q.text.split()[:3]), q.speaker) for q in story.quotes]


def test_an_added_quote_shares_the_subject_of_the_saying_before_it() -> None:
    # "X said ... and added": the parse may hang "added" from words inside the first quote.
    text = (
        'Gale said the prisoner used a walking frame – he "claimed he needed it to stand" – and added, '
        '"Since he escaped running, that is hard to believe."'
    )
    assert speakers(text) == [("claimed he needed", "Gale"), ("Since he escaped", "Gale")]


def test_he_is_the_name_in_apposition_to_the_subject_before() -> None:
    text = (
        "“We took these hard decisions to save the country,” Prime Minister Petros Alexiou said.\n\n"
        "A professor of history at the university, Nikos Marinos, stayed at home on Tuesday.\n\n"
        "“What I saw was a city after a battle,” he said."
    )
    assert speakers(text) == [("We took these", "Petros Alexiou"), ("What I saw", "Nikos Marinos")]


def test_someone_is_no_speaker() -> None:
    text = 'Dana Webb said she heard someone say "he has a gun right there" before she ran into a shop.'
    assert speakers(text) == [("he has a", None)]


def test_the_attribution_may_be_the_short_sentence_after_the_quote() -> None:
    text = 'The coach smiled after the game.\n\n"Would we have won this without him? " Coach Pruitt asked.'
    assert speakers(text) == [("Would we have", "Pruitt")]


def test_a_quote_of_its_own_a_few_sentences_on_continues_the_speaker_before() -> None:
    text = (
        "“We boarded three of the boats this morning,” a navy spokesman said.\n\n"
        "Six rifles and rope ladders were seized.\n\n“We also found ladders and ropes on board.”"
    )
    assert speakers(text) == [("We boarded three", "navy spokesman"), ("We also found", "navy spokesman")]
    # Not when someone else is named in between: no speaker beats a wrong one.
    text = (
        "“We boarded three of the boats this morning,” a navy spokesman said.\n\n"
        "Captain Ravi Menon led the boarding party.\n\n“We also found ladders and ropes on board.”"
    )
    assert speakers(text)[1] == ("We also found", None)


def test_the_speaker_is_the_last_name_after_titles_and_abbreviations() -> None:
    text = (
        "The jury returned its verdict.\n\n"
        '"This is exactly the crime the law was written for, " said Dist. Atty. Dana Whitfield.'
    )
    assert speakers(text) == [("This is exactly", "Dana Whitfield")]


def test_a_person_named_after_the_verb_speaks_when_the_parse_gives_no_subject() -> None:
    text = "“It is an honour to welcome her back as the host this year,” said Northwind Media Group prexy Omar Haddad."
    assert speakers(text) == [("It is an", "Omar Haddad")]


def test_the_name_just_before_a_verb_without_subject_speaks() -> None:
    # The paragraph before has no full stop, so the parse runs it into this sentence and loses the subject.
    text = (
        "Unions say workers pay for a crisis made by politicians\n\n"
        "The vice president of the teachers' union, Elias Marou, told Radio Nord: "
        '"The measures abolish all of our rights."'
    )
    assert speakers(text) == [("The measures abolish", "Elias Marou")]


def test_a_description_is_resolved_only_to_a_person_named_in_the_same_article() -> None:
    named = (
        "Navy spokesman Commander Ravi Menon confirmed the capture.\n\n"
        "“The pirates surrendered without a fight,” Menon said."
    )
    unnamed = (
        "The warship intercepted three skiffs.\n\n"
        "“The warship challenged the suspicious boats at dawn,” the spokesman said."
    )
    assert speakers(named, unnamed) == [
        ("The pirates surrendered", "Ravi Menon"),
        ("The warship challenged", "spokesman"),
    ]


def test_the_company_is_the_organisation_named_before_it() -> None:
    text = (
        "Acme Cables Inc restored its links on Tuesday.\n\nThe fault was near Port Said.\n\n"
        '"All links are back up," the company said in a statement.'
    )
    assert speakers(text) == [("All links are", "Acme Cables Inc")]
    # "A company" points back to nothing; with no organisation named before, the description stays.
    text = 'The fault was near Port Said.\n\n"All links are back up," the company said in a statement.'
    assert speakers(text) == [("All links are", "company")]


def test_the_two_men_are_the_pair_named_together_before() -> None:
    text = (
        "Prime Minister Ana Ruiz and President Tom Berg met in Lisbon on Monday.\n\n"
        "The talks lasted four hours.\n\n"
        '"We agreed on the border," the two leaders said in a statement.'
    )
    assert speakers(text) == [("We agreed on", "Ana Ruiz and Tom Berg")]


def test_a_plural_or_unresolved_pronoun_is_no_speaker() -> None:
    # "They" is the police or the men, not the nearest person: no speaker beats a guess.
    text = 'Mayor Ana Ruiz said police arrested two men on Friday.\n\n"We had no choice," they said.'
    assert speakers(text) == [("We had no", None)]
    text = 'The bridge closed on Friday.\n\n"We had no choice," he said.'
    assert speakers(text) == [("We had no", None)]


def test_he_is_not_a_name_the_quote_before_spoke_of() -> None:
    text = 'Coach Dale Pruitt watched from the line.\n\n"Tom Berg was working hard all night," he said.'
    assert speakers(text) == [("Tom Berg was", "Dale Pruitt")]


def test_one_or_two_words_a_verb_of_saying_reports_are_a_partial_quote() -> None:
    text = 'Coach Dale Pruitt said he was "completely blindsided" by the decision on Monday.'
    assert speakers(text) == [("completely blindsided", "Dale Pruitt")]
    # A label in scare quotes that nobody is reported saying is not a quote.
    text = 'Dale Pruitt coached through the so-called "fiscal cliff" in the winter.'
    assert speakers(text) == []


def test_reports_of_the_same_words_with_different_speakers_stay_apart() -> None:
    # One outlet's speaker must not spread to another outlet's report of the same words.
    a = "“We will rebuild the bridge within a year,” said Mayor Ana Ruiz on Tuesday."
    b = "“We will rebuild the bridge within a year,” said engineer Tom Berg on Tuesday."
    assert sorted(speaker or "" for _, speaker in speakers(a, b)) == ["Ana Ruiz", "Tom Berg"]


def test_titles_nicknames_and_single_words_are_not_speech() -> None:
    assert not is_speech("Gone With the Wind")
    assert not is_speech("denuclearisation")
    assert not is_speech("The Iron Lady")
    assert is_speech("we will rebuild the bridge")


def test_one_quote_reported_by_two_outlets_is_one_quote_with_both() -> None:
    a = art("a", "Alpha", "“We will rebuild the bridge within a year,” said Mayor Ana Ruiz on Tuesday. Roads shut.")
    b = art("b", "Beta", "Mayor Ana Ruiz promised: “We will rebuild the bridge within one year.” Rail was shut too.")
    story = described(Story("s", None, (a, b)))
    assert story.quotes is not None
    (quote,) = story.quotes
    assert quote.outlets == ("Alpha", "Beta") and len(quote.spans) == 2
    assert quote.speaker == "Ana Ruiz"


# ------------------------------------------------------------------------------ timeline


def test_seed_timeline(seed_story: Story) -> None:
    assert seed_story.timeline is not None

    def when(expression: str, words: str) -> tuple[str, str, str, bool]:
        found = [t for t in seed_story.timeline or () if t.expression == expression and words in t.statement]
        assert len(found) == 1, (expression, [(t.expression, t.statement[:40]) for t in seed_story.timeline or ()])
        return found[0].start, found[0].end, found[0].granularity, found[0].inferred

    assert when("1950-53", "war")[:3] == ("1950-01-01", "1953-12-31", "range")
    assert when("December 2011", "death of his father")[:3] == ("2011-12-01", "2011-12-31", "month")
    # The second seed gives no date: it is inferred from the Independent's, 28 March 2018.
    assert when("March 9", "Trump said on Twitter") == ("2018-03-09", "2018-03-09", "day", True)
    assert when("Monday", "which began on Monday") == ("2018-03-26", "2018-03-26", "day", True)
    assert when("the end of April", "Moon Jae-in")[:2] == ("2018-04-21", "2018-04-30")
    assert when("May", "Trump has agreed to meet with Kim by May")[:3] == ("2018-05-01", "2018-05-31", "month")
    starts = [t.start for t in seed_story.timeline]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("expression", "context", "expected"),
    [
        ("Monday", "The visit began on Monday.", ("2018-03-26", "2018-03-26", "day")),
        ("Wednesday", "They announced it on Wednesday.", ("2018-03-28", "2018-03-28", "day")),
        ("Friday", "He will arrive on Friday.", ("2018-03-30", "2018-03-30", "day")),
        ("last week", "", ("2018-03-19", "2018-03-25", "range")),
        ("earlier this month", "", ("2018-03-01", "2018-03-28", "range")),
        ("this spring", "", ("2018-03-01", "2018-05-31", "season")),
        ("this winter", "", ("2017-12-01", "2018-02-28", "season")),
        ("the end of April", "talks by the end of April", ("2018-04-21", "2018-04-30", "range")),
        ("early June", "Talks are planned for early June.", ("2018-06-01", "2018-06-10", "range")),
        ("June", "The plant closed in June.", ("2017-06-01", "2017-06-30", "month")),
        ("December 2011", "", ("2011-12-01", "2011-12-31", "month")),
        ("March 9", "he said on March 9", ("2018-03-09", "2018-03-09", "day")),
        ("9 March 2018", "", ("2018-03-09", "2018-03-09", "day")),
        ("1950-53", "", ("1950-01-01", "1953-12-31", "range")),
        ("2017", "", ("2017-01-01", "2017-12-31", "year")),
        ("next year", "", ("2019-01-01", "2019-12-31", "year")),
        ("two days ago", "", ("2018-03-26", "2018-03-26", "day")),
        ("the months ahead", "", ("2018-03-28", "2018-09-28", "range")),
    ],
)
def test_resolve_counts_from_the_publication_day(expression: str, context: str, expected: tuple[str, ...]) -> None:
    found = resolve(expression, date(2018, 3, 28), context)  # a Wednesday
    assert found is not None, expression
    assert (found.start.isoformat(), found.end.isoformat(), found.granularity) == expected


def test_by_is_a_deadline_only_before_the_date() -> None:
    anchor = date(2018, 3, 28)
    shot = resolve("Saturday", anchor, "He was shot by police on Saturday.")
    assert shot is not None and shot.start == date(2018, 3, 24)
    due = resolve("May", anchor, "Trump has agreed to meet with Kim by May.")
    assert due is not None and due.start == date(2018, 5, 1)


def test_an_undated_article_takes_its_anchor_from_the_story_or_its_own_text() -> None:
    from datetime import UTC, datetime

    dated = art("a", "Alpha", "Floods hit the town on Monday.", datetime(2024, 10, 29, 7, 0, tzinfo=UTC))
    undated = art("b", "Beta", "Floods hit the town. The council met on April 2, 2019 to plan repairs.")
    assert anchor_date(dated, [dated, undated]) == (date(2024, 10, 29), False)
    assert anchor_date(undated, [dated, undated]) == (date(2024, 10, 29), True)
    assert anchor_date(undated, [undated]) == (date(2019, 4, 2), True)
    born = art("d", "Delta", "Page, born April 22, 1923, died on Thursday. Her funeral is on December 20, 2008.")
    assert anchor_date(born, [born]) == (date(2008, 12, 20), True)  # the latest stated day, not a birth date
    assert anchor_date(art("c", "Gamma", "No date at all here."), []) == (None, False)


# ------------------------------------------------------------------------------ output


def test_json_has_entities_quotes_and_timeline_and_reads_back(seeds_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsweave", "digest", str(seeds_dir), "--format", "json", "-q"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    (story,) = json.loads(done.stdout)["stories"]
    names = {e["name"] for e in story["entities"]}
    assert {"Kim Jong Un", "Xi Jinping", "Donald Trump", "Kim Jong-il"} <= names
    assert any(q["speaker"] == "Bonnie Glaser" for q in story["quotes"])
    assert any(t["start"] == "2018-03-26" and t["inferred"] for t in story["timeline"])
    again = loads(done.stdout).stories[0]
    assert again.entities is not None and again.quotes is not None and again.timeline is not None
    assert len(again.entities) == len(story["entities"]) and len(again.timeline) == len(story["timeline"])


def test_markdown_sections_escape_hostile_text() -> None:
    hostile = "“<img src=x onerror=alert(1)> is what we found in the [files](javascript:x),” said Ana Ruiz on Monday."
    story = described(Story("s", None, (art("a", "Alpha", hostile + " Police were called."),)))
    text = render(newsweave.Digest(stories=(story,)))
    part = text.split("## Who said what")[1]
    assert "\\<img" in part and "<img" not in part.replace("\\<img", "")
    assert "](javascript" not in part.replace("\\](javascript", "")


def test_without_the_model_the_digest_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    import newsweave.nlp as nlp

    def missing() -> Any:
        raise ModelMissingError("no English spaCy model is installed")

    monkeypatch.setattr(nlp, "english", missing)
    result = newsweave.digest([art("a", "Alpha", "Ana Ruiz said the bridge would reopen on Monday. Roads shut.")])
    (story,) = result.stories
    assert story.entities is None and story.summary is not None
    assert "need `pip install 'newsweave[nlp]'`" in render(result)
