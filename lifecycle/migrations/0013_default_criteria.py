"""The calls that existed before the jury's criteria were data score on the 2018 call's five."""

from django.db import migrations

# A copy, not an import: the migration stays what it was when later defaults change.
CRITERIA_OF_2018 = [
    (
        "Impact du défi proposé",
        "Impact pour une politique publique ou un service public, modernisation de l’action publique, "
        "mutualisation d’outils, valorisation des données, inclusion numérique.",
    ),
    (
        "Qualité de l’équipe d’agents publics impliquée dans le projet",
        "Temps consacré au projet, niveaux hiérarchiques impliqués (notamment le mentor stratégique), "
        "diversité des profils, accueil des EIG anticipé (données, logiciels, matériel).",
    ),
    (
        "Caractère innovant de la solution envisagée pour résoudre le défi",
        "Technologies numériques ou nouveaux usages susceptibles de transformer un processus ou un "
        "métier ; enjeux éthiques pris en compte.",
    ),
    (
        "Qualité et précision de la définition du défi et cohérence de l’équipe (agents, EIG) envisagée",
        "Périmètre réaliste en dix mois, profils d’EIG complémentaires, obstacles identifiés et "
        "moyens de les surmonter.",
    ),
    (
        "Adéquation avec les valeurs portées par le programme",
        "Qualité de l’accueil des EIG, travail en équipe, travail hors les murs, open source, "
        "participation au programme d’accompagnement de la promotion.",
    ),
]


def add_default_criteria(apps, schema_editor):
    Call = apps.get_model("lifecycle", "Call")
    SelectionCriterion = apps.get_model("lifecycle", "SelectionCriterion")
    for call in Call.objects.filter(criteria__isnull=True):
        SelectionCriterion.objects.bulk_create(
            SelectionCriterion(call=call, name=name, description=description, rank=rank)
            for rank, (name, description) in enumerate(CRITERIA_OF_2018, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0012_call_jury_scale_selectioncriterion")]

    operations = [migrations.RunPython(add_default_criteria, migrations.RunPython.noop)]
