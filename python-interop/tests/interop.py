"""Where the Java tests leave files for these tests: $KERASJ_INTEROP_DIR, default target/interop (Maven's default
build directory), a relative path taken from the repository root. The surefire configuration in pom.xml passes the
same directory to Java as -Dkerasj.interopDir."""

import os
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]

INTEROP = pathlib.Path(os.environ.get("KERASJ_INTEROP_DIR", REPO / "target" / "interop"))
if not INTEROP.is_absolute():
    INTEROP = REPO / INTEROP
