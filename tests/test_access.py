"""Who signs in is who they are (``assembler.planning.access``), from the claims of an
identity token: the issuer and subject are the identity, an email counts only when the
provider vouches for it, a name is a label; a sign-in section spelt or filled wrong is a
problem, never an app open to everyone."""

from __future__ import annotations

import pytest

from assembler.planning.access import auth_problems, local_user, signed_in_user
from assembler.store import Leads, Role

ISSUER = "https://idp.example.org"
CONFIG = {"roles": {"approver": ["bob@example.org"], "planner": ["ann-subject"]}}
AUTH = {
    "redirect_uri": "https://planner.example.org/oauth2callback",
    "cookie_secret": "s",
    "client_id": "assembler",
    "client_secret": "x",
    "server_metadata_url": f"{ISSUER}/.well-known/openid-configuration",
}


def claims(sub: str, **more: object) -> dict[str, object]:
    return {"iss": ISSUER, "sub": sub, **more}


def test_an_unverified_email_gets_no_role_and_is_not_the_name_recorded() -> None:
    eve = signed_in_user(claims("eve", email="bob@example.org", email_verified=False), CONFIG)
    assert eve.role is Role.VIEWER
    assert eve.who == "subject eve"
    silent = signed_in_user(claims("eve", email="bob@example.org"), CONFIG)  # no claim at all
    assert silent.role is Role.VIEWER and "bob@example.org" not in silent.who


def test_a_verified_email_maps_and_is_the_name_recorded() -> None:
    bob = signed_in_user(claims("b1", email="bob@example.org", email_verified=True), CONFIG)
    assert (bob.who, bob.role) == ("bob@example.org", Role.APPROVER)
    as_text = signed_in_user(claims("b1", email="bob@example.org", email_verified="true"), CONFIG)
    assert as_text.role is Role.APPROVER


def test_a_provider_that_verifies_every_email_is_an_explicit_setting() -> None:
    token = claims("b1", email="bob@example.org")
    assert signed_in_user(token, CONFIG).role is Role.VIEWER
    trusting = {**CONFIG, "provider_verifies_email": True}
    assert signed_in_user(token, trusting).role is Role.APPROVER
    assert signed_in_user(token, {**CONFIG, "provider_verifies_email": "yes"}).role is (
        Role.VIEWER  # only the boolean true turns it on
    )


def test_a_display_name_is_a_label_never_a_key() -> None:
    mallory = signed_in_user(claims("m1", name="bob@example.org"), CONFIG)
    assert mallory.role is Role.VIEWER
    assert mallory.who == "bob@example.org (subject m1)"
    bob = signed_in_user(claims("b1", email="bob@example.org", email_verified=True), CONFIG)
    assert mallory.identity != bob.identity
    assert signed_in_user(claims("m1", preferred_username="x" * 500), CONFIG).who.endswith(
        "(subject m1)"
    )


def test_the_identity_is_issuer_and_subject_stable_across_renames() -> None:
    before = signed_in_user(claims("ann-subject", name="Ann", email="a@x", email_verified=True))
    after = signed_in_user(claims("ann-subject", name="Ann B.", email="ann@y"), CONFIG)
    assert before.identity == after.identity and before.identity.startswith("oidc:")
    assert after.role is Role.PLANNER  # mapped by subject
    other_issuer = signed_in_user({"iss": "https://other.example", "sub": "ann-subject"})
    assert other_issuer.identity != before.identity
    assert local_user().identity == local_user().who  # the OS user: no ':' in it


def test_a_token_without_a_subject_is_refused() -> None:
    with pytest.raises(ValueError, match="no subject"):
        signed_in_user({"iss": ISSUER, "email": "bob@example.org", "email_verified": True})


@pytest.mark.parametrize(
    ("secrets", "problem"),
    [
        ({"Auth": AUTH}, "[Auth] is not a section the app reads"),
        ({"oidc": AUTH}, "[oidc] is not a section the app reads"),
        ({"auth": {**AUTH, "client_id": ""}}, "[auth] lacks client_id"),
        ({"auth": {k: v for k, v in AUTH.items() if k != "cookie_secret"}}, "lacks cookie_secret"),
        ({"auth": {"redirect_uri": "x"}}, "[auth] lacks server_metadata_url"),
        ({"auth": "on"}, "[auth] must be a section"),
    ],
)
def test_a_misspelt_or_half_filled_sign_in_section_is_a_problem(
    secrets: dict[str, object], problem: str
) -> None:
    assert any(problem in found for found in auth_problems(secrets)), auth_problems(secrets)


def test_a_complete_sign_in_section_or_none_is_fine() -> None:
    assert auth_problems({"auth": AUTH, "assembler": CONFIG}) == []
    assert auth_problems({}) == []
    assert auth_problems({"assembler": CONFIG}) == []


LEADS = {"unit_leads": {"lab": ["carol@example.org", "lab-heads"], "hq": ["hq-heads"]}}


def test_units_led_come_from_the_mapping_or_a_claim_apart_from_the_role() -> None:
    carol = signed_in_user(claims("c1", email="carol@example.org", email_verified=True), LEADS)
    assert carol.role is Role.VIEWER and carol.leads == Leads.of(["lab"])
    assert carol.may_release("lab") and not carol.may_release("hq")
    group = signed_in_user(claims("g1", roles=["hq-heads", "planner"]), LEADS)
    assert (group.role, group.leads) == (Role.PLANNER, Leads.of(["hq"]))
    claimed = signed_in_user(claims("u1", units=["finance", "lab"]), LEADS)
    assert claimed.leads == Leads.of(["finance", "lab"])
    custom = signed_in_user(claims("u2", teams="hq"), {"unit_claim": "teams"})
    assert custom.leads == Leads.of(["hq"])
    unverified = signed_in_user(claims("e1", email="carol@example.org"), LEADS)
    assert not unverified.leads and not unverified.may_release("lab")


def test_on_a_planners_own_machine_the_os_user_leads_every_unit() -> None:
    assert local_user().may_release("any unit at all")
