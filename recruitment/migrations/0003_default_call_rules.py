"""The calls that existed before the candidates' call's rules were data get those of 2018."""

from django.db import migrations

# A copy, not an import: the migration stays what it was when later defaults change.
ELIGIBILITY_OF_2018 = [
    "Je candidate en mon nom propre (personne physique), pas au nom d’une personne morale.",
    "Je ne serai pas fonctionnaire ou assimilé·e en poste dans l’une des trois fonctions publiques "
    "au moment de la décision de sélection.",
    "Je ne serai pas en scolarité (étudiant·e, apprenti·e) à la date de début du défi.",
    "Je ne suis ni membre du jury ni expert·e sollicité·e dans le cadre du programme.",
    "Je suis disponible pendant toute la durée du programme (10 mois).",
]
CRITERIA_OF_2018 = [
    ("Dynamisme et capacité à mener des projets", "Vision, esprit d’initiative, attitude positive."),
    ("Compréhension du défi", "Capacité à proposer des orientations stratégiques pour son développement."),
    ("Sens de l’intérêt général", "Contribution à un logiciel libre, engagement associatif…"),
    ("Intégration dans une administration", "Interagir avec ses métiers : SI, métier, RH, direction générale…"),
    (
        "Adéquation au profil recherché",
        "Compétences techniques (développement web…), design (service, UX, UI), data science…",
    ),
]


def add_defaults(apps, schema_editor):
    Call = apps.get_model("lifecycle", "Call")
    EligibilityRule = apps.get_model("recruitment", "EligibilityRule")
    CandidateCriterion = apps.get_model("recruitment", "CandidateCriterion")
    for call in Call.objects.all():
        if not EligibilityRule.objects.filter(call=call).exists():
            EligibilityRule.objects.bulk_create(
                EligibilityRule(call=call, text=text, rank=rank) for rank, text in enumerate(ELIGIBILITY_OF_2018, 1)
            )
        if not CandidateCriterion.objects.filter(call=call).exists():
            CandidateCriterion.objects.bulk_create(
                CandidateCriterion(call=call, name=name, description=description, rank=rank)
                for rank, (name, description) in enumerate(CRITERIA_OF_2018, 1)
            )


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0002_candidates_and_applications")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
