"""How the report and the terminal table print numbers: the same digits in both."""


def ms(value: float | None) -> str:
    """Milliseconds with about three significant digits; "-" when there is no value."""
    if value is None:
        return "-"
    if value < 10:
        return f"{value:.2f}"
    return f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def per_second(value: float) -> str:
    return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"
