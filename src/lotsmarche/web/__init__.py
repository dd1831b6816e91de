"""`lotsmarche serve`: the buyers' web application over the library (see docs/ARCHITECTURE.md).

Imported only by the ``serve`` and ``user`` commands, so that the rest of the CLI starts without FastAPI.
``create_app(Settings(data=...))`` in :mod:`lotsmarche.web.app` builds the application.
"""
