"""`make docs`: the README's pictures of the documents, made from the demo store.

Plays the demo into a temporary store, renders the minutes of 10 November 2023 as PDF/A
(`lrt minutes show --format pdf`) and as DOCX, and turns the first page of each into a PNG
in docs/: the PDF with pdftoppm (Debian: poppler-utils), the DOCX through LibreOffice
(Debian: libreoffice-writer-nogui) and then pdftoppm, as Word would lay it out. Needs
those programs; nothing here runs in the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).parent
MEETING = "LRT-2023-11-10"


def lrt(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-c", "import sys; from cli.main import main; "
                    "sys.argv[0] = 'lrt'; sys.exit(main())", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL)


def first_page(pdf: Path, png: Path) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(png.with_suffix(""))], check=True)


def main() -> int:
    for program in ("pdftoppm", "soffice"):
        if shutil.which(program) is None:
            print(f"make docs needs {program} (Debian: poppler-utils, "
                  "libreoffice-writer-nogui)", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        lrt("--db", "demo.sqlite", "demo", cwd=work)
        for fmt in ("pdf", "docx"):
            lrt("--db", "demo.sqlite", "--as", "secretariaat", "minutes", "show", MEETING,
                "--format", fmt, "--out", f"verslag.{fmt}", cwd=work)
        first_page(work / "verslag.pdf", DOCS / "verslag-pdf-pagina-1.png")
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir",
                        str(work / "word"), str(work / "verslag.docx")], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        first_page(work / "word" / "verslag.pdf", DOCS / "verslag-docx-pagina-1.png")
    print("docs/verslag-pdf-pagina-1.png docs/verslag-docx-pagina-1.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
