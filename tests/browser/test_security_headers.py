"""The security headers on every main page, and the Content-Security-Policy as Chromium enforces
it while the pages are used: not one violation reported."""

import pytest

from accounts.enums import Role
from accounts.services import create_user
from lifecycle import services
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from tests.browser.conftest import log_in
from tests.factories import ChallengeFactory, administration_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mot-de-passe-csp-2018"


def watch(page) -> list[str]:
    """Every CSP violation the page reports, from the console and from the DOM's own event."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return violations


def check_headers(response, url):
    headers = response.all_headers()
    policy = headers["content-security-policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    # The design system's scripts are files of this site: no inline script, no eval, anywhere.
    assert script_src.split()[1] == "'self'" and "unsafe" not in script_src, (url, policy)
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    check_headers(response, url)
    page.wait_for_load_state("networkidle")
    if "/admin/" not in url:
        # The design system's scripts ran: its header menu is interactive (they set this).
        assert page.evaluate("document.documentElement.dataset.frJs") == "true", url


def test_no_csp_violation_on_the_pages_of_each_role(page, live_server):
    violations = watch(page)
    manager = create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER, password=PASSWORD)
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, name="Datafin")
    services.transition(challenge, "preselect", by=manager, reason="Dossier solide")
    draft = ChallengeFactory(name="Brouillon", administration=challenge.administration)
    contact = administration_contact(challenge.administration, username="contact")
    contact.set_password(PASSWORD)
    contact.save()
    create_user("auditrice", by=SYSTEM, role=Role.AUDITOR, password=PASSWORD)

    visit(page, f"{live_server.url}/compte/connexion/")
    visit(page, f"{live_server.url}/compte/mot-de-passe/oubli/")
    log_in(page, live_server, "gestionnaire", PASSWORD)
    for path in [
        "/gestion/",
        "/gestion/defis/",
        f"/gestion/defis/{challenge.pk}/",
        "/gestion/audit/",
        "/workflow/",
        "/admin/",
        f"/admin/lifecycle/challenge/{challenge.pk}/change/",
    ]:
        visit(page, live_server.url + path)
    page.context.clear_cookies()

    log_in(page, live_server, "contact", PASSWORD)
    for path in ["/dossiers/", f"/dossiers/{draft.pk}/", f"/dossiers/{draft.pk}/etape/missions/"]:
        visit(page, live_server.url + path)
    page.goto(f"{live_server.url}/dossiers/{draft.pk}/etape/recapitulatif/")
    page.context.clear_cookies()

    log_in(page, live_server, "auditrice", PASSWORD)
    visit(page, f"{live_server.url}/gestion/audit/")
    page.get_by_role("button", name="Vérifier la chaîne maintenant").click()
    page.wait_for_load_state("networkidle")

    assert violations == []


def test_the_session_cookie_is_httponly_and_samesite(page, live_server):
    create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER, password=PASSWORD)
    log_in(page, live_server, "gestionnaire", PASSWORD)
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    for name in ("sessionid", "csrftoken"):
        assert (cookies[name]["httpOnly"], cookies[name]["sameSite"]) == (True, "Lax"), name
