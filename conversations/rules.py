"""Who reads and writes a case's conversation: named predicates, asked by the domain functions
(`conversations.services`) and the pages. Ask them with `.test(user, challenge)`:
some take the user only."""

from lifecycle.rules import can_read_dossier, is_contact_of, is_programme_manager

# The messages: the programme managers and the contacts of the case's administrations.
can_read_thread = can_read_dossier
can_post_message = is_programme_manager | is_contact_of
# The internal notes: the programme managers only, whatever the URL.
can_read_notes = is_programme_manager
can_post_note = is_programme_manager
