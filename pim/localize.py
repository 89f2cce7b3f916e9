"""Locales: fallback chains, and reading a localized value in one locale."""

from __future__ import annotations

from pim.model import CONTENT_PREFIX, Settings


def fallback_chain(settings: Settings, locale: str) -> tuple[str, ...]:
    """The locales to try, in order: fr-CA -> fr-FR -> en-US. A loop stops the chain (and is a problem elsewhere)."""
    chain: list[str] = []
    current: str | None = locale
    while current is not None and current not in chain:
        chain.append(current)
        entry = settings.locales.get(current)
        current = entry.fallback if entry else None
    return tuple(chain)


def localized_text(value: dict[str, str] | str | None, chain: tuple[str, ...], content: dict[str, dict[str, str]]) -> str | None:
    """The text for the first locale of `chain` that has one, following a content reference if needed."""
    if value is None:
        return None
    if isinstance(value, str):
        value = content.get(value[len(CONTENT_PREFIX):]) if value.startswith(CONTENT_PREFIX) else {chain[0]: value}
        if value is None:
            return None
    for locale in chain:
        text = value.get(locale)
        if text:
            return text
    return None


def own_locales(value: dict[str, str] | str | None, content: dict[str, dict[str, str]]) -> set[str]:
    """The locales a localized value has text for itself, without fallback."""
    if value is None:
        return set()
    if isinstance(value, str):
        block = content.get(value[len(CONTENT_PREFIX):], {}) if value.startswith(CONTENT_PREFIX) else {}
        return {k for k, v in block.items() if v}
    return {k for k, v in value.items() if v}
