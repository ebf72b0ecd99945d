"""Exact, compiled reading and writing of ASK SDK model objects.

The SDK's ``DefaultSerializer`` walks every envelope by type *name* on every request:
it parses type strings such as ``"dict(str, ask_sdk_model.slot.Slot)"`` with regular
expressions, imports each class by name, and parses the timestamp with dateutil. That
was a third of a request's cost. Here each class gets its field table once, and a
request is read with a few dictionary look-ups per field.

The promise is exact equality: ``ModelReader.read`` returns what the SDK's serializer
returns after ``skill.envelope.drop_undeclared``, and ``ModelWriter.write`` what
``DefaultSerializer.serialize`` returns. Whenever the reader meets input it cannot
read *identically* (a value of an unexpected JSON type, a key starting with ``_``,
a timestamp not in Alexa's ISO 8601 form, nesting past the depth ``drop_undeclared``
cleans) it raises ``NotFast`` and the caller uses the SDK's own path, whose result or
error then stands. tests/test_model_codec.py compares both paths over every envelope
shape the tests know and over generated ones.

One deliberate difference: timestamps are read with ``datetime.fromisoformat`` (Python
3.11 reads "Z"), so their ``tzinfo`` is a ``datetime.timezone`` where dateutil gives
``tzutc()`` or, on a machine whose local zone is UTC, ``tzlocal()``. The value, the
offset and the text they serialise to are the same; only the zone's class differs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

Reader = Callable[[Any, int], Any]
Writer = Callable[[Any], Any]

MAX_MODEL_DEPTH = 32
"""Deepest model level that ``drop_undeclared`` cleans; deeper input goes the SDK's way."""

_LIST = re.compile(r"list\[(.*)\]")
_DICT = re.compile(r"dict\(([^,]*), (.*)\)")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class NotFast(Exception):
    """The compiled reader cannot promise the SDK's exact result for this input."""


def _not_fast(value: Any, depth: int) -> Any:
    raise NotFast


def _read_str(value: Any, depth: int) -> Any:
    if value is None or type(value) is str:
        return value
    raise NotFast


def _read_int(value: Any, depth: int) -> Any:
    if value is None or type(value) is int:
        return value
    raise NotFast


def _read_bool(value: Any, depth: int) -> Any:
    if value is None or type(value) is bool:
        return value
    raise NotFast


def _read_float(value: Any, depth: int) -> Any:
    if value is None or type(value) is float:
        return value
    if type(value) is int:
        try:
            return float(value)
        except OverflowError:
            raise NotFast from None
    raise NotFast


def _read_object(value: Any, depth: int) -> Any:
    return value


def _read_datetime(value: Any, depth: int) -> Any:
    if value is None:
        return None
    if type(value) is not str or not _TIMESTAMP.fullmatch(value):
        raise NotFast
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise NotFast from None


def _read_date(value: Any, depth: int) -> Any:
    if value is None:
        return None
    if type(value) is not str or not _DATE.fullmatch(value):
        raise NotFast
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NotFast from None


_NATIVE: dict[str, Reader] = {
    "str": _read_str, "int": _read_int, "long": _read_int, "bool": _read_bool,
    "float": _read_float, "object": _read_object, "datetime": _read_datetime, "date": _read_date,
}


def load_class(name: str) -> Any:
    """The class a dotted name refers to, imported as the SDK's serializer does."""
    module_name, _, class_name = name.rpartition(".")
    module = __import__(module_name, fromlist=[class_name])
    return getattr(module, class_name)


class ModelReader:
    """Reads parsed JSON into ASK SDK model objects, compiling one table per class."""

    def __init__(self) -> None:
        self._readers: dict[str, Reader] = {}
        self._roots: dict[type, Reader] = {}

    def read(self, payload: Any, cls: type) -> Any:
        """A ``cls`` for ``payload`` (parsed JSON); raises NotFast to defer to the SDK."""
        root = self._roots.get(cls)
        if root is None:
            root = self._roots[cls] = self._class_reader(cls)
        return root(payload, 0)

    def reader(self, type_name: str) -> Reader:
        """The reader for a type string as the SDK writes them (cached)."""
        found = self._readers.get(type_name)
        if found is None:
            found = self._readers[type_name] = self._compile(type_name)
        return found

    def _compile(self, type_name: str) -> Reader:
        if type_name.startswith("list["):
            return self._list_reader(type_name)
        if type_name.startswith("dict("):
            return self._dict_reader(type_name)
        if type_name in _NATIVE:
            return _NATIVE[type_name]
        try:
            cls = load_class(type_name)
        except (ImportError, AttributeError, ValueError):
            return _not_fast
        return self._class_reader(cls)

    def _list_reader(self, type_name: str) -> Reader:
        match = _LIST.match(type_name)
        if match is None or "," in match.group(1):
            return _not_fast
        item = self.reader(match.group(1).strip())

        def read_list(value: Any, depth: int) -> Any:
            if value is None:
                return None
            if type(value) is not list:
                raise NotFast
            return [item(element, depth) for element in value]

        return read_list

    def _dict_reader(self, type_name: str) -> Reader:
        match = _DICT.match(type_name)
        if match is None:
            return _not_fast
        item = self.reader(match.group(2))

        def read_dict(value: Any, depth: int) -> Any:
            if value is None:
                return None
            if type(value) is not dict:
                raise NotFast
            return {key: item(element, depth) for key, element in value.items()}

        return read_dict

    def _class_reader(self, cls: Any) -> Reader:
        if isinstance(cls, type) and issubclass(cls, Enum):
            return _enum_reader(cls)
        if not hasattr(cls, "deserialized_types"):
            return _read_object
        if hasattr(cls, "get_real_child_model"):
            return _PolymorphicReader(self, cls)
        return _ModelFields(self, cls)


def _enum_reader(cls: type[Enum]) -> Reader:
    def read_enum(value: Any, depth: int) -> Any:
        if value is None:
            return None
        try:
            return cls(value)
        except (ValueError, TypeError):
            raise NotFast from None

    return read_enum


class _PolymorphicReader:
    """A base class whose JSON names its concrete class (Request by "type", and so on)."""

    def __init__(self, reader: ModelReader, base: Any) -> None:
        self._reader = reader
        self._base = base
        self._concrete: dict[str, _ModelFields] = {}

    def __call__(self, value: Any, depth: int) -> Any:
        if value is None:
            return None
        if type(value) is not dict:
            raise NotFast
        try:
            name = self._base.get_real_child_model(value)
        except Exception:
            raise NotFast from None
        if not isinstance(name, str):
            raise NotFast
        concrete = self._concrete.get(name)
        if concrete is None:
            try:
                concrete = _ModelFields(self._reader, load_class(name))
            except (ImportError, AttributeError, ValueError):
                raise NotFast from None
            self._concrete[name] = concrete
        return concrete(value, depth)


class _ModelFields:
    """One model class: its defaults, its JSON keys' (attribute, reader) table."""

    def __init__(self, reader: ModelReader, cls: Any) -> None:
        self._reader = reader
        self._cls = cls
        self._compiled: tuple[dict[str, Any], dict[str, tuple[str, Reader]],
                              frozenset[str]] | None = None

    def _compile(self) -> tuple[dict[str, Any], dict[str, tuple[str, Reader]], frozenset[str]]:
        cls = self._cls
        own = vars(cls)
        if ("attribute_map" not in own or "deserialized_types" not in own
                or "__slots__" in own or cls.__setattr__ is not object.__setattr__):
            raise NotFast
        declared: dict[str, str] = cls.deserialized_types
        if not set(cls.attribute_map) <= set(declared):
            raise NotFast
        try:
            fresh = cls()
        except Exception:
            raise NotFast from None
        # What drop_undeclared leaves of a fresh instance: private and declared attributes.
        defaults = {name: value for name, value in vars(fresh).items()
                    if name.startswith("_") or name in declared}
        if not all(value is None or isinstance(value, (str, int, float, Enum))
                   for value in defaults.values()):
            raise NotFast
        table = {cls.attribute_map.get(attribute, attribute): (attribute, self._reader.reader(kind))
                 for attribute, kind in declared.items()}
        # An extra JSON key the SDK would copy onto the model and drop_undeclared would keep,
        # or that would overwrite a declared field or a class attribute: go the SDK's way.
        unsafe = frozenset(dir(cls)) | frozenset(declared)
        self._compiled = (defaults, table, unsafe)
        return self._compiled

    def __call__(self, value: Any, depth: int) -> Any:
        if value is None:
            return None
        if type(value) is not dict or depth > MAX_MODEL_DEPTH:
            raise NotFast
        defaults, table, unsafe = self._compiled or self._compile()
        attributes = defaults.copy()
        child = depth + 1
        for key, item in value.items():
            field = table.get(key)
            if field is not None:
                attributes[field[0]] = field[1](item, child)
            elif key.startswith("_") or key in unsafe:
                raise NotFast
        model = self._cls.__new__(self._cls)
        model.__dict__ = attributes
        return model


_PRIMITIVES = (float, bool, bytes, str, int)


class ModelWriter:
    """``DefaultSerializer.serialize`` with each model class's key table compiled once."""

    def __init__(self, fallback: Writer) -> None:
        self._fallback = fallback
        self._tables: dict[type, list[tuple[str, str]]] = {}

    def write(self, obj: Any) -> Any:
        """JSON-ready data for ``obj``, exactly as the SDK's serializer builds it."""
        kind = type(obj)
        if obj is None or kind in _PRIMITIVES:
            return obj
        if kind is list:
            return [self.write(item) for item in obj]
        if kind is dict:
            return {key: self.write(value) for key, value in obj.items()}
        table = self._tables.get(kind)
        if table is None:
            if not _is_plain_model(kind):
                return self._fallback(obj)
            table = self._tables[kind] = [
                (attribute, kind.attribute_map.get(attribute, attribute))
                for attribute in kind.deserialized_types
            ]
        instance = vars(obj)
        if "attribute_map" in instance or "deserialized_types" in instance:
            return self._fallback(obj)  # the SDK reads these maps from the instance
        result = {}
        for attribute, key in table:
            value = getattr(obj, attribute)
            if value is not None:
                result[key] = self.write(value)
        return result


def _is_plain_model(kind: type) -> bool:
    """A generated model class: its own field maps, and none of the SDK's special cases."""
    own = vars(kind)
    return ("deserialized_types" in own and "attribute_map" in own and "__slots__" not in own
            and not issubclass(kind, (Enum, *_PRIMITIVES, list, tuple, dict, date)))


__all__ = ["MAX_MODEL_DEPTH", "ModelReader", "ModelWriter", "NotFast", "load_class"]
