"""Notice, on import, another installed distribution that shares this package's folder.

The import names `autograd` and `nn` are pathgrad's, and also those of other packages on PyPI (HIPS
autograd is a popular one). pip installs both into site-packages/autograd/ without a word: the later
install overwrites the files they share (`__init__.py`), and uninstalling either leaves the other
broken. The clash can be seen from the installed metadata: a distribution other than pathgrad whose
file list (its RECORD) has files in this package's folder. `warn_if_shared` looks once per package
and warns, saying what to do; from a source checkout there is nothing to find and nothing is said.
"""
import os
import re
import warnings

__all__ = ["shared_with", "warn_if_shared"]

OWN = "pathgrad"


def shared_with(package, folder):
    """The other distributions ("name version") that have installed files in `folder`, the folder of
    the top-level package `package`, read from the metadata of the distributions beside it."""
    folder = os.path.realpath(folder)
    site = os.path.dirname(folder)
    try:
        infos = [e.path for e in os.scandir(site) if e.name.endswith((".dist-info", ".egg-info")) and e.is_dir()]
    except OSError:
        return []
    # A plain text test of each file list first: importing importlib.metadata costs more than the rest
    # of `import autograd` together, and from a source checkout there is nothing to look at.
    suspects = [path for path in infos if not _own(path) and _mentions(path, package)]
    if not suspects:
        return []
    import importlib.metadata  # only when another distribution names a file under our folder
    found = set()
    for path in suspects:
        dist = importlib.metadata.Distribution.at(path)
        name = dist.metadata["Name"] or os.path.basename(path)
        if re.sub(r"[-_.]+", "-", name).lower() == OWN:
            continue
        inside = (os.path.realpath(dist.locate_file(f)) for f in dist.files or ())
        if any(p.startswith(folder + os.sep) for p in inside):
            found.add(f"{name} {dist.version}")
    return sorted(found)


def _own(info):
    """pathgrad's own metadata folder, by its name (pathgrad-0.1.0.dist-info; pip may write Pathgrad)."""
    return re.sub(r"[-_.]+", "-", os.path.basename(info)).lower().startswith(OWN + "-")


def _mentions(info, package):
    for listing in ("RECORD", "installed-files.txt"):
        try:
            with open(os.path.join(info, listing), encoding="utf-8", errors="replace") as f:
                return f"{package}/" in f.read()
        except OSError:
            continue
    return False


def warn_if_shared(package, folder):
    """Warn (RuntimeWarning) when another distribution's files are in this package's folder."""
    try:
        others = shared_with(package, folder)
    except (OSError, ValueError):  # unreadable metadata: nothing seen, nothing to say
        return
    if others:
        warnings.warn(
            f"the package folder {folder} holds files of pathgrad and of {', '.join(others)}, another "
            f"distribution that installs a package named {package!r}: whichever was installed last "
            f"overwrote the other's files, and uninstalling one breaks the other. Install pathgrad in a "
            f"virtual environment of its own (python -m venv .venv; .venv/bin/pip install pathgrad; "
            f"`make` does this), and {', '.join(o.split()[0] for o in others)} in another.",
            RuntimeWarning, stacklevel=2)
