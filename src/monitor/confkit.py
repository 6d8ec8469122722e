"""Small helpers to read TOML config files and report *every* problem at once.

Each config file's loader walks its tables with a ``Section`` and collects problems in a
shared ``Problems`` list; at the end ``Problems.raise_if_any()`` raises one ``ConfigError``
listing them all. Problems name the file, the key path and, where TOML gives it, the line.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.errors import ConfigError

T = TypeVar("T")
_MISSING: Any = object()


class Problems:
    """Collects problems found while reading one or more config files."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError(self.items)


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a missing file or a syntax error names the file (and the line)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already ends with "(at line N, column M)"
        raise ConfigError(f"{path}: TOML syntax error: {exc}") from None


class Section:
    """A view of one TOML table that type-checks values and remembers which keys were read.

    ``where`` is the path shown in messages, e.g. ``config/monitor.toml [[sources]] #2``.
    Call ``done()`` after reading to report keys nobody asked for (typos).
    """

    def __init__(self, table: Any, where: str, problems: Problems) -> None:
        self.where = where
        self.problems = problems
        if not isinstance(table, dict):
            problems.add(where, f"expected a table, got {type(table).__name__}")
            table = {}
        self.table: dict[str, Any] = table
        self.seen: set[str] = set()

    def get(self, key: str, kind: type[T], default: T = _MISSING) -> T:
        """The value of ``key`` checked against ``kind``; a missing required key is a problem."""
        self.seen.add(key)
        if key not in self.table:
            if default is _MISSING:
                self.problems.add(self.where, f"missing required key '{key}'")
                return _zero(kind)
            return default
        value = self.table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problems.add(self.where, f"key '{key}' must be {_kind_name(kind)}, got {value!r}")
            return default if default is not _MISSING else _zero(kind)
        return value

    def get_opt(self, key: str, kind: type[T]) -> T | None:
        """Like ``get`` for an optional key whose absence means ``None``."""
        if key not in self.table:
            self.seen.add(key)
            return None
        return self.get(key, kind)

    def positive(self, key: str, kind: type[T], default: T) -> T:
        """A number that must be greater than zero."""
        value = self.get(key, kind, default)
        if isinstance(value, int | float) and value <= 0:
            self.problems.add(self.where, f"key '{key}' must be greater than 0, got {value!r}")
            return default
        return value

    def str_list(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        """A list of strings."""
        value = self.get(key, list, list(default))
        if not all(isinstance(v, str) for v in value):
            self.problems.add(self.where, f"key '{key}' must be a list of strings")
            return default
        return tuple(value)

    def choice(self, key: str, choices: tuple[str, ...], default: str = _MISSING) -> str:
        """A string that must be one of ``choices``."""
        value = self.get(key, str, default)
        if value not in choices:
            self.problems.add(
                self.where, f"key '{key}' must be one of {', '.join(choices)}; got {value!r}"
            )
            return choices[0] if default is _MISSING else default
        return value

    def regex(self, key: str, pattern: str) -> re.Pattern[str] | None:
        """Compile a regular expression, reporting an invalid one with its key."""
        try:
            return re.compile(pattern)
        except re.error as exc:
            self.problems.add(self.where, f"key '{key}': invalid regex {pattern!r}: {exc}")
            return None

    def secret(self, key: str) -> str | None:
        """A secret given inline, as ``<key>_env = "VAR"`` or as ``<key>_file = "/path"``."""
        for variant in (f"{key}_env", f"{key}_file"):
            self.seen.add(variant)
        self.seen.add(key)
        if f"{key}_env" in self.table:
            var = str(self.table[f"{key}_env"])
            value = os.environ.get(var)
            if value is None:
                self.problems.add(
                    self.where, f"key '{key}_env': environment variable {var} is not set"
                )
            return value
        if f"{key}_file" in self.table:
            file = Path(str(self.table[f"{key}_file"]))
            try:
                return file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                self.problems.add(
                    self.where, f"key '{key}_file': cannot read {file} ({exc.strerror})"
                )
                return None
        value = self.table.get(key)
        return None if value is None else str(value)

    def sub(self, key: str, *, required: bool = False) -> Section:
        """A nested table as its own ``Section`` (empty when absent and not required)."""
        self.seen.add(key)
        if key not in self.table and required:
            self.problems.add(self.where, f"missing required table '{key}'")
        return Section(self.table.get(key, {}), f"{self.where} [{key}]", self.problems)

    def tables(self, key: str) -> Iterator[Section]:
        """Each table of an array of tables (``[[key]]``), numbered from 1 in messages."""
        self.seen.add(key)
        value = self.table.get(key, [])
        if not isinstance(value, list):
            self.problems.add(self.where, f"'{key}' must be an array of tables ([[{key}]])")
            return
        for i, item in enumerate(value, 1):
            yield Section(item, f"{self.where} [[{key}]] #{i}", self.problems)

    def done(self) -> None:
        """Report keys present in the table that no reader asked for."""
        for key in self.table:
            if key not in self.seen:
                # a typo is the usual cause: name the key it was probably meant to be
                close = difflib.get_close_matches(key, sorted(self.seen), n=1, cutoff=0.75)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.problems.add(self.where, f"unknown key '{key}'{hint}")


def check_timezone(sec: Section, key: str, name: str) -> None:
    """Report ``key`` of ``sec`` when ``name`` is not an IANA time zone (``Asia/Baghdad``)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        sec.problems.add(sec.where, f"key '{key}': unknown time zone {name!r}")


def _kind_name(kind: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }.get(kind, kind.__name__)


def _zero(kind: type[T]) -> T:
    return kind()
