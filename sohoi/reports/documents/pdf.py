"""The year-end report as a PDF: the same document as the .docx, laid out in HTML and printed
by WeasyPrint (no LibreOffice on the server).

The font is a local Times-like serif with every Vietnamese letter, embedded in the PDF: Liberation
Serif (metric-compatible with Times New Roman), else Noto Serif (Debian's fonts-noto-core), else
DejaVu Serif. Nothing is fetched from the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import IO

from django.template.loader import render_to_string

from .content import ReportDocument

FONT_DIRECTORIES = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)
FAMILIES = (
    # (directory, regular, bold, italic, bold italic)
    *(
        (directory, "LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf",
         "LiberationSerif-BoldItalic.ttf")
        for directory in FONT_DIRECTORIES
    ),
    (Path("/usr/share/fonts/truetype/noto"), "NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf", "NotoSerif-Italic.ttf",
     "NotoSerif-BoldItalic.ttf"),
    (Path("/usr/share/fonts/truetype/dejavu"), "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf",
     "DejaVuSerif-BoldItalic.ttf"),
)  # fmt: skip


@dataclass(frozen=True)
class FontFace:
    url: str
    weight: str
    style: str


def font_faces() -> list[FontFace]:
    """The four faces of the first serif family installed (an empty list: the PDF falls back to
    the system's serif, still with its diacritics if fontconfig finds one)."""
    for directory, *files in FAMILIES:
        paths = [directory / name for name in files]
        if paths[0].is_file():
            faces = []
            for path, weight, style in zip(
                paths,
                ("normal", "bold", "normal", "bold"),
                ("normal", "normal", "italic", "italic"),
                strict=True,
            ):
                if path.is_file():
                    faces.append(FontFace(path.as_uri(), weight, style))
            return faces
    return []


def report_html(doc: ReportDocument) -> str:
    return render_to_string("report_files/report_document.html", {"doc": doc, "font_faces": font_faces()})


def write_pdf(doc: ReportDocument, path: str | PathLike[str] | IO[bytes]) -> None:
    """Write ``doc`` as a PDF to ``path`` (a file name or a binary file object)."""
    from weasyprint import HTML

    HTML(string=report_html(doc), base_url=str(Path(__file__).parent)).write_pdf(path)
