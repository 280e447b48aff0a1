"""The dossier of a challenge, in one place.

- `rules`: what a complete dossier is, and the cross-field rules every form reuses;
- `sections`: the sections of the official form, declared once; the portal's steps, its forms,
  its summary and the back office's case page are built from them;
- `snapshot`: the dossier as flat values, and the context manager that audits a change;
- `edits`: the only functions that change a dossier, each audited and checking the actor's
  right on each field.
"""
