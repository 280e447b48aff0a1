"""The jury's rows in the admin: managers and auditors read them, nobody changes them there
(`jury.services` is their only writer). Who reads a dossier or scores it is the domain's question
(`jury.services.can_read`), asked by every page."""

import rules

from lifecycle.rules import can_view_audit_trail

rules.add_perm("jury", can_view_audit_trail)
for model in ("jury", "jurymember", "subjury", "pitchslot", "conflict", "score", "opinion"):
    rules.add_perm(f"jury.view_{model}", can_view_audit_trail)
