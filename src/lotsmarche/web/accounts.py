"""Accounts from the command line (`lotsmarche user add`): no web server needed."""

from __future__ import annotations

from pathlib import Path

from lotsmarche.web import db


def add_user(data: Path, database_url: str | None, email: str, password: str, role: str) -> None:
    """Create an account (InputError in French for a bad role, address, short password or duplicate)."""
    from lotsmarche.web.store import Store

    data.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(db.database_url(data, database_url))
    try:
        db.upgrade(engine)
        store = Store(data=data, sessions=db.sessionmaker_for(engine), cat=None)  # type: ignore[arg-type]
        store.add_user(email, password, role)
    finally:
        engine.dispose()
