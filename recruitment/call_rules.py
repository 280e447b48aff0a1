"""What a candidates' call asks and weighs: its eligibility declarations (`EligibilityRule`) and
its selection criteria (`CandidateCriterion`), data per call; a new call gets those of the
promotion 3 rules (règlement de l’appel à candidatures, September 2018, articles 4 and 6.1)
until a manager sets its own."""

from django.utils.translation import gettext_lazy

# Article 4 (and the commitment of article 5 to the whole period).
DEFAULT_ELIGIBILITY = [
    "Je candidate en mon nom propre (personne physique), pas au nom d’une personne morale.",
    "Je ne serai pas fonctionnaire ou assimilé·e en poste dans l’une des trois fonctions publiques "
    "au moment de la décision de sélection.",
    "Je ne serai pas en scolarité (étudiant·e, apprenti·e) à la date de début du défi.",
    "Je ne suis ni membre du jury ni expert·e sollicité·e dans le cadre du programme.",
    "Je suis disponible pendant toute la durée du programme (10 mois).",
]

# Article 6.1.
DEFAULT_CRITERIA = [
    ("Dynamisme et capacité à mener des projets", "Vision, esprit d’initiative, attitude positive."),
    ("Compréhension du défi", "Capacité à proposer des orientations stratégiques pour son développement."),
    ("Sens de l’intérêt général", "Contribution à un logiciel libre, engagement associatif…"),
    (
        "Intégration dans une administration",
        "Interagir avec ses métiers : SI, métier, RH, direction générale…",
    ),
    (
        "Adéquation au profil recherché",
        "Compétences techniques (développement web…), design (service, UX, UI), data science…",
    ),
]

SCORE_SCALE = [(1, gettext_lazy("Insuffisant")), (2, gettext_lazy("Moyen")), (3, gettext_lazy("Bon"))]
SCORE_SCALE.append((4, gettext_lazy("Excellent")))


def scale() -> list[tuple[int, str]]:
    """The grid's levels, in the active language."""
    return [(value, str(label)) for value, label in SCORE_SCALE]


def ensure_defaults(call):
    from recruitment.models import CandidateCriterion, EligibilityRule

    if not call.eligibility_rules.exists():
        EligibilityRule.objects.bulk_create(
            EligibilityRule(call=call, text=text, rank=rank)
            for rank, text in enumerate(DEFAULT_ELIGIBILITY, 1)
        )
    if not call.candidate_criteria.exists():
        CandidateCriterion.objects.bulk_create(
            CandidateCriterion(call=call, name=name, description=description, rank=rank)
            for rank, (name, description) in enumerate(DEFAULT_CRITERIA, 1)
        )


def new_call_gets_default_rules(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        ensure_defaults(instance)
