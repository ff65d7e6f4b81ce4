import pandas as pd
import pytest

from stancekit import CorpusError, find_actors, find_mentions, load_gazetteer


def actors_of(text, **kw):
    return list(find_mentions(text, **kw)["actor"])


def test_names_metonyms_and_possessives():
    found = find_mentions("Macron's plan was welcomed by Downing Street, but the Kremlin said no.")
    assert list(found["actor"]) == ["Emmanuel Macron", "United Kingdom", "Russia"]
    assert list(found["affiliation"]) == ["FR", "GB", "RU"]
    assert list(found["mention"])[0] == "Macron"


def test_case_and_diacritic_tolerant():
    assert actors_of("ZELENSKYY met Erdogan and Pedro Sanchez.") == [
        "Volodymyr Zelensky",
        "Recep Tayyip Erdoğan",
        "Pedro Sánchez",
    ]


def test_alias_inside_another_word_does_not_match():
    assert actors_of("Frances Smith, a Ukrainian-born writer, spoke of Natoism.") == []


def test_common_words_need_their_capitals():
    assert actors_of("They ate turkey with us in the west wing.") == []
    assert actors_of("Turkey told the US it would help.") == ["Turkey", "United States"]


def test_longest_alias_wins():
    found = find_mentions("The Russian foreign ministry protested.")
    assert list(found["actor"]) == ["Ministry of Foreign Affairs of Russia"]


def test_country_as_mere_place_gets_no_mention():
    assert actors_of("Troops could be sent to Ukraine, officials in Paris said.") == []
    assert "Ukraine" in actors_of("Ukraine asked allies for troops.")


def test_title_follows_the_office_holder_on_the_date():
    before = find_mentions("The German chancellor spoke.", date="2024-03-01")
    after = find_mentions("The German chancellor spoke.", date="2025-10-01")
    assert list(before["actor"]) == ["Olaf Scholz"]
    assert list(after["actor"]) == ["Friedrich Merz"]


def test_affiliation_follows_the_role_on_the_date():
    gaz = load_gazetteer()
    assert gaz.lookup("Mark Rutte", date="2024-03-01")["affiliation"] == "NL"
    assert gaz.lookup("Mark Rutte", date="2025-03-01")["affiliation"] == "NATO"
    assert gaz.lookup("Mark Rutte")["affiliation"] == "NATO"  # latest without date


def test_unknown_person_found_by_role_and_nationality():
    text = (
        "Slovenian Defence Minister Marko Kranjec said no. "
        "Kranjec added that Ljubljana would wait."
    )
    found = find_mentions(text)
    rows = found[found["actor"] == "Marko Kranjec"]
    assert list(rows["kind"]) == ["pattern", "surname"]
    assert set(rows["affiliation"]) == {"SI"}


def test_appositive_role_after_name():
    found = find_mentions("Jan Novak, the Czech foreign minister, agreed.")
    assert ("Jan Novak", "CZ") in set(zip(found["actor"], found["affiliation"]))


def test_generic_title_and_pronoun_resolve_to_the_one_person():
    text = (
        "Olaf Scholz met union leaders in Berlin. The chancellor later said "
        "no soldiers would go. He repeated it on Friday."
    )
    found = find_mentions(text, date="2024-03-01")
    refs = found[found["kind"].isin(["coref", "pronoun"])]
    assert list(refs["actor"]) == ["Olaf Scholz", "Olaf Scholz"]
    assert list(refs["sentence_id"]) == [1, 2]


def test_pronoun_with_two_candidates_stays_unresolved():
    text = "Keir Starmer called Emmanuel Macron. He said the force was ready."
    found = find_mentions(text)
    assert "pronoun" not in set(found["kind"])


def test_former_title_does_not_name_the_incumbent():
    found = find_mentions("The former French president criticised the plan.")
    assert "Emmanuel Macron" not in set(found["actor"])


def test_offsets_point_at_the_mention():
    text = "Warsaw and the Elysee disagreed with NATO."
    for row in find_mentions(text).itertuples():
        assert text[row.start : row.end] == row.mention


def test_find_actors_counts_mentions():
    table = find_actors("Macron met Starmer. Macron spoke first.")
    assert dict(zip(table["actor"], table["n_mentions"])) == {
        "Emmanuel Macron": 2,
        "Keir Starmer": 1,
    }


def test_gazetteer_coverage():
    gaz = load_gazetteer()
    actors = gaz.actors_
    countries = actors[actors["actor_type"] == "country"]
    persons = actors[actors["actor_type"] == "person"]
    assert countries["affiliation"].nunique() >= 195  # UN members + Kosovo, Taiwan
    assert persons["actor"].nunique() >= 200
    for code in ("NATO", "EU", "UN", "OSCE", "EUROPE", "COALITION"):
        assert code in set(actors["affiliation"])


def test_user_actor_file_extends_and_overrides(tmp_path):
    path = tmp_path / "mine.csv"
    pd.DataFrame(
        {
            "actor": ["Jane Doe", "Emmanuel Macron"],
            "actor_type": ["person", "person"],
            "affiliation": ["IE", "FR"],
            "aliases": ["Doe|J. Doe", "Manu"],
        }
    ).to_csv(path, index=False)
    gaz = load_gazetteer(path)
    assert list(find_mentions("Doe met Manu.", gazetteer=gaz)["actor"]) == [
        "Jane Doe",
        "Emmanuel Macron",
    ]
    # The user's rows replace the bundled aliases of that actor.
    assert find_mentions("Macron spoke.", gazetteer=gaz).empty
    assert list(find_mentions("Emmanuel Macron spoke.", gazetteer=gaz)["actor"]) == [
        "Emmanuel Macron"
    ]


@pytest.mark.parametrize(
    "frame, pattern",
    [
        (
            {"actor": ["X"], "actor_type": ["robot"], "affiliation": ["FR"]},
            r"row 1, column 'actor_type'.*robot",
        ),
        (
            {"actor": ["X"], "actor_type": ["person"], "affiliation": ["france"]},
            r"row 1, column 'affiliation'",
        ),
        ({"actor": ["X"], "affiliation": ["FR"]}, r"missing required column 'actor_type'"),
        (
            {
                "actor": ["X"],
                "actor_type": ["person"],
                "affiliation": ["FR"],
                "valid_from": ["soon"],
            },
            r"row 1, column 'valid_from'",
        ),
    ],
)
def test_user_actor_file_validation(tmp_path, frame, pattern):
    path = tmp_path / "bad.csv"
    pd.DataFrame(frame).to_csv(path, index=False)
    with pytest.raises(CorpusError, match=pattern):
        load_gazetteer(path)


def test_title_followed_by_another_name_names_that_person():
    # Undated, "German Chancellor" alone would be today's chancellor.
    found = find_mentions("German Chancellor Olaf Scholz called it premature.")
    assert list(found["actor"]) == ["Olaf Scholz"]


def test_group_and_its_organisation_are_one_actor():
    assert list(find_mentions("Soldiers from NATO countries may go.")["actor"]) == ["NATO allies"]
    found = find_mentions("Kremlin spokesman Dmitry Peskov said no.")
    assert set(found["actor"]) == {"Dmitry Peskov", "Russia"}


def test_surname_of_a_person_named_earlier():
    text = (
        "Portuguese Prime Minister Luís Montenegro spoke first. Montenegro said Lisbon would help."
    )
    found = find_mentions(text)
    second = found[found["sentence_id"] == 1]
    assert "Luís Montenegro" in set(second["actor"])
    assert "Montenegro" not in set(second["actor"])  # not the country


def test_a_persons_first_name_is_not_a_country():
    assert actors_of("Jordan Bardella said the plan was reckless.") == ["Jordan Bardella"]
    assert "Jordan" in actors_of("Jordan said King Abdullah met Macron.")


def test_datelines_are_places_not_actors():
    text = "BRUSSELS (Reuters) - European leaders met on Monday.\nPARIS: FRANCE will lead."
    assert "European Union" not in actors_of(text)
    assert "France" in actors_of(text)
    # The country or state after the city is part of the dateline too.
    for line in ("KYIV, Ukraine — Zelensky said", "BRUSSELS, Belgium (AP) — Zelensky said"):
        assert actors_of(line) == ["Volodymyr Zelensky"]
    assert actors_of("In Kyiv, Ukraine — and Zelensky — said") == [
        "Ukraine",
        "Volodymyr Zelensky",
    ]


def test_missing_dates_of_every_kind_mean_no_date():
    import pandas as pd

    for missing in (None, float("nan"), pd.NA, pd.NaT, "", "NaT", "<NA>"):
        assert actors_of("The French president spoke.", date=missing) == ["Emmanuel Macron"]
