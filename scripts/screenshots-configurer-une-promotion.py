"""Take the screenshots of docs/configurer-une-promotion.md (docs/images/promotion-*.png).

Against a running demo (the dates below follow the demo's promotions: the next one is created):

    export DATABASE_URL=sqlite:////tmp/config-docs.sqlite3 DJANGO_DEBUG=1
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py demo --manager gestionnaire --password demo-eig-2018
    .venv/bin/python manage.py runserver 127.0.0.1:8765 &
    LANGUAGE=fr LANG=fr_FR.UTF-8 .venv/bin/python scripts/screenshots-configurer-une-promotion.py

Debian's chromium (and chromium-l10n, for French date fields) drives the pages; no browser is
downloaded. Each run creates one more promotion: run it on a fresh demo database.
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = os.environ.get("BASE_URL", "http://127.0.0.1:8765")
USER, PASSWORD = os.environ.get("DEMO_USER", "gestionnaire"), os.environ.get("DEMO_PASSWORD", "demo-eig-2018")
IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
CHROMIUM_ARGS = [
    "--lang=fr",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The promotion of the page's example: a call that opens in March and closes at 23:59 on 31 May,
# a candidates' call that opens on 1 June (before the jury), co-financed for 3 months.
CALENDAR = {
    "year": "2027",
    "title": "Appel à défis 2027",
    "information_event_at": "2027-02-15T18:30",
    "submission_opens_at": "2027-03-01T09:00",
    "submission_deadline": "2027-05-31T23:59",
    "submission_reminder_days": "7, 1",
    "submission_reminder_time": "10:00",
    "jury_starts_on": "2027-06-21",
    "jury_ends_on": "2027-06-23",
    "recruitment_opens_at": "2027-06-01T10:00",
    "recruitment_closes_at": "2027-07-15T18:00",
    "candidate_preselection_ends_on": "2027-07-23",
    "candidate_interviews_start_on": "2027-09-06",
    "candidate_interviews_end_on": "2027-09-17",
    "candidate_jury_on": "2027-09-24",
    "starts_on": "2027-11-02",
    "onboarding_ends_on": "2027-11-12",
    "work_starts_on": "2027-11-15",
    "cofinancing_funder": "Fonds de transformation",
    "cofinancing_envelope": "1800000",
    "cofinancing_months": "3",
}


def shoot(page, name, *selectors):
    """One picture of the elements (their union), or of the viewport."""
    path = IMAGES / f"{name}.png"
    if not selectors:
        page.screenshot(path=str(path))
    else:
        # Bounding boxes are relative to the viewport; a full page's clip to the page.
        scroll_x, scroll_y = page.evaluate("[window.scrollX, window.scrollY]")
        boxes = [page.locator(selector).bounding_box() for selector in selectors]
        boxes = [{**b, "x": b["x"] + scroll_x, "y": b["y"] + scroll_y} for b in boxes]
        top, bottom = min(b["y"] for b in boxes), max(b["y"] + b["height"] for b in boxes)
        left, right = min(b["x"] for b in boxes), max(b["x"] + b["width"] for b in boxes)
        margin = 16
        page.screenshot(
            path=str(path),
            full_page=True,
            clip={
                "x": max(left - margin, 0),
                "y": max(top - margin, 0),
                "width": right - left + 2 * margin,
                "height": bottom - top + 2 * margin,
            },
        )
    print(path.relative_to(IMAGES.parents[1]))


def main():
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{BASE}/compte/connexion/")
        page.fill("#id_username", USER)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()

        page.goto(f"{BASE}/gestion/promotions/")
        page.click("#new-promotion")
        page.wait_for_load_state()
        shoot(page, "promotion-nouvelle")
        for name, value in CALENDAR.items():
            page.fill(f"#id_{name}", value)
        page.check("#id_cofinancing_kind_1", force=True)  # months
        page.check("#id_cofinancing_eligible_kinds_4", force=True)  # health establishments
        page.fill("#id_line_limit__problem", "15")
        page.fill("#id_niveaux-0-name", "Junior")
        page.fill("#id_niveaux-0-net_monthly_pay", "3500")
        page.fill("#id_niveaux-1-name", "Confirmé")
        page.fill("#id_niveaux-1-net_monthly_pay", "4500")
        page.fill("#id_profils-3-code", "juriste")
        page.fill("#id_profils-3-label", "Juriste du numérique")

        # A mistake first: the candidates' call closing before it opens.
        page.fill("#id_recruitment_closes_at", "2027-05-15T18:00")
        page.click("#promotion-form button[type=submit]")
        page.wait_for_load_state()
        shoot(page, "promotion-erreur")
        page.locator("#id_recruitment_closes_at").scroll_into_view_if_needed()
        shoot(page, "promotion-erreur-champ", "#appel-a-candidatures")

        page.fill("#id_recruitment_closes_at", CALENDAR["recruitment_closes_at"])
        page.click("#promotion-form button[type=submit]")
        page.wait_for_load_state()
        shoot(page, "promotion-enregistree")
        calendar = ["#appel-a-defis", "#jury", "#appel-a-candidatures", "#periode-des-eig"]
        shoot(page, "promotion-calendrier", *calendar)
        shoot(page, "promotion-co-financement", "#co-financement", "#niveaux-de-remuneration")
        shoot(page, "promotion-dossier", "#dossier")
        shoot(page, "promotion-profils", "#profils-recherches")

        page.goto(f"{BASE}/gestion/promotions/")
        shoot(page, "promotion-liste")

        # A profile the demo's EIG 3 challenges ask for cannot be removed.
        page.click('tr[data-number="3"] a')
        page.wait_for_load_state()
        page.check("#id_profils-0-DELETE", force=True)
        page.click("#promotion-form button[type=submit]")
        page.wait_for_load_state()
        shoot(page, "promotion-profil-refuse", "#profils-recherches")
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
