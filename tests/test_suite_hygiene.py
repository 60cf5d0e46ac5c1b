"""The suite's own rules: every test can fail, and property tests are reproducible.

A test function must check something: an `assert`, `pytest.raises`/`warns`/`fail`, a call of an
assertion helper (a name with `assert` in it, such as `django_assert_num_queries`, or starting
with `expect`), a call of the project's `check_*` validators (STYLE.md: `check_*` validates)
whose body raises, or a call of a helper of the test modules whose body (in turn) checks. And no
assertion may be one that always holds (`assert x or True`, `assert (x, "message")`,
`assert "text"`).
"""

import ast
import os
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# Library functions that raise when what they check does not hold.
CHECKING_LIBRARY_CALLS = {"validate_schema"}
PYTEST_CHECKS = {"raises", "warns", "fail", "deprecated_call"}


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_checking_name(name: str) -> bool:
    return "assert" in name.lower() or name.startswith("expect") or name in CHECKING_LIBRARY_CALLS


def _source_of(path: Path, node: ast.ImportFrom) -> Path | None:
    """The project file an import names (absolute or relative), if it is one of ours."""
    if node.level:
        base = path.parent
        for _ in range(node.level - 1):
            base = base.parent
    else:
        base = ROOT
    source = base.joinpath(*(node.module.split(".") if node.module else []))
    source = source / "__init__.py" if source.is_dir() else source.with_suffix(".py")
    return source if source.is_file() and source.is_relative_to(ROOT) else None


@cache
def _module(path: Path) -> tuple[dict[str, ast.AST], dict[str, Path]]:
    """A module's functions by name (module level and in classes), and the project files the
    names it imports come from."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions: dict[str, ast.AST] = {}
    imported: dict[str, Path] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.setdefault(node.name, node)
        elif isinstance(node, ast.ImportFrom) and (source := _source_of(path, node)):
            for alias in node.names:
                imported[alias.asname or alias.name] = source
    return functions, imported


def _is_test_code(path: Path) -> bool:
    return path.is_relative_to(TESTS)


def _validates(function: ast.AST) -> bool:
    """A project `check_*` function that raises when what it checks does not hold."""
    return function.name.startswith("check_") and any(
        isinstance(node, ast.Raise) for node in ast.walk(function)
    )


def _checks(function: ast.AST, path: Path, seen: frozenset = frozenset()) -> bool:
    """Whether `function` (or a helper of the test packages it calls) checks something."""
    functions, imported = _module(path)
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if _is_checking_name(name) or name in PYTEST_CHECKS:
            return True
        if not isinstance(node.func, ast.Name) or (path, name) in seen:
            continue
        if name in functions and functions[name] is not function:
            if _checks(functions[name], path, seen | {(path, name)}):
                return True
        elif name in imported:
            source = imported[name]
            helper = _module(source)[0].get(name)
            if helper is None:
                continue
            if not _is_test_code(source):
                if _validates(helper):
                    return True
            elif _checks(helper, source, seen | {(path, name)}):
                return True
    return False


def _always_true(test: ast.expr) -> bool:
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.Tuple | ast.List | ast.Set | ast.Dict):
        return len(getattr(test, "elts", getattr(test, "keys", []))) > 0
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return any(_always_true(value) for value in test.values)
    return False


def _test_modules() -> list[Path]:
    return sorted(TESTS.rglob("test_*.py"))


def _where(path: Path, node: ast.AST) -> str:
    place = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return f"{place}:{node.lineno} {getattr(node, 'name', '')}".strip()


def unchecked_tests(path: Path) -> list[str]:
    """The test functions of the module at `path` that check nothing."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        _where(path, node)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test")
        and not _checks(node, path)
    ]


def hollow_assertions(path: Path) -> list[str]:
    """The assertions of the module at `path` that always hold."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        _where(path, node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assert) and _always_true(node.test)
    ]


def test_every_test_checks_something():
    unchecked = [where for path in _test_modules() for where in unchecked_tests(path)]
    assert unchecked == [], "tests that can never fail (no assertion):\n" + "\n".join(unchecked)


def test_no_assertion_always_holds():
    hollow = [where for path in _test_modules() for where in hollow_assertions(path)]
    assert hollow == [], "assertions that always hold:\n" + "\n".join(hollow)


EXAMPLE = """
import pytest

from helpdesk.services.sla import check_clock
from tickets.email.limits import check_limits

def helper():
    assert g()

def test_bare():
    do_something()

def test_only_calls_a_service():
    check_clock(clock_id=1)

def test_asserts():
    assert f() == 1

def test_raises():
    with pytest.raises(ValueError):
        f()

def test_queries(django_assert_num_queries):
    with django_assert_num_queries(2):
        f()

def test_via_helper():
    helper()

async def test_async_bare():
    await f()

def test_validated():
    check_limits(b"raw", None)

def test_only_calls_a_service_named_check():
    check_clock(clock_id=1)

def test_hollow():
    assert f() or True
    assert (f(), "why")
    assert "text"
    assert f() or g()
"""


def test_the_scan_sees_what_it_must(tmp_path):
    """The rules above, on a small module: a scan that finds nothing must not be blind."""
    example = tmp_path / "test_example.py"
    example.write_text(EXAMPLE, encoding="utf-8")

    unchecked = [where.split()[-1] for where in unchecked_tests(example)]
    hollow = [int(where.split()[0].rsplit(":", 1)[1]) for where in hollow_assertions(example)]

    assert sorted(unchecked) == [
        "test_async_bare",
        "test_bare",
        "test_only_calls_a_service",
        "test_only_calls_a_service_named_check",
    ]
    lines = EXAMPLE.splitlines()
    assert [lines[n - 1].strip() for n in hollow] == [
        "assert f() or True",
        'assert (f(), "why")',
        'assert "text"',
    ]


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "suite") != "suite", reason="another profile chosen"
)
def test_property_tests_draw_the_same_examples_every_run():
    """The root conftest's profile: a property test that failed once fails again."""

    def examples() -> list[int]:
        drawn: list[int] = []

        @given(st.integers())
        def law(number):
            drawn.append(number)

        law()
        return drawn

    first, second = examples(), examples()

    assert settings.default.derandomize is True and settings.default.deadline is None
    assert first == second and len(set(first)) > 10
