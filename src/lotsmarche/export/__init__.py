"""Open-data exports of a lot plan: DECP v2.0.3 records (:mod:`.decp`), an OCDS 1.1 release package
(:mod:`.ocds`), validated offline against the schemas shipped under ``schemas/`` (:mod:`.schemas`)."""
