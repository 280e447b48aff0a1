"""The message templates the project ships; managers may edit them (MessageTemplate rows)."""

from notifications.enums import MessageEvent as E

SIGNATURE_FR = "\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n"
SIGNATURE_EN = "\n\nThe Entrepreneur d’Intérêt Général programme team (Etalab)\n"
CASE_FR = "\n\nVotre dossier : {case_url}"
CASE_EN = "\n\nYour application: {case_url}"
CANDIDATE_FR = "\n\nVotre espace : {candidate_url}"
CANDIDATE_EN = "\n\nYour space: {candidate_url}"

DEFAULTS = {
    (E.SUBMISSION_RECEIVED, "fr"): (
        "[EIG] Dossier reçu : « {challenge} »",
        "Bonjour,\n\nNous avons bien reçu le dossier du défi « {challenge} » déposé par "
        "{administration} pour la promotion {promotion}. Les administrations présélectionnées "
        "seront invitées à présenter leur défi devant le jury." + CASE_FR + SIGNATURE_FR,
    ),
    (E.SUBMISSION_RECEIVED, "en"): (
        "[EIG] Application received: “{challenge}”",
        "Hello,\n\nWe have received the application for the challenge “{challenge}” submitted by "
        "{administration} for promotion {promotion}. Preselected administrations will be invited "
        "to pitch their challenge to the jury." + CASE_EN + SIGNATURE_EN,
    ),
    (E.PRESELECTED, "fr"): (
        "[EIG] Votre défi « {challenge} » est présélectionné",
        "Bonjour,\n\nNous avons le plaisir de vous annoncer que le défi « {challenge} » est "
        "présélectionné pour la promotion {promotion}.\n\n{reason}\n\nVous serez invités à le "
        "présenter devant le jury à partir du {jury_date}." + CASE_FR + SIGNATURE_FR,
    ),
    (E.PRESELECTED, "en"): (
        "[EIG] Your challenge “{challenge}” is preselected",
        "Hello,\n\nWe are pleased to tell you that the challenge “{challenge}” is preselected for "
        "promotion {promotion}.\n\n{reason}\n\nYou will be invited to pitch it to the jury from "
        "{jury_date}." + CASE_EN + SIGNATURE_EN,
    ),
    (E.NOT_PRESELECTED, "fr"): (
        "[EIG] Votre défi « {challenge} » n’est pas présélectionné",
        "Bonjour,\n\nNous vous remercions pour le dossier du défi « {challenge} ». Nous avons le "
        "regret de vous annoncer qu’il n’a pas été présélectionné pour la promotion "
        "{promotion}.\n\nMotif : {reason}" + CASE_FR + SIGNATURE_FR,
    ),
    (E.NOT_PRESELECTED, "en"): (
        "[EIG] Your challenge “{challenge}” is not preselected",
        "Hello,\n\nThank you for the application for the challenge “{challenge}”. We regret to "
        "tell you that it was not preselected for promotion {promotion}.\n\nReason: {reason}"
        + CASE_EN
        + SIGNATURE_EN,
    ),
    (E.INVITED_TO_PITCH, "fr"): (
        "[EIG] Invitation à présenter « {challenge} » devant le jury",
        "Bonjour,\n\nVous êtes invités à présenter le défi « {challenge} » devant le jury mixte "
        "(entrepreneurs et agents publics) le {jury_date}. Votre présentation de synthèse compte "
        "{max_slides} diapositives au plus." + CASE_FR + SIGNATURE_FR,
    ),
    (E.INVITED_TO_PITCH, "en"): (
        "[EIG] Invitation to pitch “{challenge}” to the jury",
        "Hello,\n\nYou are invited to pitch the challenge “{challenge}” to the mixed jury "
        "(entrepreneurs and public servants) on {jury_date}. Your summary deck has {max_slides} "
        "slides at most." + CASE_EN + SIGNATURE_EN,
    ),
    (E.SELECTED, "fr"): (
        "[EIG] Félicitations : « {challenge} » est sélectionné",
        "Bonjour,\n\nLe jury a sélectionné le défi « {challenge} » pour la promotion "
        "{promotion}.\n\n{reason}\n\n{recruitment_call} Nous allons confirmer avec vous les "
        "mentors opérationnel et stratégique." + CASE_FR + SIGNATURE_FR,
    ),
    (E.SELECTED, "en"): (
        "[EIG] Congratulations: “{challenge}” is selected",
        "Hello,\n\nThe jury selected the challenge “{challenge}” for promotion {promotion}.\n\n"
        "{reason}\n\n{recruitment_call} We will confirm the operational and strategic mentors with "
        "you." + CASE_EN + SIGNATURE_EN,
    ),
    (E.NOT_SELECTED, "fr"): (
        "[EIG] Décision du jury pour « {challenge} »",
        "Bonjour,\n\nNous vous remercions pour votre présentation du défi « {challenge} ». Le jury "
        "ne l’a pas retenu pour la promotion {promotion}.\n\nMotif : {reason}" + CASE_FR + SIGNATURE_FR,
    ),
    (E.NOT_SELECTED, "en"): (
        "[EIG] The jury’s decision on “{challenge}”",
        "Hello,\n\nThank you for pitching the challenge “{challenge}”. The jury did not select it "
        "for promotion {promotion}.\n\nReason: {reason}" + CASE_EN + SIGNATURE_EN,
    ),
    (E.RECRUITMENT_OPENED, "fr"): (
        "[EIG] Le recrutement des EIG de « {challenge} » est ouvert",
        "Bonjour,\n\nLe défi « {challenge} » est publié aux candidats qui recrutent ses EIG. "
        "{recruitment_call} N’hésitez pas à le relayer.\n\n{reason}" + CASE_FR + SIGNATURE_FR,
    ),
    (E.RECRUITMENT_OPENED, "en"): (
        "[EIG] Recruiting the EIGs of “{challenge}” has started",
        "Hello,\n\nThe challenge “{challenge}” is published to the candidates who will be its EIGs. "
        "{recruitment_call} Please spread the word.\n\n{reason}" + CASE_EN + SIGNATURE_EN,
    ),
    (E.RUNNING, "fr"): (
        "[EIG] Le défi « {challenge} » démarre",
        "Bonjour,\n\nLes EIG rejoignent le défi « {challenge} » le {start_date} pour {duration}. Les "
        "sessions de promotion les réunissent régulièrement." + CASE_FR + SIGNATURE_FR,
    ),
    (E.RUNNING, "en"): (
        "[EIG] The challenge “{challenge}” starts",
        "Hello,\n\nThe EIGs join the challenge “{challenge}” on {start_date} for {duration}. "
        "Cohort sessions bring them together regularly." + CASE_EN + SIGNATURE_EN,
    ),
    (E.COMPLETED, "fr"): (
        "[EIG] Le défi « {challenge} » est terminé",
        "Bonjour,\n\nLes {duration} du défi « {challenge} » sont achevés. Merci pour votre "
        "engagement dans la promotion {promotion}." + CASE_FR + SIGNATURE_FR,
    ),
    (E.COMPLETED, "en"): (
        "[EIG] The challenge “{challenge}” is completed",
        "Hello,\n\nThe {duration} of the challenge “{challenge}” are over. Thank you for taking "
        "part in promotion {promotion}." + CASE_EN + SIGNATURE_EN,
    ),
    (E.CORRECTIONS_REQUESTED, "fr"): (
        "[EIG] Corrections demandées : « {challenge} »",
        "Bonjour,\n\nLe programme vous renvoie le dossier du défi « {challenge} » pour que vous le "
        "corrigiez avant de le déposer à nouveau.\n\nÀ corriger : {reason}\n\nParties du dossier "
        "ouvertes à la modification : {corrections_sections}.\n\nDéposez le dossier corrigé au plus "
        "tard le {corrections_due} (heure de Paris) ; passé cette date, il ne pourra plus l’être."
        + CASE_FR
        + SIGNATURE_FR,
    ),
    (E.CORRECTIONS_REQUESTED, "en"): (
        "[EIG] Corrections requested: “{challenge}”",
        "Hello,\n\nThe programme sends the application for the challenge “{challenge}” back to you "
        "so that you correct it before submitting it again.\n\nTo correct: {reason}\n\nParts of "
        "the application open to changes: {corrections_sections}.\n\nSubmit the corrected "
        "application by {corrections_due} (Paris time) at the latest; after that date it can no "
        "longer be submitted." + CASE_EN + SIGNATURE_EN,
    ),
    (E.CORRECTIONS_EXTENDED, "fr"): (
        "[EIG] Délai des corrections prolongé : « {challenge} »",
        "Bonjour,\n\nLe programme prolonge le délai des corrections du dossier « {challenge} » : "
        "vous pouvez déposer le dossier corrigé jusqu’au {corrections_due} (heure de Paris).\n\n"
        "Parties du dossier ouvertes à la modification : {corrections_sections}." + CASE_FR + SIGNATURE_FR,
    ),
    (E.CORRECTIONS_EXTENDED, "en"): (
        "[EIG] More time for the corrections: “{challenge}”",
        "Hello,\n\nThe programme gives you more time to correct the application “{challenge}”: you "
        "may submit the corrected application until {corrections_due} (Paris time).\n\nParts of the "
        "application open to changes: {corrections_sections}." + CASE_EN + SIGNATURE_EN,
    ),
    (E.RESUBMITTED, "fr"): (
        "[EIG] Dossier corrigé reçu : « {challenge} »",
        "Bonjour,\n\nNous avons bien reçu le dossier corrigé du défi « {challenge} » déposé par "
        "{administration}. Il reprend son examen pour la promotion {promotion}." + CASE_FR + SIGNATURE_FR,
    ),
    (E.RESUBMITTED, "en"): (
        "[EIG] Corrected application received: “{challenge}”",
        "Hello,\n\nWe have received the corrected application for the challenge “{challenge}” "
        "submitted by {administration}. Its review for promotion {promotion} resumes."
        + CASE_EN
        + SIGNATURE_EN,
    ),
    (E.MESSAGE_TO_ADMINISTRATION, "fr"): (
        "[EIG] Nouveau message sur le dossier « {challenge} »",
        "Bonjour,\n\n{author} vous a écrit au sujet du dossier « {challenge} » :\n\n{message}\n\n"
        "Pour répondre, ouvrez la messagerie du dossier." + CASE_FR + SIGNATURE_FR,
    ),
    (E.MESSAGE_TO_ADMINISTRATION, "en"): (
        "[EIG] New message about the application “{challenge}”",
        "Hello,\n\n{author} wrote to you about the application “{challenge}”:\n\n{message}\n\n"
        "To answer, open the application's messages." + CASE_EN + SIGNATURE_EN,
    ),
    (E.MESSAGE_TO_PROGRAMME, "fr"): (
        "[EIG] Message de {administration} sur « {challenge} »",
        "Bonjour,\n\n{author} ({administration}) a écrit au sujet du dossier « {challenge} » :\n\n"
        "{message}\n\nDossier dans l’espace de gestion : {backoffice_url}" + SIGNATURE_FR,
    ),
    (E.MESSAGE_TO_PROGRAMME, "en"): (
        "[EIG] Message from {administration} about “{challenge}”",
        "Hello,\n\n{author} ({administration}) wrote about the application “{challenge}”:\n\n"
        "{message}\n\nThe case in the back office: {backoffice_url}" + SIGNATURE_EN,
    ),
    (E.WITHDRAWN, "fr"): (
        "[EIG] Retrait du défi « {challenge} »",
        "Bonjour,\n\nLe défi « {challenge} » est retiré de la promotion {promotion}.\n\n{reason}"
        + CASE_FR
        + SIGNATURE_FR,
    ),
    (E.WITHDRAWN, "en"): (
        "[EIG] Challenge “{challenge}” withdrawn",
        "Hello,\n\nThe challenge “{challenge}” is withdrawn from promotion {promotion}.\n\n{reason}"
        + CASE_EN
        + SIGNATURE_EN,
    ),
    (E.DEADLINE_REMINDER, "fr"): (
        "[EIG] Plus que {days_left} jour(s) pour déposer « {challenge} »",
        "Bonjour,\n\nLe dossier du défi « {challenge} » est encore un brouillon. La date limite "
        "de dépôt est le {submission_deadline} (heure de Paris) : pensez à le compléter et à le "
        "déposer avant." + CASE_FR + SIGNATURE_FR,
    ),
    (E.DEADLINE_REMINDER, "en"): (
        "[EIG] {days_left} day(s) left to submit “{challenge}”",
        "Hello,\n\nThe application for the challenge “{challenge}” is still a draft. The deadline "
        "is {submission_deadline} (Paris time): please complete and submit it before then."
        + CASE_EN
        + SIGNATURE_EN,
    ),
    (E.MENTOR_TASK_OVERDUE, "fr"): (
        "[EIG] À traiter : « {task} » pour « {challenge} »",
        "Bonjour,\n\nLa tâche « {task} » du défi « {challenge} » ({administration}) n’est pas "
        "encore traitée. Les deux mentors doivent être confirmés (nom, fonction, e-mail et "
        "téléphone professionnels) avant l’arrivée des EIG le {start_date}.\n\nTraiter la tâche : "
        "{task_url}" + SIGNATURE_FR,
    ),
    (E.MENTOR_TASK_OVERDUE, "en"): (
        "[EIG] To do: “{task}” for “{challenge}”",
        "Hello,\n\nThe task “{task}” of the challenge “{challenge}” ({administration}) is still "
        "waiting. Both mentors must be confirmed (name, position, professional e-mail and phone) "
        "before the EIGs arrive on {start_date}.\n\nOpen the task: {task_url}" + SIGNATURE_EN,
    ),
    (E.SESSION_REMINDER, "fr"): (
        "[EIG] Session de promotion le {session_date}",
        "Bonjour,\n\nLa prochaine session de la promotion {promotion} a lieu le {session_date}, "
        "{session_place}. Elle réunit les EIG et les mentors opérationnels des défis de la "
        "promotion.\n\nToutes les sessions dans votre agenda (abonnement iCalendar) : "
        "{calendar_url}" + SIGNATURE_FR,
    ),
    (E.SESSION_REMINDER, "en"): (
        "[EIG] Cohort session on {session_date}",
        "Hello,\n\nThe next session of promotion {promotion} takes place on {session_date}, "
        "{session_place}. It brings together the EIGs and the operational mentors of the "
        "promotion’s challenges.\n\nEvery session in your calendar (iCalendar subscription): "
        "{calendar_url}" + SIGNATURE_EN,
    ),
    (E.PITCH_SLOT_PLANNED, "fr"): (
        "[EIG] Votre audition devant le jury : {slot_date}",
        "Bonjour,\n\nLe jury entendra le défi « {challenge} » le {slot_date}, {slot_place}. "
        "L’audition dure une vingtaine de minutes de questions aux mentors, après un temps d’échange "
        "du jury entre ses membres. L’invitation jointe (.ics) l’ajoute à votre agenda."
        + CASE_FR
        + SIGNATURE_FR,
    ),
    (E.PITCH_SLOT_PLANNED, "en"): (
        "[EIG] Your audition before the jury: {slot_date}",
        "Hello,\n\nThe jury will hear the challenge “{challenge}” on {slot_date}, {slot_place}. "
        "The audition is about twenty minutes of questions to the mentors, after the jury has "
        "talked it over. The attached invitation (.ics) adds it to your calendar." + CASE_EN + SIGNATURE_EN,
    ),
    (E.PITCH_SLOT_CHANGED, "fr"): (
        "[EIG] Votre audition devant le jury change : {slot_date}",
        "Bonjour,\n\nL’audition du défi « {challenge} » devant le jury a changé : elle a lieu le "
        "{slot_date}, {slot_place}. L’invitation jointe (.ics) met votre agenda à jour."
        + CASE_FR
        + SIGNATURE_FR,
    ),
    (E.PITCH_SLOT_CHANGED, "en"): (
        "[EIG] Your audition before the jury has changed: {slot_date}",
        "Hello,\n\nThe audition of the challenge “{challenge}” before the jury has changed: it "
        "takes place on {slot_date}, {slot_place}. The attached invitation (.ics) updates your "
        "calendar." + CASE_EN + SIGNATURE_EN,
    ),
    (E.PITCH_SLOT_CANCELLED, "fr"): (
        "[EIG] Audition annulée : « {challenge} »",
        "Bonjour,\n\nL’audition du défi « {challenge} » prévue le {slot_date} est annulée. "
        "L’équipe du programme revient vers vous. L’invitation jointe (.ics) la retire de votre "
        "agenda." + CASE_FR + SIGNATURE_FR,
    ),
    (E.PITCH_SLOT_CANCELLED, "en"): (
        "[EIG] Audition cancelled: “{challenge}”",
        "Hello,\n\nThe audition of the challenge “{challenge}” planned on {slot_date} is "
        "cancelled. The programme's team will be in touch. The attached invitation (.ics) removes it "
        "from your calendar." + CASE_EN + SIGNATURE_EN,
    ),
    # The candidates' call: to one candidate each, never naming another.
    (E.APPLICATION_RECEIVED, "fr"): (
        "[EIG] Candidature reçue : « {challenge} »",
        "Bonjour {candidate},\n\nVotre candidature au défi « {challenge} » ({administration}) de la "
        "promotion {promotion} est bien déposée. Les candidatures sont présélectionnées par l’équipe du "
        "programme avec les mentors opérationnels des défis après la clôture de l’appel, le "
        "{recruitment_closes}." + CANDIDATE_FR + SIGNATURE_FR,
    ),
    (E.APPLICATION_RECEIVED, "en"): (
        "[EIG] Application received: “{challenge}”",
        "Hello {candidate},\n\nYour application to the challenge “{challenge}” ({administration}) of "
        "the {promotion} promotion is submitted. Applications are shortlisted by the programme's team with "
        "the challenges' operational mentors after the call closes, on {recruitment_closes}."
        + CANDIDATE_EN
        + SIGNATURE_EN,
    ),
    (E.APPLICATION_PRESELECTED, "fr"): (
        "[EIG] Candidature présélectionnée : « {challenge} »",
        "Bonjour {candidate},\n\nVotre candidature au défi « {challenge} » est présélectionnée. Vous "
        "recevrez prochainement une convocation à un entretien." + CANDIDATE_FR + SIGNATURE_FR,
    ),
    (E.APPLICATION_PRESELECTED, "en"): (
        "[EIG] Application shortlisted: “{challenge}”",
        "Hello {candidate},\n\nYour application to the challenge “{challenge}” is shortlisted. You "
        "will soon be invited to an interview." + CANDIDATE_EN + SIGNATURE_EN,
    ),
    (E.APPLICATION_REJECTED, "fr"): (
        "[EIG] Votre candidature au défi « {challenge} »",
        "Bonjour {candidate},\n\nNous vous remercions de l’intérêt que vous portez au programme. Après "
        "examen, votre candidature au défi « {challenge} » n’est pas retenue. Vos données personnelles "
        "seront effacées à l’issue de la durée de conservation annoncée dans votre espace, où vous pouvez "
        "aussi les télécharger ou en demander l’effacement dès maintenant." + CANDIDATE_FR + SIGNATURE_FR,
    ),
    (E.APPLICATION_REJECTED, "en"): (
        "[EIG] Your application to the challenge “{challenge}”",
        "Hello {candidate},\n\nThank you for your interest in the programme. After review, your "
        "application to the challenge “{challenge}” is not retained. Your personal data will be erased "
        "at the end of the retention period shown in your space, where you can also download it or ask for "
        "its erasure now." + CANDIDATE_EN + SIGNATURE_EN,
    ),
    (E.INTERVIEW_INVITATION, "fr"): (
        "[EIG] Entretien pour le défi « {challenge} » : {interview_date}",
        "Bonjour {candidate},\n\nVous êtes convoqué·e à un entretien pour le défi « {challenge} » le "
        "{interview_date}, {interview_place}. L’invitation jointe (.ics) l’ajoute à votre agenda."
        + CANDIDATE_FR
        + SIGNATURE_FR,
    ),
    (E.INTERVIEW_INVITATION, "en"): (
        "[EIG] Interview for the challenge “{challenge}”: {interview_date}",
        "Hello {candidate},\n\nYou are invited to an interview for the challenge “{challenge}” on "
        "{interview_date}, {interview_place}. The attached invitation (.ics) adds it to your calendar."
        + CANDIDATE_EN
        + SIGNATURE_EN,
    ),
    (E.OFFER_MADE, "fr"): (
        "[EIG] Une place vous est proposée : « {challenge} »",
        "Bonjour {candidate},\n\nLe programme vous propose de rejoindre l’équipe du défi « {challenge} » "
        "({administration}) de la promotion {promotion}, à partir du {start_date} pour {duration}. "
        "Acceptez ou déclinez la proposition dans votre espace." + CANDIDATE_FR + SIGNATURE_FR,
    ),
    (E.OFFER_MADE, "en"): (
        "[EIG] A place is offered to you: “{challenge}”",
        "Hello {candidate},\n\nThe programme offers you a place in the team of the challenge "
        "“{challenge}” ({administration}) of the {promotion} promotion, from {start_date} for {duration}. "
        "Accept or decline the offer in your space." + CANDIDATE_EN + SIGNATURE_EN,
    ),
    (E.OFFER_ACCEPTED, "fr"): (
        "[EIG] Bienvenue dans l’équipe « {challenge} »",
        "Bonjour {candidate},\n\nVous avez accepté de rejoindre le défi « {challenge} ». "
        "L’administration et l’équipe du programme vous contactent pour votre recrutement."
        + CANDIDATE_FR
        + SIGNATURE_FR,
    ),
    (E.OFFER_ACCEPTED, "en"): (
        "[EIG] Welcome to the team “{challenge}”",
        "Hello {candidate},\n\nYou accepted to join the challenge “{challenge}”. The administration "
        "and the programme's team will contact you about your recruitment." + CANDIDATE_EN + SIGNATURE_EN,
    ),
    (E.OFFER_DECLINED, "fr"): (
        "[EIG] Proposition déclinée : « {challenge} »",
        "Bonjour {candidate},\n\nVous avez décliné la proposition du défi « {challenge} ». Merci de "
        "nous l’avoir dit." + CANDIDATE_FR + SIGNATURE_FR,
    ),
    (E.OFFER_DECLINED, "en"): (
        "[EIG] Offer declined: “{challenge}”",
        "Hello {candidate},\n\nYou declined the offer of the challenge “{challenge}”. Thank you for "
        "letting us know." + CANDIDATE_EN + SIGNATURE_EN,
    ),
    (E.APPLICATION_WITHDRAWN, "fr"): (
        "[EIG] Candidature retirée : « {challenge} »",
        "Bonjour {candidate},\n\nVotre candidature au défi « {challenge} » est retirée."
        + CANDIDATE_FR
        + SIGNATURE_FR,
    ),
    (E.APPLICATION_WITHDRAWN, "en"): (
        "[EIG] Application withdrawn: “{challenge}”",
        "Hello {candidate},\n\nYour application to the challenge “{challenge}” is withdrawn."
        + CANDIDATE_EN
        + SIGNATURE_EN,
    ),
}
