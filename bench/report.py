"""The printed table: sections of rows, each with its own columns, and a target verdict where one applies."""

from dataclasses import dataclass, field


@dataclass
class Row:
    label: str
    cells: list[str]
    target: str = ""


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, label: str, *cells: str, target: str = "") -> None:
        self.rows.append(Row(label, list(cells), target))


def verdict(met: bool, goal: str) -> str:
    """E.g. "≥ 70 %: met" or "< 50 ms: MISSED"."""
    return f"{goal}: {'met' if met else 'MISSED'}"


def number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def render(header: list[str], sections: list[Section]) -> str:
    lines = [*header, ""]
    for section in sections:
        label_width = max([len(r.label) for r in section.rows] + [20])
        widths = [
            max([len(column)] + [len(r.cells[i]) for r in section.rows if i < len(r.cells)])
            for i, column in enumerate(section.columns)
        ]
        lines.append(section.title)
        heading = " " * label_width + "".join(f"  {c:>{w}}" for c, w in zip(section.columns, widths, strict=True))
        lines.append(f"  {heading}  target")
        for row in section.rows:
            cells = "".join(f"  {c:>{w}}" for c, w in zip(row.cells, widths, strict=False))
            lines.append(f"  {row.label:<{label_width}}{cells}  {row.target}".rstrip())
        lines.extend(f"  - {note}" for note in section.notes)
        lines.append("")
    return "\n".join(lines)
