"""Triage: every rule of the shipped rule file, the officer's override, and the agencies suggested."""

import json

import pytest

from app.encounters import triage
from testkit import entries as e
from testkit import factories

# The shipped rules, as a specification: (risk flags, needs) → level. Each code appears once alone.
LEVEL_1_FLAGS = ["overdose_risk", "suicidal", "medical_distress", "violence"]
LEVEL_2_FLAGS = ["exposure_cold", "no_shelter_tonight", "intoxicated"]
LEVEL_2_NEEDS = ["safety"]
LEVEL_3_NEEDS = ["addictions", "mental_health", "medical", "housing"]
LEVEL_3_FLAGS = ["self_neglect"]


def ask(client, needs=(), risk_flags=()):
    query = "&".join(f"{name}={','.join(codes)}" for name, codes in (("needs", needs), ("risk_flags", risk_flags))
                     if codes)
    response = client.get(f"/triage?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("flag", LEVEL_1_FLAGS)
def test_each_immediate_risk_flag_gives_level_1(as_officer, flag):
    answer = ask(as_officer, risk_flags=[flag])
    assert (answer["level"], answer["label"], answer["reasons"]) == (1, "Immediate", [flag])


@pytest.mark.parametrize("flag", LEVEL_2_FLAGS)
def test_each_urgent_risk_flag_gives_level_2(as_officer, flag):
    answer = ask(as_officer, needs=["food"], risk_flags=[flag])
    assert (answer["level"], answer["label"], answer["reasons"]) == (2, "Urgent", [flag])


@pytest.mark.parametrize("need", LEVEL_2_NEEDS)
def test_each_urgent_need_gives_level_2(as_officer, need):
    answer = ask(as_officer, needs=[need])
    assert (answer["level"], answer["label"], answer["reasons"]) == (2, "Urgent", [need])


@pytest.mark.parametrize("need", LEVEL_3_NEEDS)
def test_each_priority_need_gives_level_3(as_officer, need):
    answer = ask(as_officer, needs=[need, "food"])
    assert (answer["level"], answer["label"], answer["reasons"]) == (3, "Priority", [need])


@pytest.mark.parametrize("flag", LEVEL_3_FLAGS)
def test_each_priority_risk_flag_gives_level_3(as_officer, flag):
    answer = ask(as_officer, risk_flags=[flag])
    assert (answer["level"], answer["label"], answer["reasons"]) == (3, "Priority", [flag])


@pytest.mark.parametrize("needs, flags", [([], []), (["food", "id_documents", "income"], []), ([], ["other"]),
                                          (["employment", "legal", "family", "transportation", "other"], [])])
def test_anything_else_is_routine(as_officer, needs, flags):
    answer = ask(as_officer, needs=needs, risk_flags=flags)
    assert (answer["level"], answer["label"], answer["reasons"]) == (4, "Routine", [])


def test_the_most_urgent_matching_rule_wins_and_names_what_decided_it(as_officer):
    assert ask(as_officer, needs=["housing", "safety"], risk_flags=["suicidal", "exposure_cold"])["level"] == 1
    answer = ask(as_officer, needs=["housing", "safety"], risk_flags=["intoxicated", "self_neglect"])
    assert (answer["level"], answer["reasons"]) == (2, ["intoxicated", "safety"])


def test_this_specification_covers_every_code_in_the_rule_file():
    """When an administrator changes the rules, this file must change with them."""
    in_file = {(rule["level"], code) for rule in triage.rules()["levels"]
               for code in rule.get("any_risk_flags", []) + rule.get("any_needs", [])}
    specified = ({(1, c) for c in LEVEL_1_FLAGS} | {(2, c) for c in LEVEL_2_FLAGS + LEVEL_2_NEEDS}
                 | {(3, c) for c in LEVEL_3_NEEDS + LEVEL_3_FLAGS})
    assert in_file == specified


def test_the_level_is_computed_on_sync_when_the_officer_gives_none(as_officer):
    enc = e.encounter(needs=["housing"], risk_flags=["exposure_cold"])
    assert e.statuses(as_officer.post("/sync", e.batch(enc))) == ["created"]
    stored = as_officer.get(f"/encounters/{enc['id']}").get_json()
    assert (stored["triage_level"], stored["triage_computed"]) == (2, 2)


@pytest.mark.parametrize("needs, flags, chosen, computed", [
    (["food"], [], 1, 4),             # raised: the officer saw more than the form says
    ([], ["overdose_risk"], 3, 1),    # lowered: naloxone given, the person is stable
])
def test_an_override_keeps_both_the_chosen_and_the_computed_level(as_officer, needs, flags, chosen, computed):
    enc = e.encounter(needs=needs, risk_flags=flags, triage_level=chosen)
    assert e.statuses(as_officer.post("/sync", e.batch(enc))) == ["created"]
    stored = as_officer.get(f"/encounters/{enc['id']}").get_json()
    assert (stored["triage_level"], stored["triage_computed"]) == (chosen, computed)


def test_a_level_outside_1_to_4_is_rejected(as_officer):
    response = as_officer.post("/sync", e.batch(e.encounter(triage_level=5)))
    [result] = response.get_json()["results"]
    assert result["status"] == "rejected" and "triage_level" in result["error"]["fields"]


def test_agencies_serving_the_needs_are_suggested_best_match_first(as_officer, db):
    both = factories.make_agency("Radius Community Health", services=["medical", "housing", "mental_health"])
    one = factories.make_agency("Bent Arrow", services=["housing", "employment"])
    also_one = factories.make_agency("Alpha Housing", services=["housing"])
    factories.make_agency("Employment Works", services=["employment"])
    closed = factories.make_agency("Closed Shelter", services=["housing", "medical"])
    closed.active = False
    answer = ask(as_officer, needs=["housing", "medical"], risk_flags=["medical_distress"])
    assert answer["level"] == 1
    suggested = [(a["id"], a["matched_needs"]) for a in answer["suggested_agencies"]]
    assert suggested == [(both.id, ["housing", "medical"]), (also_one.id, ["housing"]), (one.id, ["housing"])]
    assert answer["suggested_agencies"][0]["services"] == ["medical", "housing", "mental_health"]


def test_no_needs_no_suggestions(as_officer, agency):
    assert ask(as_officer, risk_flags=["suicidal"])["suggested_agencies"] == []


def test_unknown_codes_are_a_validation_error(as_officer):
    response = as_officer.get("/triage?needs=housing,shelter&risk_flags=sad")
    assert response.status_code == 400
    body = response.get_json()["error"]
    assert body["code"] == "validation_error" and {"needs.1", "risk_flags.0"} <= set(body["fields"])


def test_an_empty_parameter_is_refused_leave_it_out_instead(as_officer):
    response = as_officer.get("/triage?needs=&risk_flags=suicidal")
    assert response.status_code == 400 and "needs" in response.get_json()["error"]["fields"]


def test_triage_needs_a_signed_in_user(client):
    assert client.get("/triage?needs=housing").status_code == 401
    assert client.get("/triage/rules").status_code == 401


def test_the_rules_endpoint_and_the_first_sync_carry_the_rules_in_force(as_officer):
    rules = as_officer.get("/triage/rules").get_json()
    assert rules["levels"] == triage.rules()["levels"]
    assert as_officer.get("/sync/changes").get_json()["triage_rules"]["levels"] == rules["levels"]


def test_the_shipped_rule_file_passes_the_check():
    assert triage.check(json.loads(triage.RULES_FILE.read_text())) == []


@pytest.mark.parametrize("levels, problem", [
    ([{"level": 1, "label": "Immediate", "any_risk_flags": ["overdoes_risk"]}], '"overdoes_risk" is not one'),
    ([{"level": 1, "label": "Immediate", "any_need": ["housing"]}], 'unknown key "any_need"'),
    ([{"level": 4, "label": "Routine"}, {"level": 1, "label": "Now", "any_needs": ["safety"]}], "must come last"),
    ([{"level": 2, "label": "Urgent", "any_needs": ["safety"]}, {"level": 1, "label": "Now", "any_needs": ["food"]}],
     "from most to least urgent"),
    ([{"level": 5, "label": "Later", "any_needs": ["food"]}], "from 1 to 4"),
    ([{"level": 1, "label": "", "any_needs": ["food"]}], '"label" must be'),
])
def test_the_check_names_what_is_wrong_with_an_edited_file(levels, problem):
    problems = triage.check({"levels": levels})
    assert any(problem in p for p in problems), problems


def test_a_broken_rule_file_is_refused_with_its_problems(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"levels": [{"level": 1, "label": "Now", "any_risk_flags": ["sad"]}]}))
    with pytest.raises(triage.RulesError, match='"sad" is not one'):
        triage.load(path)
    path.write_text("{not json")
    with pytest.raises(triage.RulesError, match="cannot be read as JSON"):
        triage.load(path)
