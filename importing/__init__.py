"""Importing challenges from a YAML, JSON, CSV, XLSX or ODS file shaped like
demo/data/eig-defis-2017-2019.yml.

A file is a list of rows (one per challenge) with the keys:

    title, promotion, administration      required
    year                                  the year the promotion's EIGs start (as in the source:
                                          EIG 3 = 2019); a new promotion's year is its call's,
                                          the year before (Promotion.year, "année de l'appel")
    summary, long_description, source_code    the challenge's summary, public description and
                                          source code address (left out if not a valid URL)
    administration_website, city          the website of a new administration; the address of a
                                          new challenge
    skills                                dev, datascience, dataengineering, design, geomatique
                                          (a list; in CSV one field, values separated by ; or ,)
    eig_count                             1 to 3 EIG positions, the skills taken in turn
    mentor_count, duration_months         integers (duration_months sizes a new promotion's call)
    administration_kind                   optional, a lifecycle.enums.AdministrationKind value;
                                          otherwise inferred from the administration's name
    ministry                              optional, the supervising ministry of an operator
    state                                 optional, a lifecycle.enums.ChallengeState value (draft)

The natural key of a challenge is (promotion number, title). Importing works in three steps:
`readers` reads the file into records, `rows.validate` checks every row and reports every
problem with where its row starts ("ligne 12", "élément 3" in JSON) before anything is written;
`writer.write` then writes everything in one transaction. New challenges are created by the
domain's `lifecycle.dossier.edits.create_challenges`, which writes their `created` audit events
(or `imported`, naming the state a row gives). An existing challenge is updated through the
dossier's edits only where its row differs (summary,
description, source code, administration, EIG profiles), so importing the same file twice
changes nothing the second time; its state is never changed by an import: a state moves only
through lifecycle.services.transition. Existing administrations and promotions are left as
they are.
"""
