"""The sandbox every template runs in, the briefs' and the e-mails': Jinja2's immutable sandbox
with bounds on what one render may make, and a watchdog on how long and how much memory it
takes. A template that crosses a bound stops where it is, with a message naming the bound.

Jinja2's sandbox keeps templates from reaching Python; these bounds keep them from exhausting
the machine. Every value a template makes passes through one of the points below, each checked
before the work is done where the work is one uninterruptible step (`"x".ljust(10**9)`):
operators (`*`, `**`, `+`, `%` and `~`), calls of methods and macros, filters, `str.format`,
`range()`. What grows a step at a time (a loop appending to a namespace) is stopped by the
watchdog, which also ends a render that runs too long.
"""

from __future__ import annotations

import functools
import re

from jinja2.compiler import CodeGenerator
import markupsafe
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter
from markupsafe import EscapeFormatter

from briefgen.compose.jinja_parts import BOUND_HINT, TemplateProblem

# Bounds on what one template may make (a brief of 10,000 facts needs a fraction of each);
# how long it may run and how much memory it may take: jinja_parts.Watchdog.
MAX_VALUE = 10_000_000  # characters (or items) of one value a template makes
MAX_INT_BITS = 100_000  # an integer of 30,000 digits; no brief counts that far
MAX_RANGE_STEPS = 2_000_000  # items produced by range() in one render, all loops together
MAX_RANGE = 100_000  # items of one range(), as Jinja2's sandbox allows
MAX_EXPONENT = 1_000  # x ** n with a larger n is refused (10 ** 10 ** 10 never ends)
# Filters that turn their value into text: a list holding one long text many times would be
# written out in full, so its size is weighed first.
STRINGIFYING = frozenset({"capitalize", "center", "e", "escape", "forceescape", "format",
                          "indent", "join", "lower", "pprint", "replace", "safe", "squash",
                          "string", "striptags", "title", "tojson", "trim", "truncate", "upper",
                          "urlencode", "urlize", "wordcount", "wordwrap", "xmlattr"})
# printf-style fields of `%` and the `format` filter: a width or precision makes text
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_WIDTH = re.compile(r"(\d+)")


class _Generator(CodeGenerator):
    """Jinja2's code generator, but `a ~ b` goes through `environment.joined` (bounded)."""

    def visit_Concat(self, node, frame):
        self.write("environment.joined(context.eval_ctx, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox with the bounds above; `steps` counts range() items."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _Generator

    def __init__(self, **options):
        super().__init__(**options)
        self.filters = {name: bounded_filter(name, f) for name, f in self.filters.items()}
        self.globals["range"] = self.range
        self.steps = 0

    def call_binop(self, context, operator, left, right):
        return grown(_binop(operator, left, right), f"'{operator}'")

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja2's signature
        owner, name = getattr(__obj, "__self__", None), getattr(__obj, "__name__", "")
        if isinstance(owner, (str, bytes, int)) and not isinstance(owner, bool):
            args = _method_bounds(owner, name, args, kwargs)
        return grown(super().call(__context, __obj, *args, **kwargs), f"{name}()")

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        owner = value.__self__
        formatter = _BoundedEscapeFormatter(self, escape=owner.escape) \
            if isinstance(owner, markupsafe.Markup) else _BoundedFormatter(self)

        def run(*args, **kwargs):
            if value.__name__ == "format_map":
                kwargs, args = dict(args[0]) if args else {}, ()
            return grown(type(owner)(formatter.vformat(owner, args, kwargs)), "format()")

        return functools.update_wrapper(run, value)

    def printable(self, value):
        """`value`, unless written out as text it would be larger than a template may make."""
        return _weighed(value, "printing a value")

    def joined(self, eval_ctx, parts) -> str:
        """`a ~ b`: its size is known before it is made."""
        parts = [p if isinstance(p, str) else _text(p) for p in parts]
        size = sum(map(len, parts))
        if size > MAX_VALUE:
            raise TemplateProblem(f"'~' would make a text of {size:,} characters; at most "
                                  f"{MAX_VALUE:,} are allowed", BOUND_HINT)
        if eval_ctx.autoescape:
            return markupsafe.Markup("").join(markupsafe.escape(p) for p in parts)
        return "".join(parts)

    def range(self, *args):
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise TemplateProblem(f"range of {len(numbers):,} items; at most {MAX_RANGE:,} "
                                  "are allowed")
        for number in numbers:
            self.steps += 1
            if self.steps > MAX_RANGE_STEPS:
                raise TemplateProblem(f"stopped after {MAX_RANGE_STEPS:,} loop steps over "
                                      "range(); a brief needs far fewer",
                                      "loop over facts and themes, not over numbers")
            yield number




class _BoundedFormatter(SandboxedFormatter):
    """`str.format` in templates: a field's width or precision makes text, so it is bounded."""

    def format_field(self, value, format_spec):
        for number in _WIDTH.findall(format_spec or ""):
            if int(number) > MAX_VALUE:
                raise TemplateProblem(f"format spec '{format_spec}' asks for {int(number):,} "
                                      f"characters; at most {MAX_VALUE:,} are allowed",
                                      BOUND_HINT)
        return super().format_field(_weighed(value, "format()"), format_spec)


class _BoundedEscapeFormatter(_BoundedFormatter, EscapeFormatter):
    pass


def grown(value, what: str):
    """`value`, unless it is a text, list or number larger than a template may make."""
    size = len(value) if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) \
        else value.bit_length() if isinstance(value, int) and not isinstance(value, bool) \
        else 0
    if isinstance(value, int) and not isinstance(value, bool):
        if size > MAX_INT_BITS:
            raise TemplateProblem(f"{what} made a number of {size:,} bits; at most "
                                  f"{MAX_INT_BITS:,} are allowed", BOUND_HINT)
    elif size > MAX_VALUE:
        raise TemplateProblem(f"{what} made a value of {size:,} characters or items; at most "
                              f"{MAX_VALUE:,} are allowed", BOUND_HINT)
    return value


def weigh(value, limit: int = MAX_VALUE) -> int:
    """About how many characters `value` is as text, counted without writing it out (a list
    holding one text a million times is a million times that text), up to a bit over `limit`."""
    seen: dict[int, int] = {}

    def size(item) -> int:
        if isinstance(item, (str, bytes)):
            return len(item)
        if isinstance(item, (list, tuple, set, frozenset, dict)):
            known = seen.get(id(item))
            if known is None:
                total = 2
                for inner in (item.items() if isinstance(item, dict) else item):
                    total += size(inner) + 2
                    if total > limit:
                        break
                known = seen[id(item)] = total
            return known
        fields = getattr(item, "__dataclass_fields__", None)
        if fields:  # the views: their repr is their fields'
            return size(tuple(getattr(item, name, None) for name in fields))
        return 24

    return size(value)


def _weighed(value, what: str):
    if isinstance(value, (list, tuple, set, frozenset, dict)) or \
            hasattr(value, "__dataclass_fields__"):
        size = weigh(value)
        if size > MAX_VALUE:
            raise TemplateProblem(f"{what} would write out a value of more than {MAX_VALUE:,} "
                                  "characters", BOUND_HINT)
    return value


def _text(value) -> str:
    return str(_weighed(value, "'~'"))


def _binop(operator: str, left, right):
    """`*`, `**`, `+` and `%` with a bound on the size of what they make."""
    if operator == "**":
        if isinstance(right, int) and isinstance(left, (int, float)) and abs(left) > 1 and (
                abs(right) > MAX_EXPONENT or isinstance(left, int) and
                left.bit_length() * right > MAX_INT_BITS):
            raise TemplateProblem(f"{_short(left)} ** {right} is too large to compute")
        return left ** right
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int) and \
                    len(seq) * n > MAX_VALUE:
                raise TemplateProblem(f"repeating {len(seq):,} items {n:,} times is too much")
        if isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateProblem(f"{_short(left)} * {_short(right)} is too large to compute")
        return left * right
    if operator == "+":
        if isinstance(left, (str, bytes, list, tuple)) and isinstance(right, type(left)) and \
                len(left) + len(right) > MAX_VALUE:
            raise TemplateProblem(f"'+' would make a value of {len(left) + len(right):,} "
                                  f"characters or items; at most {MAX_VALUE:,} are allowed",
                                  BOUND_HINT)
        return left + right
    if isinstance(left, (str, bytes)):  # printf-style formatting
        _percent_bounds(left, right if isinstance(right, tuple) else (right,))
        return left % (_weighed(right, "'%'") if not isinstance(right, tuple)
                       else tuple(_weighed(r, "'%'") for r in right))
    return left % right


def _percent_bounds(pattern, args: tuple) -> None:
    pattern = pattern.decode("latin-1") if isinstance(pattern, bytes) else pattern
    for width, precision in _PERCENT.findall(pattern):
        for number in (width, precision):
            if number == "*":
                number = max((a for a in args if isinstance(a, int)), default=0)
            if number and int(number) > MAX_VALUE:
                raise TemplateProblem(f"'%' asks for a field of {int(number):,} characters; at "
                                      f"most {MAX_VALUE:,} are allowed", BOUND_HINT)


def _short(number) -> str:
    text = repr(number) if not isinstance(number, int) or number.bit_length() < 64 else \
        f"a number of {number.bit_length():,} bits"
    return text


def _method_bounds(owner, name: str, args: tuple, kwargs: dict) -> tuple:
    """Refuse, before it runs, a method of a text, bytes or number that would make more than a
    template may (`"x".ljust(10**9)` is one step the watchdog cannot stop); the arguments to
    call it with (an iterator to join, read once)."""
    size = None
    if name in ("ljust", "rjust", "center", "zfill") and args and isinstance(args[0], int):
        size = args[0]
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        size = len(owner) + owner.count(b"\t" if isinstance(owner, bytes) else "\t") * \
            (tab if isinstance(tab, int) else 8)
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], type(owner)) and \
            isinstance(args[1], type(owner)):
        count = len(owner) + 1 if not args[0] else owner.count(args[0])
        if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
            count = min(count, args[2])
        size = len(owner) + count * max(0, len(args[1]) - len(args[0]))
    elif name == "join" and args:
        items = list(args[0])
        size = sum(len(_weighed(i, "join()")) if isinstance(i, (str, bytes)) else 0
                   for i in items) + len(owner) * max(0, len(items) - 1)
        args = (items, *args[1:])
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((len(v) for v in args[0].values() if isinstance(v, (str, bytes))),
                      default=1)
        size = len(owner) * max(1, longest)
    elif name == "to_bytes":
        size = args[0] if args and isinstance(args[0], int) else kwargs.get("length", 1)
    if isinstance(size, int) and size > MAX_VALUE:
        raise TemplateProblem(f"{name}() would make a value of {size:,} characters; at most "
                              f"{MAX_VALUE:,} are allowed", BOUND_HINT)
    return args


# What a filter would make, said before it runs, by filter: (its arguments after the value) ->
# size in characters or items.
def _lines(value) -> int:
    return str(value).count("\n") + 1


_FILTER_SIZES = {
    "center": lambda value, width=80, *_, **__: width,
    "join": lambda value, d="", *_, **__: weigh(value) + len(str(d)) * max(0, len(value) - 1),
    "indent": lambda value, width=4, *_, **__: len(str(value)) + _lines(value) * (
        len(width) if isinstance(width, str) else width),
    "batch": lambda value, linecount, *_, **__: linecount,
    "slice": lambda value, slices, *_, **__: slices,
    "wordwrap": lambda value, width=79, break_long_words=True, wrapstring=None, *_, **__:
        len(str(value)) + (len(str(value)) // 2 + 1) * len(wrapstring or "\n"),
    "replace": lambda value, old, new, count=None, *_, **__: len(str(value)) + (
        (len(str(value)) + 1 if not old else str(value).count(str(old))) *
        max(0, len(str(new)) - len(str(old)))),
    "tojson": lambda value, indent=None, *_, **__: weigh(value) * (
        1 + (indent if isinstance(indent, int) else len(indent or ""))),
    "urlize": lambda value, *args, **kwargs: len(str(value)) * (1 + sum(
        len(v) for v in (*args, *kwargs.values()) if isinstance(v, str))),
}


@functools.lru_cache(maxsize=1024)  # the filters are module functions: wrapped once a process
def bounded_filter(name: str, func):
    """`func`, refusing what would be too large before it runs and after."""
    passes = getattr(func, "jinja_pass_arg", None) is not None  # context/environment first
    size_of = _FILTER_SIZES.get(name)

    @functools.wraps(func)
    def run(*args, **kwargs):
        values = args[1:] if passes else args
        if values:
            if name in STRINGIFYING:
                _weighed(values[0], f"|{name}")
            if name == "join":
                items = list(values[0])
                _weighed(items, "|join")
                values = (items, *values[1:])
                args = (*args[:1], *values) if passes else values
            elif name == "format":
                _percent_bounds(str(values[0]), values[1:])
            elif name == "sum":
                start = kwargs.get("start", values[2] if len(values) > 2 else 0)
                if not isinstance(start, (int, float)):
                    raise TemplateProblem("sum() adds numbers: its start must be a number",
                                          "join lists of text with |join")
            if size_of is not None:
                try:
                    size = size_of(*values, **kwargs)
                except TypeError:
                    size = 0  # wrong arguments: the filter itself says so
                if isinstance(size, int) and size > MAX_VALUE:
                    raise TemplateProblem(f"|{name} would make a value of {size:,} characters "
                                          f"or items; at most {MAX_VALUE:,} are allowed",
                                          BOUND_HINT)
        return grown(func(*args, **kwargs), f"|{name}")

    return run
