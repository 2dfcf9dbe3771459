#!/usr/bin/env python3
"""Print the dependencies in pyproject.toml, one per line, for `pip install -r`.

Usage: bin/requirements.py [EXTRA ...]   (e.g. `bin/requirements.py test`)
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())[
    "project"
]
requirements = list(project["dependencies"])
for extra in sys.argv[1:]:
    requirements += project["optional-dependencies"][extra]
print("\n".join(requirements))
