"""Input validators shared by the screens."""

from __future__ import annotations

from collections.abc import Callable

from textual.validation import ValidationResult, Validator

from advisor.errors import InputError


class Raises(Validator):
    """Valid when `check(value)` does not raise InputError; its message is the failure."""

    def __init__(self, check: Callable[[str], object], optional: bool = False) -> None:
        super().__init__()
        self.check, self.optional = check, optional

    def validate(self, value: str) -> ValidationResult:
        if self.optional and not value.strip():
            return self.success()
        try:
            self.check(value)
        except InputError as exc:
            return self.failure(str(exc))
        return self.success()
