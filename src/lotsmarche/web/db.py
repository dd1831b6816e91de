"""Database of the web application (SQLAlchemy 2): accounts, consultations, invitations, files, jobs.

Files themselves live under the data folder with generated names; the database only holds their names.
The schema is created and upgraded by Alembic (``lotsmarche/web/migrations``) when the application starts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "utilisateur"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # coordinateur | relecteur
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class WebSession(Base):
    __tablename__ = "session"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie/bearer value
    kind: Mapped[str] = mapped_column(String(10))  # web | api
    user_id: Mapped[int | None] = mapped_column(ForeignKey("utilisateur.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class Consultation(Base):
    __tablename__ = "consultation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nom: Mapped[str] = mapped_column(String(500))
    reference: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("utilisateur.id"))
    dossier: Mapped[str] = mapped_column(String(64))  # generated folder name under data/consultations
    groupement_file: Mapped[str] = mapped_column(String(100))
    sourcing_file: Mapped[str | None] = mapped_column(String(100))
    sourcing_original: Mapped[str | None] = mapped_column(String(300))
    recensement_clos: Mapped[bool] = mapped_column(Boolean, default=False)
    plan_id: Mapped[int | None] = mapped_column(Integer)  # the plan picked (no FK: cycle)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class Access(Base):
    __tablename__ = "acces"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("utilisateur.id", ondelete="CASCADE"))


class DemandFile(Base):
    __tablename__ = "fichier_demande"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    stored: Mapped[str] = mapped_column(String(100))
    original: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class Site(Base):
    __tablename__ = "site"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    membre: Mapped[str] = mapped_column(String(500))
    nom: Mapped[str] = mapped_column(String(500))
    code_postal: Mapped[str] = mapped_column(String(10))


class Invitation(Base):
    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    membre: Mapped[str] = mapped_column(String(500))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class Answer(Base):
    __tablename__ = "reponse"
    __table_args__ = (UniqueConstraint("consultation_id", "membre"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    membre: Mapped[str] = mapped_column(String(500))
    stored: Mapped[str] = mapped_column(String(100))
    lignes: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class Plan(Base):
    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    strategie: Mapped[str] = mapped_column(String(100))
    stored: Mapped[str] = mapped_column(String(100))  # lots.json
    rules_stored: Mapped[str | None] = mapped_column(String(100))  # plan.yaml of manual adjustments
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class Job(Base):
    __tablename__ = "tache"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # comparaison | plan | dce
    etat: Mapped[str] = mapped_column(String(20), default="en_attente")  # en_attente|en_cours|termine|echec
    progression: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    resultat: Mapped[str] = mapped_column(Text, default="")  # where to go when done
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class DceVersion(Base):
    __tablename__ = "version_dce"
    __table_args__ = (UniqueConstraint("consultation_id", "numero"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    numero: Mapped[int] = mapped_column(Integer)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    dossier: Mapped[str] = mapped_column(String(100))
    archive: Mapped[str] = mapped_column(String(200))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    plan_sha256: Mapped[str] = mapped_column(String(64))
    brouillon: Mapped[bool] = mapped_column(Boolean, default=False)
    changements: Mapped[str] = mapped_column(Text, default="[]")  # JSON list vs the previous version
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class Comment(Base):
    __tablename__ = "commentaire"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("utilisateur.id"))
    cible: Mapped[str] = mapped_column(String(300))  # "lot:3" or "piece:01_CCAP.docx"
    texte: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


def database_url(data: Path, url: str | None) -> str:
    return url or f"sqlite:///{(data / 'lotsmarche.sqlite3').as_posix()}"


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the last migration (Alembic, scripts shipped in the wheel)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def sessionmaker_for(engine: Engine) -> sessionmaker:  # type: ignore[type-arg]
    return sessionmaker(engine, expire_on_commit=False)
