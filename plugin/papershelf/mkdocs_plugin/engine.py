"""Which site engine imports the plugin: MkDocs 1.x and ProperDocs run it; MkDocs 2 cannot.

ProperDocs (1.6.x, the continuation of MkDocs 1.x) answers every `import mkdocs...` with its own
modules, so `mkdocs.__version__` is the version of whichever 1.x engine runs the build. "MkDocs
2" (2.0 pre-releases) is another program under the same name: no `mkdocs.config`, no plugins, no
`mkdocs.yml`. Importing the plugin there would end in `No module named 'mkdocs.config'`; this
module ends it with a message saying what works instead.
"""

from __future__ import annotations

import re

from papershelf.errors import EngineError

_MAJOR = re.compile(r"\d+")


def check_engine(version: str) -> None:
    """Return if `version` (the imported `mkdocs.__version__`, e.g. `1.6.1`) runs the plugin.

    Raises:
        EngineError: For any other major version than 1, e.g. `2.0.dev6`, naming the three ways
            that work.
    """
    major = _MAJOR.match(version)
    if major is not None and major.group() == "1":
        return
    raise EngineError(
        f"papershelf: the MkDocs plugin needs MkDocs 1.x or ProperDocs, but MkDocs {version} is "
        "installed; MkDocs 2 runs no plugins and reads no mkdocs.yml. Either install MkDocs 1.6 "
        "(`pip install 'papershelf[site]'`, which asks for mkdocs<2), or build with ProperDocs "
        "(`pip install properdocs`, then `properdocs build`), or write the pages with "
        "`papershelf site` and build them without the plugin (see the guide's page on engines)"
    )
