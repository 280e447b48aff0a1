"""Importing challenges from a YAML, JSON, CSV, XLSX or ODS file shaped like
demo/data/eig-defis-2017-2019.yml.

A file is a list of rows (one per challenge) with the keys:

    title, promotion, administration      required
    year                                  the year the promotion's EIGs start (as in the source:
                                          EIG 3 = 2019); a new promotion's year is its call's,
                                          the year before (Promotion.year, "année de l'appel");
                                          for an existing promotion it must be its own (its
                                          call's arrival date, else the year after its call's)
    summary, long_description, source_code    the challenge's summary, public description and
                                          source code address (left out if not a valid URL)
    administration_website, city          the website of a new administration; the address of a
                                          new challenge
    siret, acronym (or sigle)             the administration's SIRET (14 digits, spaces allowed)
                                          and acronyms ("MINARM", several separated by commas):
                                          they find it (importing.administrations.match), and a
                                          new administration records them
    skills                                the profiles of the EIG positions (a list; in CSV one
                                          field, values separated by ; or ,): the source data's
                                          skills (dev, datascience, dataengineering, design,
                                          geomatique: rows.DATA_SKILLS), or the codes or labels
                                          of the promotion's profiles (SoughtProfile). A new
                                          promotion's call gets the profiles its rows name: an
                                          unknown skill becomes a profile of its own (its code
                                          the skill's slug, its label the skill), listed in the
                                          summary for a manager to check; an existing promotion
                                          accepts its call's profiles only
    eig_count                             1 to the call's number of EIGs (a new call's: a call's
                                          default), the skills taken in turn
    mentor_count, duration_months         integers (duration_months sizes a new promotion's call,
                                          and its rows must agree; an existing call keeps its own)
    administration_kind                   optional, a lifecycle.enums.AdministrationKind value
                                          (or its French label); otherwise inferred from the
                                          administration's name
    ministry                              optional, the supervising ministry of an operator
    state                                 optional, a lifecycle.enums.ChallengeState value (draft)

A row's administration is the one of the database (or of an earlier row) that its SIRET, else its
name (whatever its case, accents, punctuation and leading article), else its acronym designates;
when two fit, the row is refused with the candidates for a manager to decide, never guessed.

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
they are (an existing administration's SIRET or acronyms included).
"""
