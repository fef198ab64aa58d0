"""Convert .docx files to PDF with LibreOffice, updating the table of contents first.

Run with the *system* Python that has LibreOffice's ``uno`` module (Debian:
python3-uno), not inside the project's virtual environment:

    /usr/bin/python3 uno_convert.py PROFILE_DIR OUT_DIR FILE.docx [FILE.docx ...]

``soffice --convert-to pdf`` recomputes page numbers, SEQ and REF fields but not the
table of contents; this script loads each file hidden, updates every index (twice, so
page numbers settle), refreshes the fields and exports PDF. One LibreOffice process
serves all files. Exit code 0 on success; messages on stderr.
"""

import contextlib
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    """Convert the files named in ``argv`` (see the module docstring)."""
    import uno  # type: ignore[import-not-found]
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    profile, out_dir, files = argv[1], argv[2], argv[3:]
    desktop = None
    pipe = f"dossier{os.getpid()}"
    proc = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "-env:UserInstallation=" + uno.systemPathToFileUrl(os.path.abspath(profile)),
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        ctx = None
        for _ in range(120):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.25)
        if ctx is None:
            sys.stderr.write("LibreOffice did not start\n")
            return 1
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

        def prop(name: str, value: object) -> object:
            p = PropertyValue()
            p.Name, p.Value = name, value
            return p

        for path in files:
            url = uno.systemPathToFileUrl(os.path.abspath(path))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            for _ in range(2):
                indexes = doc.getDocumentIndexes()
                for i in range(indexes.getCount()):
                    indexes.getByIndex(i).update()
                doc.getTextFields().refresh()
            name = os.path.splitext(os.path.basename(path))[0] + ".pdf"
            target = uno.systemPathToFileUrl(os.path.join(os.path.abspath(out_dir), name))
            doc.storeToURL(target, (prop("FilterName", "writer_pdf_Export"),))
            doc.close(True)
        return 0
    finally:
        if desktop is not None:
            with contextlib.suppress(Exception):
                desktop.terminate()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
