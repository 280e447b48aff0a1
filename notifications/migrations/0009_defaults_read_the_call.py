"""The shipped texts that named the 2018 call's figures ("12 diapositives", "dix mois", an
opening "ouvrira le …" even once open) now read the call's: a row still holding the old default
text gets the new one; a row a manager edited is left as it is."""

from django.db import migrations

CHANGED = [
    (
        "invited_to_pitch",
        "fr",
        (
            "[EIG] Invitation à présenter « {challenge} » devant le jury",
            "Bonjour,\n\nVous êtes invités à présenter le défi « {challenge} » devant le jury mixte (entrepreneurs et agents publics) le {jury_date}. Votre présentation de synthèse compte 12 diapositives au plus.\n\nVotre dossier : {case_url}\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n",
        ),
        (
            "[EIG] Invitation à présenter « {challenge} » devant le jury",
            "Bonjour,\n\nVous êtes invités à présenter le défi « {challenge} » devant le jury mixte (entrepreneurs et agents publics) le {jury_date}. Votre présentation de synthèse compte {max_slides} diapositives au plus.\n\nVotre dossier : {case_url}\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n",
        ),
    ),
    (
        "invited_to_pitch",
        "en",
        (
            "[EIG] Invitation to pitch “{challenge}” to the jury",
            "Hello,\n\nYou are invited to pitch the challenge “{challenge}” to the mixed jury (entrepreneurs and public servants) on {jury_date}. Your summary deck has 12 slides at most.\n\nYour application: {case_url}\n\nThe Entrepreneur d’Intérêt Général programme team (Etalab)\n",
        ),
        (
            "[EIG] Invitation to pitch “{challenge}” to the jury",
            "Hello,\n\nYou are invited to pitch the challenge “{challenge}” to the mixed jury (entrepreneurs and public servants) on {jury_date}. Your summary deck has {max_slides} slides at most.\n\nYour application: {case_url}\n\nThe Entrepreneur d’Intérêt Général programme team (Etalab)\n",
        ),
    ),
    (
        "selected",
        "fr",
        (
            "[EIG] Félicitations : « {challenge} » est sélectionné",
            "Bonjour,\n\nLe jury a sélectionné le défi « {challenge} » pour la promotion {promotion}.\n\n{reason}\n\nL’appel à candidatures pour recruter les EIG ouvrira le {recruitment_opens}. Nous allons confirmer avec vous les mentors opérationnel et stratégique.\n\nVotre dossier : {case_url}\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n",
        ),
        (
            "[EIG] Félicitations : « {challenge} » est sélectionné",
            "Bonjour,\n\nLe jury a sélectionné le défi « {challenge} » pour la promotion {promotion}.\n\n{reason}\n\n{recruitment_call} Nous allons confirmer avec vous les mentors opérationnel et stratégique.\n\nVotre dossier : {case_url}\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n",
        ),
    ),
    (
        "selected",
        "en",
        (
            "[EIG] Congratulations: “{challenge}” is selected",
            "Hello,\n\nThe jury selected the challenge “{challenge}” for promotion {promotion}.\n\n{reason}\n\nThe call for applications to recruit the EIGs opens on {recruitment_opens}. We will confirm the operational and strategic mentors with you.\n\nYour application: {case_url}\n\nThe Entrepreneur d’Intérêt Général programme team (Etalab)\n",
        ),
        (
            "[EIG] Congratulations: “{challenge}” is selected",
            "Hello,\n\nThe jury selected the challenge “{challenge}” for promotion {promotion}.\n\n{reason}\n\n{recruitment_call} We will confirm the operational and strategic mentors with you.\n\nYour application: {case_url}\n\nThe Entrepreneur d’Intérêt Général programme team (Etalab)\n",
        ),
    ),
    (
        "recruitment_opened",
        "fr",
        (
            "[EIG] Le recrutement des EIG de « {challenge} » est ouvert",
            "Bonjour,\n\nL’appel à candidatures public pour recruter les EIG du défi « {challenge} » est ouvert jusqu’au {recruitment_closes}. N’hésitez pas à le relayer.\n\nVotre dossier : {case_url}\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n",
        ),
        (
            "[EIG] Le recrutement des EIG de « {challenge} » est ouvert",
            "Bonjour,\n\nLe défi « {challenge} » est publié aux candidats qui recrutent ses EIG. {recruitment_call} N’hésitez pas à le relayer.\n\n{reason}\n\nVotre dossier : {case_url}\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n",
        ),
    ),
    (
        "recruitment_opened",
        "en",
        (
            "[EIG] Recruiting the EIGs of “{challenge}” has started",
            "Hello,\n\nThe public call for applications to recruit the EIGs of the challenge “{challenge}” is open until {recruitment_closes}. Please spread the word.\n\nYour application: {case_url}\n\nThe Entrepreneur d’Intérêt Général programme team (Etalab)\n",
        ),
        (
            "[EIG] Recruiting the EIGs of “{challenge}” has started",
            "Hello,\n\nThe challenge “{challenge}” is published to the candidates who will be its EIGs. {recruitment_call} Please spread the word.\n\n{reason}\n\nYour application: {case_url}\n\nThe Entrepreneur d’Intérêt Général programme team (Etalab)\n",
        ),
    ),
    (
        "running",
        "fr",
        (
            "[EIG] Le défi « {challenge} » démarre",
            "Bonjour,\n\nLes EIG rejoignent le défi « {challenge} » le {start_date} pour dix mois. Les sessions de promotion ont lieu toutes les deux semaines.\n\nVotre dossier : {case_url}\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n",
        ),
        (
            "[EIG] Le défi « {challenge} » démarre",
            "Bonjour,\n\nLes EIG rejoignent le défi « {challenge} » le {start_date} pour {duration}. Les sessions de promotion les réunissent régulièrement.\n\nVotre dossier : {case_url}\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n",
        ),
    ),
    (
        "running",
        "en",
        (
            "[EIG] The challenge “{challenge}” starts",
            "Hello,\n\nThe EIGs join the challenge “{challenge}” on {start_date} for ten months. Cohort sessions take place every two weeks.\n\nYour application: {case_url}\n\nThe Entrepreneur d’Intérêt Général programme team (Etalab)\n",
        ),
        (
            "[EIG] The challenge “{challenge}” starts",
            "Hello,\n\nThe EIGs join the challenge “{challenge}” on {start_date} for {duration}. Cohort sessions bring them together regularly.\n\nYour application: {case_url}\n\nThe Entrepreneur d’Intérêt Général programme team (Etalab)\n",
        ),
    ),
    (
        "completed",
        "fr",
        (
            "[EIG] Le défi « {challenge} » est terminé",
            "Bonjour,\n\nLes dix mois du défi « {challenge} » sont achevés. Merci pour votre engagement dans la promotion {promotion}.\n\nVotre dossier : {case_url}\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n",
        ),
        (
            "[EIG] Le défi « {challenge} » est terminé",
            "Bonjour,\n\nLes {duration} du défi « {challenge} » sont achevés. Merci pour votre engagement dans la promotion {promotion}.\n\nVotre dossier : {case_url}\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n",
        ),
    ),
    (
        "completed",
        "en",
        (
            "[EIG] The challenge “{challenge}” is completed",
            "Hello,\n\nThe ten months of the challenge “{challenge}” are over. Thank you for taking part in promotion {promotion}.\n\nYour application: {case_url}\n\nThe Entrepreneur d’Intérêt Général programme team (Etalab)\n",
        ),
        (
            "[EIG] The challenge “{challenge}” is completed",
            "Hello,\n\nThe {duration} of the challenge “{challenge}” are over. Thank you for taking part in promotion {promotion}.\n\nYour application: {case_url}\n\nThe Entrepreneur d’Intérêt Général programme team (Etalab)\n",
        ),
    ),
]


def forward(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for event, language, (old_subject, old_body), (subject, body) in CHANGED:
        MessageTemplate.objects.filter(
            event=event, language=language, subject=old_subject, body=old_body
        ).update(subject=subject, body=body)


def backward(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for event, language, (old_subject, old_body), (subject, body) in CHANGED:
        MessageTemplate.objects.filter(event=event, language=language, subject=subject, body=body).update(
            subject=old_subject, body=old_body
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0008_uncertain_delivery")]

    operations = [migrations.RunPython(forward, backward)]
