"""Every module's doctests run: an example in a docstring is a claim that can fail."""

import doctest
import importlib
import pkgutil

import pytest

import chinese_news_nlp

MODULES = sorted(m.name for m in pkgutil.walk_packages(chinese_news_nlp.__path__, "chinese_news_nlp."))


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests(name: str) -> None:
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # a module of an optional extra that is not installed
        pytest.skip(f"{name}: {exc}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} doctest(s) of {name} failed"
