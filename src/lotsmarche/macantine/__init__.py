"""ma-cantine, the national EGALIM tracking tool: its codes on every BPU line and in lots.json
(:mod:`.codes`), the yearly purchase statement a holder fills (:mod:`.template`), and its check and
conversion into one ma-cantine import file per SIRET with each member's EGALIM shares (:mod:`.check`,
:mod:`.report`)."""
