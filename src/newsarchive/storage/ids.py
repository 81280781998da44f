"""Article ids as typed: the rule lives in ``newsarchive.ids``, which the engines read too."""

from newsarchive.ids import MIN_PREFIX, IdsStartingWith, whole_ids

__all__ = ["MIN_PREFIX", "IdsStartingWith", "whole_ids"]
