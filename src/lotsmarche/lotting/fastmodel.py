"""Many small frozen pydantic objects at once, from values our own code produced and typed.

A million-line demand yields about two million breakdown objects (``RepartitionSite``, ``RepartitionMembre``).
Validating each costs 3 to 10 µs, and pydantic's public way around validation, ``model_construct``, is
slower still here (it walks every field and alias in Python). :class:`Maker` sets an instance's state the way
pydantic itself does in ``model_construct`` and ``__copy__`` (``__dict__`` holding every field, fields set,
no extra, no private attributes), which costs well under a microsecond.

Guarded rather than general: only for frozen models with ``extra`` not "allow", no private attributes and no
``model_post_init``, and the values must be exactly the model's fields, already of the field types (checked
on the first object of each maker, and by tests comparing made and validated objects). All instances of a
maker share one *fields set*: pydantic only reads it, and ``model_copy`` copies it before updating it.
"""

from __future__ import annotations

from itertools import islice
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_new = object.__new__
_set = object.__setattr__


class Maker(Generic[M]):
    """Callable making instances of ``cls`` from complete, already typed field dicts."""

    def __init__(self, cls: type[M]) -> None:
        config = cls.model_config
        if (
            not config.get("frozen")
            or config.get("extra") == "allow"
            or cls.__private_attributes__
            or cls.__pydantic_post_init__
        ):
            raise TypeError(f"{cls.__name__} : construction directe non prise en charge")
        self.cls = cls
        self.fields = tuple(cls.model_fields)
        self.fields_set = set(self.fields)
        self.checked = False

    def many(self, values: list[dict[str, Any]]) -> list[M]:
        """One instance per field dict (the loop is inlined: it runs about twice per demand line)."""
        if not values:
            return []
        out = [self(values[0])]
        cls, fields_set, new = self.cls, self.fields_set, _new
        # the slot descriptors' own setters: what object.__setattr__ ends up calling, without the lookup
        set_dict, set_fields, set_extra, set_private = (
            _slot_setter(cls, name)
            for name in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
        )
        append = out.append
        for v in islice(values, 1, None):
            obj = new(cls)
            set_dict(obj, v)
            set_fields(obj, fields_set)
            set_extra(obj, None)
            set_private(obj, None)
            append(obj)
        return out

    def __call__(self, values: dict[str, Any]) -> M:
        if not self.checked:
            # the first object is validated: wrong keys or types fail loudly, once
            if tuple(values) != self.fields:
                name = self.cls.__name__
                raise ValueError(f"{name} : champs attendus {self.fields}, reçus {tuple(values)}")
            if self.cls.model_validate(values).__dict__ != values:
                raise ValueError(f"{self.cls.__name__} : valeurs non conformes aux types du modèle")
            self.checked = True
        obj = _new(self.cls)
        _set(obj, "__dict__", values)
        _set(obj, "__pydantic_fields_set__", self.fields_set)
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj


def _slot_setter(cls: type, name: str) -> Any:
    """The ``__set__`` of the descriptor storing attribute ``name`` on instances of ``cls``."""
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if descriptor is not None and hasattr(descriptor, "__set__"):
            return descriptor.__set__
    return lambda obj, value: _set(obj, name, value)
