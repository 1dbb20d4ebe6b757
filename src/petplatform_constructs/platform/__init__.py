"""Stage profiles, naming, tags, compliance and :func:`configure_platform`.

The only code that reads or writes construct context: constructs ask ``StageProfile.of`` and
``Naming.of`` for the scope's defaults.
"""
